/**
 * @packageDocumentation
 * Parses Spark SQL expressions into a tree, with the precedence of Spark's grammar (SqlBaseParser.g4,
 * `booleanExpression` / `valueExpression` / `primaryExpression`; the table in Spark's "Operator
 * precedence" reference page). Token-level rewriting cannot know where an operand ends — `a * b / c`,
 * `arr[0]` inside a call, `NOT a = b` — so every Spark meaning that differs from DuckDB's is applied to
 * a node of this tree (expression-render.ts), never to a run of tokens.
 *
 * Tokens are significant tokens only (no spaces or comments). Subqueries, window specs and FILTER
 * clauses are kept as token ranges: they are clauses, not expressions, and the clause walker
 * (dialect.ts) translates them.
 */
import { Cursor } from "./cursor.js";
import { syntaxError, unsupported } from "../errors.js";
import { isOp, isWord, type Token } from "./tokenizer.js";
import { parseType, type SparkType } from "./types.js";

/** Token indexes `[start, end)` of a clause inside the statement's significant tokens. */
export interface TokenRange {
  start: number;
  end: number;
}

export interface CallArg {
  expr: Expr;
  /** `struct(x AS name)`: the field name. */
  alias?: Token;
}

export type Expr =
  | { k: "literal"; token: Token }
  | { k: "strings"; value: string }
  | { k: "keyword"; word: "NULL" | "TRUE" | "FALSE" }
  | { k: "typed"; type: string; token: Token }
  | { k: "interval"; parts: { value: Expr; unit: string }[] }
  | { k: "param"; token: Token }
  | { k: "name"; parts: Token[] }
  | { k: "star"; qualifier: Token[] }
  | { k: "paren"; inner: Expr }
  | { k: "tuple"; items: Expr[] }
  | { k: "query"; range: TokenRange }
  | { k: "exists"; range: TokenRange }
  | { k: "call"; name: Token; qualifier?: Token[]; args: CallArg[]; distinct: boolean; star: boolean; filter?: TokenRange; over?: TokenRange | Token }
  | { k: "special"; name: string; args: Expr[]; token: Token }
  | { k: "cast"; operand: Expr; type: SparkType; isTry: boolean }
  | { k: "unary"; op: "-" | "+" | "~" | "NOT"; operand: Expr }
  | { k: "binary"; op: string; left: Expr; right: Expr }
  | { k: "logical"; op: "AND" | "OR"; items: Expr[] }
  | { k: "is"; operand: Expr; not: boolean; what: "NULL" | "TRUE" | "FALSE" | "UNKNOWN" }
  | { k: "distinctFrom"; left: Expr; right: Expr; not: boolean }
  | { k: "between"; operand: Expr; low: Expr; high: Expr; not: boolean }
  | { k: "in"; operand: Expr; list: Expr[]; not: boolean }
  | { k: "inQuery"; operand: Expr; range: TokenRange; not: boolean }
  | { k: "like"; op: "LIKE" | "ILIKE" | "RLIKE"; operand: Expr; pattern: Expr; escape?: Token; not: boolean }
  | { k: "likeQuantified"; op: "LIKE" | "ILIKE"; quantifier: "ANY" | "ALL"; operand: Expr; patterns: Expr[]; not: boolean }
  | { k: "case"; operand?: Expr; whens: [Expr, Expr][]; otherwise?: Expr }
  | { k: "subscript"; base: Expr; index: Expr; token: Token }
  | { k: "field"; base: Expr; name: Token }
  | { k: "lambda"; params: Token[]; body: Expr };

/**
 * Binding powers, loosest first. A prefix NOT takes a boolean operand that stops at AND/OR; the
 * predicates (BETWEEN, IN, LIKE, IS …) apply to a whole value expression, comparisons included.
 */
const BP = { or: 1, and: 2, not: 3, predicate: 4, comparison: 5, bitOr: 6, bitXor: 7, bitAnd: 8, additive: 10, multiplicative: 11, unary: 12, postfix: 13 } as const;

const COMPARISONS = new Set(["=", "==", "<>", "!=", "<", "<=", ">", ">=", "<=>"]);
const QUERY_STARTS = ["SELECT", "WITH", "VALUES", "FROM", "TABLE"];
const PREDICATE_WORDS = ["IN", "BETWEEN", "LIKE", "ILIKE", "RLIKE", "REGEXP"];

/** Interval units as Spark spells them (singular and plural), to DuckDB's. */
export const INTERVAL_UNITS: Record<string, string> = Object.fromEntries(
  ["YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"].flatMap((u) => [[u, u], [`${u}S`, u]]),
);

const isNamePart = (t: Token | undefined): boolean => t !== undefined && (t.kind === "word" || t.kind === "ident");

export class ExpressionParser {
  constructor(
    readonly tokens: Token[],
    public i: number,
    readonly end: number,
  ) {}

  peek(offset = 0): Token | undefined {
    const j = this.i + offset;
    return j < this.end ? this.tokens[j] : undefined;
  }

  private next(): Token {
    const t = this.peek();
    if (!t) throw syntaxError("unexpected end of input in an expression");
    this.i++;
    return t;
  }

  private unexpected(expected: string): Error {
    const t = this.peek();
    return syntaxError(
      t ? `at or near '${t.kind === "string" ? "'…'" : t.value}' (position ${t.pos}): expected ${expected}` : `expected ${expected} at end of input`,
    );
  }

  private expectOp(op: string): void {
    if (!isOp(this.peek(), op)) throw this.unexpected(`'${op}'`);
    this.i++;
  }

  private acceptWord(...words: string[]): boolean {
    if (!words.every((w, k) => isWord(this.peek(k), w))) return false;
    this.i += words.length;
    return true;
  }

  /** The index just past the `)` or `]` closing the bracket at `open`. */
  closing(open: number): number {
    return closingIndex(this.tokens, open, this.end);
  }

  /** One expression, binding operators tighter than `minBp`. */
  expression(minBp = 0): Expr {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (!t) return left;
      if (t.kind === "op") {
        const op = t.value;
        if (op === "[" && BP.postfix > minBp) {
          const close = this.closing(this.i);
          this.i++;
          const index = this.expression();
          if (this.i !== close - 1) throw this.unexpected("']'");
          this.i = close;
          left = { k: "subscript", base: left, index, token: t };
          continue;
        }
        if (op === "." && isNamePart(this.peek(1)) && BP.postfix > minBp) {
          left = { k: "field", base: left, name: this.peek(1)! };
          this.i += 2;
          continue;
        }
        if (op === "::" && BP.postfix > minBp) {
          this.i++;
          left = { k: "cast", operand: left, type: this.type(), isTry: false };
          continue;
        }
        const bp = binaryPower(op);
        if (bp === undefined || bp <= minBp) return left;
        this.i++;
        left = this.binary(op === "==" ? "=" : op, left, this.expression(bp), bp);
        continue;
      }
      if (t.kind !== "word") return left;
      const word = t.value.toUpperCase();
      if (word === "DIV") {
        if (BP.multiplicative <= minBp) return left;
        this.i++;
        left = { k: "binary", op: "DIV", left, right: this.expression(BP.multiplicative) };
        continue;
      }
      if (word === "AND" || word === "OR") {
        const bp = word === "AND" ? BP.and : BP.or;
        if (bp <= minBp) return left;
        this.i++;
        left = this.binary(word, left, this.expression(bp), bp);
        continue;
      }
      const negated = word === "NOT" && isWord(this.peek(1), ...PREDICATE_WORDS);
      if (negated || PREDICATE_WORDS.includes(word) || word === "IS") {
        if (BP.predicate <= minBp) return left;
        left = this.predicate(left);
        continue;
      }
      return left;
    }
  }

  /** Builds a binary node; AND/OR chains stay flat so a long WHERE does not nest deeply. */
  private binary(op: string, left: Expr, right: Expr, _bp: number): Expr {
    if (op === "AND" || op === "OR") {
      const items = left.k === "logical" && left.op === op ? [...left.items, right] : [left, right];
      return { k: "logical", op, items };
    }
    return { k: "binary", op, left, right };
  }

  private predicate(operand: Expr): Expr {
    const not = this.acceptWord("NOT");
    const t = this.next();
    const word = t.value.toUpperCase();
    switch (word) {
      case "IN": {
        if (!isOp(this.peek(), "(")) throw this.unexpected("'(' after IN");
        const close = this.closing(this.i);
        if (isWord(this.peek(1), ...QUERY_STARTS)) {
          const range = { start: this.i + 1, end: close - 1 };
          this.i = close;
          return { k: "inQuery", operand, range, not };
        }
        this.i++;
        const list = this.list(")");
        return { k: "in", operand, list, not };
      }
      case "BETWEEN": {
        const low = this.expression(BP.predicate);
        if (!this.acceptWord("AND")) throw this.unexpected("AND in BETWEEN");
        const high = this.expression(BP.predicate);
        return { k: "between", operand, low, high, not };
      }
      case "LIKE":
      case "ILIKE":
      case "RLIKE":
      case "REGEXP": {
        if ((word === "LIKE" || word === "ILIKE") && isWord(this.peek(), "ANY", "SOME", "ALL") && isOp(this.peek(1), "(")) {
          const quantifier = this.next().value.toUpperCase() === "ALL" ? "ALL" : "ANY";
          this.i++;
          const patterns = this.list(")");
          if (patterns.length === 0) throw syntaxError(`at or near ')': ${word} ${quantifier} needs at least one pattern`);
          return { k: "likeQuantified", op: word, quantifier, operand, patterns, not };
        }
        const pattern = this.expression(BP.predicate);
        let escape: Token | undefined;
        if (word !== "RLIKE" && word !== "REGEXP" && this.acceptWord("ESCAPE")) {
          escape = this.next();
          if (escape.kind !== "string") throw syntaxError("ESCAPE needs a string literal");
        }
        return { k: "like", op: word === "REGEXP" ? "RLIKE" : (word as "LIKE" | "ILIKE" | "RLIKE"), operand, pattern, escape, not };
      }
      case "IS": {
        if (not) throw syntaxError(`at or near 'IS' (position ${t.pos})`);
        const isNot = this.acceptWord("NOT");
        if (this.acceptWord("DISTINCT", "FROM")) return { k: "distinctFrom", left: operand, right: this.expression(BP.predicate), not: isNot };
        const what = this.next();
        const w = what.kind === "word" ? what.value.toUpperCase() : "";
        if (w !== "NULL" && w !== "TRUE" && w !== "FALSE" && w !== "UNKNOWN") throw syntaxError(`at or near '${what.value}' (position ${what.pos}): expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS`);
        return { k: "is", operand, not: isNot, what: w };
      }
      default:
        throw syntaxError(`at or near '${t.value}' (position ${t.pos})`);
    }
  }

  /** Comma-separated expressions up to the closing `close`, which is consumed. */
  private list(close: string): Expr[] {
    const items: Expr[] = [];
    if (isOp(this.peek(), close)) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.expression());
      if (isOp(this.peek(), ",")) {
        this.i++;
        continue;
      }
      this.expectOp(close);
      return items;
    }
  }

  private type(): SparkType {
    // The cursor reads the whole token array in place: a slice per cast would make a long VALUES list quadratic.
    const c = new Cursor(this.tokens);
    c.i = this.i;
    const type = parseType(c);
    if (c.i > this.end) throw syntaxError("a type runs past the end of its expression");
    this.i = c.i;
    return type;
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "number":
        return { k: "literal", token: t };
      case "string": {
        // Spark joins adjacent string literals: 'a' 'b' is 'ab'.
        if (this.peek()?.kind !== "string") return { k: "literal", token: t };
        let value = t.value;
        while (this.peek()?.kind === "string") value += this.next().value;
        return { k: "strings", value };
      }
      case "param":
      case "qmark":
        return { k: "param", token: t };
      case "ident":
        return this.nameOrCall(t);
      case "op":
        return this.prefixOp(t);
      case "word":
        return this.prefixWord(t);
      default:
        throw syntaxError(`at or near '${t.value}' (position ${t.pos})`);
    }
  }

  private prefixOp(t: Token): Expr {
    switch (t.value) {
      case "(": {
        const open = this.i - 1;
        const close = this.closing(open);
        if (isWord(this.peek(), ...QUERY_STARTS) || (isOp(this.peek(), "(") && this.queryInside(this.i))) {
          this.i = close;
          return { k: "query", range: { start: open + 1, end: close - 1 } };
        }
        const lambda = this.lambdaParams(open, close);
        if (lambda) {
          this.i = close + 1;
          return { k: "lambda", params: lambda, body: this.expression() };
        }
        const items = this.list(")");
        if (items.length === 0) throw syntaxError(`at or near ')' (position ${t.pos}): an empty group is not an expression`);
        return items.length === 1 ? { k: "paren", inner: items[0]! } : { k: "tuple", items };
      }
      case "-":
      case "+":
      case "~":
        return { k: "unary", op: t.value, operand: this.expression(BP.unary) };
      case "!":
        return { k: "unary", op: "NOT", operand: this.expression(BP.not) };
      case "*":
        return { k: "star", qualifier: [] };
      default:
        throw syntaxError(`at or near '${t.value}' (position ${t.pos})`);
    }
  }

  /** Whether the `(` at `open` starts a query, through any number of extra parentheses: `((SELECT 1))`. */
  private queryInside(open: number): boolean {
    let k = open;
    while (isOp(this.tokens[k], "(")) k++;
    return isWord(this.tokens[k], ...QUERY_STARTS);
  }

  /** `(a, b) ->`: the parameter names, when the group at `open` is a lambda's parameter list. */
  private lambdaParams(open: number, close: number): Token[] | undefined {
    if (!isOp(this.tokens[close], "->") || close >= this.end) return undefined;
    const params: Token[] = [];
    for (let k = open + 1; k < close - 1; k += 2) {
      if (!isNamePart(this.tokens[k])) return undefined;
      params.push(this.tokens[k]!);
      if (k + 1 < close - 1 && !isOp(this.tokens[k + 1], ",")) return undefined;
    }
    return params.length > 0 ? params : undefined;
  }

  private prefixWord(t: Token): Expr {
    const word = t.value.toUpperCase();
    const next = this.peek();
    if (next?.kind === "string") {
      switch (word) {
        case "DATE":
        case "TIMESTAMP":
        case "TIMESTAMP_LTZ":
        case "TIMESTAMP_NTZ":
        case "X":
          this.i++;
          return { k: "typed", type: word, token: next };
      }
    }
    if (isOp(next, "->")) {
      this.i++;
      return { k: "lambda", params: [t], body: this.expression() };
    }
    switch (word) {
      case "NULL":
      case "TRUE":
      case "FALSE":
        if (!isOp(next, "(")) return { k: "keyword", word };
        break;
      case "NOT":
        return { k: "unary", op: "NOT", operand: this.expression(BP.not) };
      case "CASE":
        return this.caseExpr();
      case "INTERVAL":
        return this.interval(t);
      case "EXISTS":
        if (isOp(next, "(") && this.queryInside(this.i + 1)) {
          const close = this.closing(this.i);
          const range = { start: this.i + 1, end: close - 1 };
          this.i = close;
          return { k: "exists", range };
        }
        break;
      case "CAST":
      case "TRY_CAST":
        if (isOp(next, "(")) {
          this.i++;
          const operand = this.expression();
          if (!this.acceptWord("AS")) throw this.unexpected(`'AS <type>' in ${word}`);
          const type = this.type();
          this.expectOp(")");
          return { k: "cast", operand, type, isTry: word === "TRY_CAST" };
        }
        break;
    }
    return this.nameOrCall(t);
  }

  private caseExpr(): Expr {
    const operand = isWord(this.peek(), "WHEN") ? undefined : this.expression();
    const whens: [Expr, Expr][] = [];
    while (this.acceptWord("WHEN")) {
      const when = this.expression();
      if (!this.acceptWord("THEN")) throw this.unexpected("THEN");
      whens.push([when, this.expression()]);
    }
    if (whens.length === 0) throw this.unexpected("WHEN");
    const otherwise = this.acceptWord("ELSE") ? this.expression() : undefined;
    if (!this.acceptWord("END")) throw this.unexpected("END");
    return { k: "case", operand, whens, otherwise };
  }

  /** `INTERVAL '1 day'`, `INTERVAL '1' DAY`, `INTERVAL 1 DAY 2 HOURS`; the `x TO y` forms are refused. */
  private interval(t: Token): Expr {
    const parts: { value: Expr; unit: string }[] = [];
    for (;;) {
      const v = this.peek();
      const negative = isOp(v, "-") && this.peek(1)?.kind === "number";
      const valueToken = negative ? this.peek(1) : v;
      if (!valueToken || (valueToken.kind !== "number" && valueToken.kind !== "string")) break;
      const unitToken = this.peek(negative ? 2 : 1);
      const unit = unitToken?.kind === "word" ? INTERVAL_UNITS[unitToken.value.toUpperCase()] : undefined;
      if (!unit) {
        if (valueToken.kind === "string" && parts.length === 0 && !negative) {
          this.i++;
          return { k: "typed", type: "INTERVAL", token: valueToken };
        }
        break;
      }
      this.i += negative ? 3 : 2;
      const literal: Expr = { k: "literal", token: valueToken };
      parts.push({ value: negative ? { k: "unary", op: "-", operand: literal } : literal, unit });
      if (isWord(this.peek(), "TO")) throw unsupported("An INTERVAL literal with 'TO' (year-month or day-time ranges)");
    }
    if (parts.length === 0) throw syntaxError(`at or near 'INTERVAL' (position ${t.pos}): expected a value and a unit`);
    return { k: "interval", parts };
  }

  /** A name chain, a qualified star, or a call (with its FILTER and OVER clauses). */
  private nameOrCall(first: Token): Expr {
    const parts = [first];
    while (isOp(this.peek(), ".") && isNamePart(this.peek(1))) {
      parts.push(this.peek(1)!);
      this.i += 2;
    }
    if (isOp(this.peek(), ".") && isOp(this.peek(1), "*")) {
      this.i += 2;
      return { k: "star", qualifier: parts };
    }
    if (!isOp(this.peek(), "(")) return { k: "name", parts };
    const call = this.call(parts[parts.length - 1]!);
    if (parts.length > 1 && call.k === "call") call.qualifier = parts.slice(0, -1);
    return call;
  }

  private call(name: Token): Expr {
    const lower = name.value.toLowerCase();
    this.i++; // (
    const special = this.specialArgs(lower, name);
    if (special) return special;
    let star = false;
    let distinct = false;
    const args: CallArg[] = [];
    if (isOp(this.peek(), "*") && isOp(this.peek(1), ")")) {
      star = true;
      this.i += 2;
    } else if (isOp(this.peek(), ")")) this.i++;
    else {
      if (this.acceptWord("DISTINCT")) distinct = true;
      else this.acceptWord("ALL");
      for (;;) {
        const expr = this.expression();
        const alias = this.acceptWord("AS") ? this.next() : undefined;
        if (alias && !isNamePart(alias)) throw syntaxError(`at or near '${alias.value}' (position ${alias.pos}): expected a field name after AS`);
        args.push(alias ? { expr, alias } : { expr });
        if (isOp(this.peek(), ",")) {
          this.i++;
          continue;
        }
        if (!isOp(this.peek(), ")")) throw this.unexpected(`',' or ')' in the arguments of ${lower}`);
        this.i++;
        break;
      }
    }
    const node: Expr & { k: "call" } = { k: "call", name, args, distinct, star };
    if (isWord(this.peek(), "IGNORE", "RESPECT") && isWord(this.peek(1), "NULLS")) throw unsupported(`${this.peek()!.value.toUpperCase()} NULLS`);
    if (isWord(this.peek(), "WITHIN") && isWord(this.peek(1), "GROUP")) throw unsupported("WITHIN GROUP");
    if (isWord(this.peek(), "FILTER") && isOp(this.peek(1), "(")) {
      const close = this.closing(this.i + 1);
      if (!isWord(this.peek(2), "WHERE")) throw this.unexpected("WHERE in FILTER (…)");
      node.filter = { start: this.i + 3, end: close - 1 };
      this.i = close;
    }
    if (this.acceptWord("OVER")) {
      if (isOp(this.peek(), "(")) {
        const close = this.closing(this.i);
        node.over = { start: this.i + 1, end: close - 1 };
        this.i = close;
      } else if (isNamePart(this.peek())) node.over = this.next();
      else throw this.unexpected("a window after OVER");
    }
    return node;
  }

  /**
   * Calls whose arguments are not a plain list: `extract(f FROM x)`, `trim(BOTH c FROM s)`,
   * `position(a IN b)`, `substring(s FROM p FOR n)`. Undefined for every other call.
   */
  private specialArgs(lower: string, token: Token): Expr | undefined {
    switch (lower) {
      case "extract": {
        const field = this.next();
        if (!isNamePart(field) || !this.acceptWord("FROM")) throw syntaxError(`extract needs 'field FROM source' (position ${token.pos})`);
        const source = this.expression();
        this.expectOp(")");
        return { k: "special", name: `extract:${field.value.toUpperCase()}`, args: [source], token };
      }
      case "trim":
      case "ltrim":
      case "rtrim": {
        let side = lower === "ltrim" ? "LEADING" : lower === "rtrim" ? "TRAILING" : "BOTH";
        let explicit = false;
        for (const s of ["BOTH", "LEADING", "TRAILING"])
          if (lower === "trim" && this.acceptWord(s)) {
            side = s;
            explicit = true;
          }
        if (explicit && this.acceptWord("FROM")) {
          const source = this.expression();
          this.expectOp(")");
          return { k: "special", name: `trim:${side}`, args: [source], token };
        }
        if (!explicit && isOp(this.peek(), ")")) return undefined;
        const save = this.i;
        const first = this.expression();
        if (this.acceptWord("FROM")) {
          const source = this.expression();
          this.expectOp(")");
          return { k: "special", name: `trim:${side}`, args: [source, first], token };
        }
        if (explicit) throw this.unexpected("FROM");
        this.i = save;
        return undefined;
      }
      case "position": {
        const save = this.i;
        const needle = this.expression(BP.predicate);
        if (this.acceptWord("IN")) {
          const haystack = this.expression();
          this.expectOp(")");
          return { k: "special", name: "position", args: [needle, haystack], token };
        }
        this.i = save;
        return undefined;
      }
      case "substring":
      case "substr": {
        const save = this.i;
        const source = this.expression();
        if (this.acceptWord("FROM")) {
          const pos = this.expression();
          const args = [source, pos];
          if (this.acceptWord("FOR")) args.push(this.expression());
          this.expectOp(")");
          return { k: "special", name: "substring", args, token };
        }
        this.i = save;
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

/** The index just past the `)` or `]` that closes the bracket at `open`, within `[open, end)`. */
export function closingIndex(tokens: Token[], open: number, end: number): number {
  const o = tokens[open]!.value;
  const c = o === "(" ? ")" : "]";
  let depth = 0;
  for (let k = open; k < end; k++) {
    const t = tokens[k]!;
    if (t.kind !== "op") continue;
    if (t.value === o) depth++;
    else if (t.value === c && --depth === 0) return k + 1;
  }
  throw syntaxError(o === "(" ? "unbalanced parentheses" : "unbalanced brackets");
}

function binaryPower(op: string): number | undefined {
  if (COMPARISONS.has(op)) return BP.comparison;
  switch (op) {
    case "*":
    case "/":
    case "%":
      return BP.multiplicative;
    case "+":
    case "-":
    case "||":
      return BP.additive;
    case "&":
      return BP.bitAnd;
    case "^":
      return BP.bitXor;
    case "|":
      return BP.bitOr;
    default:
      return undefined;
  }
}
