/**
 * The `insert` write method, for workspaces without a volume: each partition writer INSERTs its rows
 * (escaped literals or named parameters, see sql.ts) into its own staging Delta table, created on its
 * first rows in the target's schema (which needs CREATE TABLE there); the apply reads all staging
 * tables in one statement and they are dropped afterwards.
 *
 * A staging INSERT whose reply is lost is checked, not blindly resent: every row carries its
 * position in the write ({@link SEQ_COLUMN}), and one INSERT is one Delta commit, so counting the
 * statement's position range in the staging table tells whether it landed.
 * @packageDocumentation
 */
import { LongType, StructField, StructType, withRetry, type DataWriter, type RowBatch, type WriterCommitMessage } from "@macrometa-spark/core";
import { DatabricksError } from "../errors.js";
import { displayTableName, quoteIdent, quoteTableName, type TableName } from "../identifiers.js";
import { SEQ_COLUMN, createTableSql, dropTableSql, insertStatements } from "../sql.js";
import type { StagedSource } from "../sql-apply.js";
import { budgetPolicy, type DeltaWriteCore, type StagedMessage, type WriteMethod } from "./core.js";

const STAGE_PREFIX = "__mm_stage_";
const STAGE_NAME = /^__mm_stage_(\d{13})_/;

export class InsertMethod implements WriteMethod {
  readonly name = "insert" as const;
  constructor(
    private readonly core: DeltaWriteCore,
    private readonly streaming = false,
  ) {}

  /**
   * Drops the staging tables killed writes left in the target's schema (a second Ctrl-C, a crash):
   * those of this streaming query whatever their age, any other once older than
   * `staleStagingAfterMs` (a younger one may belong to a write still running elsewhere).
   */
  async start(): Promise<void> {
    const { target, staleStagingAfterMs } = this.core.options;
    const conn = await this.core.driver();
    const schema = [target.catalog, target.schema].filter((p): p is string => p !== undefined).map(quoteIdent).join(".");
    const rows = await conn.query(`SHOW TABLES${schema ? ` IN ${schema}` : ""} LIKE '${STAGE_PREFIX}*'`, { idempotent: true });
    const cutoff = Date.now() - staleStagingAfterMs;
    const ours = this.queryTag === undefined ? undefined : `_${this.queryTag}_`;
    let dropped = 0;
    for (const r of rows) {
      const name = String(r["tableName"] ?? "");
      if (r["isTemporary"] === true) continue;
      const createdAt = STAGE_NAME.exec(name)?.[1];
      if (createdAt === undefined) continue; // not named by this sink: not ours to judge
      if (Number(createdAt) > cutoff && !(ours !== undefined && name.includes(ours))) continue;
      const table = { ...(target.catalog ? { catalog: target.catalog } : {}), ...(target.schema ? { schema: target.schema } : {}), table: name };
      await conn.execute(dropTableSql(table), { idempotent: true });
      dropped++;
    }
    if (dropped > 0) this.core.ctx.logger.info("dropped staging tables an earlier run left behind", { schema: [target.catalog, target.schema].filter(Boolean).join("."), tables: dropped });
  }

  /** A streaming query's tag in its staging tables' names (its id without dashes). */
  private get queryTag(): string | undefined {
    return this.streaming ? this.core.info.queryId.replace(/[^0-9a-zA-Z]/g, "").toLowerCase() : undefined;
  }

  /** `__mm_stage_<created ms>_<run>[_<query>_e<epoch>]_p<partition>`: the time lets a later run judge its age. */
  stageName(epochId: number | undefined, partitionId: number): TableName {
    const { target } = this.core.options;
    const epoch = epochId === undefined ? "" : `_${this.queryTag}_e${epochId}`;
    const name = `${STAGE_PREFIX}${Date.now()}_${this.core.runId}${epoch}_p${partitionId}`;
    return { ...(target.catalog ? { catalog: target.catalog } : {}), ...(target.schema ? { schema: target.schema } : {}), table: name };
  }

  stagingSchema(): StructType {
    return new StructType([...this.core.deltaSchema.fields.map((f) => new StructField(f.name, f.dataType, true)), new StructField(SEQ_COLUMN, LongType, false)]);
  }

  createWriter(partitionId: number, epochId: number | undefined, skip: boolean): DataWriter {
    return new StagingTableWriter(this.core, this, partitionId, epochId, skip);
  }

  source(messages: StagedMessage[]): StagedSource | undefined {
    const stages = messages.filter((m) => m?.stage).map((m) => m.stage!);
    return stages.length > 0 ? { stages } : undefined;
  }

  async cleanup(messages: StagedMessage[]): Promise<void> {
    const conn = await this.core.driver();
    for (const m of messages) {
      if (!m?.stage) continue;
      await conn.execute(dropTableSql(m.stage), { idempotent: true }).catch((err) => this.core.ctx.logger.warn("could not drop a staging table", { table: displayTableName(m.stage!), error: (err as Error).message }));
    }
  }

  async close(): Promise<void> {}
}

/** Writes one partition's rows into its staging table. */
class StagingTableWriter implements DataWriter {
  private rows = 0;
  private created = false;
  private readonly stage: TableName;

  constructor(
    private readonly core: DeltaWriteCore,
    private readonly method: InsertMethod,
    private readonly partitionId: number,
    epochId: number | undefined,
    private readonly skip: boolean,
  ) {
    this.stage = method.stageName(epochId, partitionId);
  }

  async write(batch: RowBatch): Promise<void> {
    if (this.skip || batch.length === 0) return;
    this.core.checkKeys(batch);
    const conn = await this.core.partition(this.partitionId);
    if (!this.created) {
      await conn.execute(createTableSql({ table: this.stage, fields: this.method.stagingSchema().fields, ifNotExists: true }), { idempotent: true });
      this.created = true;
    }
    const { maxStatementBytes, maxParameters } = this.core.options;
    // _mm_seq = partition * 2^40 + row: later rows (and later partitions) win the in-batch dedupe.
    let seq = (BigInt(this.partitionId) << 40n) + BigInt(this.rows);
    for (const stmt of insertStatements(this.stage, this.core.deltaSchema, batch, this.core.strategy, { maxStatementBytes, maxParameters }, { start: seq })) {
      const first = seq;
      const last = seq + BigInt(stmt.rowCount) - 1n;
      await withRetry(
        async (attempt) => {
          // After a failed attempt, the rows may have landed before the reply was lost: count them.
          if (attempt > 1 && (await this.landed(first, last)) === stmt.rowCount) return;
          await conn.execute(stmt);
        },
        { policy: budgetPolicy(this.core.options.retryBudgetMs), onRetry: (err, n) => this.core.ctx.logger.warn("retrying a staging INSERT", { attempt: n, error: (err as Error).message }) },
      );
      seq = last + 1n;
    }
    this.rows += batch.length;
  }

  /** How many rows of the position range [first, last] the staging table holds. */
  private async landed(first: bigint, last: bigint): Promise<number> {
    const conn = await this.core.partition(this.partitionId);
    const rows = await conn.query(
      {
        sql: `SELECT count(*) AS n FROM ${quoteTableName(this.stage)} WHERE ${quoteIdent(SEQ_COLUMN)} BETWEEN :first AND :last`,
        params: { first: { value: first.toString(), type: "BIGINT" }, last: { value: last.toString(), type: "BIGINT" } },
      },
      { idempotent: true },
    );
    const n = Number(rows[0]?.["n"] ?? 0);
    if (n !== 0 && n !== Number(last - first + 1n)) {
      throw new DatabricksError(`staging table ${displayTableName(this.stage)} holds ${n} of the ${last - first + 1n} rows of one INSERT`, { code: "DATABRICKS_SQL", retryable: false });
    }
    return n;
  }

  async commit(): Promise<WriterCommitMessage> {
    const msg: StagedMessage = { partitionId: this.partitionId, rows: this.rows };
    if (this.created) msg.stage = this.stage;
    return msg;
  }

  async abort(): Promise<void> {
    if (!this.created) return;
    const conn = await this.core.partition(this.partitionId);
    await conn.execute(dropTableSql(this.stage), { idempotent: true }).catch(() => undefined);
  }
}
