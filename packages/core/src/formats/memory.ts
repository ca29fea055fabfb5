/**
 * The `memory` format: named in-process tables, as Spark's memory sink (`format("memory")` with a
 * `queryName`). Batch read and write with save modes; a streaming sink that applies each
 * `(queryId, epochId)` once; and a streaming source over a table's rows (offset = row count), which
 * tests use as a replayable input.
 *
 * Tables live in the provider instance, so each registry (the default one, or a test's) has its own.
 * @packageDocumentation
 */
import type {
  BatchWrite,
  DataWriter,
  InputPartition,
  LogicalWriteInfo,
  MicroBatchStream,
  Offset,
  ProviderContext,
  Row,
  RowBatch,
  Scan,
  ScanBuilder,
  StreamingWrite,
  Table,
  TableCapability,
  TableProvider,
  WriteBuilder,
  WriterCommitMessage,
} from "../contracts.js";
import { MacrometaSparkError, SchemaError, type Logger } from "@macrometa-spark/kit";
import type { CaseInsensitiveOptions } from "../options.js";
import { TableOptions, acceptedOptionNames } from "../option-table.js";
import { MEMORY_OPTIONS } from "./option-tables.js";
import { type FormatRegistry, defaultRegistry } from "../registry.js";
import { structToObject } from "../row.js";
import { StructType } from "../types.js";
import { coreError } from "../error-codes.js";

/** A memory table's contents. `rows` are positional, aligned to `schema`. */
export interface MemoryTableData {
  readonly name: string;
  schema: StructType;
  rows: Row[];
  /** Highest epoch committed per streaming query id: an epoch at or below it is a replay. */
  readonly committedEpochs: Map<string, number>;
}

/** Options of the `memory` format. */
export interface MemoryFormatOptions {
  /** The table name (aliases `queryName`, `path`). Required. */
  name: string;
  /** Partitions a batch read splits the table into. Default: 1. */
  numPartitions?: number;
  /** Rows per batch handed to the consumer. Default: 1000. */
  batchSize?: number;
  /** As a streaming source: upper bound of rows per micro-batch. Default: unbounded. */
  maxMessagesPerTrigger?: number;
}

const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>([
  "BATCH_READ",
  "BATCH_WRITE",
  "MICRO_BATCH_READ",
  "STREAMING_WRITE",
  "TRUNCATE",
  "OVERWRITE",
]);

export class MemoryProvider implements TableProvider {
  readonly formats = ["memory", "org.apache.spark.sql.execution.streaming.sources.MemorySinkV2"];
  readonly supportsExternalMetadata = true;
  private readonly tables = new Map<string, MemoryTableData>();

  /** A table by name, or undefined. */
  table(name: string): MemoryTableData | undefined {
    return this.tables.get(name);
  }
  /** Creates (or replaces) a table with rows given positionally. */
  createTable(name: string, schema: StructType, rows: Row[] = []): MemoryTableData {
    const t: MemoryTableData = { name, schema, rows: [...rows], committedEpochs: new Map() };
    this.tables.set(name, t);
    return t;
  }
  /** Appends positional rows (a streaming source over the table sees them as new offsets). */
  appendRows(name: string, rows: Row[]): void {
    const t = this.tables.get(name);
    if (!t) throw missing(name);
    for (const r of rows) t.rows.push(r);
  }
  dropTable(name: string): boolean {
    return this.tables.delete(name);
  }
  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  async inferSchema(options: CaseInsensitiveOptions): Promise<StructType> {
    const name = tableName(options);
    const t = this.tables.get(name);
    if (!t) throw missing(name);
    return t.schema;
  }

  async getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table> {
    options.rejectUnknown(acceptedOptionNames(MEMORY_OPTIONS));
    const name = tableName(options);
    return new MemoryTable(this, name, schema, ctx.logger);
  }

  /** @internal */
  tablesMap(): Map<string, MemoryTableData> {
    return this.tables;
  }
}

function missing(name: string): MacrometaSparkError {
  return coreError("TABLE_NOT_FOUND", { format: "memory", table: name }, { context: { table: name, format: "memory" } });
}

function tableName(options: CaseInsensitiveOptions): string {
  const key = options.firstOf("name", "queryName", "path");
  if (!key) throw options.error("name", "is required (or queryName, or load(name))");
  return options.requireString(key);
}

class MemoryTable implements Table {
  readonly capabilities = CAPABILITIES;
  constructor(
    private readonly provider: MemoryProvider,
    readonly name: string,
    private readonly givenSchema: StructType | undefined,
    private readonly logger: Logger,
  ) {}
  get schema(): StructType {
    return this.givenSchema ?? this.provider.table(this.name)?.schema ?? new StructType();
  }
  private data(): MemoryTableData {
    const t = this.provider.table(this.name);
    if (!t) throw missing(this.name);
    return t;
  }

  newScanBuilder(options: CaseInsensitiveOptions): ScanBuilder {
    const t = new TableOptions(options, MEMORY_OPTIONS, false);
    const numPartitions = t.int("numPartitions");
    const batchSize = t.int("batchSize");
    const maxRows = t.int("maxMessagesPerTrigger");
    const schema = this.schema;
    const table = this;
    const scan: Scan = {
      readSchema: () => schema,
      description: () => `memory table ${table.name}`,
      toBatch: () => ({
        async planInputPartitions(): Promise<InputPartition[]> {
          // A snapshot: rows appended after planning are not part of this read.
          const rows = table.data().rows.slice();
          const per = Math.ceil(rows.length / numPartitions) || 0;
          return Array.from({ length: numPartitions }, (_, i) => ({ index: i, rows: rows.slice(i * per, (i + 1) * per) }));
        },
        createReader: (p) => sliceReader(p.rows as Row[], batchSize),
      }),
      toMicroBatchStream: (): MicroBatchStream => new MemoryStream(() => table.data(), batchSize, maxRows),
    };
    return { build: () => scan };
  }

  newWriteBuilder(info: LogicalWriteInfo): WriteBuilder {
    return {
      buildForBatch: () => this.batchWrite(info),
      buildForStreaming: () => this.streamingWrite(info),
    };
  }

  private batchWrite(info: LogicalWriteInfo): BatchWrite {
    const tables = this.provider.tablesMap();
    const existing = tables.get(this.name);
    if (existing && info.mode === "errorifexists") {
      throw coreError("TABLE_EXISTS", { format: "memory", table: this.name }, { context: { table: this.name, format: "memory" } });
    }
    if (existing && info.mode === "append") checkAppendSchema(existing.schema, info.schema, this.name);
    const skip = existing !== undefined && info.mode === "ignore";
    const name = this.name;
    const logger = this.logger;
    return {
      createWriter: () => collectingWriter(skip),
      async commit(messages) {
        if (skip) {
          logger.info("memory table exists; save mode ignore wrote nothing", { table: name });
          return;
        }
        const rows = messages.flatMap((m) => m.rows as Row[]);
        const current = tables.get(name);
        if (!current || info.mode === "overwrite") {
          tables.set(name, { name, schema: info.schema, rows, committedEpochs: current?.committedEpochs ?? new Map() });
        } else {
          for (const r of rows) current.rows.push(r);
        }
      },
      async abort() {},
    };
  }

  private streamingWrite(info: LogicalWriteInfo): StreamingWrite {
    const tables = this.provider.tablesMap();
    const name = this.name;
    const logger = this.logger;
    const existing = tables.get(name);
    if (existing) checkAppendSchema(existing.schema, info.schema, name);
    else tables.set(name, { name, schema: info.schema, rows: [], committedEpochs: new Map() });
    return {
      createWriter: () => collectingWriter(false),
      // Schema evolution appends columns: earlier rows read them as null (Delta's ADD COLUMNS).
      async evolveSchema(_epochId, schema) {
        const t = tables.get(name);
        if (!t || t.schema.simpleString() === schema.simpleString()) return;
        const width = schema.length;
        for (const r of t.rows) while (r.length < width) r.push(null);
        t.schema = schema;
      },
      async commit(epochId, messages) {
        const t = tables.get(name) ?? { name, schema: info.schema, rows: [], committedEpochs: new Map<string, number>() };
        tables.set(name, t);
        const last = t.committedEpochs.get(info.queryId) ?? -1;
        if (epochId <= last) {
          logger.info("memory sink: epoch already committed, replay ignored", { table: name, queryId: info.queryId, epochId });
          return;
        }
        for (const m of messages) for (const r of m.rows as Row[]) t.rows.push(r);
        t.committedEpochs.set(info.queryId, epochId);
      },
      async abort() {},
    };
  }
}

function checkAppendSchema(existing: StructType, incoming: StructType, name: string): void {
  if (existing.length && existing.simpleString() !== incoming.simpleString()) {
    throw new SchemaError(`cannot append ${incoming.simpleString()} to memory table '${name}' of ${existing.simpleString()}`, { table: name });
  }
}

function collectingWriter(discard: boolean): DataWriter {
  const rows: Row[] = [];
  return {
    async write(batch: RowBatch) {
      if (!discard) for (const r of batch) rows.push(r);
    },
    async commit(): Promise<WriterCommitMessage> {
      return { rows };
    },
    async abort() {
      rows.length = 0;
    },
  };
}

async function* sliceReader(rows: Row[], batchSize: number): AsyncGenerator<RowBatch> {
  for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
}

/** A table as a stream: the offset is the row count, so a range always replays the same rows. */
class MemoryStream implements MicroBatchStream {
  constructor(
    private readonly data: () => MemoryTableData,
    private readonly batchSize: number,
    private readonly maxRows: number | undefined,
  ) {}
  async initialOffset(): Promise<Offset> {
    return 0;
  }
  async latestOffset(start: Offset, limit: { maxRows?: number }): Promise<Offset> {
    const from = Number(start);
    const cap = Math.min(limit.maxRows ?? Infinity, this.maxRows ?? Infinity);
    return Math.min(this.data().rows.length, from + cap);
  }
  async planInputPartitions(start: Offset, end: Offset): Promise<InputPartition[]> {
    return [{ index: 0, start: Number(start), end: Number(end) }];
  }
  createReader(p: InputPartition): AsyncIterable<RowBatch> {
    return sliceReader(this.data().rows.slice(p.start as number, p.end as number), this.batchSize);
  }
  async commit(): Promise<void> {}
  async stop(): Promise<void> {}
  metrics(latest: Offset | undefined): Record<string, number> {
    return { backlogRows: Math.max(0, this.data().rows.length - Number(latest ?? 0)) };
  }
}

/** The memory provider registered in `registry` (the default registry unless given). */
export function memoryProvider(registry: FormatRegistry = defaultRegistry()): MemoryProvider {
  const p = registry.lookup("memory");
  if (!(p instanceof MemoryProvider)) throw coreError("UNKNOWN_FORMAT", { format: "memory", problem: "is not the built-in memory provider" });
  return p;
}

/** A memory table's schema, positional rows and rows as objects; undefined when absent. */
export function memoryTable(
  name: string,
  registry: FormatRegistry = defaultRegistry(),
): { schema: StructType; rows: readonly Row[]; objects(): Record<string, unknown>[] } | undefined {
  const t = memoryProvider(registry).table(name);
  if (!t) return undefined;
  return { schema: t.schema, rows: t.rows, objects: () => t.rows.map((r) => structToObject(t.schema, r)) };
}
