/**
 * @packageDocumentation
 * UPDATE and DELETE as versioned Delta commits, recording the rows they change: a DELETE's rows as
 * `delete`, an UPDATE's rows before as `update_preimage` and after as `update_postimage` (every row the
 * WHERE matches, even one set to the values it had, as Delta rewrites it). The changed rows are read
 * with the statement's own condition before the statement runs, in the same transaction; the
 * post-images by evaluating the SET expressions over those rows, cast to the columns' types as the
 * UPDATE stores them. DuckDB's row ids are not used: DuckDB moves a row whose nested column is updated.
 *
 * Spark's forms (https://docs.databricks.com/sql/language-manual/delta-update.html, delta-delete-from.html):
 * `DELETE FROM t [[AS] alias] [WHERE cond]`, `UPDATE t [[AS] alias] SET col = expr [, …] [WHERE cond]`.
 */
import { Cursor, splitTopLevel } from "../sql/cursor.js";
import { syntaxError, unsupported } from "../errors.js";
import type { Sql } from "../sql/parameters.js";
import type { StatementScope } from "../sql/scope.js";
import { isOp, isWord, quoteIdent, type Token } from "../sql/tokenizer.js";
import type { TableRef } from "../warehouse.js";
import { deleteInfo, updateInfo } from "./operations.js";
import { CHANGE_KIND, commitVersion } from "./versions.js";
import type { ColumnRule } from "./generated-columns.js";

const isName = (t: Token | undefined): boolean => t !== undefined && (t.kind === "word" || t.kind === "ident");

/** Index of the first top-level WHERE, or -1. */
function whereAt(tokens: Token[]): number {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, "(")) depth++;
    else if (isOp(t, ")")) depth--;
    else if (depth === 0 && isWord(t, "WHERE")) return k;
  }
  return -1;
}

/** Tokens back to readable SQL, for the predicate DESCRIBE HISTORY shows. */
export function tokensText(tokens: Token[]): string {
  return tokens
    .map((t) => (t.kind === "string" ? `'${t.value.replace(/'/g, "\\'")}'` : t.kind === "ident" ? `\`${t.value.replace(/`/g, "``")}\`` : t.kind === "param" ? `:${t.value}` : t.value))
    .join(" ");
}

interface Target {
  ref: TableRef;
  alias: string;
  condition?: Token[];
}

function optionalAlias(c: Cursor, stop: string): string | undefined {
  if (c.acceptWords("AS")) return c.identifier();
  const t = c.peek();
  if (isName(t) && !(t!.kind === "word" && [stop, "WHERE"].includes(t!.value.toUpperCase()))) return c.identifier();
  return undefined;
}

/**
 * Runs a DELETE or UPDATE statement as a commit of its table. `run` executes the statement itself (its
 * existing translation, with its write rules) and returns the number of rows it changed. `recomputed`:
 * the generated columns the UPDATE does not assign, which `run` recomputes from the new values, so
 * their post-images are computed the same way.
 */
export async function executeRowChanges(
  scope: StatementScope,
  tokens: Token[],
  ref: TableRef,
  recomputed: readonly ColumnRule[],
  run: () => Promise<number>,
): Promise<number> {
  const c = new Cursor(tokens);
  const isDelete = c.acceptWords("DELETE");
  if (isDelete) c.expectWords("FROM");
  else c.expectWords("UPDATE");
  c.qualifiedName();
  const target: Target = { ref, alias: optionalAlias(c, "SET") ?? ref.table };
  let assignments: Token[][] = [];
  const rest = c.rest();
  const where = whereAt(rest);
  if (where >= 0) target.condition = rest.slice(where + 1);
  const head = where >= 0 ? rest.slice(0, where) : rest;
  if (isDelete) {
    if (head.length > 0) throw new Cursor(head).unexpected("WHERE or end of statement");
  } else {
    const s = new Cursor(head);
    s.expectWords("SET");
    assignments = splitTopLevel(s.rest(), ",");
  }
  return commitVersion(scope, ref, async (commit) => {
    const from = `${commit.target} AS ${quoteIdent(target.alias)}`;
    // Rewritten in text order (SET, then WHERE), so `?` markers bind as in the statement itself.
    scope.parameters.resetOrdinals();
    const sets = assignments.map((a) => parseAssignment(scope, a, target.alias));
    const cond: Sql | undefined = target.condition ? scope.rewrite(target.condition) : undefined;
    const values = { ...Object.assign({}, ...sets.map((x) => (x.value === "DEFAULT" ? {} : x.value.values))), ...(cond?.values ?? {}) };
    const whereSql = cond ? ` WHERE ${cond.text}` : "";
    const predicate = target.condition ? tokensText(target.condition) : undefined;
    const a = quoteIdent(target.alias);
    if (isDelete) {
      await commit.logQuery(CHANGE_KIND.delete, (cols) => `SELECT ${cols.map((x) => `${a}.${quoteIdent(x)}`).join(", ")} FROM ${from}${whereSql}`, values);
      scope.parameters.resetOrdinals();
      const n = await run();
      return { result: n, info: deleteInfo(predicate, n) };
    }
    const types = await commit.columnTypes();
    for (const set of sets) {
      if (!types.some((t) => t.name.toLowerCase() === set.column.toLowerCase()))
        throw syntaxError(`UPDATE assigns the column \`${set.column}\`, which \`${ref.table}\` does not have`);
    }
    await commit.logQuery(CHANGE_KIND.preimage, (cols) => `SELECT ${cols.map((x) => `${a}.${quoteIdent(x)}`).join(", ")} FROM ${from}${whereSql}`, values);
    const assignedRow = `SELECT ${types
      .map((t) => {
        const set = sets.find((x) => x.column.toLowerCase() === t.name.toLowerCase());
        if (!set) return `${a}.${quoteIdent(t.name)} AS ${quoteIdent(t.name)}`;
        // SET c = DEFAULT stores the column's default (NULL without one), as the UPDATE itself does.
        const value = set.value === "DEFAULT" ? (t.default ?? "NULL") : set.value.text;
        return `CAST((${value}) AS ${t.type}) AS ${quoteIdent(t.name)}`;
      })
      .join(", ")} FROM ${from}${whereSql}`;
    // Generated columns follow the assigned values: their expressions (over the table's own column
    // names) are evaluated over the assigned row, as the write rules store them.
    const generated = (name: string) => recomputed.find((r) => r.column.toLowerCase() === name.toLowerCase());
    const postimage =
      recomputed.length === 0
        ? assignedRow
        : `SELECT ${types.map((t) => generated(t.name)?.duckExpr ?? quoteIdent(t.name)).join(", ")} FROM (${assignedRow}) AS __lw_post`;
    await commit.logQuery(CHANGE_KIND.postimage, () => postimage, values);
    scope.parameters.resetOrdinals();
    const n = await run();
    return { result: n, info: updateInfo(predicate, n) };
  });
}

function parseAssignment(scope: StatementScope, tokens: Token[], alias: string): { column: string; value: Sql | "DEFAULT" } {
  const eq = tokens.findIndex((t) => isOp(t, "="));
  if (eq < 1) throw syntaxError("expected column = expression in UPDATE SET");
  const lhs = new Cursor(tokens.slice(0, eq));
  const parts = lhs.qualifiedName();
  lhs.expectEnd();
  if (parts.length > 2 || (parts.length === 2 && parts[0]!.toLowerCase() !== alias.toLowerCase()))
    throw unsupported("Assigning to a nested field in UPDATE");
  if (isWord(tokens[eq + 1], "DEFAULT") && tokens.length === eq + 2) return { column: parts[parts.length - 1]!, value: "DEFAULT" };
  return { column: parts[parts.length - 1]!, value: scope.rewrite(tokens.slice(eq + 1)) };
}
