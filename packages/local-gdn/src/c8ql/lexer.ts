/**
 * C8QL tokens. Number literals keep their lexeme (as the document store does).
 * @packageDocumentation
 */
import { queryError } from "../errors.js";
import { LosslessNumber } from "../json.js";

export type TokenKind = "ident" | "keyword" | "number" | "string" | "bind" | "collbind" | "op" | "eof";

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased; identifiers and strings as written (strings unescaped). */
  text: string;
  num?: number | LosslessNumber;
  pos: number;
}

export const KEYWORDS = new Set([
  "FOR", "IN", "FILTER", "SORT", "LIMIT", "RETURN", "LET", "DISTINCT", "ASC", "DESC", "AND", "OR", "NOT", "LIKE",
  "INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT", "WITH", "INTO", "OPTIONS", "TRUE", "FALSE", "NULL",
  // Recognised only to be refused with a clear message.
  "COLLECT", "AGGREGATE", "WINDOW", "GRAPH", "OUTBOUND", "INBOUND", "ANY", "ALL", "NONE", "SHORTEST_PATH",
  "K_SHORTEST_PATHS", "K_PATHS", "PRUNE", "SEARCH",
]);

const OPS = ["==", "!=", "<=", ">=", "&&", "||", "..", "=~", "!~", "::", "<", ">", "=", "!", "(", ")", "[", "]", "{", "}", ",", ".", ":", "+", "-", "*", "/", "%", "?"];

/** Line:column of an offset, as the live server reports positions. */
export function position(src: string, pos: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src[i] === "\n") {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw queryError(`syntax error, unexpected end of query near '${src.slice(i, i + 20)}' at position ${position(src, i)}`);
      i = end + 2;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      const word = src.slice(start, i);
      const up = word.toUpperCase();
      out.push(KEYWORDS.has(up) ? { kind: "keyword", text: up, pos: start } : { kind: "ident", text: word, pos: start });
      continue;
    }
    if (c === "`" || c === "´") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw queryError(`syntax error, unterminated quoted name at position ${position(src, i)}`);
      out.push({ kind: "ident", text: src.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    if (c >= "0" && c <= "9") {
      const m = /(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
      m.lastIndex = i;
      const lex = m.exec(src)![0];
      // `1..5` is a range, not the number `1.`.
      i += lex.length;
      const v = Number(lex);
      out.push({ kind: "number", text: lex, num: String(v) === lex ? v : new LosslessNumber(lex), pos: start });
      continue;
    }
    if (c === '"' || c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= n) throw queryError(`syntax error, unexpected unterminated string near '${src.slice(start, start + 20)}' at position ${position(src, start)}`);
        const ch = src[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch === "\\") {
          const e = src[i + 1];
          i += 2;
          switch (e) {
            case "n": s += "\n"; break;
            case "t": s += "\t"; break;
            case "r": s += "\r"; break;
            case "b": s += "\b"; break;
            case "f": s += "\f"; break;
            case "u": s += String.fromCharCode(parseInt(src.slice(i, i + 4), 16)); i += 4; break;
            default: s += e ?? "";
          }
          continue;
        }
        s += ch;
        i++;
      }
      out.push({ kind: "string", text: s, pos: start });
      continue;
    }
    if (c === "@") {
      const coll = src[i + 1] === "@";
      i += coll ? 2 : 1;
      const s0 = i;
      while (i < n && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      if (i === s0) throw queryError(`syntax error, unexpected '@' at position ${position(src, start)}`);
      out.push({ kind: coll ? "collbind" : "bind", text: src.slice(s0, i), pos: start });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw queryError(`syntax error, unexpected character '${c}' near '${src.slice(i, i + 20)}' at position ${position(src, i)}`);
    out.push({ kind: "op", text: op, pos: start });
    i += op.length;
  }
  out.push({ kind: "eof", text: "", pos: n });
  return out;
}
