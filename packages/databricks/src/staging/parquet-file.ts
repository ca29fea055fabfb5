/**
 * One Parquet staging file at a time: rows are converted into column arrays as they arrive and the
 * file is encoded (hyparquet-writer) when the caller finishes it, so memory is bounded by one file's
 * rows, whatever the size of the write. The Parquet schema follows what Spark's own reader maps back
 * to the same Spark types (ParquetSchemaConverter): strings as BYTE_ARRAY UTF8, long as INT64, int as
 * INT32, decimal(p,s) as FIXED_LEN_BYTE_ARRAY DECIMAL(p,s) (Spark's minimal byte length), date as
 * INT32 DATE, timestamp as INT64 TIMESTAMP(MICROS, isAdjustedToUTC) (never NANOS or INT96), binary
 * as BYTE_ARRAY, arrays as 3-level LIST (`list`/`element`), maps as MAP (`key_value`/`key`/`value`).
 *
 * Why hyparquet-writer: measured on our rows (test/bench/databricks.bench.test.ts records it in the
 * README) it encodes faster than parquet-wasm behind apache-arrow's row builders, is pure JavaScript
 * (no wasm start-up, no native binary) and writes every Spark type we need, nested ones included.
 * @packageDocumentation
 */
import type { DataType, Row, StructType } from "@macrometa-spark/core";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { estimateBytes, parquetConverter, type ParquetValueConverter } from "./parquet-values.js";

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];

/** Rows between two size measurements of a row (see add()). */
const SAMPLE_EVERY = 16;

/** Bytes Spark uses for a DECIMAL of this precision in a FIXED_LEN_BYTE_ARRAY. */
function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

function elements(name: string, t: DataType, repetition: "OPTIONAL" | "REQUIRED"): SchemaElement[] {
  const base = { name, repetition_type: repetition } as const;
  switch (t.kind) {
    case "string":
    case "null":
      return [{ ...base, type: "BYTE_ARRAY", converted_type: "UTF8" }];
    case "long":
      return [{ ...base, type: "INT64" }];
    case "integer":
      return [{ ...base, type: "INT32" }];
    case "double":
      return [{ ...base, type: "DOUBLE" }];
    case "float":
      return [{ ...base, type: "FLOAT" }];
    case "boolean":
      return [{ ...base, type: "BOOLEAN" }];
    case "binary":
      return [{ ...base, type: "BYTE_ARRAY" }];
    case "date":
      return [{ ...base, type: "INT32", converted_type: "DATE" }];
    case "timestamp":
      return [{ ...base, type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } }];
    case "decimal": {
      return [{ ...base, type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(t.precision), converted_type: "DECIMAL", precision: t.precision, scale: t.scale }];
    }
    case "array":
      return [
        { ...base, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        ...elements("element", t.elementType, "OPTIONAL"),
      ];
    case "map":
      return [
        { ...base, converted_type: "MAP", num_children: 1 },
        { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
        ...elements("key", t.keyType, "REQUIRED"),
        ...elements("value", t.valueType, "OPTIONAL"),
      ];
    case "struct":
      return [{ ...base, num_children: t.fields.length }, ...t.fields.flatMap((f) => elements(f.name, f.dataType, "OPTIONAL"))];
  }
}

/** The flattened Parquet schema of a row type (every column OPTIONAL; the target enforces NOT NULL). */
export function parquetSchema(schema: StructType): SchemaElement[] {
  return [{ name: "spark_schema", num_children: schema.fields.length }, ...schema.fields.flatMap((f) => elements(f.name, f.dataType, "OPTIONAL"))];
}

export interface ParquetFileLimits {
  /** A file is finished once it holds this many rows. */
  maxRows: number;
  /** ...or once its values add up to about this many bytes (before encoding). */
  maxBytes: number;
}

/** Buffers the rows of one Parquet file; `finish()` encodes them and starts the next file. */
export class ParquetFileBuffer {
  private readonly schema: SchemaElement[];
  private readonly converters: ParquetValueConverter[];
  private readonly names: string[];
  private columns: unknown[][];
  private bytes = 0;
  /** One converted row, reused: nothing is allocated per row but the values themselves. */
  private readonly scratch: unknown[];
  private sampled = 0;
  private sampledBytes = 0;

  constructor(
    private readonly rowType: StructType,
    private readonly limits: ParquetFileLimits,
  ) {
    this.schema = parquetSchema(rowType);
    this.converters = rowType.fields.map((f) => parquetConverter(f.dataType));
    this.names = rowType.fieldNames;
    this.columns = this.names.map(() => []);
    this.scratch = new Array<unknown>(this.names.length);
  }

  get rowCount(): number {
    return this.columns[0]?.length ?? 0;
  }

  get full(): boolean {
    return this.rowCount >= this.limits.maxRows || this.bytes >= this.limits.maxBytes;
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
    // Sizing every row would walk every nested value again: measure one row in SAMPLE_EVERY and
    // count the others at the running average.
    if (this.sampled === 0 || this.rowCount % SAMPLE_EVERY === 0) {
      let bytes = 0;
      for (let c = 0; c < n; c++) bytes += estimateBytes(scratch[c]);
      this.sampledBytes += bytes;
      this.sampled++;
    }
    this.bytes += this.sampledBytes / this.sampled;
    for (let c = 0; c < n; c++) this.columns[c]!.push(scratch[c]);
  }

  /** Encodes the buffered rows as one Parquet file and empties the buffer. */
  finish(): Uint8Array {
    const rows = this.rowCount;
    const writer = new ByteWriter(Math.max(1024, Math.ceil(this.bytes / 2)));
    const pw = new ParquetWriter({ writer, schema: this.schema, statistics: false, createdBy: "macrometa-spark" });
    // Staging files are read once, whole: one row group, no statistics, no page indexes.
    void pw.write({ columnData: this.names.map((name, c) => ({ name, data: this.columns[c]!, offsetIndex: false })), rowGroupSize: Math.max(1, rows) });
    pw.finish();
    this.columns = this.names.map(() => []);
    this.bytes = 0;
    return writer.getBytes();
  }

  /** The row type the files are written with. */
  get type(): StructType {
    return this.rowType;
  }
}
