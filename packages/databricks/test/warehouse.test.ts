/**
 * The provider through the real @databricks/sql driver against local-warehouse (Thrift over
 * HTTP on DuckDB). Drives the DataSource V2 contracts directly so epochs can be replayed.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  ArrayType,
  BooleanType,
  CaseInsensitiveOptions,
  DecimalType,
  DoubleType,
  JobMetrics,
  LongType,
  MapType,
  OptionError,
  StringType,
  StructField,
  StructType,
  TimestampType,
  DateType,
  createMemoryLogger,
  isMacrometaSparkError,
  silentLogger,
  type Logger,
  type Row,
  type SaveMode,
  type StreamingWrite,
} from "@macrometa-spark/core";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epoch } from "./support.js";
import { DatabricksConnection, DatabricksError, DatabricksTableProvider, parseConnectionOptions } from "../src/index.js";

type Warehouse = Awaited<ReturnType<typeof startLocalWarehouse>>;
let wh: Warehouse;
let admin: DatabricksConnection;
let base: Record<string, unknown>;
/** Options of the current write method, added to every write. */
let methodOptions: Record<string, unknown> = {};
const provider = new DatabricksTableProvider({ retryPolicy: { maxAttempts: 2, initialDelayMs: 10 } });
const METHODS = ["insert", "volume"] as const;
/** The schema the current describe block writes into: one per write method, so table names repeat. */
let SCHEMA = "mmtest";

/**
 * Points the helpers at a write method: its own schema and, for `volume`, a staging volume in it.
 * Blocks run one after another, so the block's beforeAll sets what its tests use.
 */
async function useMethod(method: (typeof METHODS)[number]): Promise<void> {
  SCHEMA = method === "insert" ? "mmtest" : "mmtest_volume";
  await admin.execute(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  const connection = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, schema: SCHEMA };
  base = connection;
  if (method === "volume") {
    await admin.execute(`CREATE VOLUME IF NOT EXISTS main.${SCHEMA}.staging`);
    methodOptions = { stagingVolume: `/Volumes/main/${SCHEMA}/staging` };
  } else {
    methodOptions = { writeMethod: "insert" };
  }
}

function ctx() {
  return { logger: silentLogger, metrics: new JobMetrics() };
}

async function write(table: string, schema: StructType, batches: Row[][], mode: SaveMode, extra: Record<string, unknown> = {}): Promise<void> {
  const opts = new CaseInsensitiveOptions({ ...base, ...methodOptions, table, ...extra }, "databricks");
  const t = await provider.getTable(undefined, opts, ctx());
  const bw = await t.newWriteBuilder!({ queryId: "batch", schema, options: opts, mode }).buildForBatch!();
  const w = await bw.createWriter(0);
  try {
    for (const b of batches) await w.write(b);
    await bw.commit([await w.commit()]);
  } catch (err) {
    await w.abort();
    await bw.abort([]);
    throw err;
  }
}

async function streaming(table: string, schema: StructType, queryId: string, extra: Record<string, unknown> = {}, logger: Logger = silentLogger): Promise<StreamingWrite> {
  const opts = new CaseInsensitiveOptions({ ...base, ...methodOptions, table, ...extra }, "databricks");
  const t = await provider.getTable(undefined, opts, { logger, metrics: new JobMetrics() });
  return t.newWriteBuilder!({ queryId, schema, options: opts, mode: "append" }).buildForStreaming!();
}


async function read(options: Record<string, unknown>): Promise<{ schema: StructType; rows: Row[] }> {
  const opts = new CaseInsensitiveOptions({ ...base, ...options }, "databricks");
  const schema = await provider.inferSchema(opts, ctx());
  const t = await provider.getTable(schema, opts, ctx());
  const batch = t.newScanBuilder!(opts).build().toBatch!();
  const rows: Row[] = [];
  for (const p of await batch.planInputPartitions()) for await (const b of batch.createReader(p)) rows.push(...b);
  return { schema, rows };
}

async function rowsOf(sql: string): Promise<Record<string, unknown>[]> {
  return admin.query(sql);
}

/**
 * Every test runs against a warehouse answering in Arrow (what Databricks sends the driver by default)
 * and against one answering in the older column format: the reader and sink must not depend on which.
 */
describe.each([
  { results: "Arrow", arrowResults: true },
  { results: "the column format", arrowResults: false },
])("results in $results", ({ arrowResults }) => {
  beforeAll(async () => {
    wh = await startLocalWarehouse({ port: 0, arrowResults });
    admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false })));
    await useMethod("insert");
  });

  afterAll(async () => {
    await admin?.close();
    await wh?.close();
  });

  const people = new StructType([new StructField("id", LongType, false), new StructField("name", StringType), new StructField("score", DoubleType)]);

  /**
   * A fault injector in front of the real warehouse: answers 503 to the first `times` Thrift calls
   * whose body contains `marker`, forwards everything else unchanged.
   */
  async function faultyProxy(marker: string, times: number): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
    let left = times;
    let hits = 0;
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (body.includes(marker)) {
          hits++;
          if (left > 0) {
            left--;
            res.writeHead(503).end();
            return;
          }
        }
        const fwd = request({ host: wh.host, port: wh.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        fwd.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { port: (server.address() as AddressInfo).port, hits: () => hits, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  // Every behaviour of the sink, through both write methods, each in its own schema.
  for (const m of METHODS) {
    describe(`${m} method`, () => {
      beforeAll(async () => {
        await useMethod(m);
      });

      describe("DDL and nested types", () => {
        const nested = new StructType([
          new StructField("id", LongType, false),
          new StructField("tags", new ArrayType(StringType)),
          new StructField("addr", new StructType([new StructField("city", StringType), new StructField("geo", new ArrayType(DoubleType))])),
          new StructField("attrs", new MapType(StringType, LongType)),
          new StructField("price", new DecimalType(12, 2)),
          new StructField("big", LongType),
          new StructField("at", TimestampType),
          new StructField("ok", BooleanType),
        ]);
        it("creates the table from a nested schema and reads the values back", async () => {
          const rows: Row[] = [
            [1, ["a", "b"], ["Paris", [48.85, 2.35]], { x: 1, y: 2 }, "12.34", 9007199254740993n, "2024-03-01T10:00:00Z", true],
            [2, [], [null, null], {}, null, null, null, false],
          ];
          await write("nested", nested, [rows], "errorifexists");
          const desc = await rowsOf(`DESCRIBE TABLE ${SCHEMA}.nested`);
          const types = Object.fromEntries(desc.map((r) => [r["col_name"], String(r["data_type"]).toLowerCase().replace(/\s+/g, "")]));
          expect(types["tags"]).toBe("array<string>");
          expect(types["addr"]).toBe("struct<city:string,geo:array<double>>");
          expect(types["attrs"]).toBe("map<string,bigint>");
          expect(types["price"]).toBe("decimal(12,2)");
          const back = await read({ table: "nested" });
          expect(back.schema.fields.map((f) => f.dataType.simpleString())).toEqual(nested.fields.map((f) => f.dataType.simpleString()));
          const byId = new Map(back.rows.map((r) => [r[0], r]));
          const one = byId.get(1)!;
          expect(one.slice(0, 6)).toEqual([1, ["a", "b"], ["Paris", [48.85, 2.35]], { x: 1, y: 2 }, "12.34", 9007199254740993n]);
          expect(one[6]).toBe("2024-03-01T10:00:00Z");
          expect(one[7]).toBe(true);
          expect(byId.get(2)!.slice(1, 4)).toEqual([[], [null, null], {}]);
          // A query's nested column: full type from DESCRIBE QUERY where the warehouse has it, else JSON text.
          const q = await read({ query: `SELECT id, tags, big FROM ${SCHEMA}.nested WHERE id = :id`, params: { id: 1 } });
          expect(q.schema.fields[2]!.dataType.simpleString()).toBe("bigint");
          const tags = q.rows[0]![1];
          expect(typeof tags === "string" ? JSON.parse(tags) : tags).toEqual(["a", "b"]);
          expect(q.rows[0]![2]).toBe(9007199254740993n);
        });
      });

      describe("save modes", () => {
        it("appends, overwrites, refuses (errorifexists) and ignores", async () => {
          await write("modes", people, [[[1, "a", 1.5]]], "append");
          await write("modes", people, [[[2, "b", 2.5]], [[3, "c", null]]], "append");
          expect((await rowsOf(`SELECT id FROM ${SCHEMA}.modes ORDER BY id`)).map((r) => Number(r["id"]))).toEqual([1, 2, 3]);
          await write("modes", people, [[[9, "z", 0]]], "overwrite");
          expect((await rowsOf(`SELECT id, name FROM ${SCHEMA}.modes`)).map((r) => [Number(r["id"]), r["name"]])).toEqual([[9, "z"]]);
          const err = await write("modes", people, [[[10, "y", 0]]], "errorifexists").catch((e: unknown) => e);
          expect(err).toBeInstanceOf(DatabricksError);
          expect((err as DatabricksError).code).toBe("DATABRICKS_TABLE_EXISTS");
          await write("modes", people, [[[11, "x", 0]]], "ignore");
          expect((await rowsOf(`SELECT id FROM ${SCHEMA}.modes`)).map((r) => Number(r["id"]))).toEqual([9]);
        });

        it("an aborted write leaves the target untouched", async () => {
          await write("aborted", people, [[[1, "a", 1]]], "append");
          // The second batch has an invalid value for BIGINT: the writer fails after staging batch 1.
          const err = await write("aborted", people, [[[2, "b", 2]], [["not-a-number", "c", 3]]], "append").catch((e: unknown) => e);
          expect(isMacrometaSparkError(err)).toBe(true);
          expect((await rowsOf(`SELECT id FROM ${SCHEMA}.aborted`)).map((r) => Number(r["id"]))).toEqual([1]);
        });
      });

      describe("metadata columns and partitions", () => {
        it("stamps _mm_ingested_at and _mm_source, and applies every partition's rows in one statement", async () => {
          const opts = new CaseInsensitiveOptions({ ...base, ...methodOptions, table: "meta", ingestedAtColumn: true, sourceTag: "people's \\ stream", mergeKeys: "id" }, "databricks");
          const t = await provider.getTable(undefined, opts, ctx());
          const bw = await t.newWriteBuilder!({ queryId: "parts", schema: people, options: opts, mode: "append" }).buildForBatch!();
          const w0 = await bw.createWriter(0);
          const w1 = await bw.createWriter(1);
          await w0.write([[1, "p0", 1], [2, "p0", 2]]);
          await w1.write([[2, "p1", 2], [3, "p1", 3]]);
          await bw.commit([await w0.commit(), await w1.commit()]);
          const rows = await rowsOf(`SELECT id, name, _mm_source, _mm_ingested_at FROM ${SCHEMA}.meta ORDER BY id`);
          // Key 2 is in both partitions: the later partition's row wins the in-batch dedupe.
          expect(rows.map((r) => [Number(r["id"]), r["name"]])).toEqual([[1, "p0"], [2, "p1"], [3, "p1"]]);
          expect(rows.every((r) => r["_mm_source"] === "people's \\ stream")).toBe(true);
          expect(rows.every((r) => r["_mm_ingested_at"] !== null)).toBe(true);
          const tables = (await rowsOf(`SHOW TABLES IN ${SCHEMA}`)).map((r) => String(r["tableName"] ?? r["tablename"] ?? ""));
          expect(tables).toContain("meta");
          expect(tables.filter((n) => n.startsWith("__mm_stage"))).toEqual([]);
        });
      });

      describe("merge", () => {
        it("upserts with in-batch dedupe (last occurrence wins)", async () => {
          await write("upsert", people, [[[1, "old", 1], [2, "keep", 2]]], "append");
          await write("upsert", people, [[[1, "first", 10], [3, "new", 3]], [[1, "last", 11]]], "append", { mergeKeys: "id" });
          const rows = (await rowsOf(`SELECT id, name, score FROM ${SCHEMA}.upsert ORDER BY id`)).map((r) => [Number(r["id"]), r["name"], Number(r["score"])]);
          expect(rows).toEqual([[1, "last", 11], [2, "keep", 2], [3, "new", 3]]);
        });

        it("deletes flagged rows and never inserts them; the flag is not stored", async () => {
          const withFlag = people.add("_delete", BooleanType);
          await write("deletes", withFlag, [[[1, "a", 1, false], [2, "b", 2, null], [3, "c", 3, false]]], "append", { mergeKeys: "id", deleteFlagColumn: "_delete" });
          await write("deletes", withFlag, [[[2, "b", 2, true], [4, "ghost", 4, true], [3, "c2", 3, false]]], "append", { mergeKeys: "id", deleteFlagColumn: "_delete" });
          const rows = (await rowsOf(`SELECT * FROM ${SCHEMA}.deletes ORDER BY id`)).map((r) => [Number(r["id"]), r["name"]]);
          expect(rows).toEqual([[1, "a"], [3, "c2"]]);
          const cols = (await rowsOf(`DESCRIBE TABLE ${SCHEMA}.deletes`)).map((r) => r["col_name"]);
          expect(cols).not.toContain("_delete");
        });

        it("refuses a NULL merge key", async () => {
          const err = await write("nullkey", people, [[[null, "a", 1]]], "append", { mergeKeys: "id" }).catch((e: unknown) => e);
          expect(String((err as Error).message)).toMatch(/merge key column "id" is NULL/);
        });
      });

      describe("schema evolution", () => {
        it("adds new columns only with schemaEvolution, and never retypes", async () => {
          await write("evolve", people, [[[1, "a", 1]]], "append");
          const wider = people.add("email", StringType);
          const refused = await write("evolve", wider, [[[2, "b", 2, "b@x"]]], "append").catch((e: unknown) => e);
          expect((refused as Error).message).toMatch(/no column "email".*schemaEvolution=true/);
          await write("evolve", wider, [[[2, "b", 2, "b@x"]]], "append", { schemaEvolution: true });
          const rows = (await rowsOf(`SELECT id, email FROM ${SCHEMA}.evolve ORDER BY id`)).map((r) => [Number(r["id"]), r["email"]]);
          expect(rows).toEqual([[1, null], [2, "b@x"]]);
          const retyped = new StructType([new StructField("id", StringType), new StructField("name", StringType)]);
          const err = await write("evolve", retyped, [[["x", "y"]]], "append", { schemaEvolution: true }).catch((e: unknown) => e);
          expect((err as DatabricksError).code).toBe("DATABRICKS_SCHEMA");
          expect((err as Error).message).toMatch(/column "id" is BIGINT .* never retypes/);
        });
      });

      describe("streaming sink", () => {
        it("a replayed epoch leaves no duplicate, also after a restart", async () => {
          const sw = await streaming("stream_sink", people, "query-1");
          await epoch(sw, 0, [[1, "a", 1], [2, "b", 2]]);
          await epoch(sw, 1, [[3, "c", 3]]);
          await epoch(sw, 1, [[3, "c", 3]]); // replay in the same process
          await sw.close!();
          const restarted = await streaming("stream_sink", people, "query-1");
          await epoch(restarted, 1, [[3, "c", 3]]); // replay after a restart
          await epoch(restarted, 2, [[4, "d", 4]]);
          await restarted.close!();
          expect((await rowsOf(`SELECT id FROM ${SCHEMA}.stream_sink ORDER BY id`)).map((r) => Number(r["id"]))).toEqual([1, 2, 3, 4]);
          const commits = await rowsOf(`SELECT epoch_id FROM ${SCHEMA}._mm_commits WHERE query_id = 'query-1' ORDER BY epoch_id`);
          expect(commits.map((r) => Number(r["epoch_id"]))).toEqual([0, 1, 2]);
          // Another query id writing the same epoch number is not mistaken for a replay.
          const other = await streaming("stream_sink", people, "query-2");
          await epoch(other, 0, [[5, "e", 5]]);
          await other.close!();
          expect((await rowsOf(`SELECT count(*) AS n FROM ${SCHEMA}.stream_sink`)).map((r) => Number(r["n"]))).toEqual([5]);
        });
      });

      describe("batchIdColumn", () => {
        it("naming a data column is an option error before any data moves", async () => {
          for (const name of ["name", "NAME", "_mm_seq"]) {
            const err = await streaming("batchid_clash", people, "q-c", { batchIdColumn: name }).catch((e: unknown) => e);
            expect(err, name).toBeInstanceOf(OptionError);
            expect((err as OptionError).message).toMatch(/option 'batchIdColumn'/);
          }
          const err = await write("batchid_clash", people, [[[1, "a", 1]]], "append", { batchIdColumn: "score" }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(OptionError);
          expect((err as OptionError).context["option"]).toBe("batchIdColumn");
          expect(await rowsOf(`SHOW TABLES IN ${SCHEMA} LIKE 'batchid_clash'`)).toEqual([]);
        });
      });

      describe("values the sink refuses or normalises", () => {
        const schema = new StructType([new StructField("id", LongType), new StructField("d", DateType), new StructField("at", TimestampType), new StructField("p", new DecimalType(10, 4))]);
        for (const strategy of ["literals", "parameters"] as const) {
          it(`refuses impossible days and stores exponent decimals exactly (${strategy})`, async () => {
            const table = `vals_${strategy}`;
            await write(table, schema, [[[1, "2024-02-29", "2024-02-29T10:00:00Z", "1.5e-3"], [2, null, null, 2.5e-7]]], "overwrite", { insertStrategy: strategy });
            const back = await rowsOf(`SELECT id, CAST(d AS STRING) AS d, CAST(p AS STRING) AS p FROM ${SCHEMA}.${table} ORDER BY id`);
            expect(back).toEqual([
              // The driver gives BIGINT as bigint from Arrow (preserveBigNumericPrecision), as a number from columns.
              { id: arrowResults ? 1n : 1, d: "2024-02-29", p: "0.0015" },
              { id: arrowResults ? 2n : 2, d: null, p: "0.0000" },
            ]);
            // Through the reader the values are the same whatever the result format, microseconds included.
            await rowsOf(`INSERT INTO ${SCHEMA}.${table} VALUES (4, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.123456', -1.5)`);
            const read4 = await read({ table });
            expect(read4.rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
              [1, "2024-02-29", "2024-02-29T10:00:00Z", "0.0015"],
              [2, null, null, "0.0000"],
              [4, "1969-12-31", "1969-12-31T23:59:59.123456Z", "-1.5000"],
            ]);
            await rowsOf(`DELETE FROM ${SCHEMA}.${table} WHERE id = 4`);
            for (const row of [[3, "2023-02-29", null, null], [3, null, "2024-02-30T10:00:00Z", null]]) {
              const err = await write(table, schema, [[row]], "append", { insertStrategy: strategy }).catch((e: unknown) => e);
              expect(isMacrometaSparkError(err) && err.code).toBe("MALFORMED_RECORD");
              expect((err as Error).message).toMatch(/column "(d|at)": .* \(no such day\)/);
            }
            expect((await rowsOf(`SELECT count(*) AS n FROM ${SCHEMA}.${table}`)).map((r) => Number(r["n"]))).toEqual([2]);
          });
        }
      });

      describe("injection", () => {
        const nasty = [
          "it's",
          "back\\slash",
          "\\'; DROP TABLE mmtest.victim; --",
          "x'); DELETE FROM mmtest.victim; /*",
          "*/ SELECT 1; -- ",
          "line\nbreak\ttab",
          "ends with backslash\\",
          "`backtick` and \"double\"",
          "ünïcødé 🚀",
          ":p_0_0 ${var} ?",
        ];
        for (const strategy of ["literals", "parameters"] as const) {
          it(`stores crafted values as data (${strategy})`, async () => {
            await write("victim", people, [[[0, "canary", 0]]], "overwrite");
            const schema = new StructType([new StructField("id", LongType), new StructField("v", StringType), new StructField("arr", new ArrayType(StringType))]);
            const table = `inj_${strategy}`;
            await write(table, schema, [nasty.map((v, i) => [i, v, [v]])], "overwrite", { insertStrategy: strategy });
            const back = await read({ table });
            const got = back.rows.sort((a, b) => Number(a[0]) - Number(b[0]));
            expect(got.map((r) => r[1])).toEqual(nasty);
            expect(got.map((r) => (r[2] as string[])[0])).toEqual(nasty);
            expect((await rowsOf(`SELECT name FROM ${SCHEMA}.victim`)).map((r) => r["name"])).toEqual(["canary"]);
          });
        }

        it("quotes crafted table and column names, refuses Delta-invalid ones or renames them on request", async () => {
          const weird = new StructType([new StructField("a`b", LongType), new StructField("q'uote--/*x*/", StringType)]);
          await write("`t``ick'--`", weird, [[[1, "v"]]], "append");
          const back = await read({ table: "`t``ick'--`" });
          expect(back.schema.fieldNames).toEqual(["a`b", "q'uote--/*x*/"]);
          expect(back.rows).toEqual([[1, "v"]]);
          const invalid = new StructType([new StructField("id; DROP TABLE x", LongType)]);
          const refused = await write("invalid_cols", invalid, [[[1]]], "append").catch((e: unknown) => e);
          expect((refused as Error).message).toMatch(/Delta refuses.*columnNameMode=rename/);
          await write("invalid_cols", invalid, [[[1]]], "append", { columnNameMode: "rename" });
          expect(Object.keys((await rowsOf(`SELECT * FROM ${SCHEMA}.invalid_cols`))[0]!)).toEqual(["id__DROP_TABLE_x"]);
          await expect(write("a b", people, [[[1, "a", 1]]], "append")).rejects.toThrow(/option 'table'/);
        });
      });

    });
  }

  describe("insert method only", () => {
    beforeAll(async () => {
      await useMethod("insert");
    });

    describe("streaming crash window", () => {
      // A crash after the epoch's data statement and before its commits record: simulated by dropping
      // the commits table the first run used, then replaying the epoch from a restarted sink.
      it("with batchIdColumn, replaying an applied-but-unrecorded epoch adds nothing", async () => {
        const opts = { batchIdColumn: "_mm_batch", commitsTable: "commits_guarded" };
        const sw = await streaming("stream_guarded", people, "q-g", opts);
        await epoch(sw, 0, [[1, "a", 1], [2, "b", 2]]);
        await sw.close!();
        await admin.execute(`DROP TABLE ${SCHEMA}.commits_guarded`);
        const restarted = await streaming("stream_guarded", people, "q-g", opts);
        await epoch(restarted, 0, [[1, "a", 1], [2, "b", 2]]);
        await epoch(restarted, 1, [[3, "c", 3]]);
        await restarted.close!();
        const rows = await rowsOf(`SELECT id, _mm_batch FROM ${SCHEMA}.stream_guarded ORDER BY id`);
        expect(rows.map((r) => Number(r["id"]))).toEqual([1, 2, 3]);
        expect(String(rows[2]!["_mm_batch"])).toBe("q-g/00000000000000000001");
      });

      it("without it, that window duplicates a plain append (the documented limit)", async () => {
        const opts = { commitsTable: "commits_plain" };
        const sw = await streaming("stream_plain", people, "q-p", opts);
        await epoch(sw, 0, [[1, "a", 1]]);
        await sw.close!();
        await admin.execute(`DROP TABLE ${SCHEMA}.commits_plain`);
        const restarted = await streaming("stream_plain", people, "q-p", opts);
        await epoch(restarted, 0, [[1, "a", 1]]);
        await restarted.close!();
        expect((await rowsOf(`SELECT id FROM ${SCHEMA}.stream_plain`)).map((r) => Number(r["id"]))).toEqual([1, 1]);
      });
    });

    describe("streaming delivery warning", () => {
      const warnings = (logger: ReturnType<typeof createMemoryLogger>) => logger.events.filter((e) => e.level === "warn" && /at-least-once/.test(e.message));

      it("warns once per query that a plain streaming append is at-least-once, naming the table and batchIdColumn", async () => {
        const logger = createMemoryLogger();
        const sw = await streaming("stream_warned", people, "q-w", { commitsTable: "commits_warned" }, logger);
        await epoch(sw, 0, [[1, "a", 1]]);
        await epoch(sw, 1, [[2, "b", 2]]);
        await sw.close!();
        const w = warnings(logger);
        expect(w).toHaveLength(1);
        expect(w[0]!.message).toMatch(/batchIdColumn/);
        expect(w[0]!.fields).toMatchObject({ table: `${SCHEMA}.stream_warned`, queryId: "q-w" });
      });

      it("does not warn with batchIdColumn or mergeKeys", async () => {
        const logger = createMemoryLogger();
        await (await streaming("stream_quiet", people, "q-q", { batchIdColumn: "_mm_batch", commitsTable: "commits_quiet" }, logger)).close!();
        await (await streaming("stream_quiet", people, "q-q", { mergeKeys: "id", commitsTable: "commits_quiet" }, logger)).close!();
        expect(warnings(logger)).toEqual([]);
      });
    });
  });

  describe("transient failures", () => {
    it("retries an idempotent step (DESCRIBE) and succeeds", async () => {
      const proxy = await faultyProxy("DESCRIBE TABLE", 1);
      try {
        await write("retried", people, [[[1, "a", 1]]], "append", { port: proxy.port });
        expect(proxy.hits()).toBe(2);
        expect((await rowsOf(`SELECT id FROM ${SCHEMA}.retried`)).map((r) => Number(r["id"]))).toEqual([1]);
      } finally {
        await proxy.close();
      }
    });

    it("never repeats a plain append's apply statement: the failure surfaces as retryable and the target is untouched", async () => {
      await write("not_retried", people, [[[1, "a", 1]]], "append");
      // Only the apply statement names the target followed by its column list.
      const proxy = await faultyProxy("`not_retried` (", 1);
      try {
        const err = await write("not_retried", people, [[[2, "b", 2]]], "append", { port: proxy.port }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DatabricksError);
        expect((err as DatabricksError).code).toBe("DATABRICKS_UNAVAILABLE");
        expect((err as DatabricksError).retryable).toBe(true);
        expect((err as DatabricksError).statementKind).toBe("INSERT");
        expect(proxy.hits()).toBe(1);
        expect((await rowsOf(`SELECT id FROM ${SCHEMA}.not_retried`)).map((r) => Number(r["id"]))).toEqual([1]);
      } finally {
        await proxy.close();
      }
    });

    it("resends a refused staging INSERT only after counting that none of its rows landed", async () => {
      await write("stage_retried", people, [[[1, "a", 1]]], "append");
      // Only the staging INSERTs carry a VALUES list in this write.
      const proxy = await faultyProxy(") VALUES (", 1);
      try {
        await write("stage_retried", people, [[[2, "b", 2], [3, "c", 3]]], "append", { port: proxy.port });
        expect(proxy.hits()).toBe(2);
        expect((await rowsOf(`SELECT id FROM ${SCHEMA}.stage_retried ORDER BY id`)).map((r) => Number(r["id"]))).toEqual([1, 2, 3]);
      } finally {
        await proxy.close();
      }
    });
  });

  describe("reads and errors", () => {
    it("reads a query with named parameters", async () => {
      await write("readq", people, [[[1, "a", 1], [2, "b", 2], [3, "c", 3]]], "overwrite");
      const back = await read({ query: `SELECT id, name FROM ${SCHEMA}.readq WHERE id >= :min AND name <> :skip ORDER BY id`, params: { min: 2, skip: "c'); --" } });
      expect(back.schema.fieldNames).toEqual(["id", "name"]);
      expect(back.rows).toEqual([[2, "b"], [3, "c"]]);
    });

    it("a wrong token is a clear authentication error that does not echo it", async () => {
      const token = "dapi0123456789abcdef-wrong";
      const err = await write("authfail", people, [[[1, "a", 1]]], "append", { token }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabricksError);
      expect((err as DatabricksError).code).toBe("DATABRICKS_AUTH");
      expect((err as Error).message).toMatch(/refused the credentials/);
      for (const text of [(err as Error).message, JSON.stringify(err), inspect(err, { depth: 5 })]) expect(text).not.toContain(token);
    });

    it("a failed statement names its kind and SQLSTATE, never the token", async () => {
      const err = await admin.query(`SELECT * FROM ${SCHEMA}.no_such_table`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabricksError);
      expect((err as DatabricksError).statementKind).toBe("SELECT");
      expect((err as DatabricksError).sqlState).toBe("42P01");
      expect(inspect(err, { depth: 5 })).not.toContain(wh.token);
    });
  });
});
