/**
 * @packageDocumentation
 * A read position over significant tokens, for the small recursive-descent parsers of the statements
 * we translate.
 */
import { syntaxError } from "../errors.js";
import { isOp, isWord, type Token } from "./tokenizer.js";

export class Cursor {
  i = 0;
  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.i];
    if (!t) throw syntaxError("unexpected end of statement");
    this.i++;
    return t;
  }

  /** Consumes the words in order if they are all next; otherwise consumes nothing. */
  acceptWords(...words: string[]): boolean {
    if (!words.every((w, k) => isWord(this.peek(k), w))) return false;
    this.i += words.length;
    return true;
  }

  acceptOp(op: string): boolean {
    if (!isOp(this.peek(), op)) return false;
    this.i++;
    return true;
  }

  expectWords(...words: string[]): void {
    if (!this.acceptWords(...words)) throw this.unexpected(words.join(" "));
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.unexpected(`'${op}'`);
  }

  /** An identifier: an unquoted word or a backtick name. */
  identifier(): string {
    const t = this.next();
    if (t.kind === "word" || t.kind === "ident") return t.value;
    this.i--;
    throw this.unexpected("an identifier");
  }

  /** A dotted name, e.g. `a`.b.`c`. */
  qualifiedName(): string[] {
    const parts = [this.identifier()];
    while (isOp(this.peek(), ".")) {
      this.i++;
      parts.push(this.identifier());
    }
    return parts;
  }

  stringLiteral(): string {
    const t = this.next();
    if (t.kind === "string") return t.value;
    this.i--;
    throw this.unexpected("a string literal");
  }

  /** Index just past the `)` that closes the `(` at the current position. */
  matchingParen(from = this.i): number {
    let depth = 0;
    for (let k = from; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (isOp(t, "(")) depth++;
      else if (isOp(t, ")")) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    throw syntaxError("unbalanced parentheses");
  }

  /** Consumes a parenthesised list and returns each top-level comma-separated element's tokens. */
  parenList(): Token[][] {
    if (!isOp(this.peek(), "(")) throw this.unexpected("'('");
    const end = this.matchingParen();
    const inner = this.tokens.slice(this.i + 1, end - 1);
    this.i = end;
    return splitTopLevel(inner, ",");
  }

  rest(): Token[] {
    const out = this.tokens.slice(this.i);
    this.i = this.tokens.length;
    return out;
  }

  expectEnd(): void {
    if (!this.done) throw this.unexpected("end of statement");
  }

  unexpected(expected: string): Error {
    const t = this.peek();
    return syntaxError(
      t ? `at or near '${t.kind === "string" ? "'…'" : t.value}' (position ${t.pos}): expected ${expected}` : `expected ${expected} at end of input`,
    );
  }
}

/** Splits tokens on a top-level separator, ignoring separators inside parentheses, brackets and angle-bracket types. */
export function splitTopLevel(tokens: Token[], separator: string): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "op" && (t.value === "(" || t.value === "[")) depth++;
    else if (t.kind === "op" && (t.value === ")" || t.value === "]")) depth--;
    if (depth === 0 && t.kind === "op" && t.value === separator) {
      parts.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0 || parts.length > 0) parts.push(current);
  return parts;
}
