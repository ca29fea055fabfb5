/**
 * @packageDocumentation
 * Renders an expression tree (expression-parser.ts) as DuckDB SQL with Spark's meaning. Every composite
 * node is fully parenthesised, so DuckDB's own precedence (`||`, `^`, NOT) never decides anything. Calls
 * go through the Spark function table (functions.ts); operators whose meaning differs get Spark's: `/`,
 * `%` and `div` fail on a zero divisor, `arr[i]` counts from 0 and fails out of bounds, CAST and `::`
 * truncate to integers and print timestamps as Spark does, LIKE escapes with `\`, `^` is XOR.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { syntaxError, unsupported, sqlError } from "../errors.js";
import type { CallArg, Expr, TokenRange } from "./expression-parser.js";
import type { Parameters } from "./parameters.js";
import { quoteIdent, quoteString, type Token } from "./tokenizer.js";
import { toDuckDbType, type SparkType } from "./types.js";
import { SPARK_FUNCTIONS, unresolvedRoutine, wrongArity } from "./functions.js";

/** What rendering needs from the statement. */
export interface RenderContext {
  /** The DuckDB database holding a Databricks catalog, when `name` is a catalog this warehouse knows. */
  catalogDb(name: string): string | undefined;
  readonly parameters: Parameters;
  readonly currentCatalog: string;
  readonly currentSchema: string;
}

/** Translates a clause (a token range) with the clause walker; given by dialect.ts. */
export type ClauseRenderer = (range: TokenRange) => string;

const NUMBER_SUFFIX: Record<string, string> = { L: "BIGINT", S: "SMALLINT", Y: "TINYINT", D: "DOUBLE", F: "FLOAT" };

/** Spark's numeric literal forms: `1L`, `1S`, `1Y`, `1D`, `1F`, `1.5BD`. */
export function numberLiteral(text: string): string {
  const bd = /^(-?)(.*?)BD$/i.exec(text);
  if (bd) {
    const [intPart = "", frac = ""] = bd[2]!.split(".");
    const scale = frac.length;
    const precision = Math.max(1, intPart.replace(/^0+/, "").length + scale, scale);
    return `CAST(${quoteString(bd[1]! + bd[2]!)} AS DECIMAL(${Math.min(precision, 38)},${scale}))`;
  }
  // An integer literal beyond BIGINT is a DECIMAL(n, 0) in Spark; DuckDB would make it a HUGEINT.
  if (/^-?[0-9]+$/.test(text) && text.replace(/^-/, "").replace(/^0+/, "").length >= 19) {
    const n = BigInt(text);
    if (n > 9223372036854775807n || n < -9223372036854775808n) {
      const digits = text.replace(/^-/, "").replace(/^0+/, "").length;
      if (digits > 38) throw sqlError("INVALID_NUMERIC_LITERAL_RANGE", `Numeric literal ${text} is outside the valid range for decimal with maximum precision 38.`);
      return `CAST(${quoteString(text)} AS DECIMAL(${digits},0))`;
    }
  }
  const suffix = NUMBER_SUFFIX[text.slice(-1).toUpperCase()];
  if (suffix && !/^-?[0-9.]+[eE][-+]?[0-9]*$/.test(text)) return `CAST(${text.slice(0, -1)} AS ${suffix})`;
  return text;
}

/**
 * Words DuckDB reserves (or allows only as function and type names) that Spark SQL lets a user write
 * unquoted as column or table names. Outside a call they can only be names here, so they are quoted.
 * Words Spark itself uses in query syntax (SEMI, ANTI, BOTH, QUALIFY, WINDOW, OFFSET, PIVOT…) are not
 * in the list.
 */
export const DUCKDB_ONLY_KEYWORDS = new Set(
  ("at binary map struct array columns positional asof glob verbose freeze authorization collation concurrently " +
    "unpack analyse analyze asymmetric symmetric lambda returning summarize variadic show describe do initially " +
    "deferrable column only fetch pivot_longer pivot_wider overlaps similar").split(" "),
);

export const renderNamePart = (t: Token): string =>
  t.kind === "ident" || DUCKDB_ONLY_KEYWORDS.has(t.value.toLowerCase()) ? quoteIdent(t.value) : t.value;

const SPARK_CASTS: Record<string, string> = {
  tinyint: "spark_to_tinyint",
  smallint: "spark_to_smallint",
  int: "spark_to_integer",
  bigint: "spark_to_bigint",
  boolean: "spark_to_boolean",
};

/** CAST/TRY_CAST with Spark's meaning where DuckDB's differs (to integers, to text). */
export function castSql(operand: string, type: SparkType, isTry: boolean): string {
  if (type.kind === "primitive") {
    if (type.name === "string") return `spark_string(${operand})`;
    const macro = SPARK_CASTS[type.name];
    if (macro) return isTry ? `${macro.replace("spark_to_", "spark_try_to_")}(${operand})` : `${macro}(${operand})`;
  }
  return `${isTry ? "TRY_CAST" : "CAST"}(${operand} AS ${toDuckDbType(type)})`;
}

/** EXTRACT fields, as the Spark function that returns the same value. */
const EXTRACT_FIELDS: Record<string, string> = {
  YEAR: "year", Y: "year", YEARS: "year", YR: "year", YRS: "year",
  QUARTER: "quarter", QTR: "quarter",
  MONTH: "month", MON: "month", MONS: "month", MONTHS: "month",
  WEEK: "weekofyear", W: "weekofyear", WEEKS: "weekofyear",
  DAY: "day", D: "day", DAYS: "day",
  DAYOFWEEK: "dayofweek", DOW: "dayofweek",
  HOUR: "hour", H: "hour", HOURS: "hour", HR: "hour", HRS: "hour",
  MINUTE: "minute", M: "minute", MIN: "minute", MINS: "minute", MINUTES: "minute",
};

/**
 * Calls translated here or in the parser that are not rows of the function table: the clause walker
 * treats a word before `(` as a call when it is one of these or a table row.
 */
export const SPECIAL_CALLS: ReadonlySet<string> = new Set(
  ("cast try_cast extract position array named_struct struct map current_timestamp now current_date current_catalog " +
    "current_schema current_database to_json transform filter exists forall aggregate reduce from_json schema_of_json " +
    "explode explode_outer posexplode inline zip_with").split(" "),
);

export class ExpressionRenderer {
  /** Lambda parameters in scope: lower-case name → the DuckDB SQL that reads it. */
  private lambdaScope = new Map<string, string>();

  constructor(
    private readonly ctx: RenderContext,
    private readonly values: Record<string, DuckDBValue>,
    private readonly clause: ClauseRenderer,
  ) {}

  render(e: Expr): string {
    switch (e.k) {
      case "literal":
        return e.token.kind === "number" ? numberLiteral(e.token.value) : quoteString(e.token.value);
      case "strings":
        return quoteString(e.value);
      case "keyword":
        return e.word;
      case "typed":
        return this.typed(e.type, e.token);
      case "interval":
        return e.parts.length === 1
          ? `INTERVAL ${this.render(e.parts[0]!.value)} ${e.parts[0]!.unit}`
          : `(${e.parts.map((p) => `INTERVAL ${this.render(p.value)} ${p.unit}`).join(" + ")})`;
      case "param":
        return e.token.kind === "qmark" ? this.ctx.parameters.ordinal(this.values) : this.ctx.parameters.named(e.token.value, this.values);
      case "name":
        return this.name(e.parts);
      case "star":
        return e.qualifier.length === 0 ? "*" : `${this.name(e.qualifier)}.*`;
      case "paren":
        return `(${this.render(e.inner)})`;
      case "tuple":
        return `(${e.items.map((x) => this.render(x)).join(", ")})`;
      case "query":
        return `(${this.clause(e.range)})`;
      case "exists":
        return `(EXISTS (${this.clause(e.range)}))`;
      case "call":
        return this.call(e);
      case "special":
        return this.special(e.name, e.args.map((a) => this.render(a)), e.token);
      case "cast":
        return castSql(this.render(e.operand), e.type, e.isTry);
      case "unary": {
        if (e.op === "-" && e.operand.k === "literal" && e.operand.token.kind === "number") return numberLiteral(`-${e.operand.token.value}`);
        const operand = this.render(e.operand);
        // A space after the sign: `--3` would start a comment.
        return e.op === "NOT" ? `(NOT ${operand})` : `(${e.op} ${operand})`;
      }
      case "binary":
        return this.binary(e.op, this.render(e.left), this.render(e.right));
      case "logical":
        return `(${e.items.map((x) => this.render(x)).join(` ${e.op} `)})`;
      case "is": {
        const operand = this.render(e.operand);
        if (e.what === "NULL" || e.what === "UNKNOWN") return `(${operand} IS ${e.not ? "NOT " : ""}NULL)`;
        // IS [NOT] TRUE/FALSE never gives NULL.
        return `(${operand} IS ${e.not ? "" : "NOT "}DISTINCT FROM ${e.what})`;
      }
      case "distinctFrom":
        return `(${this.render(e.left)} IS ${e.not ? "NOT " : ""}DISTINCT FROM ${this.render(e.right)})`;
      case "between": {
        const operand = this.render(e.operand);
        const low = this.render(e.low);
        return `(${operand} ${e.not ? "NOT " : ""}BETWEEN ${low} AND ${this.render(e.high)})`;
      }
      case "in": {
        const operand = this.render(e.operand);
        return `(${operand} ${e.not ? "NOT " : ""}IN (${e.list.map((x) => this.render(x)).join(", ")}))`;
      }
      case "inQuery": {
        const operand = this.render(e.operand);
        return `(${operand} ${e.not ? "NOT " : ""}IN (${this.clause(e.range)}))`;
      }
      case "like": {
        const operand = this.render(e.operand);
        const pattern = this.render(e.pattern);
        if (e.op === "RLIKE") return `(${e.not ? "NOT " : ""}regexp_matches(${operand}, ${pattern}))`;
        // Spark's default escape character is the backslash; DuckDB has none unless told.
        const escape = e.escape ? e.escape.value : "\\";
        if ([...escape].length !== 1) throw sqlError("INVALID_ESCAPE_CHAR", `The ESCAPE should be a string literal of length one, but got ${quoteString(escape)}.`);
        checkLikePattern(e.pattern, escape);
        return `(${operand} ${e.not ? "NOT " : ""}${e.op} ${pattern} ESCAPE ${quoteString(escape)})`;
      }
      case "likeQuantified": {
        // Spark's LikeAny/LikeAll: NOT applies to each pattern; NULL results follow OR and AND.
        const operand = this.render(e.operand);
        const each = e.patterns.map((p) => {
          checkLikePattern(p, "\\");
          return `${operand} ${e.not ? "NOT " : ""}${e.op} ${this.render(p)} ESCAPE '\\'`;
        });
        return `(${each.join(e.quantifier === "ANY" ? " OR " : " AND ")})`;
      }
      case "case": {
        const parts = ["CASE"];
        if (e.operand) parts.push(this.render(e.operand));
        for (const [when, then] of e.whens) parts.push("WHEN", this.render(when), "THEN", this.render(then));
        if (e.otherwise) parts.push("ELSE", this.render(e.otherwise));
        parts.push("END");
        return `(${parts.join(" ")})`;
      }
      case "subscript": {
        const base = this.render(e.base);
        // A string key reads a map (DuckDB refuses it on an array); anything else is a 0-based array position.
        if (e.index.k === "literal" && e.index.token.kind === "string") return `${base}[${this.render(e.index)}]`;
        return `spark_subscript(${base}, ${this.render(e.index)})`;
      }
      case "field":
        return `struct_extract(${this.render(e.base)}, ${quoteString(e.name.value)})`;
      case "lambda":
        throw syntaxError("a lambda function is only allowed as an argument of a higher-order function");
    }
  }

  /** `a.b.c`: a leading known catalog becomes its DuckDB database; lambda parameters read their variable. */
  name(parts: Token[]): string {
    const bound = this.lambdaScope.get(parts[0]!.value.toLowerCase());
    if (bound !== undefined) return [bound, ...parts.slice(1).map((p) => quoteString(p.value))].reduce((base, f) => `struct_extract(${base}, ${f})`);
    const rendered = parts.map(renderNamePart);
    if (parts.length >= 3) {
      const db = this.ctx.catalogDb(parts[0]!.value);
      if (db !== undefined) rendered[0] = quoteIdent(db);
    }
    return rendered.join(".");
  }

  private binary(op: string, left: string, right: string): string {
    switch (op) {
      case "/":
        return `spark_divide(${left}, ${right})`;
      case "%":
        return `spark_remainder(${left}, ${right})`;
      case "DIV":
        return `spark_quotient(${left}, ${right})`;
      case "^":
        return `xor(${left}, ${right})`;
      case "<=>":
        return `(${left} IS NOT DISTINCT FROM ${right})`;
      default:
        return `(${left} ${op} ${right})`;
    }
  }

  /** `TIMESTAMP '…'` is an instant in Spark; `X'…'` is a binary literal. */
  private typed(type: string, literal: Token): string {
    switch (type) {
      case "TIMESTAMP":
      case "TIMESTAMP_LTZ":
        return `TIMESTAMPTZ ${quoteString(literal.value)}`;
      case "TIMESTAMP_NTZ":
        return `TIMESTAMP ${quoteString(literal.value)}`;
      case "DATE":
        return `DATE ${quoteString(literal.value)}`;
      case "X":
        if (!/^[0-9a-fA-F]*$/.test(literal.value)) throw syntaxError("invalid binary literal");
        return `from_hex(${quoteString(literal.value)})`;
      default:
        return `INTERVAL ${quoteString(literal.value)}`;
    }
  }

  private call(e: Expr & { k: "call" }): string {
    const lower = e.name.value.toLowerCase();
    // A schema-qualified routine would be a user function; this warehouse has only the built-ins.
    if (e.qualifier) throw unresolvedRoutine([...e.qualifier, e.name].map((p) => p.value).join("."), this.ctx.currentCatalog, this.ctx.currentSchema);
    const tail = this.windowTail(e);
    if (e.star) {
      if (lower !== "count") throw syntaxError(`${lower}(*) is only allowed for count`);
      return `count(*)${tail}`;
    }
    if (e.args.some((a) => a.alias) && lower !== "struct") throw syntaxError(`AS inside the arguments of ${lower}`);
    const plain = () => e.args.map((a) => this.render(a.expr));
    switch (lower) {
      case "array":
        return `list_value(${plain().join(", ")})`;
      case "named_struct": {
        if (e.args.length % 2 !== 0) throw syntaxError("named_struct expects an even number of arguments");
        const fields: string[] = [];
        for (let k = 0; k < e.args.length; k += 2) {
          const key = e.args[k]!.expr;
          if (key.k !== "literal" || key.token.kind !== "string") throw syntaxError("named_struct field names must be string literals");
          fields.push(`${quoteIdent(key.token.value)} := ${this.render(e.args[k + 1]!.expr)}`);
        }
        return `struct_pack(${fields.join(", ")})`;
      }
      case "struct":
        return `struct_pack(${e.args.map((a, k) => `${quoteIdent(structFieldName(a, k))} := ${this.render(a.expr)}`).join(", ")})`;
      case "map": {
        if (e.args.length === 0) return "map()";
        if (e.args.length % 2 !== 0) throw syntaxError("map expects an even number of arguments");
        const rendered = plain();
        return `map(list_value(${rendered.filter((_, k) => k % 2 === 0).join(", ")}), list_value(${rendered.filter((_, k) => k % 2 === 1).join(", ")}))`;
      }
      case "current_timestamp":
      case "now":
        if (e.args.length !== 0) throw syntaxError(`${lower}() takes no arguments`);
        return "current_timestamp";
      case "current_date":
        if (e.args.length !== 0) throw syntaxError("current_date() takes no arguments");
        return "current_date";
      case "current_catalog":
        return quoteString(this.ctx.currentCatalog);
      case "current_schema":
      case "current_database":
        return quoteString(this.ctx.currentSchema);
      case "to_json":
        return `CAST(to_json(${plain().join(", ")}) AS VARCHAR)`;
      case "transform":
      case "filter":
      case "exists":
      case "forall":
      case "aggregate":
      case "reduce":
        return this.higherOrder(lower, e.args);
      case "from_json":
      case "schema_of_json":
      case "explode":
      case "explode_outer":
      case "posexplode":
      case "inline":
      case "zip_with":
        throw unsupported(`The function ${lower}`);
    }
    const row = Object.hasOwn(SPARK_FUNCTIONS, lower) ? SPARK_FUNCTIONS[lower] : undefined;
    if (!row) throw unresolvedRoutine(lower, this.ctx.currentCatalog, this.ctx.currentSchema);
    if (e.args.length < row.arity[0] || e.args.length > row.arity[1]) throw wrongArity(lower, e.args.length, row.arity);
    const rendered = plain();
    if (e.distinct) rendered[0] = `DISTINCT ${rendered[0]}`;
    return `${row.render ? row.render(rendered) : `${lower}(${rendered.join(", ")})`}${tail}`;
  }

  private windowTail(e: Expr & { k: "call" }): string {
    let tail = "";
    if (e.filter) tail += ` FILTER (WHERE ${this.clause(e.filter)})`;
    if (e.over) tail += " OVER " + ("kind" in e.over ? renderNamePart(e.over) : `(${this.clause(e.over)})`);
    return tail;
  }

  /**
   * `transform(arr, x -> …)`, `filter(arr, (x, i) -> …)` (Spark's index is 0-based, DuckDB's 1-based), `exists` and
   * `forall` with Spark's three-valued logic (a NULL predicate result makes the answer NULL unless a TRUE, for
   * exists, or a FALSE, for forall, decides it), and `aggregate(arr, zero, (acc, x) -> …[, acc -> …])` (alias reduce).
   */
  private higherOrder(name: "transform" | "filter" | "exists" | "forall" | "aggregate" | "reduce", args: CallArg[]): string {
    const folds = name === "aggregate" || name === "reduce";
    const arity: [number, number] = folds ? [3, 4] : [2, 2];
    if (args.length < arity[0] || args.length > arity[1]) throw wrongArity(name, args.length, arity);
    const array = this.render(args[0]!.expr);
    const lambda = (arg: CallArg | undefined, ordinal: string, maxParams: number, bind: (names: string[]) => string[]): { names: string[]; body: string } => {
      const fn = arg!.expr;
      if (fn.k !== "lambda") throw sqlError("INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION", `The ${ordinal} argument of ${name} must be a lambda function.`);
      if (fn.params.length > maxParams)
        throw sqlError("INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH", `A lambda function of ${name} takes ${maxParams === 1 ? "1" : `1 or ${maxParams}`} parameters, not ${fn.params.length}.`);
      const names = fn.params.map((p, k) => quoteIdent(`__lambda_${this.lambdaScope.size + k}_${p.value}`));
      const reads = bind(names);
      const saved = new Map(this.lambdaScope);
      fn.params.forEach((p, k) => this.lambdaScope.set(p.value.toLowerCase(), reads[k]!));
      try {
        return { names, body: this.render(fn.body) };
      } finally {
        this.lambdaScope = saved;
      }
    };
    if (folds) {
      const zero = this.render(args[1]!.expr);
      const merge = lambda(args[2], "third", 2, (names) => names);
      if (merge.names.length !== 2) throw sqlError("INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH", `The merge function of ${name} takes 2 parameters, not ${merge.names.length}.`);
      // DuckDB's list_reduce calls its lambda with the accumulator first, as Spark does.
      const folded = `list_reduce(${array}, (${merge.names.join(", ")}) -> ${merge.body}, ${zero})`;
      if (args.length === 3) return folded;
      return lambda(args[3], "fourth", 1, () => [`(${folded})`]).body;
    }
    const fn = lambda(args[1], "second", name === "transform" || name === "filter" ? 2 : 1, (names) => names.map((n, k) => (k === 1 ? `CAST(${n} - 1 AS INTEGER)` : n)));
    const each = (duck: string) => `${duck}(${array}, (${fn.names.join(", ")}) -> ${fn.body})`;
    if (name === "transform") return each("list_transform");
    if (name === "filter") return each("list_filter");
    const results = each("list_transform");
    // list_bool_or/list_bool_and skip NULLs; a NULL among the results shows as fewer non-NULL values than elements.
    return name === "exists"
      ? `(CASE WHEN list_bool_or(${results}) THEN true WHEN list_count(${results}) < len(${results}) THEN NULL WHEN ${results} IS NOT NULL THEN false END)`
      : `(CASE WHEN NOT list_bool_and(${results}) THEN false WHEN list_count(${results}) < len(${results}) THEN NULL WHEN ${results} IS NOT NULL THEN true END)`;
  }

  private special(name: string, args: string[], token: Token): string {
    const [kind, detail] = name.split(":") as [string, string | undefined];
    switch (kind) {
      case "extract": {
        const fn = EXTRACT_FIELDS[detail!];
        if (detail === "SECOND" || detail === "S" || detail === "SEC" || detail === "SECONDS" || detail === "SECS")
          // Spark's SECOND field is DECIMAL(8,6): seconds with their fraction.
          return `CAST(date_part('microsecond', CAST(${args[0]} AS TIMESTAMPTZ)) / 1000000 AS DECIMAL(8,6))`;
        if (!fn) throw unsupported(`EXTRACT of the field ${detail}`);
        return SPARK_FUNCTIONS[fn]!.render!(args);
      }
      case "trim": {
        const [source, chars] = args;
        const fn = detail === "LEADING" ? "ltrim" : detail === "TRAILING" ? "rtrim" : "trim";
        return chars === undefined ? `${fn}(${source})` : `${fn}(${source}, ${chars})`;
      }
      case "position":
        return `strpos(${args[1]}, ${args[0]})`;
      case "substring":
        return SPARK_FUNCTIONS["substring"]!.render!(args);
      default:
        throw syntaxError(`at or near '${token.value}' (position ${token.pos})`);
    }
  }
}

/**
 * Spark refuses a literal LIKE pattern where the escape character precedes anything but `_`, `%` or
 * itself, or ends the pattern (StringUtils.escapeLikeRegex); DuckDB would match it literally.
 */
function checkLikePattern(pattern: Expr, escape: string): void {
  const text = pattern.k === "literal" && pattern.token.kind === "string" ? pattern.token.value : pattern.k === "strings" ? pattern.value : undefined;
  if (text === undefined) return;
  const chars = [...text];
  for (let k = 0; k < chars.length; k++) {
    if (chars[k] !== escape) continue;
    const next = chars[k + 1];
    if (next === undefined)
      throw sqlError("INVALID_FORMAT.ESC_AT_THE_END", `The format is invalid: ${quoteString(text)}. The escape character is not allowed to end the pattern.`);
    if (next !== "_" && next !== "%" && next !== escape)
      throw sqlError("INVALID_FORMAT.ESC_IN_THE_MIDDLE", `The format is invalid: ${quoteString(text)}. The escape character is not allowed to precede ${quoteString(next)}.`);
    k++;
  }
}

/** Spark's field name for `struct(…)`: the alias, a column's own name, or `col<n>`. */
function structFieldName(arg: CallArg, k: number): string {
  if (arg.alias) return arg.alias.value;
  if (arg.expr.k === "name") return arg.expr.parts[arg.expr.parts.length - 1]!.value;
  if (arg.expr.k === "field") return arg.expr.name.value;
  return `col${k + 1}`;
}
