/**
 * Writes into a Delta table. Each partition's DataWriter INSERTs its rows into its own staging
 * table (created on its first rows); the driver-side commit then applies all staged rows to
 * the target in ONE statement — INSERT ... SELECT (append), INSERT OVERWRITE (overwrite) or
 * MERGE (mergeKeys) — and drops the staging tables. One statement is one Delta commit, so the
 * target sees all of a write or none of it, and an abort leaves the target untouched.
 *
 * Streaming epochs use the same path plus a commits table; see {@link DeltaStreamingWrite}.
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import {
  LongType,
  MalformedRecordError,
  OptionError,
  StringType,
  StructField,
  StructType,
  TimestampType,
  type BatchWrite,
  type DataType,
  type DataWriter,
  type LogicalWriteInfo,
  type ProviderContext,
  type RowBatch,
  type StreamingWrite,
  type WriterCommitMessage,
} from "@macrometa-spark/core";
import { DatabricksConnection, type ConnectionHooks } from "./client.js";
import { DatabricksError } from "./errors.js";
import { checkColumnName, displayTableName, quoteTableName, type TableName } from "./identifiers.js";
import { checkWriteColumns, type WriteOptions } from "./options.js";
import {
  INGESTED_AT_COLUMN,
  SEQ_COLUMN,
  SOURCE_COLUMN,
  addColumnsSql,
  appendFromStagesSql,
  createCommitsTableSql,
  createTableSql,
  describeTableSql,
  dropTableSql,
  epochCommittedSql,
  insertStatements,
  mergeFromStagesSql,
  overwriteFromStagesSql,
  recordEpochSql,
  type ApplySpec,
} from "./sql.js";
import { parseDatabricksType, sqlType, toDeltaSchema } from "./sql-types.js";

/**
 * The strategy `insertStrategy: "auto"` resolves to. Measured against local-warehouse in
 * test/bench/databricks.bench.test.ts (see the README): literal batches under the 1 MiB budget
 * carry hundreds of rows per statement where 256 parameters carry ⌊256/columns⌋, so they need
 * far fewer round trips.
 */
export const AUTO_INSERT_STRATEGY: "parameters" | "literals" = "literals";

/** The columns of an existing table, from DESCRIBE TABLE; undefined when it does not exist. */
export async function describeColumns(conn: DatabricksConnection, table: TableName): Promise<Map<string, { name: string; type: string }> | undefined> {
  let rows: Record<string, unknown>[];
  try {
    rows = await conn.query(describeTableSql(table), { idempotent: true });
  } catch (err) {
    if (isTableNotFound(err)) return undefined;
    throw err;
  }
  const cols = new Map<string, { name: string; type: string }>();
  for (const r of rows) {
    const name = String(r["col_name"] ?? "");
    // DESCRIBE appends partitioning and detail sections after an empty line or a '#' heading.
    if (name === "" || name.startsWith("#")) break;
    cols.set(name.toLowerCase(), { name, type: String(r["data_type"] ?? "") });
  }
  return cols;
}

/** SQLSTATE 42P01 (TABLE_OR_VIEW_NOT_FOUND) or the same words from a server without one. */
export function isTableNotFound(err: unknown): boolean {
  if (!(err instanceof DatabricksError) || err.code !== "DATABRICKS_SQL") return false;
  return err.sqlState === "42P01" || /TABLE_OR_VIEW_NOT_FOUND|table .*(does not exist|not found)|not found.*table/i.test(err.message);
}

/** Whether data of type `data` may be written into a column of type `table` without retyping it. */
export function compatibleType(table: DataType, data: DataType): boolean {
  if (data.kind === "null") return true;
  if (table.simpleString().toLowerCase() === data.simpleString().toLowerCase()) return true;
  if (table.kind === "long" && data.kind === "integer") return true;
  if (table.kind === "double" && ["integer", "long", "float"].includes(data.kind)) return true;
  if (table instanceof StructType && data instanceof StructType) {
    // Struct values are positional: same fields, same order, compatible types.
    return table.fields.length === data.fields.length && table.fields.every((f, i) => f.name.toLowerCase() === data.fields[i]!.name.toLowerCase() && compatibleType(f.dataType, data.fields[i]!.dataType));
  }
  if (table.kind === "array" && data.kind === "array") return compatibleType((table as unknown as { elementType: DataType }).elementType, (data as unknown as { elementType: DataType }).elementType);
  if (table.kind === "map" && data.kind === "map") {
    const t = table as unknown as { keyType: DataType; valueType: DataType };
    const d = data as unknown as { keyType: DataType; valueType: DataType };
    return compatibleType(t.keyType, d.keyType) && compatibleType(t.valueType, d.valueType);
  }
  return false;
}

interface PreparedWrite {
  /** `ignore` on an existing table: accept and drop every row. */
  skip: boolean;
}

/** What a partition writer hands to the commit. */
interface StagedMessage extends WriterCommitMessage {
  partitionId: number;
  rows: number;
  stage?: TableName;
}

/** State shared by the batch and streaming writes of one DataFrame write. */
class DeltaWriteCore {
  readonly deltaSchema: StructType;
  readonly columns: string[];
  readonly runId = randomBytes(6).toString("hex");
  readonly strategy: "parameters" | "literals";
  private driverConn: Promise<DatabricksConnection> | undefined;
  private readonly partitionConns = new Map<number, Promise<DatabricksConnection>>();
  private mergeKeyIndexes: number[] = [];

  constructor(
    readonly options: WriteOptions,
    readonly info: LogicalWriteInfo,
    readonly ctx: ProviderContext,
    readonly hooks: ConnectionHooks,
  ) {
    this.deltaSchema = toDeltaSchema(info.schema, options.columnNameMode);
    this.columns = this.deltaSchema.fieldNames;
    checkWriteColumns(options, this.columns);
    const metadataColumns = [SEQ_COLUMN, ...(options.ingestedAtColumn ? [INGESTED_AT_COLUMN] : []), ...(options.sourceValue !== undefined ? [SOURCE_COLUMN] : [])];
    if (options.batchIdColumn !== undefined) {
      checkColumnName(options.batchIdColumn, "refuse");
      // The sink stamps this column itself; it must not also be a data (or another metadata) column.
      const id = options.batchIdColumn.toLowerCase();
      const clash = this.columns.find((c) => c.toLowerCase() === id) ?? metadataColumns.find((c) => c === id);
      if (clash !== undefined) {
        throw new OptionError("batchIdColumn", `${JSON.stringify(options.batchIdColumn)} is already ${this.columns.includes(clash) ? "a column of the data" : "a column the sink writes"}; name a column the data does not have`, { field: clash });
      }
    }
    for (const name of metadataColumns) {
      if (this.columns.some((c) => c.toLowerCase() === name)) throw new MalformedRecordError(`column ${JSON.stringify(name)} is reserved by the databricks sink`, { field: name });
    }
    this.strategy = options.insertStrategy === "auto" ? AUTO_INSERT_STRATEGY : options.insertStrategy;
    const lower = this.columns.map((c) => c.toLowerCase());
    this.mergeKeyIndexes = (options.mergeKeys ?? []).map((k) => lower.indexOf(k.toLowerCase()));
  }

  get tableName(): string {
    return displayTableName(this.options.target);
  }

  /** Column names resolved to the data's spelling (merge keys and flag may differ in case). */
  resolveColumn(name: string): string {
    return this.columns.find((c) => c.toLowerCase() === name.toLowerCase()) ?? name;
  }

  /** Columns the target must have: data (minus the delete flag) plus metadata columns. */
  targetFields(): StructField[] {
    const flag = this.options.deleteFlagColumn?.toLowerCase();
    const fields = this.deltaSchema.fields.filter((f) => f.name.toLowerCase() !== flag);
    if (this.options.ingestedAtColumn) fields.push(new StructField(INGESTED_AT_COLUMN, TimestampType));
    if (this.options.sourceValue !== undefined) fields.push(new StructField(SOURCE_COLUMN, StringType));
    if (this.options.batchIdColumn !== undefined) fields.push(new StructField(this.options.batchIdColumn, StringType));
    return fields;
  }

  driver(): Promise<DatabricksConnection> {
    this.driverConn ??= DatabricksConnection.open(this.options.connection, this.hooks);
    return this.driverConn;
  }

  /** One client + session per partition writer, reused across epochs, closed by close(). */
  partition(id: number): Promise<DatabricksConnection> {
    let c = this.partitionConns.get(id);
    if (!c) {
      c = DatabricksConnection.open(this.options.connection, this.hooks);
      this.partitionConns.set(id, c);
    }
    return c;
  }

  /**
   * Applies the save mode to the target: create it, refuse it, or check (and with
   * schemaEvolution, extend) its columns. Runs once, before any row moves.
   */
  async prepare(): Promise<PreparedWrite> {
    const conn = await this.driver();
    const { target } = this.options;
    const mode = this.info.mode;
    const existing = await describeColumns(conn, target);
    const wanted = this.targetFields();
    if (!existing) {
      if (!this.options.createTable) {
        throw new DatabricksError(`table ${this.tableName} does not exist and createTable is false`, { code: "DATABRICKS_SCHEMA", retryable: false, context: { table: this.tableName, option: "createTable" } });
      }
      // errorifexists must fail if another writer creates it first, so no IF NOT EXISTS there.
      const ifNotExists = mode !== "errorifexists";
      await conn.execute(createTableSql({ table: target, fields: wanted, ifNotExists, ...(this.options.tableProperties ? { properties: this.options.tableProperties } : {}) }), { idempotent: ifNotExists });
      this.ctx.logger.info("created Delta table", { table: this.tableName, columns: wanted.length });
      return { skip: false };
    }
    if (mode === "errorifexists") {
      throw new DatabricksError(`table ${this.tableName} already exists (save mode errorifexists); use append, overwrite or ignore`, { code: "DATABRICKS_TABLE_EXISTS", retryable: false, context: { table: this.tableName } });
    }
    if (mode === "ignore") return { skip: true };
    const missing: StructField[] = [];
    for (const f of wanted) {
      const col = existing.get(f.name.toLowerCase());
      if (!col) {
        missing.push(f);
        continue;
      }
      const tableType = parseDatabricksType(col.type, col.name);
      if (!compatibleType(tableType, f.dataType)) {
        throw new DatabricksError(
          `column ${JSON.stringify(f.name)} is ${col.type.toUpperCase()} in ${this.tableName} but the data has ${sqlType(f.dataType)}; the sink never retypes a column (cast the data or write to a new table)`,
          { code: "DATABRICKS_SCHEMA", retryable: false, context: { table: this.tableName, field: f.name } },
        );
      }
    }
    if (missing.length > 0) {
      if (!this.options.schemaEvolution) {
        throw new DatabricksError(
          `${this.tableName} has no column${missing.length > 1 ? "s" : ""} ${missing.map((f) => JSON.stringify(f.name)).join(", ")}; set schemaEvolution=true to add ${missing.length > 1 ? "them" : "it"} (ALTER TABLE ADD COLUMNS)`,
          { code: "DATABRICKS_SCHEMA", retryable: false, context: { table: this.tableName, field: missing[0]!.name, option: "schemaEvolution" } },
        );
      }
      await conn.execute(addColumnsSql(target, missing));
      this.ctx.logger.info("added columns to Delta table", { table: this.tableName, columns: missing.map((f) => f.name) });
    }
    return { skip: false };
  }

  stageName(epochId: number | undefined, partitionId: number): TableName {
    const { target } = this.options;
    const name = `__mm_stage_${this.runId}${epochId === undefined ? "" : `_e${epochId}`}_p${partitionId}`;
    return { ...(target.catalog ? { catalog: target.catalog } : {}), ...(target.schema ? { schema: target.schema } : {}), table: name };
  }

  stagingSchema(): StructType {
    return new StructType([...this.deltaSchema.fields.map((f) => new StructField(f.name, f.dataType, true)), new StructField(SEQ_COLUMN, LongType, false)]);
  }

  /** The id stamped into `batchIdColumn`: the epoch zero-padded so ids sort like epochs (data skipping). */
  batchId(epochId: number | undefined): string {
    return epochId === undefined ? this.info.queryId : `${this.info.queryId}/${String(epochId).padStart(20, "0")}`;
  }

  /** The single statement that moves staged rows into the target. */
  applySql(stages: TableName[], epochId?: number): string {
    const spec: ApplySpec = {
      target: this.options.target,
      stages,
      columns: this.columns,
      metadata: {
        ingestedAt: this.options.ingestedAtColumn,
        ...(this.options.sourceValue !== undefined ? { source: this.options.sourceValue } : {}),
        ...(this.options.batchIdColumn !== undefined ? { batchId: { column: this.options.batchIdColumn, value: this.batchId(epochId) } } : {}),
      },
    };
    if (this.options.mergeKeys) {
      return mergeFromStagesSql({
        ...spec,
        keys: this.options.mergeKeys.map((k) => this.resolveColumn(k)),
        ...(this.options.deleteFlagColumn ? { deleteFlag: this.resolveColumn(this.options.deleteFlagColumn) } : {}),
      });
    }
    return this.info.mode === "overwrite" ? overwriteFromStagesSql(spec) : appendFromStagesSql(spec);
  }

  /** Applies the staged rows of all partitions (or, for an empty overwrite, empties the table). */
  async apply(messages: WriterCommitMessage[], epochId?: number): Promise<number> {
    const staged = (messages as StagedMessage[]).filter((m) => m.stage);
    const rows = staged.reduce((n, m) => n + m.rows, 0);
    const conn = await this.driver();
    if (staged.length === 0) {
      if (this.info.mode === "overwrite" && !this.options.mergeKeys) await conn.execute(`TRUNCATE TABLE ${quoteTableName(this.options.target)}`);
      return 0;
    }
    await conn.execute(this.applySql(staged.map((m) => m.stage!), epochId));
    this.ctx.metrics.add("rowsWritten", rows);
    return rows;
  }

  async dropStages(messages: WriterCommitMessage[]): Promise<void> {
    const conn = await this.driver();
    for (const m of messages as StagedMessage[]) {
      if (!m?.stage) continue;
      await conn.execute(dropTableSql(m.stage), { idempotent: true }).catch((err) => this.ctx.logger.warn("could not drop a staging table", { table: displayTableName(m.stage!), error: (err as Error).message }));
    }
  }

  /** Rows with a NULL merge key would never match on replay; refuse them. */
  checkKeys(batch: RowBatch): void {
    if (this.mergeKeyIndexes.length === 0) return;
    for (const row of batch) {
      for (const i of this.mergeKeyIndexes) {
        if (row[i] === null || row[i] === undefined) {
          throw new MalformedRecordError(`merge key column ${JSON.stringify(this.columns[i])} is NULL; a row without its key cannot be upserted`, { field: this.columns[i]!, table: this.tableName });
        }
      }
    }
  }

  async close(): Promise<void> {
    const all = [this.driverConn, ...this.partitionConns.values()].filter((c): c is Promise<DatabricksConnection> => c !== undefined);
    this.driverConn = undefined;
    this.partitionConns.clear();
    await Promise.all(all.map(async (c) => (await c.catch(() => undefined))?.close()));
  }
}

/** Writes one partition's rows into its staging table. */
class StagingDataWriter implements DataWriter {
  private rows = 0;
  private created = false;
  constructor(
    private readonly core: DeltaWriteCore,
    private readonly partitionId: number,
    private readonly epochId: number | undefined,
    private readonly skip: boolean,
  ) {}

  private get stage(): TableName {
    return this.core.stageName(this.epochId, this.partitionId);
  }

  async write(batch: RowBatch): Promise<void> {
    if (this.skip || batch.length === 0) return;
    this.core.checkKeys(batch);
    const conn = await this.core.partition(this.partitionId);
    if (!this.created) {
      await conn.execute(createTableSql({ table: this.stage, fields: this.core.stagingSchema().fields, ifNotExists: true }), { idempotent: true });
      this.created = true;
    }
    const { maxStatementBytes, maxParameters } = this.core.options;
    // _mm_seq = partition * 2^40 + row: later rows (and later partitions) win the in-batch dedupe.
    const start = (BigInt(this.partitionId) << 40n) + BigInt(this.rows);
    for (const stmt of insertStatements(this.stage, this.core.deltaSchema, batch, this.core.strategy, { maxStatementBytes, maxParameters }, { start })) {
      // Not retried: an INSERT that reached the server before a network error would double rows.
      await conn.execute(stmt);
    }
    this.rows += batch.length;
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

/** A batch write: prepare the table, stage per partition, one apply statement at commit. */
export class DeltaBatchWrite implements BatchWrite {
  private constructor(
    private readonly core: DeltaWriteCore,
    private readonly prepared: PreparedWrite,
  ) {}

  static async create(options: WriteOptions, info: LogicalWriteInfo, ctx: ProviderContext, hooks: ConnectionHooks = {}): Promise<DeltaBatchWrite> {
    const core = new DeltaWriteCore(options, info, ctx, { logger: ctx.logger, ...hooks });
    try {
      return new DeltaBatchWrite(core, await core.prepare());
    } catch (err) {
      await core.close();
      throw err;
    }
  }

  createWriter(partitionId: number): DataWriter {
    return new StagingDataWriter(this.core, partitionId, undefined, this.prepared.skip);
  }

  async commit(messages: WriterCommitMessage[]): Promise<void> {
    try {
      if (this.prepared.skip) return;
      const rows = await this.core.apply(messages);
      this.core.ctx.logger.info("Delta write committed", { table: this.core.tableName, rows, mode: this.core.options.mergeKeys ? "merge" : this.core.info.mode });
      await this.core.dropStages(messages);
    } finally {
      await this.core.close();
    }
  }

  async abort(messages: WriterCommitMessage[]): Promise<void> {
    try {
      await this.core.dropStages(messages);
    } finally {
      await this.core.close();
    }
  }
}

/**
 * A streaming sink. Each epoch is staged like a batch write, then committed as:
 *   1. SELECT from the commits table: `(queryId, epochId, table)` present → drop stages, done;
 *   2. the one apply statement (INSERT ... SELECT or MERGE) — one Delta commit;
 *   3. INSERT the `(queryId, epochId, table)` record.
 * A replay of an epoch that reached step 3 is skipped. A crash between 2 and 3 replays step 2:
 * harmless for MERGE (upserts/deletes of the same rows give the same table) and for complete
 * mode (INSERT OVERWRITE); a plain append would be applied twice, unless `batchIdColumn` is set:
 * then the append is guarded by NOT EXISTS on the epoch's id in the same statement.
 */
export class DeltaStreamingWrite implements StreamingWrite {
  private prepared: Promise<PreparedWrite> | undefined;
  private commitsReady: Promise<void> | undefined;
  private readonly committed = new Map<number, Promise<boolean>>();

  constructor(
    private readonly core: DeltaWriteCore,
  ) {
    const { options, info, ctx } = core;
    if (!options.mergeKeys && options.batchIdColumn === undefined && info.mode !== "overwrite") {
      // Logged once, when the query's sink is built (not per epoch).
      ctx.logger.warn("streaming append is at-least-once: a crash between an epoch's apply and its commit record appends that epoch twice on replay; set batchIdColumn (or mergeKeys) for exactly-once", {
        table: core.tableName,
        queryId: info.queryId,
        option: "batchIdColumn",
      });
    }
  }

  static create(options: WriteOptions, info: LogicalWriteInfo, ctx: ProviderContext, hooks: ConnectionHooks = {}): DeltaStreamingWrite {
    return new DeltaStreamingWrite(new DeltaWriteCore(options, info, ctx, { logger: ctx.logger, ...hooks }));
  }

  private prepare(): Promise<PreparedWrite> {
    // A streaming sink appends (or merges) into the table whatever the first epoch found.
    this.prepared ??= this.core.prepare();
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

  async createWriter(partitionId: number, epochId: number): Promise<DataWriter> {
    const prepared = await this.prepare();
    // A replayed epoch is recognised before any row is staged, so it costs one SELECT.
    let done = this.committed.get(epochId);
    if (!done) {
      done = this.isCommitted(epochId);
      this.committed.set(epochId, done);
    }
    return new StagingDataWriter(this.core, partitionId, epochId, prepared.skip || (await done));
  }

  async commit(epochId: number, messages: WriterCommitMessage[]): Promise<void> {
    this.committed.delete(epochId);
    const prepared = await this.prepare();
    if (prepared.skip) return;
    if (await this.isCommitted(epochId)) {
      this.core.ctx.logger.info("epoch already committed; skipped", { table: this.core.tableName, queryId: this.core.info.queryId, epochId });
      this.core.ctx.metrics.add("epochsSkipped");
      await this.core.dropStages(messages);
      return;
    }
    const rows = await this.core.apply(messages, epochId);
    const conn = await this.core.driver();
    // Retrying the record is safe: a duplicate record changes nothing (the check is "any row").
    await conn.execute(recordEpochSql(this.core.options.commitsTable, this.core.info.queryId, epochId, this.core.tableName), { idempotent: true });
    this.core.ctx.logger.info("epoch committed", { table: this.core.tableName, epochId, rows });
    await this.core.dropStages(messages);
  }

  async abort(_epochId: number, messages: WriterCommitMessage[]): Promise<void> {
    await this.core.dropStages(messages);
  }

  async close(): Promise<void> {
    await this.core.close();
  }
}
