/**
 * How a client reaches the local warehouse with the real driver: the connect options from
 * `connectOptionsFor`, telemetry off, and TLS off. DBSQLClient hard-codes `https: true` in a method
 * its typings mark private, so the instance's `getConnectionOptions` is wrapped to add `https: false`.
 */
import { DBSQLClient, DBSQLLogger, LogLevel } from "@databricks/sql";
import { connectOptionsFor, type LocalWarehouse } from "../src/index.js";

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
