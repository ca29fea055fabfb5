/**
 * The `rate` format: generated rows `timestamp timestamp, value bigint`, as Spark's rate source,
 * for benchmarks and demos. Row `v` has value `v` and timestamp `start + v·1000/rowsPerSecond` ms,
 * so any offset range yields the same rows every time (replays are identical). The streaming
 * start time is kept in the source's checkpoint folder; the offset is the number of rows due.
 * A batch read (our addition) yields `numRows` rows at once.
 * @packageDocumentation
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  InputPartition,
  MicroBatchStream,
  Offset,
  ReadLimit,
  Row,
  RowBatch,
  Table,
  TableCapability,
  TableProvider,
} from "../contracts.js";
import type { CaseInsensitiveOptions } from "../options.js";
import { TableOptions } from "../option-table.js";
import { RATE_OPTIONS } from "./option-tables.js";
import { writeAtomic } from "../streaming/checkpoint.js";
import { LongType, StructField, StructType, TimestampType } from "../types.js";

/** Options of the `rate` format. */
export interface RateFormatOptions {
  /** Rows generated per second (streaming). Default: 1. */
  rowsPerSecond?: number;
  /** Partitions rows are spread over (row `v` goes to `v % numPartitions`). Default: 1. */
  numPartitions?: number;
  /** Batch read: rows generated. Default: rowsPerSecond. */
  numRows?: number;
  /** Batch read: timestamp of row 0 (ms since epoch). Default: 0. */
  startTimestampMs?: number;
  /** Rows per generated batch. Default: 1000. */
  batchSize?: number;
  /** Streaming: upper bound of rows per micro-batch. Default: unbounded. */
  maxMessagesPerTrigger?: number;
}

const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>(["BATCH_READ", "MICRO_BATCH_READ"]);

export const RATE_SCHEMA = new StructType([new StructField("timestamp", TimestampType), new StructField("value", LongType)]);

export class RateProvider implements TableProvider {
  readonly formats = ["rate", "org.apache.spark.sql.execution.streaming.sources.RateStreamProvider"];
  async inferSchema(): Promise<StructType> {
    return RATE_SCHEMA;
  }
  async getTable(_schema: StructType | undefined, options: CaseInsensitiveOptions): Promise<Table> {
    const t = new TableOptions(options, RATE_OPTIONS);
    const rowsPerSecond = t.int("rowsPerSecond");
    const numPartitions = t.int("numPartitions");
    const numRows = t.int("numRows", rowsPerSecond);
    const startTimestampMs = t.int("startTimestampMs");
    const batchSize = t.int("batchSize");
    const maxRows = t.int("maxMessagesPerTrigger");
    return {
      name: "rate",
      schema: RATE_SCHEMA,
      capabilities: CAPABILITIES,
      newScanBuilder: () => ({
        build: () => ({
          readSchema: () => RATE_SCHEMA,
          description: () => `RateStream(rowsPerSecond=${rowsPerSecond}, numPartitions=${numPartitions})`,
          toBatch: () => ({
            planInputPartitions: async () => partitions(0, numRows, numPartitions, startTimestampMs),
            createReader: (p: InputPartition) => generate(p, rowsPerSecond, batchSize),
          }),
          toMicroBatchStream: (dir: string) => new RateStream(dir, rowsPerSecond, numPartitions, batchSize, maxRows),
        }),
      }),
    };
  }
}

function partitions(start: number, end: number, n: number, startMs: number): InputPartition[] {
  return Array.from({ length: n }, (_, index) => ({ index, start, end, of: n, startMs }));
}

async function* generate(p: InputPartition, rowsPerSecond: number, batchSize: number): AsyncGenerator<RowBatch> {
  const { start, end, of, startMs } = p as unknown as { start: number; end: number; of: number; startMs: number };
  let batch: Row[] = [];
  // The first value >= start that belongs to this partition.
  let v = start + ((((p.index - start) % of) + of) % of);
  for (; v < end; v += of) {
    batch.push([new Date(startMs + Math.floor((v * 1000) / rowsPerSecond)), v]);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

class RateStream implements MicroBatchStream {
  private startMs: number | undefined;
  constructor(
    private readonly dir: string,
    private readonly rowsPerSecond: number,
    private readonly numPartitions: number,
    private readonly batchSize: number,
    private readonly maxRows: number | undefined,
  ) {}

  /** The stream's start time, fixed on first use and kept so a restart generates the same rows. */
  private async start(): Promise<number> {
    if (this.startMs !== undefined) return this.startMs;
    const file = join(this.dir, "rate-start.json");
    try {
      this.startMs = (JSON.parse(await readFile(file, "utf8")) as { startMs: number }).startMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.startMs = Date.now();
      await mkdir(this.dir, { recursive: true });
      await writeAtomic(file, JSON.stringify({ startMs: this.startMs }) + "\n");
    }
    return this.startMs;
  }
  private due(startMs: number): number {
    return Math.floor(((Date.now() - startMs) * this.rowsPerSecond) / 1000);
  }
  async initialOffset(): Promise<Offset> {
    await this.start();
    return 0;
  }
  async latestOffset(start: Offset, limit: ReadLimit, waitMs = 0): Promise<Offset> {
    const startMs = await this.start();
    const from = Number(start);
    let due = this.due(startMs);
    if (due <= from && waitMs > 0) {
      const nextDueMs = startMs + Math.ceil(((from + 1) * 1000) / this.rowsPerSecond) - Date.now();
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(waitMs, nextDueMs))));
      due = this.due(startMs);
    }
    const cap = Math.min(limit.maxRows ?? Infinity, this.maxRows ?? Infinity);
    return Math.max(from, Math.min(due, from + cap));
  }
  async planInputPartitions(start: Offset, end: Offset): Promise<InputPartition[]> {
    return partitions(Number(start), Number(end), this.numPartitions, await this.start());
  }
  createReader(p: InputPartition): AsyncIterable<RowBatch> {
    return generate(p, this.rowsPerSecond, this.batchSize);
  }
  async commit(): Promise<void> {}
  async stop(): Promise<void> {}
  metrics(latest: Offset | undefined): Record<string, number> {
    if (this.startMs === undefined) return {};
    return { backlogRows: Math.max(0, this.due(this.startMs) - Number(latest ?? 0)) };
  }
}
