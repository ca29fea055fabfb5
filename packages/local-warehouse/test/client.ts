/**
 * How a client reaches the local warehouse with the real driver: the connect options from
 * `connectOptionsFor`, telemetry off, and TLS off. DBSQLClient hard-codes `https: true` in a method
 * its typings mark private, so the instance's `getConnectionOptions` is wrapped to add `https: false`.
 */
import { DBSQLClient, DBSQLLogger, LogLevel } from "@databricks/sql";
import { afterAll, beforeAll } from "vitest";
import { connectOptionsFor, startLocalWarehouse, type LocalWarehouse, type LocalWarehouseOptions } from "../src/index.js";

export interface ClientChoices {
  /** The bearer token. Default: the warehouse's. */
  token?: string;
  /** Ask for Arrow results, as the driver does by default. Default: true. */
  arrow?: boolean;
  /** With Arrow, ask for native timestamps, decimals and nested types (the driver's default). Default: true. */
  nativeTypes?: boolean;
  /** BIGINT as bigint and DECIMAL as exact text (the driver's `preserveBigNumericPrecision`). Default: false. */
  exactNumbers?: boolean;
}

export async function connectClient(warehouse: LocalWarehouse, choices: ClientChoices | string = {}): Promise<DBSQLClient> {
  const c = typeof choices === "string" ? { token: choices } : choices;
  const token = c.token ?? warehouse.token;
  const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  // The driver has no public switch for these; its config object is what every request reads.
  const config = client.getConfig() as { arrowEnabled?: boolean; useArrowNativeTypes?: boolean };
  config.arrowEnabled = c.arrow ?? true;
  config.useArrowNativeTypes = c.nativeTypes ?? true;
  const patchable = client as unknown as { getConnectionOptions(o: unknown): Record<string, unknown> };
  const original = patchable.getConnectionOptions.bind(client);
  patchable.getConnectionOptions = (o) => ({ ...original(o), https: false });
  await client.connect({
    ...connectOptionsFor(warehouse),
    token,
    telemetryEnabled: false,
    ...(c.exactNumbers ? { preserveBigNumericPrecision: true } : {}),
  });
  return client;
}

export type Session = Awaited<ReturnType<DBSQLClient["openSession"]>>;

/** What a suite shares: filled in by `useWarehouseSession`'s beforeAll, before the first test. */
export interface WarehouseSession {
  warehouse: LocalWarehouse;
  client: DBSQLClient;
  /** Not opened (undefined) when the suite asked for `session: false`. */
  session: Session;
}

export interface WarehouseSessionOptions {
  /**
   * startLocalWarehouse options beyond `port: 0`; a function when they depend on something an earlier
   * beforeAll makes (a temporary directory for `database`).
   */
  warehouse?: LocalWarehouseOptions | (() => LocalWarehouseOptions);
  /** Driver choices for `connectClient`, or a function that makes the client (e.g. the unpatched driver over TLS). */
  client?: ClientChoices | ((warehouse: LocalWarehouse) => Promise<DBSQLClient>);
  /** The OpenSession request, or false for suites that open (and count) their own sessions. */
  session?: Parameters<DBSQLClient["openSession"]>[0] | false;
  /** Runs once the session is open: the suite's shared schemas, tables and volumes. */
  setup?: (ws: WarehouseSession) => Promise<void>;
}

/**
 * Registers the suite's beforeAll/afterAll: a warehouse on a free port, a driver client and a session,
 * closed in reverse order. Call it at the top of a file or inside a describe; read the returned
 * object's fields inside tests and hooks (they are unset until the suite starts).
 */
export function useWarehouseSession(options: WarehouseSessionOptions = {}): WarehouseSession {
  const ws = {} as WarehouseSession;
  beforeAll(async () => {
    const extra = typeof options.warehouse === "function" ? options.warehouse() : options.warehouse;
    ws.warehouse = await startLocalWarehouse({ port: 0, ...extra });
    ws.client = typeof options.client === "function" ? await options.client(ws.warehouse) : await connectClient(ws.warehouse, options.client);
    if (options.session !== false) ws.session = await ws.client.openSession(options.session);
    await options.setup?.(ws);
  });
  afterAll(async () => {
    await ws.session?.close();
    await ws.client?.close();
    await ws.warehouse?.close();
  });
  return ws;
}

/** Runs one statement and returns its rows. */
export async function sql(
  session: Session,
  statement: string,
  namedParameters?: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const op = await session.executeStatement(statement, namedParameters ? { namedParameters: namedParameters as never } : {});
  try {
    return (await op.fetchAll()) as Record<string, unknown>[];
  } finally {
    await op.close();
  }
}

/** The error a statement fails with (the test fails if it succeeds). */
export async function sqlError(session: Session, statement: string): Promise<{ message: string; sqlState?: string }> {
  try {
    await sql(session, statement);
  } catch (error) {
    const e = error as { message: string; response?: { sqlState?: string } };
    return { message: e.message, sqlState: e.response?.sqlState };
  }
  throw new Error(`expected failure: ${statement}`);
}
