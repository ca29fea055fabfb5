import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseInsensitiveOptions, LongType, StringType, StructField, StructType, defaultRegistry, isMacrometaSparkError, parseDDL } from "@macrometa-spark/core";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { parseCollectionOptions } from "../src/index.js";
import { context, readAll, writeAll } from "./helpers.js";

type Gdn = Awaited<ReturnType<typeof startLocalGdn>>;
let gdn: Gdn;
let client: GdnHttpClient;
let base: Record<string, unknown>;

async function seed(name: string, docs: unknown[]): Promise<void> {
  await client.createCollection(name);
  for (let i = 0; i < docs.length; i += 1000) {
    const r = await client.importDocuments(name, docs.slice(i, i + 1000).map((d) => (typeof d === "string" ? d : JSON.stringify(d))));
    expect(r.errors).toBe(0);
  }
}

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  client = new GdnHttpClient({ url: gdn.url, apiKey: gdn.apiKey });
  base = { regionUrl: gdn.url, apiKey: `apikey ${gdn.apiKey}`, maxRetries: 6, parallelism: 1 };
  // The seed's rule: the first 50 documents have three shapes (30/15/5), then other shapes follow.
  const docs: unknown[] = [];
  for (let i = 0; i < 50; i++) {
    const k = `d${String(i).padStart(3, "0")}`;
    if (i % 10 < 6) docs.push({ _key: k, name: `n${i}`, age: i });
    else if (i % 10 < 9) docs.push({ _key: k, name: `n${i}`, city: "Paris" });
    else docs.push({ _key: k, x: 1.5 });
  }
  for (let i = 50; i < 60; i++) docs.push({ _key: `d${i}`, name: `n${i}`, age: i });
  for (let i = 60; i < 70; i++) docs.push({ _key: `d${i}`, name: `n${i}`, age: "old" });
  await seed("shapes", docs);
});
afterAll(async () => {
  await client?.close();
  await gdn?.close();
});

describe("collection read", () => {
  it("registers both format names", () => {
    expect(defaultRegistry().has("com.macrometa.spark.collection")).toBe(true);
    expect(defaultRegistry().has("com.macrometa.spark.collection.MacrometaTableProvider")).toBe(true);
  });

  it("infers the most common shape of the first 50 and drops (and counts) the rest under DROPMALFORMED", async () => {
    const { schema, rows, ctx } = await readAll({ ...base, collection: "shapes" });
    expect(schema.simpleString()).toBe("struct<_id:string,_key:string,_rev:string,age:bigint,name:string>");
    expect(rows).toHaveLength(40);
    const keyAt = schema.fieldIndex("_key");
    expect(rows.map((r) => r[keyAt]).sort()).toContain("d55");
    expect(ctx.metrics.get("rejectedRecords")).toBe(30);
    expect(ctx.metrics.samplesOf("rejectedRecords").length).toBeGreaterThan(0);
    expect(ctx.logger.events.some((e) => e.level === "info" && /30 of 70 documents/.test(e.message))).toBe(true);
  });

  it("returns non-matching documents with nulls and _corrupt_record under PERMISSIVE", async () => {
    const { schema, rows } = await readAll({ ...base, collection: "shapes", mode: "PERMISSIVE" });
    expect(schema.fieldNames).toContain("_corrupt_record");
    expect(rows).toHaveLength(70);
    const k = schema.fieldIndex("_key");
    const age = schema.fieldIndex("age");
    const corrupt = schema.fieldIndex("_corrupt_record");
    const old = rows.find((r) => r[k] === "d65")!;
    expect(old[age]).toBeNull();
    expect(String(old[corrupt])).toContain('"old"');
    const good = rows.find((r) => r[k] === "d55")!;
    expect(good[corrupt]).toBeNull();
    expect(good[age]).toBe(55);
  });

  it("reads a user's schema PERMISSIVE by default, as Spark does; an inferred one DROPMALFORMED", async () => {
    // Spark's JSONOptions: mode defaults to PERMISSIVE; a value that does not fit its field is null,
    // and the record's text goes to columnNameOfCorruptRecord only when the schema has that column.
    const user = parseDDL("_key STRING, age BIGINT");
    const { schema, rows, ctx } = await readAll({ ...base, collection: "shapes" }, context(), user);
    expect(schema.fieldNames).toEqual(["_key", "age"]);
    expect(rows).toHaveLength(70);
    const byKey = new Map(rows.map((r) => [r[0], r[1]]));
    expect(byKey.get("d65")).toBeNull(); // "old" does not fit bigint
    expect(byKey.get("d006")).toBeNull(); // no age at all: null, not a mismatch
    expect(byKey.get("d55")).toBe(55);
    expect(ctx.metrics.get("malformedRecords")).toBe(10);
    expect(ctx.metrics.get("rejectedRecords")).toBe(0);

    const withCorrupt = parseDDL("_key STRING, age BIGINT, _corrupt_record STRING");
    const c = await readAll({ ...base, collection: "shapes" }, context(), withCorrupt);
    const old = c.rows.find((r) => r[0] === "d65")!;
    expect(old[1]).toBeNull();
    expect(String(old[2])).toContain('"age":"old"');
    expect(c.rows.find((r) => r[0] === "d55")![2]).toBeNull();

    // An explicit mode still wins, and an inferred schema keeps dropping other shapes.
    const dropped = await readAll({ ...base, collection: "shapes", mode: "DROPMALFORMED" }, context(), user);
    expect(dropped.rows).toHaveLength(60);
    const inferred = await readAll({ ...base, collection: "shapes" });
    expect(inferred.schema.fieldNames).not.toContain("_corrupt_record");
    expect(inferred.ctx.metrics.get("rejectedRecords")).toBe(30);
  });

  it("fails under FAILFAST naming the document", async () => {
    const err = await readAll({ ...base, collection: "shapes", mode: "FAILFAST" }).catch((e: unknown) => e);
    expect(isMacrometaSparkError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/d0[0-9]{2}|d6[0-9]/);
  });

  it("maps arrays to ArrayType with one element type, and takes a user DDL-free StructType", async () => {
    await seed("arrays", Array.from({ length: 20 }, (_, i) => ({ _key: `a${i}`, tags: ["x", `t${i}`], nums: [1, 2.5, i] })));
    const { schema, rows } = await readAll({ ...base, collection: "arrays" });
    expect(schema.simpleString()).toBe("struct<_id:string,_key:string,_rev:string,nums:array<double>,tags:array<string>>");
    expect(rows).toHaveLength(20);
    const user = new StructType([new StructField("_key", StringType), new StructField("tags", schema.field("tags")!.dataType)]);
    const mine = await readAll({ ...base, collection: "arrays" }, context(), user);
    expect(mine.schema).toBe(mine.schema);
    expect(mine.rows.find((r) => r[0] === "a3")).toEqual(["a3", ["x", "t3"]]);
  });

  it("runs a user query with bindVars as one partition", async () => {
    const { rows, schema } = await readAll({ ...base, collection: "shapes", parallelism: 4, query: "FOR d IN shapes FILTER d.age >= @min AND d.age <= @max RETURN d", bindVars: { min: 55, max: 1000 } });
    expect(rows.map((r) => r[schema.fieldIndex("_key")]).sort()).toEqual(["d55", "d56", "d57", "d58", "d59"]);
  });

  it("reads key-range partitions in parallel with exact counts", async () => {
    await seed("many", Array.from({ length: 5000 }, (_, i) => ({ _key: `m${i}`, i })));
    const ctx = context();
    const { rows } = await readAll({ ...base, collection: "many", parallelism: 4, batchSize: 500 }, ctx);
    expect(rows).toHaveLength(5000);
    expect(new Set(rows.map((r) => r[1])).size).toBe(5000);
  });

  it("deletes the cursor when the reader stops early", async () => {
    const ctx = context();
    const opts = new CaseInsensitiveOptions({ ...base, collection: "many", batchSize: 100 } as never);
    const { collectionProvider } = await import("../src/index.js");
    const schema = await collectionProvider.inferSchema(opts, ctx);
    const table = await collectionProvider.getTable(schema, opts, ctx);
    const batch = table.newScanBuilder!(opts).build().toBatch!();
    const [p] = await batch.planInputPartitions();
    for await (const b of batch.createReader(p!)) {
      expect(b).toHaveLength(100);
      break;
    }
    const done = ctx.logger.events.find((e) => e.message === "collection read: partition done");
    const id = done?.fields?.releasedCursor as string;
    expect(id).toBeDefined();
    const gone = (await client.nextCursorPage(id).catch((e: unknown) => e)) as { status: number; errorNum: number };
    expect([gone.status, gone.errorNum]).toEqual([404, 1600]);
    await table.close!();
  });

  it("completes with exact counts through 429/503 bursts, latency and a dropped connection", async () => {
    const ctx = context();
    const opts = new CaseInsensitiveOptions({ ...base, collection: "many", batchSize: 250 } as never);
    const { collectionProvider } = await import("../src/index.js");
    const schema = await collectionProvider.inferSchema(opts, ctx);
    const table = await collectionProvider.getTable(schema, opts, ctx);
    const batch = table.newScanBuilder!(opts).build().toBatch!();
    const [p] = await batch.planInputPartitions();
    const keys = new Set<unknown>();
    let n = 0;
    try {
      for await (const b of batch.createReader(p!)) {
        n++;
        for (const r of b) keys.add(r[schema.fieldIndex("_key")]);
        if (n === 2) gdn.faults.failNextHttp(3, 503);
        if (n === 5) gdn.faults.failNextHttp(2, 429, 0);
        if (n === 7) gdn.faults.latencyMs = 20;
        if (n === 9) {
          gdn.faults.latencyMs = 0;
          gdn.faults.dropNextConnections = 1;
        }
        if (n === 13) gdn.faults.dropNextConnections = 1;
      }
    } finally {
      gdn.faults.reset();
      await table.close!();
    }
    expect(keys.size).toBe(5000);
    expect(ctx.metrics.get("collection.documentsRead")).toBe(5000);
    expect(ctx.metrics.get("collection.cursorResumes")).toBeGreaterThanOrEqual(1);
  });

  it("fails pre-flight precisely: missing collection, missing fabric, bad query", async () => {
    const e1 = (await readAll({ ...base, collection: "nope" }).catch((e: unknown) => e)) as Error & { code: string };
    expect(e1.code).toBe("COLLECTION_NOT_FOUND");
    expect(e1.message).toContain("'nope'");
    const e2 = (await readAll({ ...base, collection: "shapes", fabric: "nofab" }).catch((e: unknown) => e)) as Error & { code: string };
    expect(e2.code).toBe("FABRIC_NOT_FOUND");
    const e3 = (await readAll({ ...base, collection: "shapes", query: "FOR d IN shapes RETURN" }).catch((e: unknown) => e)) as Error & { code: string };
    expect(e3.code).toBe("INVALID_QUERY");
    expect(e3.message).toContain("option 'query'");
    const secret = gdn.apiKey.split(".").pop()!;
    for (const e of [e1, e2, e3]) expect(JSON.stringify((e as unknown as { toJSON(): unknown }).toJSON()) + e.message + e.stack).not.toContain(secret);
  });
});

describe("options", () => {
  const parse = (o: Record<string, unknown>) => () => parseCollectionOptions(new CaseInsensitiveOptions(o as never, "com.macrometa.spark.collection"), "read");
  const ok = { regionUrl: "play.paas.macrometa.io", apiKey: "apikey t.k1.s3cr3tSECRET", collection: "c" };

  it("applies the connector's rules and our defaults", () => {
    const o = parse(ok)();
    expect(o.origin).toBe("https://api-play.paas.macrometa.io");
    expect(o.apiKey).toBe("t.k1.s3cr3tSECRET");
    expect(o).toMatchObject({ fabric: "_system", batchSize: 1000, schemaSampleSize: 50, schemaInference: "mostCommon", mode: "DROPMALFORMED", onDocumentError: "fail", columnNameOfCorruptRecord: "_corrupt_record" });
    expect(parse({ ...ok, REGIONURL: undefined, regionurl: "http://127.0.0.1:8529", BatchSize: "10000", MODE: "permissive" })()).toMatchObject({ origin: "http://127.0.0.1:8529", batchSize: 10000, mode: "PERMISSIVE" });
    expect(o.maxRejectedFraction).toBe(1);
    expect(parse({ ...ok, maxRejectedFraction: "0.25" })().maxRejectedFraction).toBe(0.25);
    const j = parse({ regionUrl: "h", jwt: "bearer abc.def.ghi", collection: "c" })();
    expect(j.jwt).toBe("abc.def.ghi");
  });

  it("names the wrong option and never shows a credential", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, regionUrl: undefined }, "regionUrl"],
      [{ ...ok, apiKey: undefined }, "apiKey"],
      [{ ...ok, apiKey: "s3cr3tSECRET" }, "apiKey"],
      [{ ...ok, collection: undefined }, "collection"],
      [{ ...ok, batchSize: 0 }, "batchSize"],
      [{ ...ok, batchSize: "10001" }, "batchSize"],
      [{ ...ok, mode: "LENIENT" }, "mode"],
      [{ ...ok, schemaInference: "first" }, "schemaInference"],
      [{ ...ok, onDocumentError: "skip" }, "rejectsPath"],
      [{ ...ok, bindVars: "[1]" }, "bindVars"],
      [{ ...ok, colection: "typo" }, "colection"],
      [{ ...ok, parallelism: 0 }, "parallelism"],
      [{ ...ok, requestTimeoutMs: "soon" }, "requestTimeoutMs"],
      [{ ...ok, maxRejectedFraction: 1.5 }, "maxRejectedFraction"],
      [{ ...ok, maxRejectedFraction: "most" }, "maxRejectedFraction"],
    ];
    for (const [o, name] of cases) {
      let err: unknown;
      try {
        parse(o)();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeDefined();
      expect((err as Error).message).toContain(`option '${name}'`);
      expect((err as Error).message).not.toContain("s3cr3tSECRET");
    }
  });
});

describe("collection write", () => {
  it("round-trips collection → collection keeping integers beyond 2^53 and odd field names", async () => {
    const docs = Array.from({ length: 30 }, (_, i) => `{"_key":"r${i}","big":${9007199254740993n + BigInt(i)},"neg":-9223372036854775807,"field with space":"s${i}","dotted.name":${i},"ünïcødé":"ü${i}","nested":{"a":${i},"b":[1,2]}}`);
    await seed("rt_src", docs);
    const { schema, rows } = await readAll({ ...base, collection: "rt_src" });
    expect(schema.field("big")!.dataType).toBe(LongType);
    await writeAll({ ...base, collection: "rt_dst" }, schema, rows);
    const back = await readAll({ ...base, collection: "rt_dst" });
    const strip = (s: StructType, rs: unknown[][]) => {
      const keep = s.fieldNames.map((n, i) => [n, i] as const).filter(([n]) => n !== "_id" && n !== "_rev");
      return rs.map((r) => Object.fromEntries(keep.map(([n, i]) => [n, r[i]]))).sort((a, b) => String(a._key).localeCompare(String(b._key)));
    };
    expect(back.schema.simpleString()).toBe(schema.simpleString());
    expect(strip(back.schema, back.rows)).toEqual(strip(schema, rows));
    const r0 = strip(back.schema, back.rows).find((r) => r._key === "r0")!;
    expect(r0.big).toBe(9007199254740993n);
    expect(r0["field with space"]).toBe("s0");
    expect(r0["ünïcødé"]).toBe("ü0");
  });

  const kv = new StructType([new StructField("_key", StringType), new StructField("v", LongType)]);
  const kvRows = (from: number, n: number) => Array.from({ length: n }, (_, i) => [`w${from + i}`, from + i]);

  it("honours save modes: errorifexists, ignore, overwrite (truncate then import), append", async () => {
    await writeAll({ ...base, collection: "modes", batchSize: 100 }, kv, kvRows(0, 250), "errorifexists");
    expect(await client.collectionCount("modes")).toBe(250);
    const e = (await writeAll({ ...base, collection: "modes" }, kv, kvRows(1000, 5), "errorifexists").catch((x: unknown) => x)) as { code: string };
    expect(e.code).toBe("TABLE_NOT_EMPTY");
    await writeAll({ ...base, collection: "modes" }, kv, kvRows(1000, 5), "ignore");
    expect(await client.collectionCount("modes")).toBe(250);
    await writeAll({ ...base, collection: "modes" }, kv, kvRows(2000, 7), "overwrite");
    expect(await client.collectionCount("modes")).toBe(7);
    await writeAll({ ...base, collection: "modes" }, kv, kvRows(3000, 3), "append");
    expect(await client.collectionCount("modes")).toBe(10);
  });

  it("fails on duplicate keys with counts per errorNum, or writes them to rejectsPath with skip", async () => {
    await writeAll({ ...base, collection: "dups", batchSize: 50 }, kv, kvRows(0, 100));
    const err = (await writeAll({ ...base, collection: "dups", batchSize: 50, parallelism: 1 }, kv, [...kvRows(90, 20), ...kvRows(500, 5)]).catch((x: unknown) => x)) as Error & {
      code: string;
      context: Record<string, unknown>;
    };
    expect(err.code).toBe("IMPORT_DOCUMENT_ERRORS");
    expect(err.context.errorCounts).toEqual({ "1210": 10 });
    expect(err.message).toContain("1210 ×10");
    expect(err.message).toContain("key 'w90'");

    const dir = mkdtempSync(join(tmpdir(), "coll-rejects-"));
    const rejectsPath = join(dir, "rejects.jsonl");
    const ctx = context();
    const { messages } = await writeAll({ ...base, collection: "dups", batchSize: 7, onDocumentError: "skip", rejectsPath }, kv, [...kvRows(95, 5), ...kvRows(600, 5)], "append", ctx, 2);
    expect(messages.reduce((n, m) => n + (m.rejected as number), 0)).toBe(5);
    expect(ctx.metrics.get("collection.writeRejected")).toBe(5);
    const lines = readFileSync(rejectsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { errorNum: number; document: { _key: string } });
    expect(lines.map((l) => l.document._key).sort()).toEqual(["w95", "w96", "w97", "w98", "w99"]);
    expect(lines.every((l) => l.errorNum === 1210)).toBe(true);
    // 100 first, then w100..w109 and w500..w504 from the failed write (imports are not transactional), then w600..w604.
    expect(await client.collectionCount("dups")).toBe(100 + 10 + 5 + 5);
  });

  it("never takes documents an import answer does not account for as written", async () => {
    // The server skips the last 3 documents of the next import and only counts them as `ignored`.
    gdn.faults.importIgnoreNext = 3;
    const err = (await writeAll({ ...base, collection: "ignored", batchSize: 10, parallelism: 1 }, kv, kvRows(0, 10)).catch((x: unknown) => x)) as Error & {
      code: string;
      context: Record<string, unknown>;
    };
    expect(err.code).toBe("IMPORT_DOCUMENT_ERRORS");
    expect(err.context.errorCounts).toEqual({ unaccounted: 3 });
    expect(await client.collectionCount("ignored")).toBe(7);
  });

  it("refuses a primaryKey the rows do not have before writing anything", async () => {
    const err = (await writeAll({ ...base, collection: "nokey", primaryKey: "zz" }, kv, kvRows(0, 3)).catch((x: unknown) => x)) as Error & { code: string };
    expect(err.code).toBe("INVALID_OPTION");
    expect(err.message).toContain("option 'primaryKey'");
    expect(await client.findCollection("nokey")).toBeUndefined();
  });

  it("upserts with primaryKey + replace", async () => {
    const s = new StructType([new StructField("id", StringType), new StructField("v", LongType)]);
    await writeAll({ ...base, collection: "ups", primaryKey: "id" }, s, [["a", 1], ["b", 2]]);
    await writeAll({ ...base, collection: "ups", primaryKey: "id", replace: true }, s, [["a", 10], ["c", 3]]);
    const { rows, schema } = await readAll({ ...base, collection: "ups" });
    const byKey = Object.fromEntries(rows.map((r) => [r[schema.fieldIndex("_key")], r[schema.fieldIndex("v")]]));
    expect(byKey).toEqual({ a: 10, b: 2, c: 3 });
  });

  it("completes with exact counts through 429/503 bursts and dropped connections (keyed rows)", async () => {
    const ctx = context();
    const rows = kvRows(0, 3000);
    const opts = new CaseInsensitiveOptions({ ...base, collection: "faulty", batchSize: 200, parallelism: 2 } as never);
    const { collectionProvider } = await import("../src/index.js");
    const table = await collectionProvider.getTable(undefined, opts, ctx);
    const bw = await table.newWriteBuilder!({ queryId: "q", schema: kv, options: opts, mode: "append" }).buildForBatch!();
    const dw = await bw.createWriter(0);
    try {
      for (let i = 0; i < rows.length; i += 300) {
        if (i === 600) gdn.faults.failNextHttp(3, 429, 0);
        if (i === 1200) gdn.faults.failNextHttp(2, 503);
        if (i === 1800) gdn.faults.dropNextConnections = 1;
        if (i === 2400) gdn.faults.dropNextConnections = 2;
        await dw.write(rows.slice(i, i + 300));
      }
      const msg = await dw.commit();
      await bw.commit([msg]);
      expect(msg.created).toBe(3000);
      expect(msg.rejected).toBe(0);
    } finally {
      gdn.faults.reset();
      await table.close!();
    }
    expect(await client.collectionCount("faulty")).toBe(3000);
  });

  it("reconciles a repeated keyed import: stored documents equal to ours count as written, different ones fail", async () => {
    // As if a first attempt had stored w0..w4 before its answer was lost; w5 differs (a real conflict).
    await seed("recon", [...kvRows(0, 5).map(([k, v]) => ({ _key: k, v })), { _key: "w5", v: -1 }]);
    const ctx = context();
    const opts = new CaseInsensitiveOptions({ ...base, collection: "recon", batchSize: 100 } as never);
    const { collectionProvider } = await import("../src/index.js");
    const table = await collectionProvider.getTable(undefined, opts, ctx);
    const bw = await table.newWriteBuilder!({ queryId: "q", schema: kv, options: opts, mode: "append" }).buildForBatch!();
    const dw = await bw.createWriter(0);
    gdn.faults.dropNextConnections = 1;
    await dw.write(kvRows(0, 10));
    const err = (await dw.commit().catch((x: unknown) => x)) as Error & { code: string; context: Record<string, unknown> };
    gdn.faults.reset();
    await table.close!();
    expect(err.code).toBe("IMPORT_DOCUMENT_ERRORS");
    expect(err.context.errorCounts).toEqual({ "1210": 1 });
    expect(err.message).toContain("key 'w5'");
    // w0..w4 reconciled as ours, w6..w9 created by the repeat.
    expect(err.context.written).toBe(9);
    expect(ctx.logger.events.some((e) => /answer was lost/.test(e.message))).toBe(true);
  });

  it("refuses to repeat an ambiguous import of rows without keys", async () => {
    const s = new StructType([new StructField("v", LongType)]);
    gdn.faults.dropNextConnections = 1;
    const ctx = context();
    const opts = new CaseInsensitiveOptions({ ...base, collection: "nokeys" } as never);
    const { collectionProvider } = await import("../src/index.js");
    const table = await collectionProvider.getTable(undefined, opts, ctx);
    const bw = await table.newWriteBuilder!({ queryId: "q", schema: s, options: opts, mode: "append" }).buildForBatch!();
    gdn.faults.dropNextConnections = 1;
    const dw = await bw.createWriter(0);
    await dw.write([[1], [2]]);
    const err = (await dw.commit().catch((x: unknown) => x)) as { code: string };
    gdn.faults.reset();
    await table.close!();
    expect(err.code).toBe("WRITE_OUTCOME_UNKNOWN");
  });
});

