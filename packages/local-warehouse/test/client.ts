/**
 * How a client reaches the local warehouse with the real driver: the connect options from
 * `connectOptionsFor`, telemetry off, and TLS off. DBSQLClient hard-codes `https: true` in a method
 * its typings mark private, so the instance's `getConnectionOptions` is wrapped to add `https: false`.
 */
import { DBSQLClient } from "@databricks/sql";
import { connectOptionsFor, type LocalWarehouse } from "../src/index.js";

export async function connectClient(warehouse: LocalWarehouse, token = warehouse.token): Promise<DBSQLClient> {
  const client = new DBSQLClient();
  const patchable = client as unknown as { getConnectionOptions(o: unknown): Record<string, unknown> };
  const original = patchable.getConnectionOptions.bind(client);
  patchable.getConnectionOptions = (o) => ({ ...original(o), https: false });
  await client.connect({ ...connectOptionsFor(warehouse), token, telemetryEnabled: false });
  return client;
}
