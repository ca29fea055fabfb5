/**
 * The cost of translating Spark SQL into DuckDB SQL in local-warehouse (tokenize, then the clause
 * walker with the expression tree), against tokenizing alone in the same run: the translation must
 * not make the sink's `insert` method slower, and that method sends 1 MiB literal INSERTs.
 */
import { expect, it } from "vitest";
import { rewrite } from "../../packages/local-warehouse/src/sql/dialect.js";
import { Parameters } from "../../packages/local-warehouse/src/sql/parameters.js";
import { significant, tokenize } from "../../packages/local-warehouse/src/sql/tokenizer.js";
import { type BenchRow, ratio, recordBench } from "./report.js";

const ctx = { catalogDb: () => undefined, parameters: new Parameters([]), currentCatalog: "main", currentSchema: "default" };

/** A literal INSERT in the shape the sink's insert method writes: scalars, NULLs, timestamps, arrays and structs. */
function insertStatement(targetBytes: number): { sql: string; rows: number } {
  const rows: string[] = [];
  let bytes = 0;
  for (let k = 0; bytes < targetBytes; k++) {
    const row = `('key-${k}', ${k}L, ${k / 7}D, ${k % 2 === 0}, NULL, TIMESTAMP '2024-01-02 03:04:05.${String(k % 1000).padStart(3, "0")}', ` +
      `array('a-${k}', 'it''s'), named_struct('x', ${k}L, 'y', 'text ${k} with some words in it'), CAST('${k}.25' AS DECIMAL(12,2)))`;
    rows.push(row);
    bytes += row.length + 2;
  }
  // The statement handler takes `INSERT INTO t (cols)` apart itself and translates the VALUES body.
  return { sql: `VALUES ${rows.join(", ")}`, rows: rows.length };
}

const QUERY = `SELECT region, count(*) AS n, sum(amount * (1 - discount) / 100) AS net, max(tags[0]) AS first_tag,
  avg(CASE WHEN status IN ('open', 'held') AND NOT archived THEN amount ELSE 0 END) AS open_avg,
  date_format(max(ts), 'yyyy-MM-dd') AS last_day, concat_ws('-', collect_list(code)) AS codes
FROM main.sales.orders o JOIN main.sales.regions r ON o.region_id = r.id AND r.active
WHERE ts >= TIMESTAMP '2024-01-01 00:00:00' AND amount BETWEEN 10 AND 1000 AND name LIKE 'a\\_%' OR flag IS NOT TRUE
GROUP BY region HAVING count(*) > 2 ORDER BY net DESC NULLS LAST LIMIT 100`;

/** Milliseconds per run of `fn`, the best of several rounds (each round runs `fn` `times` times). */
function best(fn: () => void, times: number, rounds = 5): number {
  let bestMs = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let k = 0; k < times; k++) fn();
    bestMs = Math.min(bestMs, (performance.now() - t0) / times);
  }
  return bestMs;
}

it("translates a 1 MiB literal INSERT and an analytic query, against tokenizing alone", () => {
  const insert = insertStatement(1 << 20);
  // The translation is checked once, so the loop below times a working translation.
  const translated = rewrite(significant(tokenize(insert.sql)), ctx, { insertBody: true }).text;
  expect(translated.startsWith("VALUES ('key-0', CAST(0 AS BIGINT)")).toBe(true);
  expect(translated).toContain("struct_pack(");

  const tokenizeInsertMs = best(() => significant(tokenize(insert.sql)), 3);
  const translateInsertMs = best(() => rewrite(significant(tokenize(insert.sql)), ctx, { insertBody: true }), 3);
  const tokenizeQueryMs = best(() => significant(tokenize(QUERY)), 2000);
  const translateQueryMs = best(() => rewrite(significant(tokenize(QUERY)), ctx), 2000);
  const mb = insert.sql.length / (1 << 20);
  const rows: BenchRow[] = [
    {
      metric: `local-warehouse SQL translation, 1 MiB literal INSERT (${insert.rows} rows, sink shape)`,
      value: Math.round(mb / (translateInsertMs / 1000)),
      unit: "MB/s",
      baseline: { name: "tokenizing the same statement", value: Math.round(mb / (tokenizeInsertMs / 1000)) },
      ratio: ratio(tokenizeInsertMs, translateInsertMs),
      note: `${translateInsertMs.toFixed(1)} ms per statement`,
    },
    {
      metric: "local-warehouse SQL translation, analytic query (joins, CASE, IN, LIKE, aggregates)",
      value: Math.round(1000 / translateQueryMs),
      unit: "statements/s",
      baseline: { name: "tokenizing the same statement", value: Math.round(1000 / tokenizeQueryMs) },
      ratio: ratio(tokenizeQueryMs, translateQueryMs),
      note: `${(translateQueryMs * 1000).toFixed(0)} µs per statement`,
    },
  ];
  recordBench("sql-translate", rows);
});
