/**
 * @packageDocumentation
 * The name Spark gives an unaliased select-list expression, which is the key a driver row carries:
 * `SELECT count(*) FROM t` is `count(1)` on Databricks, where DuckDB would say `count_star()`. Spark
 * prints the expression with `toPrettySQL` (catalyst/util/package.scala, `usePrettyExpression`):
 * attributes by name, string and number literals without quotes or suffixes, operators parenthesised,
 * functions by the name they were called with. Only forms whose printing is certain get a name; for
 * the rest (windows, lambdas, subqueries, calls whose omitted arguments Spark fills in) the column keeps
 * DuckDB's name rather than a guess.
 */
import { ExpressionParser, type Expr } from "./expression-parser.js";
import type { Token } from "./tokenizer.js";
import { SPARK_FUNCTIONS } from "./functions.js";
import { sparkTypeSql } from "./types.js";

/** Operators Spark prints as `(left op right)`. */
const INFIX = new Set(["+", "-", "*", "/", "%", "DIV", "&", "|", "^", "=", "<>", "!=", "<", "<=", ">", ">=", "<=>"]);

/** Functions whose expression prints as something other than `name(args)`. */
const OWN_PRINTING = new Set(["log", "nvl2", "rand", "random", "transform", "filter", "exists", "forall", "aggregate", "reduce", "first_value", "last_value", "nth_value", "extract", "struct"]);

/** Calls outside the function table that Spark prints as `name(args)`. */
const PLAIN_SPECIALS = new Set(["current_date", "current_timestamp", "now", "current_catalog", "current_schema", "current_database", "to_json"]);

/**
 * Arguments Spark fills in when a call leaves them out, which its name then shows
 * (`substr(s, 5)` is `substr(s, 5, 2147483647)`): position → printed default.
 */
const FILLED_DEFAULTS: Record<string, Record<number, string>> = {
  substr: { 2: "2147483647" },
  substring: { 2: "2147483647" },
  split: { 2: "-1" },
  lpad: { 2: " " },
  rpad: { 2: " " },
  sort_array: { 1: "true" },
  round: { 1: "0" },
  bround: { 1: "0" },
  locate: { 2: "1" },
  regexp_extract: { 2: "1" },
  replace: { 2: "" },
};

/**
 * The column name Spark gives `e` at the top of a select list; undefined when not certain. `tokens` are
 * the statement's, for the clauses (FILTER) the tree keeps as token ranges.
 */
export function sparkColumnName(e: Expr, tokens: Token[] = []): string | undefined {
  switch (e.k) {
    case "name":
      return e.parts[e.parts.length - 1]!.value;
    case "field":
      return e.name.value;
    default:
      return pretty(e, tokens);
  }
}

function pretty(e: Expr, tokens: Token[]): string | undefined {
  const p = (x: Expr): string | undefined => pretty(x, tokens);
  const all = (items: Expr[]): string[] | undefined => {
    const out: string[] = [];
    for (const x of items) {
      const v = p(x);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  };
  switch (e.k) {
    case "literal":
      if (e.token.kind === "string") return e.token.value;
      return numberText(e.token.value);
    case "strings":
      return e.value;
    case "keyword":
      return e.word === "NULL" ? "NULL" : e.word.toLowerCase();
    case "typed":
      return typedLiteral(e.type, e.token.value);
    case "name":
      // A column prints by its own name (Spark's PrettyAttribute drops the table qualifier); the bare
      // CURRENT_DATE and CURRENT_TIMESTAMP are the functions.
      if (e.parts.length === 1 && e.parts[0]!.kind === "word" && /^current_(date|timestamp)$/i.test(e.parts[0]!.value)) return `${e.parts[0]!.value.toLowerCase()}()`;
      return e.parts.length === 1 ? e.parts[0]!.value : e.parts.slice(1).map((x) => x.value).join(".");
    case "field": {
      const base = p(e.base);
      return base === undefined ? undefined : `${base}.${e.name.value}`;
    }
    case "paren":
      return p(e.inner);
    case "unary": {
      if (e.op === "-" && e.operand.k === "literal" && e.operand.token.kind === "number") return numberText(`-${e.operand.token.value}`);
      const operand = p(e.operand);
      if (operand === undefined) return undefined;
      if (e.op === "NOT") return `(NOT ${operand})`;
      return e.op === "~" ? `~${operand}` : `(${e.op} ${operand})`;
    }
    case "binary": {
      const [l, r] = all([e.left, e.right]) ?? [];
      if (l === undefined || r === undefined) return undefined;
      if (e.op === "||") return `concat(${l}, ${r})`;
      // date ± days is Spark's DateAdd / DateSub (known here when a side is a DATE literal).
      const isDate = (x: Expr) => x.k === "typed" && x.type === "DATE";
      if (e.op === "+" && isDate(e.left)) return `date_add(${l}, ${r})`;
      if (e.op === "+" && isDate(e.right)) return `date_add(${r}, ${l})`;
      if (e.op === "-" && isDate(e.left) && !isDate(e.right)) return `date_sub(${l}, ${r})`;
      if (!INFIX.has(e.op)) return undefined;
      // `a <> b` and `a != b` are NOT (a = b) in Spark's plan.
      if (e.op === "<>" || e.op === "!=") return `(NOT (${l} = ${r}))`;
      return `(${l} ${e.op === "DIV" ? "div" : e.op} ${r})`;
    }
    case "logical": {
      const items = all(e.items);
      // Spark's AND/OR are binary and left-associative: ((a AND b) AND c).
      return items?.reduce((acc, x) => `(${acc} ${e.op} ${x})`);
    }
    case "is": {
      const operand = p(e.operand);
      if (operand === undefined || (e.what !== "NULL")) return undefined;
      return `(${operand} IS ${e.not ? "NOT " : ""}NULL)`;
    }
    case "in": {
      const items = all([e.operand, ...e.list]);
      if (!items) return undefined;
      const [operand, ...list] = items;
      const inner = `(${operand} IN (${list.join(", ")}))`;
      return e.not ? `(NOT ${inner})` : inner;
    }
    case "subscript": {
      const [b, i] = all([e.base, e.index]) ?? [];
      return b === undefined || i === undefined ? undefined : `${b}[${i}]`;
    }
    case "cast": {
      const operand = p(e.operand);
      return operand === undefined ? undefined : `${e.isTry ? "TRY_CAST" : "CAST"}(${operand} AS ${sparkTypeSql(e.type)})`;
    }
    case "case": {
      // CASE x WHEN v … is CASE WHEN (x = v) … in Spark's plan.
      const parts = ["CASE"];
      const operand = e.operand ? p(e.operand) : undefined;
      if (e.operand && operand === undefined) return undefined;
      for (const [when, then] of e.whens) {
        const [w, t] = all([when, then]) ?? [];
        if (w === undefined || t === undefined) return undefined;
        parts.push("WHEN", operand === undefined ? w : `(${operand} = ${w})`, "THEN", t);
      }
      if (e.otherwise) {
        const o = p(e.otherwise);
        if (o === undefined) return undefined;
        parts.push("ELSE", o);
      }
      parts.push("END");
      return parts.join(" ");
    }
    case "special": {
      const args = all(e.args);
      if (!args) return undefined;
      const [kind, detail] = e.name.split(":") as [string, string | undefined];
      if (kind === "trim") return args.length === 1 ? (detail === "BOTH" ? `trim(${args[0]})` : `TRIM(${detail} FROM ${args[0]})`) : `TRIM(${detail} ${args[1]} FROM ${args[0]})`;
      if (kind === "position") return `locate(${args[0]}, ${args[1]}, 1)`;
      if (kind === "substring") return `substring(${args[0]}, ${args[1]}, ${args[2] ?? "2147483647"})`;
      return undefined;
    }
    case "call": {
      if (e.qualifier) return undefined;
      const lower = e.name.value.toLowerCase();
      const call = callName(e, lower, all);
      if (call === undefined) return undefined;
      let tail = "";
      if (e.filter) {
        const cond = filterCondition(e.filter, tokens);
        if (cond === undefined) return undefined;
        tail += ` FILTER (WHERE ${cond})`;
      }
      // Spark prints the frame a window without one gets; other windows are not guessed.
      if (e.over) {
        if ("kind" in e.over || e.over.end > e.over.start) return undefined;
        tail += " OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)";
      }
      return call + tail;
    }
    default:
      return undefined;
  }
}

/** The FILTER (WHERE …) condition as Spark prints it. */
function filterCondition(range: { start: number; end: number }, tokens: Token[]): string | undefined {
  if (tokens.length === 0) return undefined;
  try {
    const parser = new ExpressionParser(tokens, range.start, range.end);
    const cond = parser.expression();
    return parser.i === range.end ? pretty(cond, tokens) : undefined;
  } catch {
    return undefined;
  }
}

/** `name(args)` of a call, with the defaults Spark fills in; undefined when its printing is not known. */
function callName(e: Expr & { k: "call" }, lower: string, all: (items: Expr[]) => string[] | undefined): string | undefined {
  {
      if (e.star) return lower === "count" ? "count(1)" : undefined;
      if (lower === "array" || lower === "map" || lower === "named_struct") {
        const args = all(e.args.map((a) => a.expr));
        return args && `${lower}(${args.join(", ")})`;
      }
      if (OWN_PRINTING.has(lower) || e.args.some((a) => a.alias)) return undefined;
      const row = Object.hasOwn(SPARK_FUNCTIONS, lower) ? SPARK_FUNCTIONS[lower] : undefined;
      if (!row && !PLAIN_SPECIALS.has(lower)) return undefined;
      const args = all(e.args.map((a) => a.expr));
      if (!args) return undefined;
      if (lower === "if" && args.length === 3) return `(IF(${args.join(", ")}))`;
      if (lower === "isnull" || lower === "isnotnull") return `(${args[0]} IS ${lower === "isnotnull" ? "NOT " : ""}NULL)`;
      const defaults = FILLED_DEFAULTS[lower];
      if (defaults) {
        // lpad/rpad of bytes pad with a zero byte: Spark prints X'00'.
        const binary = (lower === "lpad" || lower === "rpad") && isBinary(e.args[0]!.expr);
        for (let k = args.length; defaults[k] !== undefined; k++) args.push(binary ? "X'00'" : defaults[k]!);
      }
      return `${lower}(${e.distinct ? "DISTINCT " : ""}${args.join(", ")})`;
  }
}

/**
 * A typed literal as Spark prints its value: `DATE 'yyyy-MM-dd'`, `TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.f]'`,
 * `X'CAFE'`; undefined when the text is not already in that form (Spark would normalise it).
 */
function typedLiteral(type: string, text: string): string | undefined {
  const value = text.trim();
  switch (type) {
    case "DATE":
      return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `DATE '${value}'` : undefined;
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
    case "TIMESTAMP_NTZ": {
      const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(value);
      if (!m) return undefined;
      const fraction = (m[2] ?? "").replace(/0+$/, "");
      return `${type === "TIMESTAMP_NTZ" ? "TIMESTAMP_NTZ" : "TIMESTAMP"} '${m[1]}${fraction ? `.${fraction}` : ""}'`;
    }
    case "X":
      return `X'${text.toUpperCase()}'`;
    default:
      return undefined;
  }
}

/** Whether an expression is plainly BINARY: a X'…' literal, or unhex/encode/binary of something. */
function isBinary(x: Expr): boolean {
  if (x.k === "typed") return x.type === "X";
  return x.k === "call" && ["unhex", "encode", "binary", "to_binary"].includes(x.name.value.toLowerCase());
}

/** A number literal as Spark prints its value: no type suffix; a DOUBLE or FLOAT as Java prints it. */
function numberText(text: string): string | undefined {
  const bd = /^(.*?)BD$/i.exec(text);
  if (bd) return bd[1]!;
  if (/[eE]/.test(text) || /[dDfF]$/.test(text)) return javaDouble(Number(text.replace(/[dDfF]$/, "")));
  return text.replace(/[LSY]$/i, "");
}

/**
 * Java's Double.toString for the values a literal can hold: plain digits with at least one fraction
 * digit between 10^-3 and 10^7, else `d.dddE±n`; shortest round-trip digits, as both languages keep.
 */
function javaDouble(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(n);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
