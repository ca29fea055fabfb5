/**
 * One connection to a Databricks SQL warehouse: a `DBSQLClient` and one session, reused for
 * every statement of a writer or reader and closed once. Every driver failure comes out as a
 * {@link DatabricksError} naming the statement kind; idempotent statements may be retried
 * through core's `withRetry` (the caller says which ones are idempotent).
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { DBSQLClient, DBSQLParameter, DBSQLParameterType, LogLevel } from "@databricks/sql";
import { silentLogger, withRetry, type Logger, type RetryPolicy } from "@macrometa-spark/core";
import { DatabricksError, isSessionLost, statementKind, wrapDriverError } from "./errors.js";
import type { ConnectionOptions } from "./options.js";

/** A named parameter: a value and, when the value is text, the Databricks type it binds as. */
export interface SqlParameter {
  value: string | boolean | number | bigint | null;
  /** `BIGINT`, `DECIMAL`, `TIMESTAMP`...; default: inferred by the driver from the JS value. */
  type?: string;
}

export interface Statement {
  sql: string;
  params?: Record<string, SqlParameter>;
}

export interface ExecuteOptions {
  /**
   * The statement may be repeated safely (DDL with IF NOT EXISTS, SELECT, DROP IF EXISTS):
   * transient failures are retried with backoff. Default: false (run once).
   */
  idempotent?: boolean;
}

/** Column name and Databricks type name of a result set. */
export interface ResultColumn {
  name: string;
  /** Lower-case type name from the result metadata (`bigint`, `decimal(10,2)`, `array`...). */
  typeName: string;
}

type DriverSession = Awaited<ReturnType<DBSQLClient["openSession"]>>;
type DriverOperation = Awaited<ReturnType<DriverSession["executeStatement"]>>;

const TYPE_NAMES: Record<number, string> = {
  0: "boolean",
  1: "tinyint",
  2: "smallint",
  3: "int",
  4: "bigint",
  5: "float",
  6: "double",
  7: "string",
  8: "timestamp",
  9: "binary",
  10: "array",
  11: "map",
  12: "struct",
  15: "decimal",
  16: "void",
  17: "date",
  18: "string",
  19: "string",
};

export interface ConnectionHooks {
  logger?: Logger;
  /** Retry policy for idempotent statements. Default: core's default policy. */
  retryPolicy?: Partial<RetryPolicy>;
}

/** The PEM of `caCertFile`, read at each connect so a rewritten file (a restarted local warehouse) is picked up. */
export async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new DatabricksError(`cannot read the CA file ${path} (option caCertFile): ${(err as Error).message}`, { code: "DATABRICKS_DRIVER", retryable: false, cause: err });
  }
}

export class DatabricksConnection {
  private closed = false;
  /** Set when the server forgot our session (a restart) or the connection broke: reopen before the next statement. */
  private lost = false;
  private constructor(
    private client: DBSQLClient,
    private session: DriverSession,
    private readonly options: ConnectionOptions,
    private readonly logger: Logger,
    private readonly retryPolicy: Partial<RetryPolicy> | undefined,
  ) {}

  /** Secrets to scrub from any message, whatever a server echoes back. */
  static secretsOf(o: ConnectionOptions): string[] {
    return [o.token, o.clientSecret].filter((s): s is string => typeof s === "string" && s.length > 0);
  }

  /** Connects and opens one session (initial catalog/schema from the options). */
  static async open(options: ConnectionOptions, hooks: ConnectionHooks = {}): Promise<DatabricksConnection> {
    const logger = hooks.logger ?? silentLogger;
    const { client, session } = await DatabricksConnection.connect(options, logger);
    return new DatabricksConnection(client, session, options, logger, hooks.retryPolicy);
  }

  private static async connect(options: ConnectionOptions, logger: Logger): Promise<{ client: DBSQLClient; session: DriverSession }> {
    const secrets = DatabricksConnection.secretsOf(options);
    const client = new DBSQLClient({
      logger: {
        // The driver's own log lines go to our logger at debug level, scrubbed like our errors.
        log: (level: LogLevel, message: string) => {
          if (level === LogLevel.error || level === LogLevel.warn) logger.debug(`@databricks/sql ${level}: ${wrapDriverError(new Error(message), undefined, {}, secrets).message}`);
        },
      },
    });
    // The client is an EventEmitter: an unhandled 'error' event would crash the process.
    client.on("error", (err: unknown) => logger.warn("Databricks client error", { error: wrapDriverError(err, undefined, {}, secrets).message }));
    if (!options.useTls) {
      // The driver hard-codes https in a method its typings mark private. useTls=false (allowed
      // only for localhost, see options.ts) swaps in plain HTTP for a local endpoint.
      const c = client as unknown as { getConnectionOptions: (o: unknown) => Record<string, unknown> };
      const original = c.getConnectionOptions.bind(client);
      c.getConnectionOptions = (o: unknown) => ({ ...original(o), https: false });
    }
    const tls = options.caCertFile !== undefined ? { customCaCert: await readCaFile(options.caCertFile) } : {};
    const auth = options.token !== undefined
      ? { token: options.token }
      : { authType: "databricks-oauth" as const, oauthClientId: options.clientId!, oauthClientSecret: options.clientSecret! };
    try {
      await client.connect({
        host: options.host,
        path: options.httpPath,
        port: options.port,
        // No out-of-band telemetry or feature-flag calls from a data pipeline.
        telemetryEnabled: false,
        // BIGINT as bigint and DECIMAL as exact text: never a silently rounded number.
        preserveBigNumericPrecision: true,
        // The driver would resend any request after a connection error, ExecuteStatement included,
        // so a plain INSERT whose reply was lost would run twice. Retries are ours instead: only
        // for statements the caller marks idempotent (see run()).
        retryMaxAttempts: 1,
        ...tls,
        ...auth,
      });
      const session = await client.openSession({
        ...(options.catalog ? { initialCatalog: options.catalog } : {}),
        ...(options.schema ? { initialSchema: options.schema } : {}),
      });
      logger.debug("Databricks session opened", { host: options.host, httpPath: options.httpPath });
      return { client, session };
    } catch (err) {
      await client.close().catch(() => undefined);
      throw wrapDriverError(err, "OPEN SESSION", { host: options.host }, secrets);
    }
  }

  /** The live session, reopened first when the last statement found it gone. */
  private async liveSession(): Promise<DriverSession> {
    if (!this.lost) return this.session;
    const old = this.client;
    const { client, session } = await DatabricksConnection.connect(this.options, this.logger);
    this.client = client;
    this.session = session;
    this.lost = false;
    this.logger.warn("reopened the Databricks session", { host: this.options.host });
    await old.close().catch(() => undefined);
    return session;
  }

  private secrets(): string[] {
    return DatabricksConnection.secretsOf(this.options);
  }

  private params(p: Record<string, SqlParameter> | undefined): Record<string, DBSQLParameter> | undefined {
    if (!p) return undefined;
    const out: Record<string, DBSQLParameter> = {};
    for (const [name, { value, type }] of Object.entries(p)) {
      out[name] = value === null ? new DBSQLParameter({ type: DBSQLParameterType.VOID, value: null }) : new DBSQLParameter({ value, ...(type ? { type: type as DBSQLParameterType } : {}) });
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new DatabricksError("the Databricks connection is closed", { code: "DATABRICKS_DRIVER", retryable: false });
  }

  /** The driver options every statement carries: its named parameters and the statement timeout. */
  private executeOptions(stmt: Statement) {
    const namedParameters = this.params(stmt.params);
    return {
      ...(namedParameters ? { namedParameters } : {}),
      ...(this.options.queryTimeoutMs > 0 ? { queryTimeout: Math.ceil(this.options.queryTimeoutMs / 1000) } : {}),
    };
  }

  private async run<T>(stmt: Statement, opts: ExecuteOptions, body: (op: DriverOperation) => Promise<T>): Promise<T> {
    this.assertOpen();
    const kind = statementKind(stmt.sql);
    const once = async (): Promise<T> => {
      let op: DriverOperation | undefined;
      try {
        const session = await this.liveSession();
        op = await session.executeStatement(stmt.sql, this.executeOptions(stmt));
        return await body(op);
      } catch (err) {
        const wrapped = wrapDriverError(err, kind, {}, this.secrets());
        if (isSessionLost(wrapped)) this.lost = true;
        throw wrapped;
      } finally {
        await op?.close().catch(() => undefined);
      }
    };
    if (!opts.idempotent) return once();
    return withRetry(once, {
      ...(this.retryPolicy ? { policy: this.retryPolicy } : {}),
      onRetry: (err, attempt, delayMs) => this.logger.warn(`retrying ${kind} statement`, { attempt, delayMs, error: (err as Error).message }),
    });
  }

  /** Runs a statement that returns no rows (DDL, INSERT, MERGE); waits for it to finish. */
  async execute(stmt: Statement | string, opts: ExecuteOptions = {}): Promise<void> {
    const s = typeof stmt === "string" ? { sql: stmt } : stmt;
    await this.run(s, opts, async (op) => {
      // Without a result set the driver does not poll; finished() surfaces the server's error.
      await op.finished();
    });
  }

  /** Runs a query and returns all its rows as objects (for small results: DESCRIBE, checks). */
  async query(stmt: Statement | string, opts: ExecuteOptions = {}): Promise<Record<string, unknown>[]> {
    const s = typeof stmt === "string" ? { sql: stmt } : stmt;
    return this.run(s, opts, async (op) => (await op.fetchAll()) as Record<string, unknown>[]);
  }

  /**
   * Runs a query and yields its columns, then chunks of at most `fetchSize` rows; memory stays
   * bounded by one chunk. Breaking out of the loop closes the operation.
   */
  async *stream(stmt: Statement, fetchSize: number): AsyncGenerator<{ columns: ResultColumn[] } | { rows: Record<string, unknown>[] }> {
    this.assertOpen();
    const kind = statementKind(stmt.sql);
    let op: DriverOperation | undefined;
    try {
      op = await this.session.executeStatement(stmt.sql, { ...this.executeOptions(stmt), maxRows: fetchSize });
      const schema = await op.getSchema();
      const columns = [...(schema?.columns ?? [])]
        .sort((a, b) => a.position - b.position)
        .map((c) => {
          const entry = c.typeDesc.types[0]?.primitiveEntry;
          let typeName = TYPE_NAMES[entry?.type ?? 7] ?? "string";
          const q = entry?.typeQualifiers?.qualifiers;
          if (typeName === "decimal" && q) {
            const p = q["precision"]?.i32Value;
            const sc = q["scale"]?.i32Value;
            if (typeof p === "number") typeName = `decimal(${p},${typeof sc === "number" ? sc : 0})`;
          }
          return { name: c.columnName, typeName };
        });
      yield { columns };
      for (;;) {
        const rows = (await op.fetchChunk({ maxRows: fetchSize })) as Record<string, unknown>[];
        if (rows.length > 0) yield { rows };
        if (!(await op.hasMoreRows())) break;
      }
    } catch (err) {
      throw wrapDriverError(err, kind, {}, this.secrets());
    } finally {
      await op?.close().catch(() => undefined);
    }
  }

  /** Closes the session and the client; later calls fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.session.close();
    } catch (err) {
      this.logger.debug("closing the Databricks session failed", { error: wrapDriverError(err, "CLOSE SESSION", {}, this.secrets()).message });
    }
    await this.client.close().catch(() => undefined);
  }
}
