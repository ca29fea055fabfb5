/**
 * A Delta table as a micro-batch source (`readStream.format("databricks")`) and as a batch read of
 * its change data feed (`read.format("databricks").option("readChangeFeed", true)`).
 *
 * Offsets are table versions (see plan.ts). A batch is one partition: one statement over the
 * batch's versions, pulled `fetchSize` rows at a time, so memory holds one chunk whatever the
 * batch's size. Replaying a range reads the same rows: history is immutable.
 * @packageDocumentation
 */
import type { Batch, InputPartition, MicroBatchStream, Offset, PartitionReader, Row, RowBatch, StructType } from "@macrometa-spark/core";
import { DatabricksConnection, type ConnectionHooks } from "../client.js";
import { DatabricksError } from "../errors.js";
import { displayTableName, type TableName } from "../identifiers.js";
import type { ReadOptions } from "../options.js";
import { fromDriverValue } from "../read.js";
import { allCommits, commitsAfter, latestCommit, type Commit } from "./history.js";
import type { ChangeFeedOptions, EndingPoint, StartingPoint } from "./options.js";
import { appendRuns, appendedSql, changesSql, nextEnd, snapshotSql } from "./plan.js";

interface ChangePartition extends InputPartition {
  start: number;
  end: number;
}

/** A version range's rows (start exclusive, end inclusive) read through one connection. */
class RangeReader {
  constructor(
    private readonly read: ReadOptions,
    private readonly cf: ChangeFeedOptions,
    /** The rows' schema: the table's columns, plus the change columns with readChangeFeed. */
    private readonly schema: StructType,
    /** The table's own columns. */
    private readonly tableSchema: StructType,
    /** A stream without a start reads the table as of `end` first. */
    private readonly snapshotFirst: boolean,
  ) {}

  async *rows(conn: DatabricksConnection, start: number, end: number): AsyncGenerator<RowBatch> {
    const target = this.read.target!;
    for (const sql of await this.statements(conn, target, start, end)) {
      for await (const part of conn.stream({ sql }, this.read.fetchSize)) {
        if (!("rows" in part)) continue;
        yield part.rows.map((r): Row => this.schema.fields.map((f) => fromDriverValue(r[f.name], f.dataType)));
      }
    }
  }

  private async statements(conn: DatabricksConnection, target: TableName, start: number, end: number): Promise<string[]> {
    if (start < 0 && this.snapshotFirst) {
      const at = (await commitsAfter(conn, target, end - 1)).find((c) => c.version === end);
      return [snapshotSql(target, this.tableSchema, end, at?.timestamp ?? new Date(0).toISOString(), this.cf.readChangeFeed)];
    }
    if (this.cf.readChangeFeed) return [changesSql(target, this.schema, start + 1, end)];
    const commits = (await commitsAfter(conn, target, start)).filter((c) => c.version <= end);
    return appendRuns(commits, start, end).map(([a, b]) => appendedSql(target, this.tableSchema, a, b));
  }
}

/**
 * The rows of (start, end]. With `shared` (a stream's planning connection: batches are planned and
 * read one after the other) no session is opened per batch; otherwise the reader opens its own.
 */
function reader(hooks: ConnectionHooks, read: ReadOptions, range: RangeReader, start: number, end: number, shared?: () => Promise<DatabricksConnection>): PartitionReader {
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
      const conn = shared ? await shared() : await DatabricksConnection.open(read.connection, hooks);
      try {
        yield* range.rows(conn, start, end);
      } finally {
        // Also on return(): a consumer that stops early closes the statement (and an own session).
        if (!shared) await conn.close();
      }
    },
  };
}

/** The version a starting point names: `latest` = the current one (only later commits are read). */
async function startVersion(conn: DatabricksConnection, target: TableName, s: StartingPoint, streaming: boolean): Promise<number> {
  if (s === "latest") return (await latestCommit(conn, target)).version + 1;
  if ("version" in s) {
    const latest = (await latestCommit(conn, target)).version;
    if (!streaming && s.version > latest) {
      throw new DatabricksError(`[DELTA_CDC_START_VERSION_AFTER_LATEST] Provided Start version(${s.version}) for reading change data is invalid. Start version cannot be greater than the latest version of the table(${latest}).`, {
        code: "DATABRICKS_CHANGE_FEED",
        retryable: false,
        context: { table: displayTableName(target), sqlState: "22003", option: "startingVersion" },
      });
    }
    return s.version;
  }
  const commits = await allCommits(conn, target);
  const first = commits.find((c) => c.timestamp >= s.timestamp);
  if (first) return first.version;
  if (streaming) return (commits.at(-1)?.version ?? -1) + 1;
  throw new DatabricksError(`[DELTA_TIMESTAMP_GREATER_THAN_COMMIT] The provided timestamp (${s.timestamp}) is after the latest version available to this table (${commits.at(-1)?.timestamp ?? "none"}).`, {
    code: "DATABRICKS_CHANGE_FEED",
    retryable: false,
    context: { table: displayTableName(target), sqlState: "42816", option: "startingTimestamp" },
  });
}

async function endVersion(conn: DatabricksConnection, target: TableName, e: EndingPoint | undefined): Promise<number> {
  if (e === undefined) return (await latestCommit(conn, target)).version;
  if ("version" in e) return e.version;
  const commits = await allCommits(conn, target);
  return commits.filter((c) => c.timestamp <= e.timestamp).at(-1)?.version ?? -1;
}

/** A batch read of the change feed: versions startingVersion..endingVersion (or the latest). */
export class ChangeFeedBatch implements Batch {
  constructor(
    private readonly read: ReadOptions,
    private readonly cf: ChangeFeedOptions,
    private readonly schema: StructType,
    private readonly tableSchema: StructType,
    private readonly hooks: ConnectionHooks,
  ) {}

  async planInputPartitions(): Promise<InputPartition[]> {
    const target = this.read.target!;
    if (this.cf.starting === undefined) {
      throw new DatabricksError("[DELTA_NO_START_FOR_CDC_READ] No startingVersion or startingTimestamp provided for CDC read.", {
        code: "DATABRICKS_CHANGE_FEED",
        retryable: false,
        context: { table: displayTableName(target), sqlState: "42601", option: "startingVersion" },
      });
    }
    const conn = await DatabricksConnection.open(this.read.connection, this.hooks);
    try {
      const start = await startVersion(conn, target, this.cf.starting, false);
      const end = await endVersion(conn, target, this.cf.ending);
      if (end < start) return [];
      const p: ChangePartition = { index: 0, start: start - 1, end };
      return [p];
    } finally {
      await conn.close();
    }
  }

  createReader(partition: InputPartition): PartitionReader {
    const p = partition as ChangePartition;
    return reader(this.hooks, this.read, new RangeReader(this.read, this.cf, this.schema, this.tableSchema, false), p.start, p.end);
  }
}

/** The streaming source. Holds one connection, for planning and for reading each batch. */
export class ChangeFeedStream implements MicroBatchStream {
  private conn: Promise<DatabricksConnection> | undefined;
  private readonly range: RangeReader;
  private ending: number | undefined;
  private lastSeen: number | undefined;

  constructor(
    private readonly read: ReadOptions,
    private readonly cf: ChangeFeedOptions,
    schema: StructType,
    tableSchema: StructType,
    private readonly hooks: ConnectionHooks,
  ) {
    this.range = new RangeReader(read, cf, schema, tableSchema, cf.starting === undefined);
  }

  private connection(): Promise<DatabricksConnection> {
    this.conn ??= DatabricksConnection.open(this.read.connection, this.hooks).catch((err: unknown) => {
      this.conn = undefined;
      throw err;
    });
    return this.conn;
  }

  private get table(): string {
    return displayTableName(this.read.target!);
  }

  async initialOffset(): Promise<Offset> {
    // Without a start the first batch is the table as of its latest version: offset -1 = nothing yet.
    if (this.cf.starting === undefined) return -1;
    return (await startVersion(await this.connection(), this.read.target!, this.cf.starting, true)) - 1;
  }

  private async endingVersion(conn: DatabricksConnection): Promise<number | undefined> {
    if (this.cf.ending === undefined) return undefined;
    this.ending ??= await endVersion(conn, this.read.target!, this.cf.ending);
    return this.ending;
  }

  async latestOffset(start: Offset, _limit: unknown): Promise<Offset> {
    const from = Number(start);
    const conn = await this.connection();
    const ending = await this.endingVersion(conn);
    if (from < 0 && this.cf.starting === undefined) {
      // The snapshot batch: whole, as of the latest version (or the ending one).
      const latest = (await latestCommit(conn, this.read.target!)).version;
      return ending === undefined ? latest : Math.min(latest, ending);
    }
    const commits: Commit[] = await commitsAfter(conn, this.read.target!, from);
    if (commits.length) this.lastSeen = commits.at(-1)!.version;
    const limits = { maxFiles: this.cf.maxFilesPerTrigger, ...(this.cf.maxBytesPerTrigger !== undefined ? { maxBytes: this.cf.maxBytesPerTrigger } : {}) };
    return nextEnd(from, commits, limits, this.cf, this.table, ending);
  }

  async planInputPartitions(start: Offset, end: Offset): Promise<InputPartition[]> {
    const p: ChangePartition = { index: 0, start: Number(start), end: Number(end) };
    return [p];
  }

  createReader(partition: InputPartition): PartitionReader {
    const p = partition as ChangePartition;
    return reader(this.hooks, this.read, this.range, p.start, p.end, () => this.connection());
  }

  async commit(_end: Offset): Promise<void> {
    // Nothing to release: a Delta table keeps its history whatever its readers do.
  }

  async stop(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c) await (await c.catch(() => undefined))?.close();
  }

  metrics(latest: Offset | undefined): Record<string, number> {
    if (this.lastSeen === undefined || latest === undefined) return {};
    // Versions committed to the table but not yet in a planned batch.
    return { versionsBehindLatest: Math.max(0, this.lastSeen - Number(latest)) };
  }
}
