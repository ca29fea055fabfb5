/**
 * The `volume` write method: each partition writer encodes its rows as Parquet files of bounded size
 * and uploads them through the Files API under deterministic names,
 * `<stagingVolume>/<query>/<epoch or run>/part-<partition>-<n>.parquet`; the apply is ONE statement
 * over that folder (COPY INTO, MERGE or INSERT OVERWRITE from read_files), after which the folder is
 * deleted. No staging table is ever created, so the method needs READ VOLUME and WRITE VOLUME on the
 * volume and MODIFY on the target — not CREATE TABLE.
 *
 * Streaming: the query folder is the query's own (its id comes from the checkpoint), so at start
 * everything in it is what an earlier, killed run left and is removed. A replayed epoch rewrites the
 * same file names and COPY INTO skips files it already loaded, so a plain append is exactly-once.
 *
 * Batch: the folder is named after the target table and each write gets a run folder; at start, run
 * folders older than `staleStagingAfterMs` (left by killed writes) are removed — younger ones may
 * belong to a write still running elsewhere.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import type { DataWriter, RowBatch, WriterCommitMessage } from "@macrometa-spark/core";
import { displayTableName } from "../identifiers.js";
import type { StagedSource } from "../sql-apply.js";
import { ParquetFileBuffer } from "../staging/parquet-file.js";
import { FilesClient } from "../volumes/files-client.js";
import { epochFolder, partFileName, queryFolder, type StagingVolume } from "../volumes/location.js";
import { budgetPolicy, type DeltaWriteCore, type StagedMessage, type WriteMethod } from "./core.js";

export class VolumeMethod implements WriteMethod {
  readonly name = "volume" as const;
  readonly files: FilesClient;
  private readonly volume: StagingVolume;
  /** The query folder's name: the streaming query's id, or `write_<table>` for batch writes. */
  private readonly query: string;
  /** Batch writes: this write's run folder name (time first, so names sort by age). */
  private readonly run: string;
  private readonly folders = new Map<string, Promise<void>>();

  constructor(
    private readonly core: DeltaWriteCore,
    private readonly streaming: boolean,
  ) {
    const { connection, stagingVolume } = core.options;
    this.volume = stagingVolume!;
    this.files = new FilesClient({
      host: connection.host,
      port: connection.port,
      useTls: connection.useTls,
      // Validated as readable when the options were parsed.
      ...(connection.caCertFile !== undefined ? { ca: readFileSync(connection.caCertFile, "utf8") } : {}),
      token: connection.token!,
      retryPolicy: budgetPolicy(core.options.retryBudgetMs),
      logger: core.ctx.logger,
    });
    const t = core.options.target;
    this.query = streaming ? core.info.queryId : `write_${[t.catalog, t.schema, t.table].filter((p) => p !== undefined).join(".")}`;
    this.run = `run-${Date.now()}-${core.runId}`;
  }

  /** The folder of an epoch (streaming) or of this run (batch). */
  folder(epochId: number | undefined): string {
    return epochFolder(this.volume, this.query, epochId ?? this.run);
  }

  async start(): Promise<void> {
    const root = queryFolder(this.volume, this.query);
    const entries = await this.files.list(root);
    if (!entries) return;
    const cutoff = Date.now() - this.core.options.staleStagingAfterMs;
    let removed = 0;
    for (const e of entries) {
      // Batch run folders are named run-<ms>-<id>: age by name, not by a clock on another machine.
      const startedAt = /^run-(\d+)-/.exec(e.name)?.[1];
      if (!this.streaming && (startedAt === undefined || Number(startedAt) > cutoff)) continue;
      removed += e.isDirectory ? await this.files.deleteTree(e.path) : (await this.files.delete(e.path), 1);
    }
    if (removed > 0) this.core.ctx.logger.info("removed staged files an earlier run left behind", { folder: root, files: removed });
  }

  /** Creates a folder once per write (the Files API's mkdir -p is idempotent). */
  ensureFolder(path: string): Promise<void> {
    let p = this.folders.get(path);
    if (!p) {
      p = this.files.mkdirs(path);
      p.catch(() => this.folders.delete(path));
      this.folders.set(path, p);
    }
    return p;
  }

  createWriter(partitionId: number, epochId: number | undefined, skip: boolean): DataWriter {
    return new ParquetFileWriter(this.core, this, partitionId, epochId, skip);
  }

  source(messages: StagedMessage[], epochId: number | undefined): StagedSource | undefined {
    const files = messages.flatMap((m) => m?.files ?? []);
    return files.length > 0 ? { dir: this.folder(epochId), files } : undefined;
  }

  async cleanup(_messages: StagedMessage[], epochId: number | undefined): Promise<void> {
    const dir = this.folder(epochId);
    // A long-running query must not remember every epoch's folder.
    this.folders.delete(dir);
    await this.files.deleteTree(dir).catch((err) => this.core.ctx.logger.warn("could not delete staged files; the next run of this query removes them", { folder: dir, table: displayTableName(this.core.options.target), error: (err as Error).message }));
  }

  async close(): Promise<void> {
    await this.files.close();
  }
}

/**
 * Encodes one partition's rows into Parquet files and uploads each as it fills, one upload in
 * flight while the next file fills: memory holds at most two files, whatever the partition's size.
 */
class ParquetFileWriter implements DataWriter {
  private rows = 0;
  private readonly names: string[] = [];
  private buffer: ParquetFileBuffer | undefined;
  private upload: Promise<void> | undefined;

  constructor(
    private readonly core: DeltaWriteCore,
    private readonly method: VolumeMethod,
    private readonly partitionId: number,
    private readonly epochId: number | undefined,
    private readonly skip: boolean,
  ) {}

  async write(batch: RowBatch): Promise<void> {
    if (this.skip || batch.length === 0) return;
    this.core.checkKeys(batch);
    this.buffer ??= new ParquetFileBuffer(this.core.stagedRowType(), { maxRows: this.core.options.maxRecordsPerFile, maxBytes: this.core.options.maxBytesPerFile });
    // _mm_seq = partition * 2^40 + row: later rows (and later partitions) win the in-batch dedupe.
    // A number while that is exact (partitions below 8192), so no row needs a BigInt.
    const base = this.partitionId < 8192 ? this.partitionId * 2 ** 40 + this.rows : undefined;
    for (let r = 0; r < batch.length; r++) {
      this.buffer.add(batch[r]!, base !== undefined ? base + r : (BigInt(this.partitionId) << 40n) + BigInt(this.rows + r));
      if (this.buffer.full) await this.flush();
    }
    this.rows += batch.length;
  }

  /** Finishes the current file and starts its upload once the previous one is done. */
  private async flush(): Promise<void> {
    if (!this.buffer || this.buffer.rowCount === 0) return;
    const file = this.buffer.finish();
    file.catch(() => undefined);
    const name = partFileName(this.partitionId, this.names.length);
    this.names.push(name);
    const previous = this.upload;
    const dir = this.method.folder(this.epochId);
    this.upload = (async () => {
      const bytes = await file;
      await previous;
      await this.method.ensureFolder(dir);
      await this.method.files.put(`${dir}/${name}`, bytes);
      this.core.ctx.metrics.add("stagedFiles");
      this.core.ctx.metrics.add("stagedBytes", bytes.byteLength);
    })();
    // Its failure surfaces where it is awaited (the next flush or commit), not as an unhandled rejection.
    this.upload.catch(() => undefined);
    // Back-pressure: never more than one upload behind the encoder.
    if (previous) await previous;
  }

  async commit(): Promise<WriterCommitMessage> {
    await this.flush();
    await this.upload;
    const msg: StagedMessage = { partitionId: this.partitionId, rows: this.rows };
    if (this.names.length > 0) msg.files = [...this.names];
    return msg;
  }

  async abort(): Promise<void> {
    await this.upload?.catch(() => undefined);
    const dir = this.method.folder(this.epochId);
    for (const name of this.names) await this.method.files.delete(`${dir}/${name}`).catch(() => undefined);
  }
}
