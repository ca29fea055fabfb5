/**
 * One Parquet staging file at a time: rows are converted (parquet-values.ts) and shredded into leaf
 * columns as they arrive (parquet-columns.ts); `finish()` lays out one row group of one PLAIN page per
 * column and compresses the pages off the main thread, so memory is bounded by one file's bytes,
 * whatever the size of the write. The Parquet schema is what Spark's own reader maps back to the
 * same Spark types (ParquetSchemaConverter): strings as BYTE_ARRAY UTF8, long as INT64, int as INT32,
 * decimal(p,s) as FIXED_LEN_BYTE_ARRAY DECIMAL(p,s) (Spark's minimal byte length), date as INT32
 * DATE, timestamp as INT64 TIMESTAMP(MICROS, isAdjustedToUTC) (never NANOS or INT96), binary as
 * BYTE_ARRAY, arrays as 3-level LIST, maps as MAP (`key_value`/`key`/`value`).
 *
 * Why our own encoder: staging files are written once and read once, whole, so they need none of
 * what general writers spend time on (dictionaries, statistics, page indexes, per-value objects).
 * Measured on the pipeline's rows (test/bench/databricks.bench.test.ts, README), hyparquet-writer —
 * the fastest library we tried, ahead of parquet-wasm fed by apache-arrow's builders — encoded ~100k
 * rows/s and made the encoder the sink's bottleneck; this writer is several times faster. Pages are
 * GZIP-compressed by zlib in libuv's thread pool, so compression uses another core.
 * @packageDocumentation
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { DataType, Row, StructType } from "@macrometa-spark/core";
import { LeafColumn, Physical, decimalBytes, shredder, type Shredder } from "./parquet-columns.js";
import { parquetConverter, type ParquetValueConverter } from "./parquet-values.js";
import { CompactWriter } from "./thrift-compact.js";

const gzipAsync = promisify(gzip);

/** parquet.thrift enums used here. */
const enum Repetition {
  Required = 0,
  Optional = 1,
  Repeated = 2,
}
const enum Converted {
  UTF8 = 0,
  MAP = 1,
  LIST = 3,
  DECIMAL = 5,
  DATE = 6,
  TIMESTAMP_MICROS = 10,
}
const enum Encoding {
  PLAIN = 0,
  RLE = 3,
}
/** Compression codecs (parquet.thrift `CompressionCodec`). */
const CODECS = { none: 0, gzip: 2 } as const;
export type StagingCompression = keyof typeof CODECS;

interface SchemaNode {
  name: string;
  repetition: Repetition;
  physical?: Physical;
  typeLength?: number;
  numChildren?: number;
  converted?: Converted;
  scale?: number;
  precision?: number;
  /** INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true) as a logical type too (what Spark writes). */
  timestampMicros?: boolean;
}

function schemaNodes(name: string, t: DataType, repetition: Repetition): SchemaNode[] {
  const base = { name, repetition };
  switch (t.kind) {
    case "string":
    case "null":
      return [{ ...base, physical: Physical.ByteArray, converted: Converted.UTF8 }];
    case "binary":
      return [{ ...base, physical: Physical.ByteArray }];
    case "long":
      return [{ ...base, physical: Physical.Int64 }];
    case "integer":
      return [{ ...base, physical: Physical.Int32 }];
    case "double":
      return [{ ...base, physical: Physical.Double }];
    case "float":
      return [{ ...base, physical: Physical.Float }];
    case "boolean":
      return [{ ...base, physical: Physical.Boolean }];
    case "date":
      return [{ ...base, physical: Physical.Int32, converted: Converted.DATE }];
    case "timestamp":
      return [{ ...base, physical: Physical.Int64, converted: Converted.TIMESTAMP_MICROS, timestampMicros: true }];
    case "decimal":
      return [{ ...base, physical: Physical.FixedLenByteArray, typeLength: decimalBytes(t.precision), converted: Converted.DECIMAL, precision: t.precision, scale: t.scale }];
    case "array":
      return [
        { ...base, numChildren: 1, converted: Converted.LIST },
        { name: "list", repetition: Repetition.Repeated, numChildren: 1 },
        ...schemaNodes("element", t.elementType, Repetition.Optional),
      ];
    case "map":
      return [
        { ...base, numChildren: 1, converted: Converted.MAP },
        { name: "key_value", repetition: Repetition.Repeated, numChildren: 2 },
        ...schemaNodes("key", t.keyType, Repetition.Required),
        ...schemaNodes("value", t.valueType, Repetition.Optional),
      ];
    case "struct":
      return [{ ...base, numChildren: t.fields.length }, ...t.fields.flatMap((f) => schemaNodes(f.name, f.dataType, Repetition.Optional))];
  }
}

function writeSchemaNode(w: CompactWriter, n: SchemaNode): void {
  if (n.physical !== undefined) w.i32(1, n.physical);
  if (n.typeLength !== undefined) w.i32(2, n.typeLength);
  w.i32(3, n.repetition);
  w.string(4, n.name);
  if (n.numChildren !== undefined) w.i32(5, n.numChildren);
  if (n.converted !== undefined) w.i32(6, n.converted);
  if (n.scale !== undefined) w.i32(7, n.scale);
  if (n.precision !== undefined) w.i32(8, n.precision);
  // LogicalType.TIMESTAMP (field 8) { isAdjustedToUTC, unit: TimeUnit.MICROS (field 2) }
  if (n.timestampMicros) w.struct(10, (l) => l.struct(8, (ts) => (ts.bool(1, true), ts.struct(2, (u) => u.struct(2, () => undefined)))));
}

/** The 4-byte little-endian length a V1 data page puts before each level section. */
function lengthOf(bytes: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(bytes.length, 0);
  return b;
}

/** PLAIN booleans are bit-packed, least significant bit first. */
function packBooleans(bytesPerValue: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytesPerValue.length / 8));
  for (let i = 0; i < bytesPerValue.length; i++) if (bytesPerValue[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** The uncompressed body of a leaf's single V1 data page: repetition levels, definition levels, values. */
function pageBody(leaf: LeafColumn): Uint8Array {
  const values = leaf.physical === Physical.Boolean ? packBooleans(leaf.values.bytes) : leaf.values.bytes;
  const parts: Uint8Array[] = [];
  if (leaf.maxRep > 0) {
    const reps = leaf.reps!.encoded();
    parts.push(lengthOf(reps), reps);
  }
  if (leaf.maxDef > 0) {
    const defs = leaf.defs.encoded();
    parts.push(lengthOf(defs), defs);
  }
  parts.push(values);
  return Buffer.concat(parts);
}

function pageHeader(levelCount: number, uncompressed: number, compressed: number): Uint8Array {
  const w = new CompactWriter();
  w.i32(1, 0); // DATA_PAGE
  w.i32(2, uncompressed);
  w.i32(3, compressed);
  w.struct(5, (h) => {
    h.i32(1, levelCount);
    h.i32(2, Encoding.PLAIN);
    h.i32(3, Encoding.RLE);
    h.i32(4, Encoding.RLE);
  });
  return w.finish();
}

export interface ParquetFileLimits {
  /** A file is finished once it holds this many rows. */
  maxRows: number;
  /** ...or once its columns hold about this many bytes (before compression). */
  maxBytes: number;
  /** Page compression. Default: "gzip". */
  compression?: StagingCompression;
}

/** Rows between two measurements of the buffered bytes. */
const MEASURE_EVERY = 64;

/** Buffers the rows of one Parquet file; `finish()` encodes them and starts the next file. */
export class ParquetFileBuffer {
  private readonly nodes: SchemaNode[];
  private readonly converters: ParquetValueConverter[];
  private readonly names: string[];
  private leaves: LeafColumn[] = [];
  private shredders: Shredder[] = [];
  private rows = 0;
  private bytes = 0;
  /** One converted row, reused: a row allocates nothing but the values themselves. */
  private readonly scratch: unknown[];

  constructor(
    private readonly rowType: StructType,
    private readonly limits: ParquetFileLimits,
  ) {
    this.nodes = [{ name: "spark_schema", repetition: Repetition.Required, numChildren: rowType.fields.length }, ...rowType.fields.flatMap((f) => schemaNodes(f.name, f.dataType, Repetition.Optional))];
    this.converters = rowType.fields.map((f) => parquetConverter(f.dataType));
    this.names = rowType.fieldNames;
    this.scratch = new Array<unknown>(this.names.length);
    this.reset();
  }

  private reset(): void {
    const leaves: LeafColumn[] = [];
    this.shredders = this.rowType.fields.map((f) => shredder(f.dataType, [f.name], 0, 0, false, leaves));
    // The next file is likely the size of the last: start each column there rather than growing to it.
    this.leaves.forEach((old, i) => leaves[i]!.values.reserve(old.values.length));
    this.leaves = leaves;
    this.rows = 0;
    this.bytes = 0;
  }

  get rowCount(): number {
    return this.rows;
  }

  get full(): boolean {
    return this.rows >= this.limits.maxRows || this.bytes >= this.limits.maxBytes;
  }

  /**
   * Converts and buffers one row (positional, aligned to the row type; with `last`, that value fills
   * the final column, e.g. the staging sequence number). A value the target type cannot hold throws
   * before anything of the row is buffered.
   */
  add(row: Row, last?: unknown): void {
    const n = this.converters.length;
    const width = last === undefined ? n : n - 1;
    const scratch = this.scratch;
    for (let c = 0; c < width; c++) {
      const v = row[c];
      scratch[c] = v === null || v === undefined ? null : this.converters[c]!(v, this.names[c]!);
    }
    if (last !== undefined) scratch[n - 1] = last;
    for (let c = 0; c < n; c++) this.shredders[c]!(scratch[c], 0, 0);
    this.rows++;
    if (this.rows % MEASURE_EVERY === 1) {
      let bytes = 0;
      for (const leaf of this.leaves) bytes += leaf.byteSize;
      this.bytes = bytes;
    }
  }

  /**
   * Takes the buffered rows as one Parquet file and empties the buffer at once (the next file can
   * fill while this one compresses); the promise gives the file's bytes.
   */
  async finish(): Promise<Uint8Array> {
    const leaves = this.leaves;
    const rows = this.rows;
    this.reset();
    const compression = this.limits.compression ?? "gzip";
    const bodies = leaves.map(pageBody);
    // Every page compresses at once in the thread pool; the layout waits for all of them.
    const pages = compression === "gzip" ? await Promise.all(bodies.map((b) => gzipAsync(b, { level: 1 }).then((z) => new Uint8Array(z.buffer, z.byteOffset, z.byteLength)))) : bodies;
    return layout(this.nodes, leaves, bodies, pages, rows, CODECS[compression]);
  }

  /** The row type the files are written with. */
  get type(): StructType {
    return this.rowType;
  }
}

/** `PAR1`, one column chunk per leaf (header + page), the footer, its length, `PAR1`. */
function layout(nodes: SchemaNode[], leaves: LeafColumn[], bodies: Uint8Array[], pages: Uint8Array[], rows: number, codec: number): Uint8Array {
  const headers = leaves.map((leaf, i) => pageHeader(leaf.levelCount, bodies[i]!.length, pages[i]!.length));
  const chunks: { offset: number; size: number; uncompressed: number }[] = [];
  let offset = 4;
  for (let i = 0; i < leaves.length; i++) {
    const size = headers[i]!.length + pages[i]!.length;
    chunks.push({ offset, size, uncompressed: headers[i]!.length + bodies[i]!.length });
    offset += size;
  }
  const footer = new CompactWriter();
  footer.i32(1, 1);
  footer.listStruct(2, nodes, writeSchemaNode);
  footer.i64(3, rows);
  footer.listStruct(4, [0], (rg) => {
    rg.listStruct(1, chunks, (cc, c) => {
      const leaf = leaves[chunks.indexOf(c)]!;
      cc.i64(2, c.offset);
      cc.struct(3, (md) => {
        md.i32(1, leaf.physical);
        md.listI32(2, leaf.maxDef > 0 || leaf.maxRep > 0 ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN]);
        md.listString(3, leaf.path);
        md.i32(4, codec);
        md.i64(5, leaf.levelCount);
        md.i64(6, c.uncompressed);
        md.i64(7, c.size);
        md.i64(9, c.offset);
      });
    });
    rg.i64(2, chunks.reduce((n, c) => n + c.uncompressed, 0));
    rg.i64(3, rows);
  });
  footer.string(6, "macrometa-spark");
  const meta = footer.finish();
  const file = new Uint8Array(offset + meta.length + 8);
  const magic = [0x50, 0x41, 0x52, 0x31];
  file.set(magic, 0);
  let at = 4;
  for (let i = 0; i < leaves.length; i++) {
    file.set(headers[i]!, at);
    at += headers[i]!.length;
    file.set(pages[i]!, at);
    at += pages[i]!.length;
  }
  file.set(meta, at);
  at += meta.length;
  new DataView(file.buffer).setUint32(at, meta.length, true);
  file.set(magic, at + 4);
  return file;
}
