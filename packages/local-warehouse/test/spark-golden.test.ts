/**
 * Conformance with Spark's own SQL golden files: each case is a `-- !query` of a file under
 * sql/core/src/test/resources/sql-tests/results/ in apache/spark (the `ansi/` results where a file has
 * them, since Databricks SQL runs with ANSI mode on) together with the `-- !query output` Spark printed for
 * it, or the error class and SQLSTATE it raised. Query-level cases (grouping, set operations, joins, CTEs,
 * subqueries) bring the file's own temporary views as `setup`. The query runs unchanged through the real driver and its rows
 * are printed as Spark's test suite prints them (test/spark-print.ts) before they are compared.
 *
 * Only queries within the warehouse's documented dialect are here, and only those it answers as Spark
 * does; the ones where it differs are listed, with the cause, outside the repository by the helper that
 * built this fixture. Each case's `source` names the file and the commit it was read at.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useWarehouseSession } from "./client.js";
import { comparable, expectedOutcome, runCase, type GoldenCase } from "./spark-golden-case.js";

const cases = JSON.parse(readFileSync(new URL("./fixtures/spark-golden.json", import.meta.url), "utf8")) as GoldenCase[];

const ws = useWarehouseSession({ client: { exactNumbers: true } });

const label = (c: GoldenCase) => `${c.source.replace(/^.*sql-tests\/results\//, "")}: ${c.query.replace(/\s+/g, " ")}`;

describe("Spark SQL golden files", () => {
  it("has cases from several golden files, values and errors both", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.source)).size).toBeGreaterThanOrEqual(5);
    expect(cases.some((c) => "errorClass" in c.expected)).toBe(true);
  });

  it.each(cases.map((c) => [label(c), c] as const))("%s", async (_label, c) => {
    const outcome = await runCase(ws.client, ws.session, c);
    expect(comparable(outcome), "message" in outcome ? outcome.message : undefined).toEqual(expectedOutcome(c));
  });
});
