/**
 * @packageDocumentation
 * Result sets: a pull-based source of rows (from DuckDB or computed here), and their encoding as the
 * COLUMN_BASED_SET the driver decodes — one typed vector per column plus a null bitmap, with nested
 * values as JSON text, as Databricks sends them. The Arrow encoding is in arrow.ts.
 */
import { sqlError } from "../errors.js";
import type { DuckDBDataChunk, DuckDBMaterializedResult, DuckDBValue } from "@duckdb/node-api";
import { fromDuckDbType, thriftTypeId, type SparkType } from "../sql/types.js";
import { Int64 } from "./thrift.js";

export interface ResultColumn {
  name: string;
  type: SparkType;
}

/**
 * A value as it leaves DuckDB, in a form both encoders read (the Spark type says which form):
 * timestamps are epoch microseconds (bigint), dates epoch days (number), decimals their exact text,
 * arrays and structs positional arrays, maps arrays of `[key, value]` pairs; the rest are scalars.
 */
export type Cell = string | number | boolean | bigint | Buffer | null | Cell[];

export interface ResultSource {
  readonly columns: readonly ResultColumn[];
  /** True for the driver's staging operations (PUT/GET/REMOVE on a volume): reported as `isStagingOperation`. */
  readonly staging?: boolean;
  /** Up to `maxRows` rows, column-major; an empty batch means the result is exhausted. */
  next(maxRows: number): Promise<Cell[][]>;
}

/** A result with no columns (DDL, USE, SET …). */
export const NO_RESULT: ResultSource = { columns: [], next: async () => [] };

/** Rows computed here (DESCRIBE, SHOW, DML counts). */
export class StaticResult implements ResultSource {
  private offset = 0;
  constructor(
    readonly columns: readonly ResultColumn[],
    private readonly rows: readonly Cell[][],
  ) {}

  async next(maxRows: number): Promise<Cell[][]> {
    const slice = this.rows.slice(this.offset, this.offset + maxRows);
    this.offset += slice.length;
    return this.columns.map((_, c) => slice.map((r) => r[c] ?? null));
  }
}

/**
 * A DuckDB result read chunk by chunk. The result is materialised by DuckDB (not streamed) because a
 * streaming result is invalidated by the next statement on the same connection, and a client may run
 * another statement in the session before it has fetched everything.
 */
export class DuckDbResult implements ResultSource {
  readonly columns: ResultColumn[];
  private pending: { chunk: DuckDBDataChunk; offset: number } | undefined;
  private exhausted = false;

  constructor(private readonly result: DuckDBMaterializedResult) {
    this.columns = result.columnNames().map((name, k) => ({ name, type: fromDuckDbType(result.columnType(k)) }));
  }

  async next(maxRows: number): Promise<Cell[][]> {
    const out: Cell[][] = this.columns.map(() => []);
    let rows = 0;
    while (rows < maxRows) {
      if (!this.pending) {
        if (this.exhausted) break;
        const chunk = await this.result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) {
          this.exhausted = true;
          break;
        }
        this.pending = { chunk, offset: 0 };
      }
      const { chunk, offset } = this.pending;
      const take = Math.min(maxRows - rows, chunk.rowCount - offset);
      this.columns.forEach((col, c) => {
        const values = chunk.getColumnValues(c);
        const target = out[c]!;
        for (let r = offset; r < offset + take; r++) target.push(toCell(values[r] ?? null, col.type));
      });
      rows += take;
      if (offset + take >= chunk.rowCount) this.pending = undefined;
      else this.pending.offset = offset + take;
    }
    return out;
  }
}

/** A DuckDB value in the neutral form of its Spark type (see {@link Cell}). */
export function toCell(value: DuckDBValue, type: SparkType): Cell {
  if (value === null) return null;
  switch (type.kind) {
    case "array":
      return (value as { items: readonly DuckDBValue[] }).items.map((v) => toCell(v, type.element));
    case "struct": {
      const entries = (value as { entries: Readonly<Record<string, DuckDBValue>> }).entries;
      return type.fields.map((f) => toCell(entries[f.name] ?? null, f.type));
    }
    case "map":
      return (value as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries.map((e) => [
        toCell(e.key, type.key),
        toCell(e.value, type.value),
      ]);
    case "decimal":
      return String(value);
    case "primitive":
      break;
  }
  switch (type.name) {
    case "boolean":
      return Boolean(value);
    case "tinyint":
    case "smallint":
    case "int":
    case "float":
    case "double":
      return Number(value);
    case "bigint": {
      const n = typeof value === "bigint" ? value : BigInt(String(value));
      if (n > 9223372036854775807n || n < -9223372036854775808n)
        throw sqlError("ARITHMETIC_OVERFLOW", "long overflow. Use 'try_add' to tolerate overflow and return NULL instead.");
      return n;
    }
    case "binary":
      return typeof value === "object" && "bytes" in value ? Buffer.from(value.bytes) : Buffer.from(String(value));
    case "timestamp":
    case "timestamp_ntz":
      return epochMicros(value);
    case "date":
      return typeof value === "object" && "days" in value ? Number(value.days) : String(value);
    default:
      return typeof value === "string" ? value : String(value);
  }
}

/** Epoch microseconds of any DuckDB timestamp flavour (seconds, millis, micros, nanos). */
function epochMicros(value: DuckDBValue): Cell {
  if (typeof value !== "object" || value === null) return String(value);
  if ("micros" in value) return value.micros as bigint;
  if ("millis" in value) return (value.millis as bigint) * 1000n;
  if ("seconds" in value) return (value.seconds as bigint) * 1_000_000n;
  if ("nanos" in value) return (value.nanos as bigint) / 1000n;
  return String(value);
}

/** `yyyy-MM-dd HH:mm:ss[.ffffff]` in UTC, trailing fractional zeros dropped, as Spark prints timestamps. */
export function formatTimestamp(value: Cell): string {
  if (typeof value !== "bigint") return String(value);
  const micros = value;
  const floorMs = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const date = new Date(Number(floorMs));
  if (Number.isNaN(date.getTime())) return String(value);
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = date.toISOString(); // 2024-01-01T10:00:00.000Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  if (frac === 0n) return base;
  return `${base}.${frac.toString().padStart(6, "0").replace(/0+$/, "")}`;
}

/** `yyyy-MM-dd` of an epoch day. */
export function formatDate(value: Cell): string {
  if (typeof value !== "number") return String(value);
  return new Date(value * 86_400_000).toISOString().slice(0, 10);
}

/** A cell as text, for the column format and for non-native Arrow columns. */
export function cellText(value: Cell, type: SparkType): string {
  if (type.kind === "array" || type.kind === "map" || type.kind === "struct") return jsonText(value, type);
  if (type.kind === "primitive") {
    if (type.name === "timestamp" || type.name === "timestamp_ntz") return formatTimestamp(value);
    if (type.name === "date") return formatDate(value);
  }
  return String(value);
}

/** Nested values as Databricks renders them in JSON text: objects for structs and maps, digits kept. */
function jsonText(value: Cell, type: SparkType): string {
  if (value === null) return "null";
  switch (type.kind) {
    case "array":
      return `[${(value as Cell[]).map((v) => jsonText(v, type.element)).join(",")}]`;
    case "struct": {
      const items = value as Cell[];
      return `{${type.fields.map((f, k) => `${JSON.stringify(f.name)}:${jsonText(items[k] ?? null, f.type)}`).join(",")}}`;
    }
    case "map": {
      const pairs = value as [Cell, Cell][];
      return `{${pairs.map(([k, v]) => `${JSON.stringify(cellText(k, type.key))}:${jsonText(v, type.value)}`).join(",")}}`;
    }
    case "decimal":
      return String(value);
    case "primitive":
      break;
  }
  switch (type.name) {
    case "tinyint":
    case "smallint":
    case "int":
    case "bigint":
      return String(value);
    case "float":
    case "double":
      return Number.isFinite(value as number) ? String(value) : JSON.stringify(String(value));
    case "boolean":
      return value ? "true" : "false";
    case "binary":
      return JSON.stringify((value as Buffer).toString("base64"));
    default:
      return JSON.stringify(cellText(value, type));
  }
}

/** TTableSchema for the result metadata; `position` is 1-based, as the driver indexes columns. */
export function tableSchema(columns: readonly ResultColumn[]): object {
  return {
    columns: columns.map((col, k) => ({
      columnName: col.name,
      position: k + 1,
      comment: "",
      typeDesc: {
        types: [
          {
            primitiveEntry: {
              type: thriftTypeId(col.type),
              ...(col.type.kind === "decimal"
                ? {
                    typeQualifiers: {
                      qualifiers: { precision: { i32Value: col.type.precision }, scale: { i32Value: col.type.scale } },
                    },
                  }
                : {}),
            },
          },
        ],
      },
    })),
  };
}


/** One TColumn per result column: the vector matching the type, and the null bitmap (bit i%8 of byte i>>3). */
export function encodeColumns(columns: readonly ResultColumn[], data: Cell[][]): object[] {
  return columns.map((col, c) => {
    const cells = data[c] ?? [];
    const nulls = Buffer.alloc(Math.ceil(cells.length / 8));
    cells.forEach((v, i) => {
      if (v === null) nulls[i >> 3]! |= 1 << (i & 7);
    });
    const vector = (values: unknown[]) => ({ values, nulls });
    const t = col.type;
    if (t.kind !== "primitive") return { stringVal: vector(cells.map((v) => (v === null ? "" : cellText(v, t)))) };
    switch (t.name) {
      case "boolean":
        return { boolVal: vector(cells.map((v) => v === true)) };
      case "tinyint":
        return { byteVal: vector(cells.map((v) => (v === null ? 0 : Number(v)))) };
      case "smallint":
        return { i16Val: vector(cells.map((v) => (v === null ? 0 : Number(v)))) };
      case "int":
        return { i32Val: vector(cells.map((v) => (v === null ? 0 : Number(v)))) };
      case "bigint":
        return { i64Val: vector(cells.map((v) => int64(v))) };
      case "float":
      case "double":
        return { doubleVal: vector(cells.map((v) => (v === null ? 0 : Number(v)))) };
      case "binary":
        return { binaryVal: vector(cells.map((v) => (Buffer.isBuffer(v) ? v : Buffer.alloc(0)))) };
      default:
        return { stringVal: vector(cells.map((v) => (v === null ? "" : cellText(v, t)))) };
    }
  });
}

const ZERO = new Int64(0);

/** node-int64 from the exact two's-complement bytes, so values beyond 2^53 keep every digit on the wire. */
function int64(value: Cell): object {
  if (value === null) return ZERO;
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(typeof value === "bigint" ? value : BigInt(String(value)));
  return new Int64(buf);
}
