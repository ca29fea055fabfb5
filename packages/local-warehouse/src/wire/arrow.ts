/**
 * @packageDocumentation
 * Results as ARROW_BASED_SET, the way a Databricks SQL warehouse sends them to a driver that sets
 * `canReadArrowResult`: one Arrow IPC stream-format Schema message (`arrowSchema` in the result metadata)
 * and one RecordBatch message per page. With the driver's `useArrowNativeTypes` flags, TIMESTAMP is
 * `Timestamp<MICROSECOND, "Etc/UTC">`, DECIMAL is `Decimal128(p, s)`, and ARRAY/MAP/STRUCT are native
 * List/Map/Struct (children named `element`, `entries`, `key`, `value`, which the driver relies on);
 * without a flag the column travels as Utf8 text. Every field carries `Spark:DataType:SqlName`. These
 * shapes follow a schema recorded from a real warehouse (databricks-sql-nodejs,
 * tests/fixtures/compatibility/arrow_native_types/schema.arrow).
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Null,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  type Data,
  type DataType,
} from "apache-arrow";
import type { SparkType } from "../sql/types.js";
import { cellText, type Cell, type ResultColumn } from "./results.js";

/** The driver's `TSparkArrowTypes`: which Spark types travel as native Arrow types (absent means text). */
export interface ArrowNativeTypes {
  timestamp: boolean;
  decimal: boolean;
  complex: boolean;
}

const SQL_NAME_KEY = "Spark:DataType:SqlName";

/** Spark's SQL name of a type as the warehouse writes it into the field metadata: `DECIMAL(3,2)`, `MAP<STRING, BIGINT>`. */
export function sqlName(type: SparkType): string {
  switch (type.kind) {
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array":
      return `ARRAY<${sqlName(type.element)}>`;
    case "map":
      return `MAP<${sqlName(type.key)}, ${sqlName(type.value)}>`;
    case "struct":
      return `STRUCT<${type.fields.map((f) => `${f.name}: ${sqlName(f.type)}`).join(", ")}>`;
    case "primitive":
      if (type.name === "interval") return "INTERVAL DAY TO SECOND";
      return type.name === "void" ? "VOID" : type.name.toUpperCase();
  }
}

function arrowType(type: SparkType, native: ArrowNativeTypes): DataType {
  switch (type.kind) {
    case "decimal":
      return native.decimal ? new Decimal(type.scale, type.precision, 128) : new Utf8();
    case "array":
      return native.complex ? new List(new Field("element", arrowType(type.element, native), true)) : new Utf8();
    case "map":
      if (!native.complex) return new Utf8();
      return new Map_(
        new Field("entries", new Struct([new Field("key", arrowType(type.key, native), false), new Field("value", arrowType(type.value, native), true)] as Field[]), false) as never,
      );
    case "struct":
      return native.complex ? new Struct(type.fields.map((f) => new Field(f.name, arrowType(f.type, native), true))) : new Utf8();
    case "primitive":
      break;
  }
  switch (type.name) {
    case "boolean":
      return new Bool();
    case "tinyint":
      return new Int8();
    case "smallint":
      return new Int16();
    case "int":
      return new Int32();
    case "bigint":
      return new Int64();
    case "float":
      return new Float32();
    case "double":
      return new Float64();
    case "binary":
      return new Binary();
    case "date":
      return new DateDay();
    case "timestamp":
      return native.timestamp ? new Timestamp(TimeUnit.MICROSECOND, "Etc/UTC") : new Utf8();
    case "timestamp_ntz":
      // Wall-clock time: no zone on the Arrow type.
      return native.timestamp ? new Timestamp(TimeUnit.MICROSECOND) : new Utf8();
    case "void":
      return new Null();
    default:
      // STRING, and INTERVAL (the driver asks intervalTypesAsArrow: false).
      return new Utf8();
  }
}

/** The validity bitmap (bit set = value present) and null count of a vector. */
function validity(values: readonly Cell[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

/** Variable-width values (Utf8 text or Binary bytes): offsets and one byte buffer. */
function varBytes(values: readonly (string | Buffer | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    total += v === null || v === undefined ? 0 : typeof v === "string" ? Buffer.byteLength(v, "utf8") : v.length;
    valueOffsets[i + 1] = total;
  }
  const data = Buffer.allocUnsafe(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === "string") data.write(v, valueOffsets[i]!, "utf8");
    else v.copy(data, valueOffsets[i]!);
  }
  return { valueOffsets, data };
}

/** A typed array of `values` (a plain loop: TypedArray.from with a mapper is many times slower). */
function fill<T extends { [i: number]: number | bigint; length: number }>(out: T, values: readonly Cell[], map: (v: Cell) => number | bigint): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) out[i] = map(v);
  }
  return out;
}

/** The unscaled integer of a decimal text at `scale` digits, as four little-endian 32-bit words. */
function decimalWords(text: string, scale: number, out: Uint32Array, at: number): void {
  const negative = text.startsWith("-");
  const [whole = "0", frac = ""] = (negative ? text.slice(1) : text).split(".");
  let unscaled = BigInt(`${whole || "0"}${frac.padEnd(scale, "0").slice(0, scale)}`);
  if (negative) unscaled = -unscaled;
  const twos = BigInt.asUintN(128, unscaled);
  for (let w = 0; w < 4; w++) out[at + w] = Number((twos >> BigInt(32 * w)) & 0xffffffffn);
}

/** Child lists of list and map values: offsets plus the flattened items. */
function flatten<T>(values: readonly Cell[], items: (v: Cell) => readonly T[]): { valueOffsets: Int32Array; flat: T[] } {
  const valueOffsets = new Int32Array(values.length + 1);
  const flat: T[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) flat.push(...items(v));
    valueOffsets[i + 1] = flat.length;
  }
  return { valueOffsets, flat };
}

function buildData(type: DataType, spark: SparkType, values: readonly Cell[]): Data {
  const length = values.length;
  if (type instanceof Null) return makeData({ type, length, nullCount: length });
  const { nullBitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap };
  if (type instanceof Utf8) {
    const texts = values.map((v) => (v === null ? null : typeof v === "string" ? v : cellText(v, spark)));
    return makeData({ ...base, type, ...varBytes(texts) });
  }
  if (type instanceof Binary) {
    return makeData({ ...base, type, ...varBytes(values.map((v) => (Buffer.isBuffer(v) ? v : v === null ? null : Buffer.from(String(v))))) });
  }
  if (type instanceof Bool) {
    const data = new Uint8Array(Math.ceil(length / 8));
    values.forEach((v, i) => {
      if (v === true) data[i >> 3]! |= 1 << (i & 7);
    });
    return makeData({ ...base, type, data });
  }
  if (type instanceof Int8) return makeData({ ...base, type, data: fill(new Int8Array(length), values, Number) });
  if (type instanceof Int16) return makeData({ ...base, type, data: fill(new Int16Array(length), values, Number) });
  if (type instanceof Int32) return makeData({ ...base, type, data: fill(new Int32Array(length), values, Number) });
  if (type instanceof Float32) return makeData({ ...base, type, data: fill(new Float32Array(length), values, Number) });
  if (type instanceof Float64) return makeData({ ...base, type, data: fill(new Float64Array(length), values, Number) });
  if (type instanceof DateDay) return makeData({ ...base, type, data: fill(new Int32Array(length), values, (v) => (typeof v === "number" ? v : 0)) });
  if (type instanceof Int64 || type instanceof Timestamp) {
    const data = fill(new BigInt64Array(length), values, (v) => (typeof v === "bigint" ? v : BigInt(String(v))));
    return makeData({ ...base, type, data } as never);
  }
  if (type instanceof Decimal) {
    const data = new Uint32Array(length * 4);
    values.forEach((v, i) => {
      if (v !== null) decimalWords(String(v), type.scale, data, i * 4);
    });
    return makeData({ ...base, type, data });
  }
  if (type instanceof List && spark.kind === "array") {
    const { valueOffsets, flat } = flatten(values, (v) => v as Cell[]);
    const child = buildData(type.children[0]!.type, spark.element, flat);
    return makeData({ ...base, type, valueOffsets, child });
  }
  if (type instanceof Map_ && spark.kind === "map") {
    const { valueOffsets, flat } = flatten(values, (v) => v as [Cell, Cell][]);
    const entriesType = type.children[0]!.type as Struct;
    const [keyField, valueField] = entriesType.children;
    const entries = makeData({
      type: entriesType,
      length: flat.length,
      nullCount: 0,
      children: [
        buildData(keyField!.type, spark.key, flat.map((e) => e[0])),
        buildData(valueField!.type, spark.value, flat.map((e) => e[1])),
      ],
    });
    return makeData({ ...base, type, valueOffsets, child: entries });
  }
  if (type instanceof Struct && spark.kind === "struct") {
    const children = spark.fields.map((f, k) =>
      buildData(type.children[k]!.type, f.type, values.map((v) => (v === null ? null : ((v as Cell[])[k] ?? null)))),
    );
    return makeData({ ...base, type, children });
  }
  throw new Error(`no Arrow encoding for ${String(type)}`);
}

const EOS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/** Encodes the pages of one result: the schema message once, then one record batch message per page. */
export class ArrowEncoder {
  private readonly schema: Schema;
  /** One IPC Schema message (stream format, no end-of-stream marker), as `arrowSchema` carries it. */
  readonly schemaBytes: Buffer;

  constructor(
    private readonly columns: readonly ResultColumn[],
    native: ArrowNativeTypes,
  ) {
    this.schema = new Schema(
      columns.map((c) => new Field(c.name, arrowType(c.type, native), true, new Map([[SQL_NAME_KEY, sqlName(c.type)]]))),
    );
    const writer = new RecordBatchStreamWriter();
    writer.reset(undefined, this.schema);
    writer.finish();
    this.schemaBytes = stripEos(Buffer.from(writer.toUint8Array(true)));
  }

  /** The RecordBatch message of one page (column-major cells, all columns the same length). */
  encodeBatch(data: Cell[][]): Buffer {
    const length = data[0]?.length ?? 0;
    const children = this.schema.fields.map((f, c) => buildData(f.type, this.columns[c]!.type, data[c] ?? []));
    const batch = new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children }));
    const stream = Buffer.from(RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
    // The stream is the schema message, the batch message and the end marker; the batch travels alone.
    if (!stream.subarray(0, this.schemaBytes.length).equals(this.schemaBytes)) throw new Error("Arrow stream does not start with its schema");
    return stripEos(stream.subarray(this.schemaBytes.length));
  }
}

function stripEos(bytes: Buffer): Buffer {
  return bytes.length >= 8 && bytes.subarray(bytes.length - 8).equals(EOS) ? bytes.subarray(0, bytes.length - 8) : bytes;
}
