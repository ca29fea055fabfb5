/**
 * @packageDocumentation
 * A client session: its own DuckDB connection (so USE and transactions are per session, as on a
 * warehouse), the current catalog and schema, and the warehouse parameters set with SET.
 */
import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBValue } from "@duckdb/node-api";
import { fromDuckDbError, sqlError } from "../errors.js";
import type { ResultSource } from "./results.js";
import { executeStatement } from "../sql/statements.js";
import type { TSparkParameter } from "./thrift.js";
import { quoteIdent } from "../sql/tokenizer.js";
import { catalogDbName, DEFAULT_CATALOG, DEFAULT_SCHEMA, type Warehouse } from "../warehouse.js";

export class Session {
  catalog = DEFAULT_CATALOG;
  schema = DEFAULT_SCHEMA;
  /** Set by an explicit BEGIN; multi-step statements then run inside the client's transaction. */
  inTransaction = false;
  /** True while {@link atomically} holds a transaction of its own. */
  private ownTransaction = false;
  readonly settings = new Map<string, string>();
  /** Statements of one session run one after another, as DuckDB runs one statement per connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly warehouse: Warehouse,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(warehouse: Warehouse, catalog?: string | null, schema?: string | null): Promise<Session> {
    const session = new Session(warehouse, await warehouse.connect());
    try {
      await session.use(catalog || DEFAULT_CATALOG, schema || DEFAULT_SCHEMA);
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  execute(sql: string, parameters: readonly TSparkParameter[] | null | undefined): Promise<ResultSource> {
    return this.enqueue(() => this.executeNow(sql, parameters));
  }

  /** Runs a statement now; the caller holds this session's turn (see {@link enqueue}). */
  executeNow(sql: string, parameters: readonly TSparkParameter[] | null | undefined): Promise<ResultSource> {
    return executeStatement(this, sql, parameters);
  }

  /** Runs work after everything queued before it on this session's connection. */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the statement DuckDB is running on this session's connection (it fails with an interrupt). */
  interrupt(): void {
    this.conn.interrupt();
  }

  /** Switches the current namespace; fails (and changes nothing) if it does not exist. */
  async use(catalog: string, schema: string): Promise<void> {
    const c = catalog.toLowerCase();
    const s = schema.toLowerCase();
    if (!this.warehouse.hasCatalog(c))
      throw fromDuckDbError(new Error(`Catalog Error: Catalog ${c} does not exist`));
    const exists = await this.run("SELECT 1 FROM duckdb_schemas() WHERE database_name = $d AND schema_name = $s", { d: catalogDbName(c), s });
    // Databricks' own words (SCHEMA_NOT_FOUND), never DuckDB's internal database name.
    if ((await exists.getRows()).length === 0) throw sqlError("SCHEMA_NOT_FOUND", `The schema \`${c}\`.\`${s}\` cannot be found. Verify the spelling and correctness of the schema and catalog.`);
    await this.run(`USE ${quoteIdent(catalogDbName(c))}.${quoteIdent(s)}`);
    this.catalog = c;
    this.schema = s;
  }

  /** Runs DuckDB SQL, translating DuckDB's errors into Databricks error classes. */
  async run(sql: string, values?: Record<string, DuckDBValue>): Promise<DuckDBMaterializedResult> {
    try {
      return values && Object.keys(values).length > 0 ? await this.conn.run(sql, values) : await this.conn.run(sql);
    } catch (error) {
      throw fromDuckDbError(error);
    }
  }

  /** Runs steps atomically: in the client's transaction if one is open, else in one of our own. */
  async atomically<T>(work: () => Promise<T>): Promise<T> {
    // Nested steps (a versioned commit around a MERGE) join the transaction already open.
    if (this.inTransaction || this.ownTransaction) return work();
    await this.run("BEGIN TRANSACTION");
    this.ownTransaction = true;
    try {
      const result = await work();
      await this.run("COMMIT");
      return result;
    } catch (error) {
      await this.conn.run("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      this.ownTransaction = false;
    }
  }

  close(): void {
    this.conn.closeSync();
  }
}
