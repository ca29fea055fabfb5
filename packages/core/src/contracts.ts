/**
 * Provider contracts, shaped like Spark's DataSource V2 (async). A format is a `TableProvider`;
 * its `Table` builds scans (batch or micro-batch) and writes (batch or streaming).
 *
 * Rows are positional arrays aligned to the schema's fields; they move in batches, pulled.
 * @packageDocumentation
 */
import type { Logger } from "@macrometa-spark/kit";
import type { JobMetrics } from "./metrics.js";
import type { CaseInsensitiveOptions } from "./options.js";
import type { StructType } from "./types.js";

/** A row: values positionally aligned to a schema (struct values are nested rows). */
export type Row = unknown[];
/** Rows moved together; a reader yields these, a writer receives these. */
export type RowBatch = Row[];

/** What every provider call receives: the injected logger, the job's metrics, a stop signal. */
export interface ProviderContext {
  logger: Logger;
  metrics: JobMetrics;
  signal?: AbortSignal;
}

export type TableCapability =
  | "BATCH_READ"
  | "BATCH_WRITE"
  | "MICRO_BATCH_READ"
  | "STREAMING_WRITE"
  | "TRUNCATE"
  | "OVERWRITE"
  | "ACCEPT_ANY_SCHEMA";

export type SaveMode = "append" | "overwrite" | "errorifexists" | "ignore";
export const SAVE_MODES: readonly SaveMode[] = ["append", "overwrite", "errorifexists", "ignore"];

export interface TableProvider {
  /** Names this provider answers to: the full class name and the short name. */
  readonly formats: readonly string[];
  /** The schema of the data the options point at (used when the user gives none). */
  inferSchema(options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<StructType>;
  /** The table; `schema` is the user's (or inferred) schema, or undefined for a write. */
  getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table>;
  /** Whether `inferSchema` is needed before a write (Spark's `supportsExternalMetadata`). Default: true. */
  readonly supportsExternalMetadata?: boolean;
}

export interface Table {
  readonly name: string;
  readonly schema: StructType;
  readonly capabilities: ReadonlySet<TableCapability>;
  newScanBuilder?(options: CaseInsensitiveOptions): ScanBuilder;
  newWriteBuilder?(info: LogicalWriteInfo): WriteBuilder;
  /** Releases clients and sockets held by the table. */
  close?(): Promise<void>;
}

export interface ScanBuilder {
  /** Spark's `SupportsPushDownRequiredColumns`; optional. */
  pruneColumns?(required: StructType): void;
  build(): Scan;
}

export interface Scan {
  readSchema(): StructType;
  description?(): string;
  toBatch?(): Batch;
  /** `checkpointLocation` is the source's own folder inside the query's checkpoint. */
  toMicroBatchStream?(checkpointLocation: string): MicroBatchStream;
}

/** A serialisable description of one slice of the input, handed to a reader. */
export interface InputPartition {
  readonly index: number;
  readonly [key: string]: unknown;
}

/**
 * A partition's rows. Iteration pulls batches; `return()` (a `break` or an error downstream)
 * must stop the reader's I/O and release server-side state (cursors, subscriptions).
 */
export type PartitionReader = AsyncIterable<RowBatch>;

export interface Batch {
  planInputPartitions(): Promise<InputPartition[]>;
  createReader(partition: InputPartition): PartitionReader;
}

/** A JSON-serialisable source position (a message id, a counter...). */
export type Offset = string | number | boolean | null | Offset[] | { [key: string]: Offset };

export interface ReadLimit {
  /** Upper bound on rows in one micro-batch (`maxMessagesPerTrigger`). */
  maxRows?: number;
}

export interface MicroBatchStream {
  initialOffset(): Promise<Offset>;
  /**
   * The end of the next batch given its start, or `start` itself when nothing is new.
   * May wait up to `waitMs` for data to arrive.
   */
  latestOffset(start: Offset, limit: ReadLimit, waitMs?: number): Promise<Offset>;
  /**
   * Schema evolution (optional; see streaming/schema-evolution): the schema to read (start, end]
   * with, given the schema the previous batch was read with — that one, or a wider one. Called
   * before `offsets/N` is written (which records the answer), never for a replayed batch. Throwing
   * fails the query with nothing of the batch planned.
   */
  planSchema?(start: Offset, end: Offset, current: StructType): Promise<StructType>;
  /**
   * Partitions of the range (start, end]; after a crash, the same range yields the same rows.
   * `schema` is the batch's schema when the source evolves its schema (planSchema), else undefined.
   */
  planInputPartitions(start: Offset, end: Offset, schema?: StructType): Promise<InputPartition[]>;
  createReader(partition: InputPartition): PartitionReader;
  /** The sink holds everything up to `end`: the source may now release it (ack). */
  commit(end: Offset): Promise<void>;
  stop(): Promise<void>;
  /** Source-specific numbers for progress reports (lag, backlog...). */
  metrics?(latest: Offset | undefined): Record<string, number>;
}

export interface LogicalWriteInfo {
  /** Stable across restarts of a streaming query (kept in its checkpoint). */
  queryId: string;
  schema: StructType;
  options: CaseInsensitiveOptions;
  mode: SaveMode;
}

export interface WriteBuilder {
  buildForBatch?(): Promise<BatchWrite> | BatchWrite;
  buildForStreaming?(): Promise<StreamingWrite> | StreamingWrite;
}

/** What a data writer hands back to the driver side on commit. */
export type WriterCommitMessage = Record<string, unknown>;

export interface DataWriter {
  write(batch: RowBatch): Promise<void>;
  commit(): Promise<WriterCommitMessage>;
  abort(): Promise<void>;
}

export interface BatchWrite {
  createWriter(partitionId: number): DataWriter | Promise<DataWriter>;
  commit(messages: WriterCommitMessage[]): Promise<void>;
  abort(messages: WriterCommitMessage[]): Promise<void>;
}

export interface StreamingWrite {
  createWriter(partitionId: number, epochId: number): DataWriter | Promise<DataWriter>;
  /**
   * Schema evolution: from `epochId` on, rows have `schema` (the previous schema with columns
   * appended). Called before the epoch's writers are created; a repeat (a replayed epoch) must be a
   * no-op. A sink without it cannot follow a schema change, and the query fails naming it.
   */
  evolveSchema?(epochId: number, schema: StructType): Promise<void>;
  /** Must make a replayed `(queryId, epochId)` a no-op. */
  commit(epochId: number, messages: WriterCommitMessage[]): Promise<void>;
  abort(epochId: number, messages: WriterCommitMessage[]): Promise<void>;
  /** Releases connections when the query stops. */
  close?(): Promise<void>;
}
