/**
 * `DataFrame`: a lazy plan over rows with Spark's API shape. Transformations (`select`, `filter`,
 * `limit`, `withColumn`) return new DataFrames at once; actions (`collect`, `count`, `show`, …)
 * are async and run the plan, each with a fresh `JobMetrics` (kept as `df.metrics`).
 * @packageDocumentation
 */
import { FormatOptionsBuilder } from "./format-options.js";
import { randomUUID } from "node:crypto";
import type { Row, RowBatch, SaveMode, WriteBuilder } from "./contracts.js";
import { SAVE_MODES } from "./contracts.js";
import { OptionError, SchemaError, UnsupportedOperationError, stringifyJson } from "@macrometa-spark/kit";
import {
  type ExecContext,
  FilterPlan,
  LimitPlan,
  type PlanNode,
  ProjectPlan,
  WithColumnPlan,
  executePlan,
} from "./execution.js";
import { interruptedError, runBatchWrite } from "./partition-runner.js";
import { JobMetrics, warnRejections } from "./metrics.js";
import { CaseInsensitiveOptions } from "./options.js";
import { createRow, type SparkRow, structToObject } from "./row.js";
import { showString, treeString } from "./display.js";
import type { SparkSession } from "./session.js";
import { DataStreamWriter } from "./streaming/writer.js";
import { toStructType } from "./type-parsers.js";
import { BooleanType, type DataType, DoubleType, LongType, StringType, type StructType } from "./types.js";

export class DataFrame implements AsyncIterable<SparkRow> {
  private lastMetrics: JobMetrics | undefined;

  /** @internal Built by the session and by transformations; users do not construct DataFrames. */
  constructor(
    readonly session: SparkSession,
    /** @internal */
    readonly plan: PlanNode,
  ) {}

  get schema(): StructType {
    return this.plan.schema;
  }
  get columns(): string[] {
    return this.plan.schema.fieldNames;
  }
  /** True when this DataFrame reads a streaming source (write it with `writeStream`). */
  get isStreaming(): boolean {
    return this.plan.isStreaming;
  }
  /** Counters of the last action on this DataFrame (rows read, rejected records with examples…). */
  get metrics(): JobMetrics | undefined {
    return this.lastMetrics;
  }

  // ---- transformations -------------------------------------------------------------------------

  /** Columns by name, in the order given. */
  select(...cols: (string | string[])[]): DataFrame {
    const names = cols.flat();
    if (names.length === 1 && names[0] === "*") return this;
    const indices = names.map((n) => {
      const i = this.schema.fieldIndex(n);
      if (i < 0) throw new SchemaError(`cannot resolve column '${n}' among (${this.columns.join(", ")})`, { field: n });
      return i;
    });
    return new DataFrame(this.session, new ProjectPlan(this.plan, indices));
  }

  /** Rows for which `predicate` is truthy; or rows whose `column` equals `value` (`===`). */
  filter(predicate: (row: SparkRow) => unknown): DataFrame;
  filter(column: string, value: unknown): DataFrame;
  filter(predicateOrColumn: ((row: SparkRow) => unknown) | string, value?: unknown): DataFrame {
    if (typeof predicateOrColumn === "function") {
      return new DataFrame(this.session, new FilterPlan(this.plan, predicateOrColumn, predicateOrColumn.name || "<function>"));
    }
    const col = predicateOrColumn;
    const i = this.schema.fieldIndex(col);
    if (i < 0) throw new SchemaError(`cannot resolve column '${col}' among (${this.columns.join(", ")})`, { field: col });
    return new DataFrame(this.session, new FilterPlan(this.plan, (r) => r.values[i] === value, `(${col} = ${String(value)})`));
  }
  /** Alias of `filter`, as in Spark. */
  where(predicate: (row: SparkRow) => unknown): DataFrame;
  where(column: string, value: unknown): DataFrame;
  where(a: ((row: SparkRow) => unknown) | string, value?: unknown): DataFrame {
    return typeof a === "function" ? this.filter(a) : this.filter(a, value);
  }

  limit(n: number): DataFrame {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`limit must be a non-negative integer, got ${n}`);
    if (this.isStreaming) throw new UnsupportedOperationError("limit is not supported on streaming DataFrames");
    return new DataFrame(this.session, new LimitPlan(this.plan, n));
  }

  /**
   * Adds (or replaces) a column: a literal, or a function of the row. A function's column type is
   * `dataType` (default: string, as Spark's `udf` default return type); a literal's type is inferred
   * (string, bigint for integers and bigints, double, boolean).
   */
  withColumn(name: string, valueOrFn: ((row: SparkRow) => unknown) | string | number | bigint | boolean | null, dataType?: DataType | string): DataFrame {
    const type = dataType === undefined ? undefined : typeof dataType === "string" ? parseTypeName(dataType) : dataType;
    if (typeof valueOrFn === "function") {
      return new DataFrame(this.session, new WithColumnPlan(this.plan, name, type ?? StringType, valueOrFn));
    }
    const literal = valueOrFn;
    const litType = type ?? literalType(literal);
    return new DataFrame(this.session, new WithColumnPlan(this.plan, name, litType, () => literal));
  }

  // ---- actions ----------------------------------------------------------------------------------

  /** Positional row batches, pulled (the lowest-level way out; what sinks consume). */
  async *batches(): AsyncGenerator<RowBatch> {
    const ctx = this.beginAction();
    try {
      yield* executePlan(this.plan, ctx);
    } finally {
      warnRejections(ctx.provider.logger, ctx.provider.metrics);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SparkRow> {
    const schema = this.schema;
    for await (const batch of this.batches()) for (const r of batch) yield createRow(schema, r);
  }

  async collect(): Promise<SparkRow[]> {
    const out: SparkRow[] = [];
    for await (const row of this) out.push(row);
    return out;
  }

  /** Rows as plain objects (each row's `asDict()`). */
  async toArray(): Promise<Record<string, unknown>[]> {
    const schema = this.schema;
    const out: Record<string, unknown>[] = [];
    for await (const batch of this.batches()) for (const r of batch) out.push(structToObject(schema, r));
    return out;
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const batch of this.batches()) n += batch.length;
    return n;
  }

  async take(n: number): Promise<SparkRow[]> {
    const limited = this.limit(n);
    try {
      return await limited.collect();
    } finally {
      this.lastMetrics = limited.metrics;
    }
  }
  /** Alias of `take` (Spark's `head(n)`). */
  head(n = 1): Promise<SparkRow[]> {
    return this.take(n);
  }

  /** The first row, or undefined when there are none. */
  async first(): Promise<SparkRow | undefined> {
    return (await this.take(1))[0];
  }

  async isEmpty(): Promise<boolean> {
    return (await this.take(1)).length === 0;
  }

  /** One JSON document per row (Spark's `toJSON`), pulled; `.collect()` gathers them. */
  toJSON(): JsonLines {
    const df = this;
    const schema = this.schema;
    const iterate = async function* (): AsyncGenerator<string> {
      for await (const batch of df.batches()) for (const r of batch) yield rowJson(schema, r);
    };
    return {
      [Symbol.asyncIterator]: iterate,
      async collect() {
        const out: string[] = [];
        for await (const s of iterate()) out.push(s);
        return out;
      },
    };
  }

  /** Spark's schema tree (`root\n |-- a: long (nullable = true)\n`). */
  schemaTreeString(): string {
    return treeString(this.schema);
  }

  /** Prints the schema tree as Spark's `printSchema()` does. */
  printSchema(): void {
    this.session.print(treeString(this.schema) + "\n");
  }

  /** The text `show` prints. */
  async showString(n = 20, truncate: boolean | number = true): Promise<string> {
    const rows: Row[] = [];
    // The action runs on the limited DataFrame; its metrics are this one's.
    const limited = this.limit(n + 1);
    try {
      for await (const batch of limited.batches()) rows.push(...batch);
    } finally {
      this.lastMetrics = limited.metrics;
    }
    return showString(this.schema, rows, n, truncate === true ? 20 : truncate === false ? 0 : truncate);
  }

  /** Prints the first `n` rows as Spark's table; `truncate` cuts cells to 20 (or the given) characters. */
  async show(n = 20, truncate: boolean | number = true): Promise<void> {
    this.session.print(await this.showString(n, truncate));
  }

  /** The plan, one node per line. */
  explain(): string {
    return this.plan.describe().join("\n");
  }

  get write(): DataFrameWriter {
    if (this.isStreaming) throw new UnsupportedOperationError("'write' can not be called on streaming DataFrame; use writeStream");
    return new DataFrameWriter(this);
  }

  get writeStream(): DataStreamWriter {
    return new DataStreamWriter(this);
  }

  /** @internal Starts an action: a fresh JobMetrics, exposed as `metrics`. */
  beginAction(signal?: AbortSignal): ExecContext {
    const ctx = this.session.newExecContext({}, signal);
    this.lastMetrics = ctx.provider.metrics;
    return ctx;
  }
}

export interface JsonLines extends AsyncIterable<string> {
  collect(): Promise<string[]>;
}

function rowJson(schema: StructType, row: Row): string {
  return stringifyJson(structToObject(schema, row));
}

function literalType(v: unknown): DataType {
  if (typeof v === "boolean") return BooleanType;
  if (typeof v === "bigint") return LongType;
  if (typeof v === "number") return Number.isInteger(v) ? LongType : DoubleType;
  return StringType;
}

function parseTypeName(text: string): DataType {
  return toStructType(`x ${text}`).fields[0]!.dataType;
}

/** How a `save()` runs. */
export interface SaveOptions {
  /**
   * Interrupts the write (Ctrl-C in `mmspark run`). Partitions stop at their next row batch, the
   * write is aborted — each sink undoes what it can: the Delta sink removes what it staged and never
   * runs its apply statement, so the table is untouched; the collection sink cannot take back
   * documents already imported and says how many stay — and `save()` rejects with an
   * `AbortedError` (code `ABORTED`). Once every partition is staged and the commit has begun, the
   * commit completes. `session.stop()` interrupts running writes the same way. Default: none.
   */
  signal?: AbortSignal;
}

/** `df.write`: Spark's DataFrameWriter (format, mode, options, save). */
export class DataFrameWriter extends FormatOptionsBuilder {
  private saveMode: SaveMode = "errorifexists";

  constructor(private readonly df: DataFrame) {
    super();
  }

  /** `append`, `overwrite`, `errorifexists` (alias `error`, the default, as Spark) or `ignore`. */
  mode(mode: SaveMode | "error" | "default"): this {
    const m = mode.toLowerCase();
    const canonical = m === "error" || m === "default" ? "errorifexists" : (SAVE_MODES.find((s) => s === m) as SaveMode | undefined);
    if (!canonical) throw new OptionError("mode", `expected one of ${SAVE_MODES.join(", ")}, got "${mode}"`);
    this.saveMode = canonical;
    return this;
  }

  /**
   * Writes the DataFrame; resolves with the number of rows written. `save(path)` as in Spark;
   * `save({ signal })` or `save(path, { signal })` make the write interruptible (see {@link SaveOptions}).
   */
  async save(pathOrOptions?: string | SaveOptions, saveOptions: SaveOptions = {}): Promise<number> {
    const path = typeof pathOrOptions === "string" ? pathOrOptions : undefined;
    const { signal } = typeof pathOrOptions === "object" ? pathOrOptions : saveOptions;
    if (!this.formatName) throw new OptionError("format", "no format given; call .format(name) before save()");
    const session = this.df.session;
    const provider = session.registry.lookup(this.formatName);
    const options = new CaseInsensitiveOptions(path === undefined ? this.opts : { ...this.opts, path }, this.formatName);
    if (signal?.aborted) throw interruptedError(signal);
    const ctx = this.df.beginAction(signal);
    const table = await provider.getTable(undefined, options, ctx.provider);
    try {
      if (!table.capabilities.has("BATCH_WRITE") || !table.newWriteBuilder) {
        throw new UnsupportedOperationError(`format '${this.formatName}' does not support batch writes`, { format: this.formatName });
      }
      const builder: WriteBuilder = table.newWriteBuilder({ queryId: randomUUID(), schema: this.df.schema, options, mode: this.saveMode });
      if (!builder.buildForBatch) throw new UnsupportedOperationError(`format '${this.formatName}' does not support batch writes`, { format: this.formatName });
      const write = await builder.buildForBatch();
      const parts = await this.df.plan.partitions(ctx);
      const n = await runBatchWrite(parts, ctx, write);
      ctx.provider.logger.info("write committed", { format: this.formatName, mode: this.saveMode, rows: n });
      return n;
    } finally {
      warnRejections(ctx.provider.logger, ctx.provider.metrics);
      await table.close?.();
    }
  }
}
