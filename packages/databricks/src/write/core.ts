/**
 * What every Delta write shares, whichever way its rows travel: the options, the Delta schema, the
 * connections (one driver-side, one per partition writer), the save-mode handling that creates,
 * refuses or evolves the target before any row moves, and the ONE statement that applies a staged
 * write (sql-apply.ts). How rows get staged is a {@link WriteMethod}: Parquet files in a volume
 * (volume-method.ts) or INSERTs into staging tables (insert-method.ts).
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
  type DataType,
  type DataWriter,
  type RetryPolicy,
  type LogicalWriteInfo,
  type ProviderContext,
  type RowBatch,
  type WriterCommitMessage,
} from "@macrometa-spark/core";
import { DatabricksConnection, type ConnectionHooks } from "../client.js";
import { DatabricksError } from "../errors.js";
import { checkColumnName, displayTableName, quoteIdent, quoteTableName, type TableName } from "../identifiers.js";
import { checkWriteColumns, type WriteOptions } from "../options.js";
import { INGESTED_AT_COLUMN, SEQ_COLUMN, SOURCE_COLUMN, addColumnsSql, createTableSql, describeTableSql } from "../sql.js";
import { appendSql, copyIntoSql, mergeSql, overwriteSql, type ApplySpec, type StagedSource } from "../sql-apply.js";
import { parseDatabricksType, sqlType, toDeltaSchema } from "../sql-types.js";

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
  if (table.kind === "array" && data.kind === "array") return compatibleType(table.elementType, data.elementType);
  if (table.kind === "map" && data.kind === "map") return compatibleType(table.keyType, data.keyType) && compatibleType(table.valueType, data.valueType);
  return false;
}

export interface PreparedWrite {
  /** `ignore` on an existing table: accept and drop every row. */
  skip: boolean;
  /** prepare() created the table (an abort leaves it, empty). */
  created?: boolean;
  /** Columns prepare() added (schemaEvolution; an abort leaves them). */
  addedColumns?: string[];
}

/** What a partition writer hands to the commit. */
export interface StagedMessage extends WriterCommitMessage {
  partitionId: number;
  rows: number;
  /** The staging table (insert method). */
  stage?: TableName;
  /** The staged files' names in the epoch's or run's folder (volume method). */
  files?: string[];
}

/** How a write stages its rows before the one apply statement. */
export interface WriteMethod {
  readonly name: "volume" | "insert";
  /** Before the first writer of a query: remove what earlier runs of it left behind. */
  start(): Promise<void>;
  createWriter(partitionId: number, epochId: number | undefined, skip: boolean): DataWriter;
  /** Where the staged rows of these messages are; undefined when nothing was staged. */
  source(messages: StagedMessage[], epochId: number | undefined): StagedSource | undefined;
  /** After the apply (or on abort): remove the staged rows. Never fails the write. */
  cleanup(messages: StagedMessage[], epochId: number | undefined): Promise<void>;
  close(): Promise<void>;
}

/**
 * The retry policy of statements and calls that are safe to repeat: backoff capped at 5 s, for as
 * long as `retryBudgetMs` allows, so a warehouse restart is outlasted.
 */
export function budgetPolicy(retryBudgetMs: number): Partial<RetryPolicy> {
  return { maxAttempts: Number.MAX_SAFE_INTEGER, initialDelayMs: 200, maxDelayMs: 5000, maxElapsedMs: retryBudgetMs };
}

/** State shared by the batch and streaming writes of one DataFrame write. */
export class DeltaWriteCore {
  /** The data's Delta schema; widened by {@link evolve} when a streaming query's schema evolves. */
  deltaSchema: StructType;
  columns: string[];
  readonly runId = randomBytes(6).toString("hex");
  readonly strategy: "parameters" | "literals";
  private driverConn: Promise<DatabricksConnection> | undefined;
  private readonly partitionConns = new Map<number, Promise<DatabricksConnection>>();
  private mergeKeyIndexes: number[] = [];
  /** Types of the target's existing columns (lower-case names), known after prepare(). */
  private readonly tableTypes = new Map<string, DataType>();

  constructor(
    readonly options: WriteOptions,
    readonly info: LogicalWriteInfo,
    readonly ctx: ProviderContext,
    readonly hooks: ConnectionHooks,
  ) {
    this.deltaSchema = toDeltaSchema(info.schema, options.columnNameMode);
    this.columns = this.deltaSchema.fieldNames;
    this.checkColumns();
    this.strategy = options.insertStrategy === "auto" ? AUTO_INSERT_STRATEGY : options.insertStrategy;
  }

  /** The data's columns against the options: merge keys, delete flag, and the columns the sink writes itself. */
  private checkColumns(): void {
    const options = this.options;
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

  /** Hooks of every connection: the logger, and retries over the whole retry budget. */
  private connectionHooks(): ConnectionHooks {
    return { retryPolicy: budgetPolicy(this.options.retryBudgetMs), ...this.hooks };
  }

  driver(): Promise<DatabricksConnection> {
    this.driverConn ??= DatabricksConnection.open(this.options.connection, this.connectionHooks());
    return this.driverConn;
  }

  /** CREATE SCHEMA IF NOT EXISTS for the target's schema from a session without a default schema; false when that fails too. */
  private async createSchema(target: TableName): Promise<boolean> {
    const schema = [target.catalog, target.schema].filter((p): p is string => p !== undefined).map(quoteIdent).join(".");
    try {
      const admin = await DatabricksConnection.open({ ...this.options.connection, schema: undefined }, this.connectionHooks());
      try {
        await admin.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`, { idempotent: true });
      } finally {
        await admin.close();
      }
      this.ctx.logger.info("created schema", { schema: [target.catalog, target.schema].filter(Boolean).join(".") });
      return true;
    } catch {
      return false; // the caller reports the original failure
    }
  }

  /** One client + session per partition writer, reused across epochs, closed by close(). */
  partition(id: number): Promise<DatabricksConnection> {
    let c = this.partitionConns.get(id);
    if (!c) {
      c = DatabricksConnection.open(this.options.connection, this.connectionHooks());
      this.partitionConns.set(id, c);
    }
    return c;
  }

  /**
   * Applies the save mode to the target: create it, refuse it, or check (and with
   * schemaEvolution, extend) its columns. Runs once, before any row moves.
   */
  async prepare(): Promise<PreparedWrite> {
    const { target } = this.options;
    const conn = await this.driver().catch(async (err: unknown) => {
      // A session whose default schema does not exist cannot open. With createTable, the first
      // write into a new schema creates it (a missing catalog still fails: that is an admin's call).
      this.driverConn = undefined;
      if (!this.options.createTable || target.schema === undefined || !(await this.createSchema(target))) throw err;
      return this.driver();
    });
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
      return { skip: false, created: true };
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
      this.tableTypes.set(f.name.toLowerCase(), tableType);
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
      return { skip: false, addedColumns: missing.map((f) => f.name) };
    }
    return { skip: false };
  }

  /**
   * The staged rows' type: the data columns, each with the target column's type where the table
   * already has it (so a file never asks the load to cast, e.g. INT data into a BIGINT column),
   * plus {@link SEQ_COLUMN}. Known after prepare().
   */
  stagedRowType(): StructType {
    const fields = this.deltaSchema.fields.map((f) => new StructField(f.name, this.tableTypes.get(f.name.toLowerCase()) ?? f.dataType, true));
    return new StructType([...fields, new StructField(SEQ_COLUMN, LongType, false)]);
  }

  /** The id stamped into `batchIdColumn`: the epoch zero-padded so ids sort like epochs (data skipping). */
  batchId(epochId: number | undefined): string {
    return epochId === undefined ? this.info.queryId : `${this.info.queryId}/${String(epochId).padStart(20, "0")}`;
  }

  /**
   * The single statement that moves staged rows into the target, and whether it may be repeated
   * after a lost reply: everything but a plain append from staging tables (COPY INTO skips files it
   * loaded; MERGE and INSERT OVERWRITE give the same table twice; a batch-id guard skips a replay).
   */
  applyStatement(source: StagedSource, epochId?: number): { sql: string; idempotent: boolean } {
    const spec: ApplySpec = {
      target: this.options.target,
      source,
      columns: this.columns,
      metadata: {
        ingestedAt: this.options.ingestedAtColumn,
        ...(this.options.sourceValue !== undefined ? { source: this.options.sourceValue } : {}),
        ...(this.options.batchIdColumn !== undefined ? { batchId: { column: this.options.batchIdColumn, value: this.batchId(epochId) } } : {}),
      },
    };
    if (this.options.mergeKeys) {
      const sql = mergeSql({
        ...spec,
        keys: this.options.mergeKeys.map((k) => this.resolveColumn(k)),
        ...(this.options.deleteFlagColumn ? { deleteFlag: this.resolveColumn(this.options.deleteFlagColumn) } : {}),
      });
      return { sql, idempotent: true };
    }
    if (this.info.mode === "overwrite") return { sql: overwriteSql(spec), idempotent: true };
    if ("files" in source) return { sql: copyIntoSql({ ...spec, source }), idempotent: true };
    return { sql: appendSql(spec), idempotent: this.options.batchIdColumn !== undefined };
  }

  /** Applies the staged rows of all partitions (or, for an empty overwrite, empties the table). */
  async apply(method: WriteMethod, messages: StagedMessage[], epochId?: number): Promise<number> {
    const rows = messages.reduce((n, m) => n + (m?.rows ?? 0), 0);
    const conn = await this.driver();
    const source = method.source(messages, epochId);
    if (!source) {
      if (this.info.mode === "overwrite" && !this.options.mergeKeys) await conn.execute(`TRUNCATE TABLE ${quoteTableName(this.options.target)}`, { idempotent: true });
      return 0;
    }
    const { sql, idempotent } = this.applyStatement(source, epochId);
    await conn.execute(sql, { idempotent });
    this.ctx.metrics.add("rowsWritten", rows);
    return rows;
  }

  /**
   * Schema evolution of a streaming query: from now on the data has `schema` (the previous columns
   * with new ones appended). The target gets the columns it lacks with ALTER TABLE … ADD COLUMNS
   * before any row of the epoch is staged, whatever `schemaEvolution` says: the query's
   * `schemaEvolutionMode` asked for it. A replayed epoch finds the columns and adds nothing.
   * Call after prepare().
   */
  async evolve(schema: StructType): Promise<string[]> {
    const next = toDeltaSchema(schema, this.options.columnNameMode);
    const previous = { deltaSchema: this.deltaSchema, columns: this.columns };
    this.deltaSchema = next;
    this.columns = next.fieldNames;
    try {
      this.checkColumns();
    } catch (err) {
      Object.assign(this, previous);
      throw err;
    }
    const conn = await this.driver();
    const existing = (await describeColumns(conn, this.options.target)) ?? new Map<string, { name: string; type: string }>();
    const missing: StructField[] = [];
    for (const f of this.targetFields()) {
      const col = existing.get(f.name.toLowerCase());
      if (!col) missing.push(new StructField(f.name, f.dataType, true));
      else if (!this.tableTypes.has(f.name.toLowerCase())) this.tableTypes.set(f.name.toLowerCase(), parseDatabricksType(col.type, col.name));
    }
    if (missing.length > 0) {
      await conn.execute(addColumnsSql(this.options.target, missing));
      this.ctx.metrics.add("columnsAdded", missing.length);
      this.ctx.logger.info("added columns to Delta table (schema evolution)", { table: this.tableName, columns: missing.map((f) => `${f.name} ${sqlType(f.dataType)}`) });
    }
    return missing.map((f) => f.name);
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

