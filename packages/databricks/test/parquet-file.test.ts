/**
 * The staging encoder's files, read by an engine nobody here wrote: DuckDB's Parquet reader (the
 * engine behind local-warehouse, used here directly on the file). Every Spark type, and the shapes
 * where Dremel levels go wrong: null structs, empty and null arrays, null elements, arrays of arrays,
 * structs inside arrays, maps with null values, empty maps, booleans across byte boundaries,
 * non-ASCII text on both sides of the short-string path, decimals of every FIXED_LEN size.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DateType,
  DecimalType,
  DoubleType,
  FloatType,
  IntegerType,
  LongType,
  MapType,
  StringType,
  StructField,
  StructType,
  TimestampType,
  type Row,
} from "@macrometa-spark/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParquetFileBuffer } from "../src/index.js";

// @duckdb/node-api is local-warehouse's dependency; this test borrows it from there.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const { DuckDBInstance } = createRequire(`${root}packages/local-warehouse/package.json`)("@duckdb/node-api") as typeof import("@duckdb/node-api");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mm-parquet-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the rows as one or more files and returns DuckDB's text of `select` over them, in id order. */
async function viaDuckDb(type: StructType, rows: Row[], select: string, limits: { maxRows?: number; compression?: "gzip" | "none" } = {}): Promise<string[][]> {
  const buffer = new ParquetFileBuffer(type, { maxRows: limits.maxRows ?? 1_000_000, maxBytes: 64 * 1024 * 1024, compression: limits.compression ?? "gzip" });
  const files: Promise<Uint8Array>[] = [];
  for (const r of rows) {
    buffer.add(r);
    if (buffer.full) files.push(buffer.finish());
  }
  if (buffer.rowCount > 0) files.push(buffer.finish());
  const sub = mkdtempSync(join(dir, "f-"));
  (await Promise.all(files)).forEach((bytes, i) => writeFileSync(join(sub, `part-${i}.parquet`), bytes));
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT ${select} FROM read_parquet('${sub}/*.parquet') ORDER BY id`);
    return reader.getRows().map((r) => r.map((v) => (v === null ? "NULL" : String(v))));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe("staging Parquet files read by DuckDB", () => {
  const nested = new StructType([
    new StructField("id", LongType),
    new StructField("tags", new ArrayType(StringType)),
    new StructField("grid", new ArrayType(new ArrayType(IntegerType))),
    new StructField("addr", new StructType([new StructField("city", StringType), new StructField("geo", new ArrayType(DoubleType))])),
    new StructField("items", new ArrayType(new StructType([new StructField("sku", StringType), new StructField("qty", LongType)]))),
    new StructField("attrs", new MapType(StringType, LongType)),
    new StructField("deep", new MapType(StringType, new StructType([new StructField("y", DoubleType)]))),
  ]);

  it("shreds nulls, empties and nesting the way a Parquet reader reassembles them", async () => {
    const rows: Row[] = [
      [1, ["a", "b"], [[1, 2], [], [3]], { city: "Paris", geo: [48.85, 2.35] }, [{ sku: "x", qty: 2 }, null, { sku: null, qty: 5 }], { k: 1, n: null }, { p: { y: 1.5 }, q: null }],
      [2, [], [], { city: null, geo: [] }, [], {}, {}],
      [3, null, null, null, null, null, null],
      [4, [null, "c", null], [null, [null, 7]], { city: "Nice", geo: null }, [{ sku: "z", qty: null }], { only: -9007199254740993n }, { r: { y: null } }],
    ];
    const text = await viaDuckDb(nested, rows, "id, tags::VARCHAR, grid::VARCHAR, addr::VARCHAR, items::VARCHAR, attrs::VARCHAR, deep::VARCHAR");
    expect(text).toEqual([
      ["1", "[a, b]", "[[1, 2], [], [3]]", "{'city': Paris, 'geo': [48.85, 2.35]}", "[{'sku': x, 'qty': 2}, NULL, {'sku': NULL, 'qty': 5}]", "{k=1, n=NULL}", "{p={'y': 1.5}, q=NULL}"],
      ["2", "[]", "[]", "{'city': NULL, 'geo': []}", "[]", "{}", "{}"],
      ["3", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"],
      ["4", "[NULL, c, NULL]", "[NULL, [NULL, 7]]", "{'city': Nice, 'geo': NULL}", "[{'sku': z, 'qty': NULL}]", "{only=-9007199254740993}", "{r={'y': NULL}}"],
    ]);
  });

  it("keeps every primitive exact: big longs, decimals of each byte width, dates and timestamps before 1970, floats, binary, text", async () => {
    const type = new StructType([
      new StructField("id", LongType),
      new StructField("big", LongType),
      new StructField("i", IntegerType),
      new StructField("f", FloatType),
      new StructField("d", DoubleType),
      new StructField("small", new DecimalType(5, 2)),
      new StructField("mid", new DecimalType(18, 6)),
      new StructField("wide", new DecimalType(38, 10)),
      new StructField("day", DateType),
      new StructField("ts", TimestampType),
      new StructField("bin", BinaryType),
      new StructField("s", StringType),
      new StructField("ok", BooleanType),
    ]);
    const long = "é".repeat(40) + "✓ done";
    const rows: Row[] = [
      [1, 9223372036854775807n, -2147483648, 1.5, -0.1, "-123.45", "123456789012.345678", "-1234567890123456789012345678.0123456789", "1969-12-31", "1969-12-31T23:59:59.999999Z", new Uint8Array([0, 255, 7]), "naïve", true],
      [2, -9223372036854775808n, 2147483647, -3.25, 1e300, "0.01", "-0.000001", "0.0000000001", "2024-02-29", "2024-03-01T10:00:00.123456Z", new Uint8Array([]), long, false],
      [3, -1, 0, 0, 0, "999.99", "0", "9999999999999999999999999999.9999999999", "0001-01-01", "1970-01-01T00:00:00Z", null, "", null],
    ];
    const text = await viaDuckDb(type, rows, "id, big, i, f, d, small, mid, wide, day::VARCHAR, epoch_us(ts), hex(bin), s, ok");
    expect(text).toEqual([
      ["1", "9223372036854775807", "-2147483648", "1.5", "-0.1", "-123.45", "123456789012.345678", "-1234567890123456789012345678.0123456789", "1969-12-31", "-1", "00FF07", "naïve", "true"],
      ["2", "-9223372036854775808", "2147483647", "-3.25", "1e+300", "0.01", "-0.000001", "0.0000000001", "2024-02-29", String(Date.UTC(2024, 2, 1, 10) * 1000 + 123456), "", long, "false"],
      ["3", "-1", "0", "0", "0", "999.99", "0.000000", "9999999999999999999999999999.9999999999", "0001-01-01", "0", "NULL", "", "NULL"],
    ]);
  });

  it("packs booleans across byte boundaries and splits files by rows, compressed or not", async () => {
    const type = new StructType([new StructField("id", LongType), new StructField("ok", BooleanType), new StructField("s", StringType)]);
    const rows: Row[] = Array.from({ length: 1000 }, (_, i) => [i, i % 3 === 0 ? null : i % 5 < 2, i % 7 === 0 ? null : `v${i}`]);
    const expected = rows.map((r) => r.map((v) => (v === null ? "NULL" : String(v))));
    for (const compression of ["gzip", "none"] as const) {
      expect(await viaDuckDb(type, rows, "id, ok, s", { maxRows: 333, compression })).toEqual(expected);
    }
  });

  it("refuses a value its column cannot hold before any of the row is buffered", () => {
    const type = new StructType([new StructField("id", LongType), new StructField("price", new DecimalType(4, 2))]);
    const buffer = new ParquetFileBuffer(type, { maxRows: 10, maxBytes: 1 << 20 });
    buffer.add([1, "12.34"]);
    expect(() => buffer.add([2, "123.45"])).toThrow(/needs more than 4 digits/);
    expect(buffer.rowCount).toBe(1);
  });
});
