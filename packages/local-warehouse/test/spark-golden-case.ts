/**
 * One case from Spark's SQL golden files (sql/core/src/test/resources/sql-tests/results/ in
 * apache/spark) and how it is checked against the local warehouse through the real driver.
 */
import type { DBSQLClient } from "@databricks/sql";
import { sql, type Session } from "./client.js";
import { runPrinted } from "./spark-print.js";

export interface GoldenCase {
  /** `apache/spark@<commit>:<path of the .sql.out file>`. */
  source: string;
  /** The `-- !query` text, verbatim. */
  query: string;
  /** Statements of the same golden file that the query needs first (temporary views), run in the case's own session. */
  setup?: string[];
  /** The `-- !query output` lines, or the error Spark raised. */
  expected: { rows: string[] } | { errorClass: string; sqlState: string };
  /** Why the expectation is not a verbatim copy of the golden file, where it is not. */
  note?: string;
  /** For a function the warehouse does not have: what Spark printed. */
  sparkOutput?: string;
}

export type Outcome = { rows: string[]; types: string[] } | { errorClass: string; sqlState: string | undefined; message: string };

/**
 * Spark's test suite sorts the output of a query that has no ORDER BY before writing or comparing
 * it (SQLQueryTestHelper.getNormalizedQueryExecutionResult, apache/spark sql/core/src/test), so
 * row order only counts when the query orders its rows. Only an ORDER BY outside parentheses orders
 * them: one in a window (`OVER (… ORDER BY …)`, `WINDOW w AS (…)`) or a subquery does not.
 */
export const isOrdered = (query: string): boolean => /\border\s+by\b/i.test(topLevelText(query));

/** The query without what is inside parentheses or quotes. */
function topLevelText(query: string): string {
  let depth = 0;
  let out = "";
  for (const ch of query.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, "''")) {
    if (ch === "(") {
      if (depth === 0) out += " ";
      depth++;
    } else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out;
}

export async function runCase(client: DBSQLClient, shared: Session, c: GoldenCase): Promise<Outcome> {
  // Temporary views belong to a session, so a case with setup gets a session of its own.
  const session = c.setup ? await client.openSession() : shared;
  try {
    for (const statement of c.setup ?? []) await sql(session, statement);
    const printed = await runPrinted(session, c.query);
    return isOrdered(c.query) ? printed : { ...printed, rows: [...printed.rows].sort() };
  } catch (error) {
    const e = error as { message: string; response?: { sqlState?: string } };
    const m = /^\[([A-Z0-9_.]+)\]/.exec(e.message);
    return { errorClass: m ? m[1]! : "(none)", sqlState: e.response?.sqlState, message: e.message };
  } finally {
    if (c.setup) await session.close();
  }
}

/** The error class without its subclass: subclasses were added and renamed between Spark versions. */
const mainClass = (errorClass: string) => errorClass.split(".")[0];

/**
 * The output block as Spark's suite writes and compares it: the rows joined by newlines with the trailing
 * whitespace of the whole block removed (SQLQueryTestSuite trims it with `replaceAll("\\s+$", "")`), so a last
 * column of `hi   ` reads `hi`, and an empty string reads as no rows, on both sides alike.
 */
const outputBlock = (rows: readonly string[]) => rows.join("\n").replace(/[ \t\n\x0B\f\r]+$/, "");

/** What the case expects, in the shape `comparable` gives an outcome. */
export function expectedOutcome(c: GoldenCase): unknown {
  if ("rows" in c.expected) return { output: outputBlock(isOrdered(c.query) ? c.expected.rows : [...c.expected.rows].sort()) };
  return { errorClass: mainClass(c.expected.errorClass), sqlState: c.expected.sqlState };
}

/** The part of an outcome that is compared with `expectedOutcome`. */
export function comparable(outcome: Outcome): unknown {
  if ("rows" in outcome) return { output: outputBlock(outcome.rows) };
  return { errorClass: mainClass(outcome.errorClass), sqlState: outcome.sqlState };
}
