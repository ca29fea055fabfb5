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
import type { Expr } from "./expression-parser.js";
import { SPARK_FUNCTIONS } from "./functions.js";
import type { SparkType } from "./types.js";

/** Spark's `DataType.sql`: `INT`, `DECIMAL(10,2)`, `ARRAY<STRING>`, `MAP<STRING, INT>`, `STRUCT<a: INT>`. */
export function sparkTypeSql(type: SparkType): string {
  switch (type.kind) {
    case "primitive":
      return type.name.toUpperCase();
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array":
      return `ARRAY<${sparkTypeSql(type.element)}>`;
    case "map":
      return `MAP<${sparkTypeSql(type.key)}, ${sparkTypeSql(type.value)}>`;
    case "struct":
      return `STRUCT<${type.fields.map((f) => `${f.name}: ${sparkTypeSql(f.type)}`).join(", ")}>`;
  }
}

/** Operators Spark prints as `(left op right)`. */
const INFIX = new Set(["+", "-", "*", "/", "%", "DIV", "&", "|", "^", "=", "<>", "!=", "<", "<=", ">", ">=", "<=>"]);

/** Functions whose expression prints as something other than `name(args)`. */
const OWN_PRINTING = new Set(["if", "isnull", "isnotnull", "log", "ln", "concat", "nvl2", "try_divide", "first", "last", "any_value", "collect_list", "array_agg", "rand", "random", "uuid", "now", "current_timestamp", "transform", "filter", "first_value", "last_value", "nth_value"]);

/** The column name Spark gives `e` at the top of a select list; undefined when not certain. */
export function sparkColumnName(e: Expr): string | undefined {
  switch (e.k) {
    case "name":
      return e.parts[e.parts.length - 1]!.value;
    case "field":
      return e.name.value;
    default:
      return pretty(e);
  }
}

function pretty(e: Expr): string | undefined {
  const all = (items: Expr[]): string[] | undefined => {
    const out: string[] = [];
    for (const x of items) {
      const p = pretty(x);
      if (p === undefined) return undefined;
      out.push(p);
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
      return e.type === "DATE" ? `DATE '${e.token.value}'` : undefined;
    case "name":
      return e.parts.map((p) => p.value).join(".");
    case "field": {
      const base = pretty(e.base);
      return base === undefined ? undefined : `${base}.${e.name.value}`;
    }
    case "paren":
      return pretty(e.inner);
    case "unary": {
      if (e.op === "-" && e.operand.k === "literal" && e.operand.token.kind === "number") return numberText(`-${e.operand.token.value}`);
      const operand = pretty(e.operand);
      if (operand === undefined) return undefined;
      if (e.op === "NOT") return `(NOT ${operand})`;
      return e.op === "~" ? `~${operand}` : `(${e.op} ${operand})`;
    }
    case "binary": {
      const [l, r] = all([e.left, e.right]) ?? [];
      if (l === undefined || r === undefined) return undefined;
      if (e.op === "||") return `concat(${l}, ${r})`;
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
      const operand = pretty(e.operand);
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
      const operand = pretty(e.operand);
      return operand === undefined ? undefined : `${e.isTry ? "TRY_CAST" : "CAST"}(${operand} AS ${sparkTypeSql(e.type)})`;
    }
    case "case": {
      const parts = ["CASE"];
      if (e.operand) {
        const operand = pretty(e.operand);
        if (operand === undefined) return undefined;
        parts.push(operand);
      }
      for (const [when, then] of e.whens) {
        const [w, t] = all([when, then]) ?? [];
        if (w === undefined || t === undefined) return undefined;
        parts.push("WHEN", w, "THEN", t);
      }
      if (e.otherwise) {
        const o = pretty(e.otherwise);
        if (o === undefined) return undefined;
        parts.push("ELSE", o);
      }
      parts.push("END");
      return parts.join(" ");
    }
    case "call": {
      if (e.qualifier || e.filter || e.over) return undefined;
      const lower = e.name.value.toLowerCase();
      if (e.star) return lower === "count" ? "count(1)" : undefined;
      if (lower === "array" || lower === "map" || lower === "named_struct") {
        const args = all(e.args.map((a) => a.expr));
        return args && `${lower}(${args.join(", ")})`;
      }
      if (OWN_PRINTING.has(lower)) return undefined;
      const row = Object.hasOwn(SPARK_FUNCTIONS, lower) ? SPARK_FUNCTIONS[lower] : undefined;
      // Spark fills omitted optional arguments in (round(x) is round(x, 0)): only complete calls are certain.
      if (!row || (row.arity[1] < 255 && e.args.length !== row.arity[1])) return undefined;
      const args = all(e.args.map((a) => a.expr));
      if (!args) return undefined;
      return `${lower}(${e.distinct ? "DISTINCT " : ""}${args.join(", ")})`;
    }
    default:
      return undefined;
  }
}

/** A number literal as Spark prints its value: no type suffix, an exponent form left alone. */
function numberText(text: string): string | undefined {
  const bd = /^(.*?)BD$/i.exec(text);
  if (bd) return bd[1]!;
  if (/[eE]/.test(text) || /[dDfF]$/.test(text)) return undefined;
  return text.replace(/[LSY]$/i, "");
}
