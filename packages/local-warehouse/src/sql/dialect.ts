/**
 * @packageDocumentation
 * Rewrites Databricks SQL expressions and queries into DuckDB SQL, token by token: backtick names become
 * quoted names, Spark string escapes become plain DuckDB literals, `:name` markers become placeholders,
 * Spark types in casts become DuckDB types, catalog names map to attached databases, and the Spark
 * constructors (`array`, `named_struct`, `struct`, `map`) become DuckDB's. Function calls go through the
 * Spark function table (functions.ts); operators whose meaning differs get Spark's: `/`, `%` and `div`
 * fail on a zero divisor, `arr[i]` counts from 0 and fails out of bounds, CAST truncates to integers and
 * prints timestamps as Spark does.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { Cursor, splitTopLevel } from "./cursor.js";
import { syntaxError, unsupported } from "../errors.js";
import type { Parameters, Sql } from "./parameters.js";
import { isOp, isWord, quoteIdent, quoteString, type Token } from "./tokenizer.js";
import { parseType, toDuckDbType, type SparkType } from "./types.js";
import { NOT_A_CALL, SPARK_FUNCTIONS, unresolvedRoutine, wrongArity } from "./functions.js";

export interface DialectContext {
  /** The DuckDB database holding a Databricks catalog, when `name` is a catalog this warehouse knows. */
  catalogDb(name: string): string | undefined;
  readonly parameters: Parameters;
  readonly currentCatalog: string;
  readonly currentSchema: string;
  /** Files read as tables (`read_files(…)`, `` parquet.`path` ``), prepared before the rewrite; keyed by their first token. */
  readonly fileSources?: ReadonlyMap<Token, { sql: string; last: Token }>;
}

/** Rewrites a token run (an expression, a query, or a clause) into DuckDB SQL. */
export function rewrite(tokens: Token[], ctx: DialectContext): Sql {
  const values: Record<string, DuckDBValue> = {};
  const text = new Rewriter(tokens, ctx, values).run();
  return { text, values };
}

const NUMBER_SUFFIX: Record<string, string> = { L: "BIGINT", S: "SMALLINT", Y: "TINYINT", D: "DOUBLE", F: "FLOAT" };

class Rewriter {
  private readonly out: string[] = [];
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly ctx: DialectContext,
    private readonly values: Record<string, DuckDBValue>,
  ) {}

  run(): string {
    while (this.i < this.tokens.length) this.step();
    return joinSql(this.out);
  }

  private sub(tokens: Token[]): string {
    return new Rewriter(tokens, this.ctx, this.values).run();
  }

  private step(): void {
    const t = this.tokens[this.i]!;
    const source = this.ctx.fileSources?.get(t);
    if (source) {
      this.out.push(source.sql);
      this.i = this.tokens.indexOf(source.last, this.i) + 1;
      return;
    }
    const next = this.tokens[this.i + 1];
    switch (t.kind) {
      case "space":
      case "comment":
        this.i++;
        return;
      case "string":
        this.out.push(quoteString(t.value));
        this.i++;
        return;
      case "number":
        this.out.push(numberLiteral(t.value));
        this.i++;
        return;
      case "param":
        this.out.push(this.ctx.parameters.named(t.value, this.values));
        this.i++;
        return;
      case "qmark":
        this.out.push(this.ctx.parameters.ordinal(this.values));
        this.i++;
        return;
      case "op":
        this.op(t);
        return;
      case "ident":
        this.nameChain();
        return;
      case "word":
        break;
    }
    const upper = t.value.toUpperCase();
    const prevIsDot = isOp(this.tokens[this.i - 1], ".");
    if (!prevIsDot && isOp(next, "(") && this.functionCall(upper)) return;
    if (!prevIsDot && next?.kind === "string" && this.typedLiteral(upper, next)) return;
    if (upper === "DIV") {
      this.out.push("//");
      this.i++;
      this.divisor();
      return;
    }
    if (isOp(next, ".") || DUCKDB_ONLY_KEYWORDS.has(t.value.toLowerCase())) {
      this.nameChain();
      return;
    }
    this.out.push(t.value);
    this.i++;
  }

  private op(t: Token): void {
    this.i++;
    switch (t.value) {
      case "/":
      case "%":
        this.out.push(t.value);
        this.divisor();
        return;
      case "[":
        this.subscript();
        return;
      case "==":
        this.out.push("=");
        return;
      case "<=>":
        this.out.push("IS NOT DISTINCT FROM");
        return;
      case "::": {
        const c = new Cursor(this.tokens.slice(this.i).filter((x) => x.kind !== "space" && x.kind !== "comment"));
        const before = c.tokens.length;
        const type = parseType(c);
        this.out.push("::", toDuckDbType(type));
        this.skipSignificant(before - (c.tokens.length - c.i));
        return;
      }
      case "&&":
        throw syntaxError(`at or near '&&' (position ${t.pos})`);
      default:
        this.out.push(t.value);
    }
  }

  /** Advances past `count` significant tokens. */
  private skipSignificant(count: number): void {
    let seen = 0;
    while (seen < count && this.i < this.tokens.length) {
      const k = this.tokens[this.i++]!.kind;
      if (k !== "space" && k !== "comment") seen++;
    }
  }

  /**
   * The operand right of `/`, `%` or `div` (one unary expression), wrapped so a zero fails as on
   * Databricks. Spark evaluates the dividend first and gives NULL for NULL / 0, so when the dividend is
   * a plain primary its value is checked too.
   */
  private divisor(): void {
    let k = this.i;
    while (k < this.tokens.length && (this.tokens[k]!.kind === "space" || this.tokens[k]!.kind === "comment")) k++;
    const end = primaryEnd(this.tokens, k);
    if (end <= k) return;
    const right = this.sub(this.tokens.slice(k, end));
    // The operator is the last piece; the dividend ends just before it.
    let start = this.primaryStart(this.out.length - 2);
    // In a * b / c the dividend is the whole product, not its last primary: check the divisor alone.
    if (start !== undefined && ["*", "/", "%", "//"].includes(this.out[start - 1] ?? "")) start = undefined;
    const left = start === undefined ? undefined : joinSql(this.out.slice(start, this.out.length - 1));
    this.out.push(left === undefined ? `spark_divisor(${right})` : `spark_divisor_of(${left}, ${right})`);
    this.i = end;
  }

  /**
   * Where the primary ending at output piece `k` starts: a name, literal or call piece, or a `(…)` group,
   * with any `.field` after it; undefined when the piece is not a plain primary (a cast, CASE … END).
   */
  private primaryStart(k: number): number | undefined {
    if (k < 0) return undefined;
    for (;;) {
      const piece = this.out[k]!;
      if (piece === ")") {
        let depth = 0;
        for (; k >= 0; k--) {
          if (this.out[k] === ")") depth++;
          else if (this.out[k] === "(" && --depth === 0) break;
        }
        if (k < 0) return undefined;
      } else if (/^(END|NULL|TRUE|FALSE)$/i.test(piece) || /^[-+*/%=<>!|&,]+$/.test(piece) || this.out[k - 1] === "::") return undefined;
      if (k >= 2 && this.out[k - 1] === ".") k -= 2;
      else return k;
    }
  }

  /** `base[i]` after a primary: 0-based array access (Spark), or a map lookup for a string key. */
  private subscript(): void {
    const close = matchBracket(this.tokens, this.i - 1);
    const inner = this.tokens.slice(this.i, close);
    this.i = close + 1;
    const index = this.sub(inner);
    const k = this.primaryStart(this.out.length - 1);
    if (k === undefined) throw syntaxError("at or near '[': a subscript needs an array or map before it");
    const base = joinSql(this.out.splice(k));
    const sig = inner.filter((x) => x.kind !== "space" && x.kind !== "comment");
    // A string key reads a map (DuckDB refuses it on an array); anything else is an array position.
    this.out.push(sig.length === 1 && sig[0]!.kind === "string" ? `${base}[${index}]` : `spark_subscript(${base}, ${index})`);
  }

  /** `a.b.c`: a leading known catalog becomes its DuckDB database; backtick parts become quoted names. */
  private nameChain(): void {
    const parts: Token[] = [this.tokens[this.i++]!];
    while (isOp(this.tokens[this.i], ".") && isNamePart(this.tokens[this.i + 1])) {
      parts.push(this.tokens[this.i + 1]!);
      this.i += 2;
    }
    const rendered = parts.map(renderName);
    if (parts.length >= 3) {
      const db = this.ctx.catalogDb(parts[0]!.value);
      if (db !== undefined) rendered[0] = quoteIdent(db);
    }
    this.out.push(rendered.join("."));
  }

  /** Handles a call of a Spark function that DuckDB spells differently. Returns false to leave it as is. */
  private functionCall(name: string): boolean {
    const open = this.i + 1;
    const close = matchParen(this.tokens, open);
    const inner = this.tokens.slice(open + 1, close);
    const args = () => (significantCount(inner) === 0 ? [] : splitTopLevel(inner, ","));
    const emit = (sql: string) => {
      this.out.push(sql);
      this.i = close + 1;
      return true;
    };
    switch (name) {
      case "CAST":
      case "TRY_CAST": {
        const parts = splitTopLevelWord(inner, "AS");
        if (!parts) throw syntaxError(`${name} needs 'AS <type>' (position ${this.tokens[this.i]!.pos})`);
        const c = new Cursor(parts[1].filter((x) => x.kind !== "space" && x.kind !== "comment"));
        const type = parseType(c);
        c.expectEnd();
        const operand = this.sub(parts[0]);
        const spark = sparkCast(operand, type, name === "TRY_CAST");
        if (spark) return emit(spark);
        return emit(`${name}(${operand} AS ${toDuckDbType(type)})`);
      }
      case "ARRAY":
        return emit(`list_value(${args().map((a) => this.sub(a)).join(", ")})`);
      case "NAMED_STRUCT": {
        const a = args();
        if (a.length % 2 !== 0) throw syntaxError("named_struct expects an even number of arguments");
        const fields: string[] = [];
        for (let k = 0; k < a.length; k += 2) {
          const key = a[k]!.filter((x) => x.kind !== "space" && x.kind !== "comment");
          if (key.length !== 1 || key[0]!.kind !== "string")
            throw syntaxError("named_struct field names must be string literals");
          fields.push(`${quoteIdent(key[0]!.value)} := ${this.sub(a[k + 1]!)}`);
        }
        return emit(`struct_pack(${fields.join(", ")})`);
      }
      case "STRUCT": {
        const fields = args().map((a, k) => {
          const sig = a.filter((x) => x.kind !== "space" && x.kind !== "comment");
          const n = sig.length;
          if (n >= 3 && isWord(sig[n - 2], "AS") && isNamePart(sig[n - 1]))
            return `${quoteIdent(sig[n - 1]!.value)} := ${this.sub(sig.slice(0, n - 2))}`;
          const isChain = sig.every((x, j) => (j % 2 === 0 ? isNamePart(x) : isOp(x, ".")));
          const fieldName = isChain && n % 2 === 1 ? sig[n - 1]!.value : `col${k + 1}`;
          return `${quoteIdent(fieldName)} := ${this.sub(a)}`;
        });
        return emit(`struct_pack(${fields.join(", ")})`);
      }
      case "MAP": {
        const a = args();
        if (a.length === 0) return emit("map()");
        if (a.length % 2 !== 0) throw syntaxError("map expects an even number of arguments");
        const keys = a.filter((_, k) => k % 2 === 0).map((x) => this.sub(x));
        const vals = a.filter((_, k) => k % 2 === 1).map((x) => this.sub(x));
        return emit(`map(list_value(${keys.join(", ")}), list_value(${vals.join(", ")}))`);
      }
      case "CURRENT_TIMESTAMP":
      case "NOW":
        if (args().length !== 0) throw syntaxError(`${name.toLowerCase()}() takes no arguments`);
        return emit("current_timestamp");
      case "CURRENT_DATE":
        if (args().length !== 0) throw syntaxError("current_date() takes no arguments");
        return emit("current_date");
      case "CURRENT_CATALOG":
        return emit(quoteString(this.ctx.currentCatalog));
      case "CURRENT_SCHEMA":
      case "CURRENT_DATABASE":
        return emit(quoteString(this.ctx.currentSchema));
      case "TO_JSON":
        return emit(`CAST(to_json(${args().map((a) => this.sub(a)).join(", ")}) AS VARCHAR)`);
      case "RANGE": {
        // Spark's range() table function names its column `id`; DuckDB's names it `range`.
        const before = this.tokens.slice(0, this.i).filter((x) => x.kind !== "space" && x.kind !== "comment").pop();
        if (!(isWord(before, "FROM", "JOIN") || isOp(before, ","))) return false;
        return emit(`(SELECT "range" AS id FROM range(${args().map((a) => this.sub(a)).join(", ")}))`);
      }
      case "FROM_JSON":
      case "SCHEMA_OF_JSON":
      case "EXPLODE":
      case "POSEXPLODE":
      case "INLINE":
        throw unsupported(`The function ${name.toLowerCase()}`);
      default: {
        const lower = name.toLowerCase();
        const row = Object.hasOwn(SPARK_FUNCTIONS, lower) ? SPARK_FUNCTIONS[lower] : undefined;
        if (!row) {
          const before = this.tokens.slice(0, this.i).filter((x) => x.kind !== "space" && x.kind !== "comment").pop();
          // Table names and table functions (FROM t(...), INSERT INTO t (cols), WITH c (cols)) and a table
          // alias's column list (FROM range(3) AS r(id)) are not routines.
          if (NOT_A_CALL.has(lower) || isWord(before, "FROM", "JOIN", "INTO", "TABLE", "EXISTS", "VIEW", "WITH", "UPDATE", "MERGE", "USING", "LATERAL", "AS"))
            return false;
          throw unresolvedRoutine(lower, this.ctx.currentCatalog, this.ctx.currentSchema);
        }
        const list = args();
        if (list.length < row.arity[0] || list.length > row.arity[1]) throw wrongArity(lower, list.length, row.arity);
        // DISTINCT inside an aggregate stays where it is.
        const rendered = list.map((a) => this.sub(a));
        return emit(row.render ? row.render(rendered) : `${lower}(${rendered.join(", ")})`);
      }
    }
  }

  /** `TIMESTAMP '…'` is an instant in Spark; `X'…'` is a binary literal. */
  private typedLiteral(name: string, literal: Token): boolean {
    const emit = (sql: string) => {
      this.out.push(sql);
      this.i += 2;
      return true;
    };
    switch (name) {
      case "TIMESTAMP":
      case "TIMESTAMP_LTZ":
        return emit(`TIMESTAMPTZ ${quoteString(literal.value)}`);
      case "TIMESTAMP_NTZ":
        return emit(`TIMESTAMP ${quoteString(literal.value)}`);
      case "DATE":
        return emit(`DATE ${quoteString(literal.value)}`);
      case "X":
        if (!/^[0-9a-fA-F]*$/.test(literal.value)) throw syntaxError("invalid binary literal");
        return emit(`from_hex(${quoteString(literal.value)})`);
      case "INTERVAL":
        return emit(`INTERVAL ${quoteString(literal.value)}`);
      default:
        return false;
    }
  }
}

const INTEGRAL_CASTS: Record<string, string> = { tinyint: "spark_to_tinyint", smallint: "spark_to_smallint", int: "spark_to_integer", bigint: "spark_to_bigint" };

/** CAST/TRY_CAST with Spark's meaning where DuckDB's differs (to integers, to text); undefined for a plain one. */
function sparkCast(operand: string, type: SparkType, isTry: boolean): string | undefined {
  if (type.kind !== "primitive") return undefined;
  if (type.name === "string") return `spark_string(${operand})`;
  const macro = INTEGRAL_CASTS[type.name];
  if (!macro) return undefined;
  return isTry ? `${macro.replace("spark_to_", "spark_try_to_")}(${operand})` : `${macro}(${operand})`;
}

/** The end (exclusive) of the unary expression starting at `k`: a literal, name, call, group or CASE, with postfixes. */
function primaryEnd(tokens: Token[], k: number): number {
  const skip = (j: number) => {
    while (j < tokens.length && (tokens[j]!.kind === "space" || tokens[j]!.kind === "comment")) j++;
    return j;
  };
  let j = skip(k);
  while (isOp(tokens[j], "-") || isOp(tokens[j], "+")) j = skip(j + 1);
  const t = tokens[j];
  if (!t) return k;
  let end: number;
  if (isOp(t, "(")) end = matchParen(tokens, j) + 1;
  else if (isWord(t, "CASE")) {
    let depth = 0;
    end = j;
    for (; end < tokens.length; end++) {
      if (isWord(tokens[end], "CASE")) depth++;
      else if (isWord(tokens[end], "END") && --depth === 0) break;
    }
    end++;
  } else if (t.kind === "word" || t.kind === "ident") {
    end = j + 1;
    const after = skip(end);
    if (t.kind === "word" && isOp(tokens[after], "(")) end = matchParen(tokens, after) + 1;
    else if (t.kind === "word" && tokens[after]?.kind === "string") end = after + 1;
  } else end = j + 1;
  // Postfixes: .field, [index], ::type
  for (;;) {
    const n = skip(end);
    if (isOp(tokens[n], ".") && isNamePart(tokens[n + 1])) end = n + 2;
    else if (isOp(tokens[n], "[")) end = matchBracket(tokens, n) + 1;
    else if (isOp(tokens[n], "::")) {
      const c = new Cursor(tokens.slice(n + 1).filter((x) => x.kind !== "space" && x.kind !== "comment"));
      parseType(c);
      let seen = 0;
      end = n + 1;
      while (seen < c.i && end < tokens.length) {
        if (tokens[end]!.kind !== "space" && tokens[end]!.kind !== "comment") seen++;
        end++;
      }
    } else break;
  }
  return end;
}

function matchBracket(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isOp(tokens[k], "[")) depth++;
    else if (isOp(tokens[k], "]") && --depth === 0) return k;
  }
  throw syntaxError("unbalanced brackets");
}

const isNamePart = (t: Token | undefined): boolean => t !== undefined && (t.kind === "word" || t.kind === "ident");

/**
 * Words DuckDB reserves (or allows only as function and type names) that Spark SQL lets a user write
 * unquoted as column or table names. Outside a call they can only be names here, so they are quoted.
 * Words Spark itself uses in query syntax (SEMI, ANTI, BOTH, QUALIFY, WINDOW, OFFSET, PIVOT…) are not
 * in the list.
 */
const DUCKDB_ONLY_KEYWORDS = new Set(
  ("at binary map struct array columns positional asof glob verbose freeze authorization collation concurrently " +
    "unpack analyse analyze asymmetric symmetric lambda returning summarize variadic show describe do initially " +
    "deferrable column only fetch pivot_longer pivot_wider overlaps similar").split(" "),
);

const renderName = (t: Token): string =>
  t.kind === "ident" || DUCKDB_ONLY_KEYWORDS.has(t.value.toLowerCase()) ? quoteIdent(t.value) : t.value;

function significantCount(tokens: Token[]): number {
  return tokens.filter((t) => t.kind !== "space" && t.kind !== "comment").length;
}

function matchParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (isOp(tokens[k], "(")) depth++;
    else if (isOp(tokens[k], ")") && --depth === 0) return k;
  }
  throw syntaxError("unbalanced parentheses");
}

function splitTopLevelWord(tokens: Token[], word: string): [Token[], Token[]] | undefined {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, "(")) depth++;
    else if (isOp(t, ")")) depth--;
    else if (depth === 0 && isWord(t, word)) return [tokens.slice(0, k), tokens.slice(k + 1)];
  }
  return undefined;
}

function numberLiteral(text: string): string {
  const bd = /^(.*?)BD$/i.exec(text);
  if (bd) {
    const [intPart = "", frac = ""] = bd[1]!.split(".");
    const scale = frac.length;
    const precision = Math.max(1, intPart.replace(/^0+/, "").length + scale, scale);
    return `CAST(${quoteString(bd[1]!)} AS DECIMAL(${Math.min(precision, 38)},${scale}))`;
  }
  const suffix = NUMBER_SUFFIX[text.slice(-1).toUpperCase()];
  if (suffix && !/^[0-9.]+[eE][-+]?[0-9]*$/.test(text)) return `CAST(${text.slice(0, -1)} AS ${suffix})`;
  return text;
}

/** Joins rewritten pieces with spaces, except around `.` so qualified names stay one token. */
function joinSql(parts: string[]): string {
  const out: string[] = [];
  let previous = "";
  for (const p of parts) {
    // Checking the last piece, not the growing string: endsWith on a long concatenation flattens it every time.
    if (out.length === 0 || p === "." || previous.endsWith(".") || p === "::" || previous.endsWith("::")) out.push(p);
    else out.push(" ", p);
    previous = p;
  }
  return out.join("");
}
