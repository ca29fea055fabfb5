/**
 * @packageDocumentation
 * The rows a MERGE changes, for its commit's change log: deleted rows, update pre- and post-images
 * (every target row an UPDATE clause acts on, as Delta records it), and inserted rows.
 *
 * DuckDB's MERGE cannot say which target row each action touched (its RETURNING has no row id, and an
 * update of a nested column moves the row), so the MERGE is first run against a temporary copy of
 * the target rows it can reach (the rows the ON condition matches, or every row when a NOT MATCHED BY
 * SOURCE clause exists), carrying each row's original row id and marking the rows an UPDATE clause
 * sets. Comparing the copy before and after gives each change exactly; the real MERGE then runs on
 * the table as before, in the same transaction. Generated columns are recomputed in the copy as the
 * write rules recompute them in the table (constraints.ts).
 *
 * Inserted rows are read from the table after the real MERGE instead, so identity values, column
 * DEFAULTs and generated values appear as stored (the copy has none of the table's defaults, and an
 * identity sequence can only be drawn once). They are the rows appended by the MERGE; when DuckDB also
 * moved updated rows to the end (it rewrites a row whose table has nested columns), those are the
 * copy's post-images and are taken out again (bag difference); when it moved only some, the moved
 * ones are those whose original row id no longer exists.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { quoteIdent } from "../sql/tokenizer.js";
import { CHANGE_KIND, type Commit } from "./versions.js";
import type { ColumnRule } from "./generated-columns.js";

const RID = quoteIdent("__lw_rid");
const TOUCHED = quoteIdent("__lw_touched");

export interface MergePlan {
  /** The target's alias in the statement. */
  targetAlias: string;
  /** `source AS alias(cols)`, as the MERGE uses it. */
  source: string;
  /** The ON condition, rewritten. */
  on: string;
  /** The rendered WHEN clauses, with whether each updates. */
  clauses: { sql: string; updates: boolean; bySource: boolean }[];
  values: Record<string, DuckDBValue>;
  /** The values of the source and the ON condition alone. */
  joinValues: Record<string, DuckDBValue>;
  /** The table's generated columns, recomputed after the MERGE. */
  generated: readonly ColumnRule[];
}

/**
 * Logs the MERGE's changes into the commit around `merge`, the real MERGE (with its write rules), which
 * returns its result and how many rows it inserted.
 */
export async function logMergeChanges<T>(commit: Commit, plan: MergePlan, merge: () => Promise<{ result: T; inserted: number }>): Promise<T> {
  const session = commit.session;
  const suffix = `${Date.now()}_${Math.random().toString(36).slice(2)}`;
  const candidates = quoteIdent(`__lw_merge_candidates_${suffix}`);
  const copy = quoteIdent(`__lw_merge_copy_${suffix}`);
  const ta = quoteIdent(plan.targetAlias);
  const cols = await commit.syncLogColumns();
  const list = cols.map(quoteIdent).join(", ");
  const reach = plan.clauses.some((c) => c.bySource)
    ? `SELECT rowid AS rid FROM ${commit.target}`
    : `SELECT ${ta}.rowid AS rid FROM ${commit.target} AS ${ta} SEMI JOIN ${plan.source} ON ${plan.on}`;
  try {
    await session.run(`CREATE TEMPORARY TABLE ${candidates} AS ${reach}`, plan.clauses.some((c) => c.bySource) ? {} : plan.joinValues);
    await session.run(
      `CREATE TEMPORARY TABLE ${copy} AS SELECT ${list}, rowid AS ${RID}, false AS ${TOUCHED} FROM ${commit.target} WHERE rowid IN (SELECT rid FROM ${candidates})`,
    );
    const whens = plan.clauses.map((c) => (c.updates ? `${c.sql}, ${TOUCHED} = true` : c.sql));
    await session.run(`MERGE INTO ${copy} AS ${ta} USING ${plan.source} ON ${plan.on} ${whens.join(" ")}`, plan.values);
    for (const g of plan.generated) await session.run(`UPDATE ${copy} SET ${quoteIdent(g.column)} = ${g.duckExpr} WHERE ${TOUCHED} OR ${RID} IS NULL`);
    const fromTarget = (where: string) => `SELECT ${list} FROM ${commit.target} WHERE ${where} ORDER BY rowid`;
    await commit.logQuery(
      CHANGE_KIND.delete,
      () => fromTarget(`rowid IN (SELECT rid FROM ${candidates}) AND rowid NOT IN (SELECT ${RID} FROM ${copy} WHERE ${RID} IS NOT NULL)`),
    );
    await commit.logQuery(CHANGE_KIND.preimage, () => fromTarget(`rowid IN (SELECT ${RID} FROM ${copy} WHERE ${TOUCHED})`));
    await commit.logQuery(CHANGE_KIND.postimage, () => `SELECT ${list} FROM ${copy} WHERE ${TOUCHED} ORDER BY ${RID}`);
    const since = await commit.highWater();
    const { result, inserted } = await merge();
    const appended = `SELECT ${list} FROM ${commit.target} WHERE rowid > ${since}`;
    const r = await session.run(`SELECT (SELECT count(*) FROM (${appended})), (SELECT count(*) FROM ${copy} WHERE ${TOUCHED})`);
    const [total, touched] = (await r.getRows())[0]!.map(Number) as [number, number];
    if (total === inserted) await commit.logQuery(CHANGE_KIND.insert, () => appended);
    else if (total === inserted + touched) await commit.logQuery(CHANGE_KIND.insert, () => `${appended} EXCEPT ALL SELECT ${list} FROM ${copy} WHERE ${TOUCHED}`);
    // Only some updated rows moved (DuckDB 1.5, nested columns, MATCHED and NOT MATCHED BY SOURCE
    // updates in one MERGE): a moved row's old row id is gone, so those post-images come out.
    else
      await commit.logQuery(
        CHANGE_KIND.insert,
        () => `${appended} EXCEPT ALL SELECT ${list} FROM ${copy} WHERE ${TOUCHED} AND ${RID} NOT IN (SELECT rowid FROM ${commit.target} WHERE rowid <= ${since})`,
      );
    return result;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${copy}`);
    await session.run(`DROP TABLE IF EXISTS ${candidates}`);
  }
}
