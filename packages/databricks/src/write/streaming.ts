/**
 * A streaming sink. Each epoch is staged like a batch write, then committed as:
 *   1. SELECT from the commits table: `(queryId, epochId, table)` present → remove what was staged, done;
 *   2. the one apply statement — one Delta commit;
 *   3. INSERT the `(queryId, epochId, table)` record.
 * A replay of an epoch that reached step 3 is skipped. A crash between 2 and 3 replays step 2:
 * harmless with the volume method's COPY INTO (it skips the files it loaded: the replay rewrote the
 * same names), for MERGE (upserts/deletes of the same rows give the same table) and for complete
 * mode (INSERT OVERWRITE). Only a plain append through the insert method would be applied twice —
 * unless `batchIdColumn` is set: then the append is guarded by NOT EXISTS on the epoch's id.
 * @packageDocumentation
 */
import type { DataWriter, LogicalWriteInfo, ProviderContext, StreamingWrite, StructType, WriterCommitMessage } from "@macrometa-spark/core";
import type { ConnectionHooks } from "../client.js";
import type { WriteOptions } from "../options.js";
import { createCommitsTableSql, epochCommittedSql, recordEpochSql } from "../sql.js";
import { DeltaWriteCore, type PreparedWrite, type StagedMessage, type WriteMethod } from "./core.js";
import { createWriteMethod } from "./methods.js";

export class DeltaStreamingWrite implements StreamingWrite {
  private prepared: Promise<PreparedWrite> | undefined;
  private commitsReady: Promise<void> | undefined;
  private readonly committed = new Map<number, Promise<boolean>>();
  private readonly method: WriteMethod;

  constructor(private readonly core: DeltaWriteCore) {
    const { options, info, ctx } = core;
    this.method = createWriteMethod(core, true);
    if (this.method.name === "insert" && !options.mergeKeys && options.batchIdColumn === undefined && info.mode !== "overwrite") {
      // Logged once, when the query's sink is built (not per epoch).
      ctx.logger.warn("streaming append through the insert method is at-least-once: a crash between an epoch's apply and its commit record appends that epoch twice on replay; set stagingVolume (COPY INTO is exactly-once), batchIdColumn or mergeKeys", {
        table: core.tableName,
        queryId: info.queryId,
        option: "stagingVolume",
      });
    }
  }

  static create(options: WriteOptions, info: LogicalWriteInfo, ctx: ProviderContext, hooks: ConnectionHooks = {}): DeltaStreamingWrite {
    return new DeltaStreamingWrite(new DeltaWriteCore(options, info, ctx, { logger: ctx.logger, ...hooks }));
  }

  private prepare(): Promise<PreparedWrite> {
    // A streaming sink appends (or merges) into the table whatever the first epoch found; what an
    // earlier run of the query staged is removed before this run stages anything.
    this.prepared ??= (async () => {
      const prepared = await this.core.prepare();
      if (!prepared.skip) await this.method.start();
      return prepared;
    })();
    return this.prepared;
  }

  private async ensureCommitsTable(): Promise<void> {
    this.commitsReady ??= (async () => {
      const conn = await this.core.driver();
      await conn.execute(createCommitsTableSql(this.core.options.commitsTable), { idempotent: true });
    })();
    return this.commitsReady;
  }

  /** Whether this query already committed the epoch to this table (idempotent read, retried). */
  async isCommitted(epochId: number): Promise<boolean> {
    await this.ensureCommitsTable();
    const conn = await this.core.driver();
    const rows = await conn.query(epochCommittedSql(this.core.options.commitsTable, this.core.info.queryId, epochId, this.core.tableName), { idempotent: true });
    return rows.length > 0;
  }

  /**
   * The query's schema widened before `epochId` (schema evolution): the target gets the new columns
   * (ALTER TABLE … ADD COLUMNS) before the epoch stages a row, so the epoch's one apply statement
   * loads them. A replay after a crash between this and commits/N adds nothing.
   */
  async evolveSchema(epochId: number, schema: StructType): Promise<void> {
    const prepared = await this.prepare();
    if (prepared.skip) return;
    const added = await this.core.evolve(schema);
    this.core.ctx.logger.info("sink schema evolved", { table: this.core.tableName, epochId, added });
  }

  async createWriter(partitionId: number, epochId: number): Promise<DataWriter> {
    const prepared = await this.prepare();
    // A replayed epoch is recognised before any row is staged, so it costs one SELECT.
    let done = this.committed.get(epochId);
    if (!done) {
      done = this.isCommitted(epochId);
      this.committed.set(epochId, done);
    }
    return this.method.createWriter(partitionId, epochId, prepared.skip || (await done));
  }

  async commit(epochId: number, messages: WriterCommitMessage[]): Promise<void> {
    this.committed.delete(epochId);
    const prepared = await this.prepare();
    if (prepared.skip) return;
    const staged = messages as StagedMessage[];
    if (await this.isCommitted(epochId)) {
      this.core.ctx.logger.info("epoch already committed; skipped", { table: this.core.tableName, queryId: this.core.info.queryId, epochId });
      this.core.ctx.metrics.add("epochsSkipped");
      await this.method.cleanup(staged, epochId);
      return;
    }
    const rows = await this.core.apply(this.method, staged, epochId);
    const conn = await this.core.driver();
    // Retrying the record is safe: a duplicate record changes nothing (the check is "any row").
    await conn.execute(recordEpochSql(this.core.options.commitsTable, this.core.info.queryId, epochId, this.core.tableName), { idempotent: true });
    this.core.ctx.logger.info("epoch committed", { table: this.core.tableName, epochId, rows, method: this.method.name });
    await this.method.cleanup(staged, epochId);
  }

  async abort(epochId: number, messages: WriterCommitMessage[]): Promise<void> {
    await this.method.cleanup(messages.filter(Boolean) as StagedMessage[], epochId);
  }

  async close(): Promise<void> {
    await this.method.close();
    await this.core.close();
  }
}
