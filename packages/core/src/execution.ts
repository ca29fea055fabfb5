/**
 * The logical plan under a DataFrame and the driver that runs it against provider contracts.
 *
 * A plan yields partitions; each partition is a lazy factory of an `AsyncIterable<RowBatch>`, so
 * nothing is read until an action pulls. Partitions are consumed with bounded concurrency and a
 * bounded look-ahead per partition (`orderedMerge`): memory is at most
 * `parallelism × maxBufferedBatches` batches whatever the input size, and a slow consumer stops the
 * readers. Early exit (`take`, `limit`, `break`) calls `return()` on every open reader.
 * @packageDocumentation
 */
import type {
  Batch,
  InputPartition,
  MicroBatchStream,
  Offset,
  PartitionReader,
  ProviderContext,
  Row,
  RowBatch,
  Scan,
  Table,
} from "./contracts.js";
import { UnsupportedOperationError } from "@macrometa-spark/kit";
import type { JobMetrics } from "./metrics.js";
import type { CaseInsensitiveOptions } from "./options.js";
import { createRow, type SparkRow } from "./row.js";
import { type DataType, StructField, StructType } from "./types.js";
import { orderedMerge } from "./partition-runner.js";

/** What running a plan needs: the provider context (logger, metrics, stop signal) and limits. */
export interface ExecContext {
  provider: ProviderContext;
  /** Partitions read (or written) at once. */
  parallelism: number;
  /** Batches a partition may read ahead of the consumer. */
  maxBufferedBatches: number;
}

/** One partition of a plan's output, created only when pulled. */
export type PartitionStream = () => AsyncIterable<RowBatch>;

export abstract class PlanNode {
  abstract readonly schema: StructType;
  /** True when the leaf is a streaming source (only writeStream may run it). */
  abstract readonly isStreaming: boolean;
  abstract partitions(ctx: ExecContext): Promise<PartitionStream[]>;
  /** A copy of this plan with its streaming leaf replaced (a micro-batch's range). */
  abstract replaceStreamingLeaf(leaf: PlanNode): PlanNode;
  /** Lines of `explain()`. */
  abstract describe(): string[];
  /** Partitions to read at once for this plan (a read's `parallelism` option); undefined = session's. */
  get parallelism(): number | undefined {
    return undefined;
  }
}

/** Rows already in memory (`createDataFrame`, a foreachBatch batch). */
export class LocalPlan extends PlanNode {
  readonly isStreaming = false;
  constructor(
    readonly schema: StructType,
    private readonly rows: readonly Row[],
    private readonly batchSize = 1000,
  ) {
    super();
  }
  async partitions(): Promise<PartitionStream[]> {
    const { rows, batchSize } = this;
    return [
      async function* () {
        for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
      },
    ];
  }
  replaceStreamingLeaf(): PlanNode {
    return this;
  }
  describe(): string[] {
    return [`LocalRelation [${this.schema.fieldNames.join(", ")}], ${this.rows.length} rows`];
  }
}

/** A provider's batch scan. The scan is built once (at load); each action plans its own partitions. */
export class ScanPlan extends PlanNode {
  readonly isStreaming = false;
  readonly schema: StructType;
  constructor(
    readonly table: Table,
    readonly scan: Scan,
    readonly format: string,
    private readonly parallelismOption?: number,
    private readonly metricsTarget?: { current: JobMetrics },
  ) {
    super();
    this.schema = scan.readSchema();
  }
  get parallelism(): number | undefined {
    return this.parallelismOption;
  }
  async partitions(ctx: ExecContext): Promise<PartitionStream[]> {
    if (!this.scan.toBatch) throw new UnsupportedOperationError(`format '${this.format}' cannot be read in batch`, { format: this.format });
    // Providers hold the context they got at load; counts they make now belong to this action.
    if (this.metricsTarget) this.metricsTarget.current = ctx.provider.metrics;
    const batch: Batch = this.scan.toBatch();
    const parts = await batch.planInputPartitions();
    return parts.map((p) => countingReader(() => batch.createReader(p), ctx));
  }
  replaceStreamingLeaf(): PlanNode {
    return this;
  }
  describe(): string[] {
    return [`BatchScan ${this.format} ${this.scan.description?.() ?? this.table.name} [${this.schema.fieldNames.join(", ")}]`];
  }
}

/** A streaming source before a query binds it; runs only as a micro-batch range. */
export class StreamingSourcePlan extends PlanNode {
  readonly isStreaming = true;
  readonly schema: StructType;
  constructor(
    readonly table: Table,
    readonly scan: Scan,
    readonly format: string,
    readonly options: CaseInsensitiveOptions,
  ) {
    super();
    this.schema = scan.readSchema();
  }
  async partitions(): Promise<PartitionStream[]> {
    throw new UnsupportedOperationError(
      "queries with streaming sources must be executed with writeStream.start() (this DataFrame is streaming)",
      { format: this.format },
    );
  }
  replaceStreamingLeaf(leaf: PlanNode): PlanNode {
    return leaf;
  }
  describe(): string[] {
    return [`StreamingRelation ${this.format} [${this.schema.fieldNames.join(", ")}]`];
  }
}

/** One micro-batch: the source's rows in (start, end]. Re-readable, since a range replays the same rows. */
export class MicroBatchPlan extends PlanNode {
  readonly isStreaming = false;
  constructor(
    readonly schema: StructType,
    private readonly stream: MicroBatchStream,
    private readonly parts: readonly InputPartition[],
  ) {
    super();
  }
  async partitions(ctx: ExecContext): Promise<PartitionStream[]> {
    return this.parts.map((p) => countingReader(() => this.stream.createReader(p), ctx));
  }
  replaceStreamingLeaf(): PlanNode {
    return this;
  }
  describe(): string[] {
    return [`MicroBatchScan ${this.parts.length} partitions`];
  }
}

abstract class UnaryPlan extends PlanNode {
  constructor(readonly child: PlanNode) {
    super();
  }
  get isStreaming(): boolean {
    return this.child.isStreaming;
  }
  get parallelism(): number | undefined {
    return this.child.parallelism;
  }
  abstract withChild(child: PlanNode): PlanNode;
  abstract mapBatch(batch: RowBatch): RowBatch;
  async partitions(ctx: ExecContext): Promise<PartitionStream[]> {
    const parts = await this.child.partitions(ctx);
    return parts.map((part) => {
      const self = this;
      return async function* () {
        for await (const batch of part()) {
          const out = self.mapBatch(batch);
          if (out.length) yield out;
        }
      };
    });
  }
  replaceStreamingLeaf(leaf: PlanNode): PlanNode {
    return this.withChild(this.child.replaceStreamingLeaf(leaf));
  }
}

export class ProjectPlan extends UnaryPlan {
  readonly schema: StructType;
  constructor(
    child: PlanNode,
    private readonly indices: readonly number[],
  ) {
    super(child);
    this.schema = new StructType(indices.map((i) => child.schema.fields[i]!));
  }
  withChild(child: PlanNode): PlanNode {
    return new ProjectPlan(child, this.indices);
  }
  mapBatch(batch: RowBatch): RowBatch {
    const idx = this.indices;
    return batch.map((r) => idx.map((i) => r[i]));
  }
  describe(): string[] {
    return [`Project [${this.schema.fieldNames.join(", ")}]`, ...this.child.describe().map((l) => "+- " + l)];
  }
}

export class FilterPlan extends UnaryPlan {
  constructor(
    child: PlanNode,
    private readonly predicate: (row: SparkRow) => unknown,
    private readonly label: string,
  ) {
    super(child);
  }
  get schema(): StructType {
    return this.child.schema;
  }
  withChild(child: PlanNode): PlanNode {
    return new FilterPlan(child, this.predicate, this.label);
  }
  mapBatch(batch: RowBatch): RowBatch {
    const schema = this.child.schema;
    return batch.filter((r) => this.predicate(createRow(schema, r)));
  }
  describe(): string[] {
    return [`Filter ${this.label}`, ...this.child.describe().map((l) => "+- " + l)];
  }
}

export class WithColumnPlan extends UnaryPlan {
  readonly schema: StructType;
  private readonly replaceAt: number;
  constructor(
    child: PlanNode,
    readonly name: string,
    readonly dataType: DataType,
    private readonly compute: (row: SparkRow) => unknown,
  ) {
    super(child);
    this.replaceAt = child.schema.fieldIndex(name);
    const field = new StructField(name, dataType, true);
    const fields = [...child.schema.fields];
    if (this.replaceAt >= 0) fields[this.replaceAt] = field;
    else fields.push(field);
    this.schema = new StructType(fields);
  }
  withChild(child: PlanNode): PlanNode {
    return new WithColumnPlan(child, this.name, this.dataType, this.compute);
  }
  mapBatch(batch: RowBatch): RowBatch {
    const schema = this.child.schema;
    return batch.map((r) => {
      const v = this.compute(createRow(schema, r));
      const out = [...r];
      if (this.replaceAt >= 0) out[this.replaceAt] = v;
      else out.push(v);
      return out;
    });
  }
  describe(): string[] {
    return [`Project [*, ${this.name}: ${this.dataType.simpleString()}]`, ...this.child.describe().map((l) => "+- " + l)];
  }
}

/** A global limit: one output partition that stops (and closes) its readers after `n` rows. */
export class LimitPlan extends PlanNode {
  constructor(
    readonly child: PlanNode,
    readonly n: number,
  ) {
    super();
  }
  get schema(): StructType {
    return this.child.schema;
  }
  get isStreaming(): boolean {
    return this.child.isStreaming;
  }
  get parallelism(): number | undefined {
    return this.child.parallelism;
  }
  async partitions(ctx: ExecContext): Promise<PartitionStream[]> {
    const child = this.child;
    const n = this.n;
    return [
      async function* () {
        if (n <= 0) return;
        let left = n;
        for await (const batch of executePlan(child, ctx)) {
          if (batch.length >= left) {
            yield batch.slice(0, left);
            return;
          }
          left -= batch.length;
          yield batch;
        }
      },
    ];
  }
  replaceStreamingLeaf(leaf: PlanNode): PlanNode {
    return new LimitPlan(this.child.replaceStreamingLeaf(leaf), this.n);
  }
  describe(): string[] {
    return [`GlobalLimit ${this.n}`, ...this.child.describe().map((l) => "+- " + l)];
  }
}

function countingReader(open: () => PartitionReader, ctx: ExecContext): PartitionStream {
  return async function* () {
    for await (const batch of open()) {
      ctx.provider.metrics.add("rowsRead", batch.length);
      yield batch;
    }
  };
}

/** All of a plan's rows, partition after partition, read `parallelism` partitions at a time. */
export async function* executePlan(plan: PlanNode, ctx: ExecContext): AsyncGenerator<RowBatch> {
  const parts = await plan.partitions(ctx);
  yield* orderedMerge(parts, plan.parallelism ?? ctx.parallelism, ctx.maxBufferedBatches);
}

/** Offsets compare as canonical JSON (sources return fresh objects for equal positions). */
export function sameOffset(a: Offset | undefined, b: Offset | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  const o = v as Record<string, unknown>;
  return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + canonical(o[k])).join(",") + "}";
}

/** The streaming source under a plan, if any. */
export function findStreamingLeaf(plan: PlanNode): StreamingSourcePlan | undefined {
  if (plan instanceof StreamingSourcePlan) return plan;
  if (plan instanceof UnaryPlan || plan instanceof LimitPlan) return findStreamingLeaf(plan.child);
  return undefined;
}
