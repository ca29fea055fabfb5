/**
 * A batch write: prepare the table, stage per partition (files or staging tables), one apply
 * statement at commit, then remove what was staged. An abort leaves the target untouched.
 * @packageDocumentation
 */
import type { BatchWrite, DataWriter, LogicalWriteInfo, ProviderContext, WriterCommitMessage } from "@macrometa-spark/core";
import type { ConnectionHooks } from "../client.js";
import type { WriteOptions } from "../options.js";
import { DeltaWriteCore, type PreparedWrite, type StagedMessage, type WriteMethod } from "./core.js";
import { createWriteMethod } from "./methods.js";
import { VolumeMethod } from "./volume-method.js";

export class DeltaBatchWrite implements BatchWrite {
  private constructor(
    private readonly core: DeltaWriteCore,
    private readonly method: WriteMethod,
    private readonly prepared: PreparedWrite,
  ) {}

  static async create(options: WriteOptions, info: LogicalWriteInfo, ctx: ProviderContext, hooks: ConnectionHooks = {}): Promise<DeltaBatchWrite> {
    const core = new DeltaWriteCore(options, info, ctx, { logger: ctx.logger, ...hooks });
    const method = createWriteMethod(core, false);
    try {
      const prepared = await core.prepare();
      if (!prepared.skip) await method.start();
      return new DeltaBatchWrite(core, method, prepared);
    } catch (err) {
      await method.close();
      await core.close();
      throw err;
    }
  }

  createWriter(partitionId: number): DataWriter {
    return this.method.createWriter(partitionId, undefined, this.prepared.skip);
  }

  async commit(messages: WriterCommitMessage[]): Promise<void> {
    try {
      if (this.prepared.skip) return;
      const rows = await this.core.apply(this.method, messages as StagedMessage[]);
      this.core.ctx.logger.info("Delta write committed", { table: this.core.tableName, rows, mode: this.core.options.mergeKeys ? "merge" : this.core.info.mode, method: this.method.name });
      await this.method.cleanup(messages as StagedMessage[], undefined);
    } finally {
      await this.close();
    }
  }

  /** No apply statement has run: the target is as it was; what was staged is removed. */
  async abort(messages: WriterCommitMessage[]): Promise<void> {
    try {
      await this.method.cleanup(messages.filter(Boolean) as StagedMessage[], undefined);
      if (!this.prepared.skip) {
        const { created, addedColumns } = this.prepared;
        const staged = this.method instanceof VolumeMethod ? { stagingFolder: this.method.folder(undefined) } : { stagingTables: "__mm_stage_* of this run" };
        const kept = created ? ` (the table this write created stays, empty)` : addedColumns ? ` (the columns schemaEvolution added stay: ${addedColumns.join(", ")})` : "";
        this.core.ctx.logger.warn(`Delta write aborted: no row reached ${this.core.tableName} (no apply statement ran)${kept}; what was staged is removed`, { table: this.core.tableName, method: this.method.name, ...staged });
      }
    } finally {
      await this.close();
    }
  }

  private async close(): Promise<void> {
    await this.method.close();
    await this.core.close();
  }
}
