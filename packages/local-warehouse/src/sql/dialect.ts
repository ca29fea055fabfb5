/**
 * @packageDocumentation
 * Translates Databricks SQL (a query, a clause, or an expression) into DuckDB SQL. A clause walker
 * passes the query syntax through — SELECT, FROM, JOIN, GROUP BY, window specs, VALUES — and every
 * expression in it is parsed into a tree (expression-parser.ts) and rendered with Spark's meaning
 * (expression-render.ts). Files and time-travelled tables read as tables were prepared before the walk
 * and are spliced in where they stand.
 *
 * Parse cost: a VALUES row of plain literals is a tuple of literal nodes, so the sink's 1 MiB INSERTs
 * walk each token once, as before (see test/bench for the measured cost).
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { syntaxError, isSqlError, sqlError, unsupported } from "../errors.js";
import type { Parameters, Sql } from "./parameters.js";
import { isOp, isWord, quoteIdent, type Token } from "./tokenizer.js";
import { closingIndex, ExpressionParser, type Expr, type TokenRange } from "./expression-parser.js";
import { sparkColumnName } from "./column-names.js";
import { ExpressionRenderer, renderNamePart, SPECIAL_CALLS, type RenderContext } from "./expression-render.js";
import { NOT_A_CALL, SPARK_FUNCTIONS } from "./functions.js";

export interface DialectContext extends RenderContext {
  readonly parameters: Parameters;
  /** Files read as tables (`read_files(…)`, `` parquet.`path` ``), prepared before the rewrite; keyed by their first token. */
  readonly fileSources?: ReadonlyMap<Token, { sql: string; last: Token }>;
}

export interface RewriteOptions {
  /**
   * The tokens are an INSERT's rows (`VALUES (…), (…)`), kept as DuckDB's VALUES list so column DEFAULTs
   * and the 1 MiB literal batches go straight in. Default: false, where a leading VALUES is an inline table.
   */
  insertBody?: boolean;
}

/** Rewrites a token run (an expression, a query, or a clause) into DuckDB SQL. */
export function rewrite(tokens: Token[], ctx: DialectContext, options: RewriteOptions = {}): Sql {
  const significant = tokens.some((t) => t.kind === "space" || t.kind === "comment") ? tokens.filter((t) => t.kind !== "space" && t.kind !== "comment") : tokens;
  const values: Record<string, DuckDBValue> = {};
  const walker = new ClauseWalker(significant, ctx, values, options);
  return { text: walker.walk({ start: 0, end: significant.length }), values };
}

/**
 * Words of query syntax that never start an expression: the walker passes them through. FIRST, LAST,
 * LEFT, RIGHT and RANGE are also functions, and are calls when a `(` follows.
 */
const CLAUSE_WORDS = new Set(
  ("SELECT DISTINCT ALL FROM WHERE GROUP BY HAVING ORDER SORT CLUSTER DISTRIBUTE LIMIT OFFSET UNION INTERSECT EXCEPT MINUS " +
    "AS ON USING JOIN INNER LEFT RIGHT FULL OUTER CROSS SEMI ANTI NATURAL LATERAL VIEW WITH VALUES ASC DESC NULLS FIRST LAST " +
    "INSERT UPDATE DELETE MERGE QUALIFY WINDOW PARTITION ROWS RANGE BETWEEN AND UNBOUNDED PRECEDING FOLLOWING CURRENT ROW SET INTO TABLE TABLESAMPLE " +
    "PIVOT UNPIVOT FOR IN GROUPING SETS ROLLUP CUBE RECURSIVE PERCENT").split(" "),
);

/** Clause words that end a select list. */
const SELECT_LIST_ENDS = new Set("FROM WHERE GROUP HAVING ORDER LIMIT OFFSET UNION INTERSECT EXCEPT MINUS WINDOW QUALIFY SORT CLUSTER DISTRIBUTE LATERAL INTO".split(" "));

/** Names before a `(` that is a column list or a table function's arguments, not a routine call. */
const TABLE_CONTEXT = ["FROM", "JOIN", "INTO", "TABLE", "EXISTS", "VIEW", "WITH", "UPDATE", "MERGE", "USING", "LATERAL", "AS"];

/** Spark generators and table functions this warehouse does not run; refused rather than left to DuckDB. */
const UNSUPPORTED_TABLE_FUNCTIONS = new Set(["explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer", "stack", "json_tuple"]);

class ClauseWalker {
  private readonly renderer: ExpressionRenderer;

  constructor(
    private readonly tokens: Token[],
    private readonly ctx: DialectContext,
    values: Record<string, DuckDBValue>,
    private readonly options: RewriteOptions,
  ) {
    this.renderer = new ExpressionRenderer(ctx, values, (range) => this.walk(range));
  }

  walk(range: TokenRange): string {
    const out: string[] = [];
    const tokens = this.tokens;
    let assigning = false;
    // In a select list, an unaliased item gets the name Spark gives it (column-names.ts).
    let selectList = false;
    let itemStart = false;
    const named = (expr: Expr, sql: string, after: number): string => {
      if (!selectList || !itemStart) return sql;
      itemStart = false;
      const next = after < range.end ? tokens[after] : undefined;
      const aliased = next !== undefined && (isWord(next, "AS") || next.kind === "ident" || (next.kind === "word" && !CLAUSE_WORDS.has(next.value.toUpperCase())));
      // A plain column already has its own name in DuckDB's result.
      if (aliased || expr.k === "name") return sql;
      const name = sparkColumnName(expr, tokens);
      return name === undefined ? sql : `${sql} AS ${quoteIdent(name)}`;
    };
    let i = range.start;
    while (i < range.end) {
      const t = tokens[i]!;
      const source = this.ctx.fileSources?.get(t);
      if (source) {
        out.push(source.sql);
        i = tokens.indexOf(source.last, i) + 1;
        continue;
      }
      const prev = i > range.start ? tokens[i - 1] : undefined;
      const next = i + 1 < range.end ? tokens[i + 1] : undefined;
      if (t.kind === "word") {
        const upper = t.value.toUpperCase();
        const lower = t.value.toLowerCase();
        const leading = i === range.start && (isOp(tokens[i - 1], "(") || (i === 0 && !this.options.insertBody));
        if (upper === "VALUES" && (isWord(prev, "FROM", "JOIN") || leading)) {
          i = this.inlineTable(i, range.end, out);
          continue;
        }
        if (isOp(next, "(")) {
          // Spark's range() table function names its column `id`; DuckDB's names it `range`.
          if (upper === "RANGE" && (isWord(prev, "FROM", "JOIN") || isOp(prev, ","))) {
            const close = this.closing(i + 1, range.end);
            out.push(`(SELECT "range" AS id FROM range(${this.walk({ start: i + 2, end: close - 1 })}))`);
            i = close;
            continue;
          }
          const known = Object.hasOwn(SPARK_FUNCTIONS, lower) || SPECIAL_CALLS.has(lower);
          if (!known && CLAUSE_WORDS.has(upper)) {
            if (upper !== "DISTINCT" && upper !== "ALL") itemStart = false;
            // Query syntax before a group (IN (…), USING (…), VALUES (…), ROLLUP (…)); `* EXCEPT (a)` is DuckDB's EXCLUDE.
            out.push(upper === "EXCEPT" && isStar(out[out.length - 1]) ? "EXCLUDE" : t.value);
            i++;
            continue;
          }
          if (!known && !isWord(prev, ...TABLE_CONTEXT) && NOT_A_CALL.has(lower) && upper !== "NOT" && upper !== "CASE") {
            itemStart = false;
            out.push(t.value);
            i++;
            continue;
          }
        } else if (upper === "LEFT" && isWord(next, "SEMI", "ANTI")) {
          // Spark's LEFT SEMI / LEFT ANTI JOIN are DuckDB's SEMI / ANTI JOIN.
          i++;
          continue;
        } else if (upper === "GROUP" && isWord(next, "BY")) {
          const grouped = this.groupBy(i + 2, range.end);
          if (grouped) {
            out.push(grouped.sql);
            i = grouped.end;
            selectList = false;
            continue;
          }
          out.push(t.value);
          i++;
          selectList = false;
          continue;
        } else if (upper === "FOR" && (next?.kind === "word" || next?.kind === "ident") && isWord(tokens[i + 2], "IN")) {
          // PIVOT (… FOR col IN (…)): the column and IN are pivot syntax, not a predicate.
          out.push("FOR", renderNamePart(next), "IN");
          i += 3;
          continue;
        } else if (CLAUSE_WORDS.has(upper)) {
          if (upper === "SET") assigning = true;
          else if (upper === "WHERE" || upper === "FROM") assigning = false;
          if (upper === "SELECT") selectList = itemStart = true;
          else if (SELECT_LIST_ENDS.has(upper)) selectList = false;
          else if (upper !== "DISTINCT" && upper !== "ALL") itemStart = false;
          out.push(upper === "MINUS" ? "EXCEPT" : t.value);
          i++;
          continue;
        }
      }
      if ((t.kind === "word" || t.kind === "ident") && isWord(prev, ...TABLE_CONTEXT)) {
        i = this.tableName(i, range.end, out);
        continue;
      }
      if (t.kind === "word") {
        if (assigning && (isOp(next, "=") || isOp(next, "."))) {
          // UPDATE … SET col = expr: the target is a name, not a comparison.
          const eq = this.assignmentEnd(i, range.end);
          if (eq !== undefined) {
            out.push(tokens.slice(i, eq).map((p) => (isOp(p, ".") ? "." : renderNamePart(p))).join(""), "=");
            i = eq + 1;
            continue;
          }
        }
      } else if (t.kind === "op") {
        if (t.value === "," || t.value === ")" || t.value === ";" || t.value === "=") {
          if (t.value === ",") itemStart = selectList;
          out.push(t.value);
          i++;
          continue;
        }
        if (t.value === "(") {
          const island = this.tryIsland(i, range.end);
          if (island) {
            out.push(named(island.expr, island.sql, island.end));
            i = island.end;
          } else {
            const close = this.closing(i, range.end);
            // Not an expression: a join tree or a window spec in parentheses.
            out.push("(", this.walk({ start: i + 1, end: close - 1 }), ")");
            i = close;
          }
          continue;
        }
      }
      const parser = new ExpressionParser(tokens, i, range.end);
      const expr = parser.expression();
      if (parser.i === i) throw syntaxError(`at or near '${t.value}' (position ${t.pos})`);
      out.push(named(expr, this.renderer.render(expr), parser.i));
      i = parser.i;
    }
    return out.join(" ");
  }

  /**
   * A table (or CTE, alias, table function) name where a FROM, JOIN, INTO, WITH, AS … puts one: a name
   * chain, with its column list or arguments walked as a clause. Returns the index after it.
   */
  private tableName(i: number, end: number, out: string[]): number {
    const parts = [this.tokens[i]!];
    let k = i + 1;
    while (k + 1 < end && isOp(this.tokens[k], ".") && (this.tokens[k + 1]!.kind === "word" || this.tokens[k + 1]!.kind === "ident")) {
      parts.push(this.tokens[k + 1]!);
      k += 2;
    }
    out.push(this.renderer.name(parts));
    if (k < end && isOp(this.tokens[k], "(")) {
      const lower = parts.length === 1 ? parts[0]!.value.toLowerCase() : "";
      if (UNSUPPORTED_TABLE_FUNCTIONS.has(lower)) throw unsupported(`The table function ${lower}`);
      const close = this.closing(k, end);
      out.push("(", this.walk({ start: k + 1, end: close - 1 }), ")");
      k = close;
    }
    return k;
  }

  /**
   * An inline table, `VALUES (1, 'a'), (2, 'b') [AS t(x, y)]` or `VALUES 1, 2, 3`: rows are expressions
   * (a tuple per row, or one value), and unnamed columns are `col1`, `col2`, … as in Spark (DuckDB
   * would call them col0, col1, …). Returns the index after the table and its alias.
   */
  private inlineTable(i: number, end: number, out: string[]): number {
    const tokens = this.tokens;
    const rows: string[] = [];
    let width = 0;
    let k = i + 1;
    for (;;) {
      const items = this.inlineRow(k, end);
      if (rows.length > 0 && items.exprs.length !== width)
        throw sqlError("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", `Inline table expected ${width} columns but found ${items.exprs.length} columns in row ${rows.length}.`);
      width = items.exprs.length;
      rows.push(`(${items.exprs.map((x) => this.renderer.render(x)).join(", ")})`);
      k = items.end;
      if (k < end && isOp(tokens[k], ",")) k++;
      else break;
    }
    let alias = "__values";
    const aliasToken = isWord(tokens[k], "AS") && k + 1 < end ? tokens[k + 1] : tokens[k];
    const isAlias = k < end && aliasToken !== undefined && (aliasToken.kind === "ident" || (aliasToken.kind === "word" && !CLAUSE_WORDS.has(aliasToken.value.toUpperCase()) && !isWord(aliasToken, "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "WINDOW")));
    if (isAlias) {
      k = aliasToken === tokens[k] ? k + 1 : k + 2;
      alias = renderNamePart(aliasToken);
    }
    let columns = Array.from({ length: width }, (_, n) => `col${n + 1}`).join(", ");
    if (isAlias && k < end && isOp(tokens[k], "(")) {
      const close = this.closing(k, end);
      columns = this.walk({ start: k + 1, end: close - 1 });
      k = close;
    }
    const table = `(VALUES ${rows.join(", ")}) AS ${alias}(${columns})`;
    // As a query of its own (`(VALUES …)`, or a VALUES statement), the table is read whole.
    out.push(isWord(tokens[i - 1], "FROM", "JOIN") ? table : `SELECT * FROM ${table}`);
    return k;
  }

  /**
   * `GROUP BY a, b WITH ROLLUP|CUBE` and `GROUP BY a, b GROUPING SETS (…)`, Spark's suffix forms, as
   * DuckDB's `GROUP BY ROLLUP (a, b)` and `GROUP BY GROUPING SETS (…)`; undefined for a plain GROUP BY
   * (walked as it stands). `start` is the index after BY.
   */
  private groupBy(start: number, end: number): { sql: string; end: number } | undefined {
    const tokens = this.tokens;
    let depth = 0;
    for (let k = start; k < end; k++) {
      const t = tokens[k]!;
      if (isOp(t, "(")) depth++;
      else if (isOp(t, ")")) depth--;
      if (depth < 0) return undefined;
      if (depth !== 0 || t.kind !== "word") continue;
      const upper = t.value.toUpperCase();
      if (upper === "WITH" && isWord(tokens[k + 1], "ROLLUP", "CUBE")) {
        return { sql: `GROUP BY ${tokens[k + 1]!.value.toUpperCase()} (${this.walk({ start, end: k })})`, end: k + 2 };
      }
      if (upper === "GROUPING" && isWord(tokens[k + 1], "SETS") && k > start && !isOp(tokens[k - 1], ",")) {
        // The listed columns only say which columns the sets may use; the sets decide the grouping.
        return { sql: "GROUP BY GROUPING SETS", end: k + 2 };
      }
      if (SELECT_LIST_ENDS.has(upper) && upper !== "FROM") return undefined;
    }
    return undefined;
  }

  /** One inline-table row: `(a, b AS name, …)` (Spark allows and ignores the aliases) or a single value. */
  private inlineRow(k: number, end: number): { exprs: Expr[]; end: number } {
    const tokens = this.tokens;
    if (isOp(tokens[k], "(") && !isWord(tokens[k + 1], "SELECT", "WITH", "VALUES")) {
      const close = this.closing(k, end);
      const exprs: Expr[] = [];
      let j = k + 1;
      while (j < close - 1) {
        const parser = new ExpressionParser(tokens, j, close - 1);
        exprs.push(parser.expression());
        j = parser.i;
        if (isWord(tokens[j], "AS") && j + 1 < close - 1) j += 2;
        if (j < close - 1) {
          if (!isOp(tokens[j], ",")) throw syntaxError(`at or near '${tokens[j]!.value}' (position ${tokens[j]!.pos}): expected ',' or ')' in an inline table row`);
          j++;
        }
      }
      // A row may continue as an expression: VALUES (1) + 1 is the one value 2.
      if (close >= end || isOp(tokens[close], ",") || !isOp(tokens[close], "+") && !isOp(tokens[close], "-") && !isOp(tokens[close], "*")) return { exprs, end: close };
    }
    const parser = new ExpressionParser(tokens, k, end);
    const row = parser.expression();
    return { exprs: row.k === "tuple" ? row.items : row.k === "paren" ? [row.inner] : [row], end: parser.i };
  }

  /** A parenthesised expression (group, tuple, subquery) with whatever operators follow it; undefined if the group is not one. */
  private tryIsland(i: number, end: number): { sql: string; end: number; expr: Expr } | undefined {
    const parser = new ExpressionParser(this.tokens, i, end);
    let expr;
    try {
      expr = parser.expression();
    } catch (e) {
      if (isSqlError(e) && e.errorClass === "PARSE_SYNTAX_ERROR") return undefined;
      throw e;
    }
    return { sql: this.renderer.render(expr), end: parser.i, expr };
  }

  /** In `SET a.b = …`, the index of the `=` after a name chain starting at `i`. */
  private assignmentEnd(i: number, end: number): number | undefined {
    let k = i;
    for (;;) {
      const t = this.tokens[k];
      if (!t || (t.kind !== "word" && t.kind !== "ident")) return undefined;
      if (k + 1 < end && isOp(this.tokens[k + 1], "=")) return k + 1;
      if (!(k + 2 < end && isOp(this.tokens[k + 1], "."))) return undefined;
      k += 2;
    }
  }

  private closing(open: number, end: number): number {
    return closingIndex(this.tokens, open, end);
  }

}

const isStar = (piece: string | undefined): boolean => piece !== undefined && (piece === "*" || piece.endsWith(".*"));
