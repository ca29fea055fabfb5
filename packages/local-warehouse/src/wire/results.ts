/**
 * @packageDocumentation
 * Result sets: a pull-based source of rows (from DuckDB or computed here), and their encoding as the
 * COLUMN_BASED_SET the driver decodes — one typed vector per column plus a null bitmap, with nested
 * values as JSON text, as Databricks sends them.
 */
import type { DuckDBDataChunk, DuckDBMaterializedResult, DuckDBValue } from "@duckdb/node-api";
import { fromDuckDbType, thriftTypeId, type SparkType } from "../sql/types.js";
import { Int64 } from "./thrift.js";

export interface ResultColumn {
  name: string;
  type: SparkType;
}

/** Values are already normalised: string | number | boolean | bigint | Buffer | null. */
export type Cell = string | number | boolean | bigint | Buffer | null;

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

/** A DuckDB value in the form the wire carries for its Spark type. */
export function toCell(value: DuckDBValue, type: SparkType): Cell {
  if (value === null) return null;
  switch (type.kind) {
    case "array":
    case "map":
    case "struct":
      return jsonText(value, type);
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
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(String(value));
    case "binary":
      return typeof value === "object" && "bytes" in value ? Buffer.from(value.bytes) : Buffer.from(String(value));
    case "timestamp":
    case "timestamp_ntz":
      return formatTimestamp(value);
    default:
      return typeof value === "string" ? value : String(value);
  }
}

/** `yyyy-MM-dd HH:mm:ss[.ffffff]` in UTC, trailing fractional zeros dropped, as Spark prints timestamps. */
function formatTimestamp(value: DuckDBValue): string {
  if (typeof value !== "object" || value === null || !("micros" in value)) return String(value);
  const micros = value.micros as bigint;
  const ms = micros / 1000n;
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return String(value);
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = date.toISOString(); // 2024-01-01T10:00:00.000Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  if (frac === 0n) return base;
  return `${base}.${frac.toString().padStart(6, "0").replace(/0+$/, "")}`;
}

/** Nested values as Databricks renders them in JSON text: objects for structs and maps, digits kept. */
function jsonText(value: DuckDBValue, type: SparkType): string {
  if (value === null) return "null";
  switch (type.kind) {
    case "array": {
      const items = (value as { items: readonly DuckDBValue[] }).items;
      return `[${items.map((v) => jsonText(v, type.element)).join(",")}]`;
    }
    case "struct": {
      const entries = (value as { entries: Readonly<Record<string, DuckDBValue>> }).entries;
      return `{${type.fields.map((f) => `${JSON.stringify(f.name)}:${jsonText(entries[f.name] ?? null, f.type)}`).join(",")}}`;
    }
    case "map": {
      const entries = (value as { entries: { key: DuckDBValue; value: DuckDBValue }[] }).entries;
      return `{${entries.map((e) => `${JSON.stringify(String(toCell(e.key, type.key)))}:${jsonText(e.value, type.value)}`).join(",")}}`;
    }
    case "decimal":
      return String(value);
    case "primitive":
      break;
  }
  const cell = toCell(value, type);
  switch (type.name) {
    case "tinyint":
    case "smallint":
    case "int":
    case "bigint":
      return String(cell);
    case "float":
    case "double":
      return Number.isFinite(cell as number) ? String(cell) : JSON.stringify(String(cell));
    case "boolean":
      return cell ? "true" : "false";
    case "binary":
      return JSON.stringify((cell as Buffer).toString("base64"));
    default:
      return JSON.stringify(String(cell));
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
    if (t.kind !== "primitive") return { stringVal: vector(cells.map((v) => (v === null ? "" : String(v)))) };
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
        return { stringVal: vector(cells.map((v) => (v === null ? "" : String(v)))) };
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
