/**
 * @packageDocumentation
 * A lexer for the Databricks SQL dialect. Every rewrite works on these tokens, never on raw text, so
 * a quote, backtick, semicolon or comment inside a literal or identifier can never change the
 * statement's structure.
 */
import { syntaxError } from "../errors.js";

export type TokenKind =
  | "word" // unquoted identifier or keyword
  | "ident" // `backtick` identifier; value is the unescaped name
  | "string" // '…' or "…" literal (Spark reads "…" as a string); value is the decoded text
  | "number"
  | "param" // :name
  | "qmark" // ?
  | "op"
  | "space"
  | "comment";

export interface Token {
  kind: TokenKind;
  /** Decoded value: the name, the string's characters, the operator, or the raw text. */
  value: string;
  /** Offset in the statement, for error messages. */
  pos: number;
}

const MULTI_OPS = ["<=>", "::", "<=", ">=", "<>", "!=", "==", "||", "->", "=>", "&&"];

// Character-code tests rather than regexes: the tokenizer runs over every byte of large INSERT batches.
const isIdentStart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k >= 0x80;
};
const isDigit = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return k >= 48 && k <= 57;
};
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === "$";
const isSpace = (c: string | undefined): boolean => c === " " || c === "\n" || c === "\t" || c === "\r" || c === "\f" || c === "\v";

/** Characters that can start a multi-character operator; any other operator is one character. */
const MULTI_OP_STARTS = new Set(MULTI_OPS.map((o) => o[0]!));

/**
 * The tokens of a statement. Whitespace and comments are dropped unless `keepTrivia` is set: every
 * statement parser works on significant tokens, and a 1 MiB INSERT would otherwise carry a space token
 * between every two values.
 */
export function tokenize(sql: string, keepTrivia = false): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (isSpace(c)) {
      while (i < n && isSpace(sql[i])) i++;
      if (keepTrivia) tokens.push({ kind: "space", value: sql.slice(start, i), pos: start });
    } else if (c === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
      if (keepTrivia) tokens.push({ kind: "comment", value: sql.slice(start, i), pos: start });
    } else if (c === "/" && sql[i + 1] === "*") {
      // Spark allows nested bracketed comments.
      let depth = 0;
      do {
        if (sql.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith("*/", i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < n);
      if (depth > 0) throw syntaxError(`unclosed comment at position ${start}`);
      if (keepTrivia) tokens.push({ kind: "comment", value: sql.slice(start, i), pos: start });
    } else if (c === "`") {
      let name = "";
      i++;
      for (;;) {
        if (i >= n) throw syntaxError(`unclosed backtick identifier at position ${start}`);
        if (sql[i] === "`") {
          if (sql[i + 1] === "`") {
            name += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += sql[i++];
      }
      tokens.push({ kind: "ident", value: name, pos: start });
    } else if (c === "'" || c === '"') {
      const [value, end] = readString(sql, i, c);
      i = end;
      tokens.push({ kind: "string", value, pos: start });
    } else if (isDigit(c) || (c === "." && isDigit(sql[i + 1]))) {
      while (i < n && isDigit(sql[i])) i++;
      if (sql[i] === "." && isDigit(sql[i + 1])) {
        i++;
        while (i < n && isDigit(sql[i])) i++;
      } else if (sql[i] === "." && !isIdentStart(sql[i + 1] ?? "")) i++;
      if ((sql[i] === "e" || sql[i] === "E") && /[-+0-9]/.test(sql[i + 1] ?? "")) {
        i += 2;
        while (i < n && isDigit(sql[i])) i++;
      }
      // Spark's typed suffixes: 1L, 1S, 1Y, 1D, 1F, 1BD.
      if (i < n && isIdentStart(sql[i]!)) {
        const suffix = /^(BD|[LSYDF])(?![A-Za-z0-9_])/i.exec(sql.slice(i, i + 3));
        if (suffix) i += suffix[0].length;
      }
      if (i < n && isIdentPart(sql[i]!)) {
        // Spark accepts identifiers that start with a digit (e.g. 1st_col).
        while (i < n && isIdentPart(sql[i]!)) i++;
        tokens.push({ kind: "word", value: sql.slice(start, i), pos: start });
      } else tokens.push({ kind: "number", value: sql.slice(start, i), pos: start });
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql[i]!)) i++;
      tokens.push({ kind: "word", value: sql.slice(start, i), pos: start });
    } else if (c === ":" && sql[i + 1] !== ":" && isIdentStart(sql[i + 1] ?? "")) {
      i++;
      while (i < n && isIdentPart(sql[i]!)) i++;
      tokens.push({ kind: "param", value: sql.slice(start + 1, i), pos: start });
    } else if (c === "?") {
      i++;
      tokens.push({ kind: "qmark", value: "?", pos: start });
    } else {
      const op = MULTI_OP_STARTS.has(c) ? (MULTI_OPS.find((o) => sql.startsWith(o, i)) ?? c) : c;
      i += op.length;
      tokens.push({ kind: "op", value: op, pos: start });
    }
  }
  return tokens;
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  b: "\b",
  n: "\n",
  r: "\r",
  t: "\t",
  Z: "\x1a",
  "%": "\\%",
  _: "\\_",
};

/** Decodes a Spark string literal: `''` is a quote; `\` escapes as in Spark's default parser mode. */
function readString(sql: string, start: number, quote: string): [string, number] {
  let value = "";
  let i = start + 1;
  for (;;) {
    if (i >= sql.length) throw syntaxError(`unclosed string literal at position ${start}`);
    const c = sql[i]!;
    if (c === quote) {
      if (sql[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    if (c === "\\" && i + 1 < sql.length) {
      const e = sql[i + 1]!;
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(sql.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(sql.slice(i + 2, i + 6), 16));
        i += 6;
      } else if (/^[0-7]{3}$/.test(sql.slice(i + 1, i + 4))) {
        value += String.fromCharCode(parseInt(sql.slice(i + 1, i + 4), 8));
        i += 4;
      } else {
        value += ESCAPES[e] ?? e;
        i += 2;
      }
      continue;
    }
    // Copy the run up to the next quote or backslash in one slice.
    let j = i + 1;
    while (j < sql.length && sql[j] !== quote && sql[j] !== "\\") j++;
    value += sql.slice(i, j);
    i = j;
  }
}

/** Tokens without whitespace and comments: what the statement parsers walk. */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
}

/** Splits on top-level `;`, dropping empty statements. */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "op" && t.value === ";") {
      out.push(current);
      current = [];
    } else current.push(t);
  }
  out.push(current);
  return out.filter((s) => s.length > 0);
}

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === "word" && words.some((w) => w.toUpperCase() === t.value.toUpperCase());

export const isOp = (t: Token | undefined, op: string): boolean => t !== undefined && t.kind === "op" && t.value === op;

/** Quotes a name for DuckDB: always double-quoted, so keywords and odd characters stay names. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A DuckDB string literal; DuckDB strings have no backslash escapes, only doubled quotes. */
export const quoteString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
