#!/usr/bin/env node
/**
 * @packageDocumentation
 * `local-warehouse --port 8080 --db FILE [--token T] [--host H] [--warehouse-id ID] [--tls --ca-file F]`:
 * serves a local Databricks SQL warehouse until interrupted and prints how to connect to it.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connectOptionsFor, startLocalWarehouse } from "./wire/server.js";

const USAGE = "usage: local-warehouse [--port 8080] [--host 127.0.0.1] [--db FILE|:memory:] [--token T] [--warehouse-id ID] [--tls [--ca-file FILE]]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string", default: ":memory:" },
      token: { type: "string" },
      "warehouse-id": { type: "string", default: "local" },
      tls: { type: "boolean", default: false },
      "ca-file": { type: "string", default: "local-warehouse-ca.pem" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a TCP port, got '${values.port}'`);
  const given = values.token ?? process.env.LOCAL_WAREHOUSE_TOKEN;
  const warehouse = await startLocalWarehouse({
    port,
    host: values.host,
    database: values.db,
    warehouseId: values["warehouse-id"],
    tls: values.tls,
    ...(given ? { token: given } : {}),
  });
  const options = connectOptionsFor(warehouse);
  // A token the user chose is not echoed; a generated one is printed once, as it can be learned no other way.
  const shown = given ? "<the token you gave>" : options.token;
  console.log(`local-warehouse listening on ${warehouse.url} (database ${values.db})`);
  if (values.db !== ":memory:") console.log(`Unity Catalog volume files are kept in ${values.db}.volumes/`);
  if (warehouse.caCertificate !== undefined) {
    writeFileSync(values["ca-file"], warehouse.caCertificate);
    const { customCaCert: _, ...shownOptions } = options;
    console.log(JSON.stringify({ ...shownOptions, token: shown }, null, 2));
    console.log(`Connect with @databricks/sql: DBSQLClient.connect({ host, port, path, token, customCaCert }) with customCaCert the CA in ${values["ca-file"]}.`);
  } else {
    console.log(JSON.stringify({ ...options, token: shown, https: false }, null, 2));
    console.log("Connect with @databricks/sql: DBSQLClient.connect({ host, port, path, token }) with TLS off (https: false), or start with --tls; see the README.");
  }
  const stop = () => {
    void warehouse.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`local-warehouse: ${error instanceof Error ? error.message : String(error)}`);
  console.error(USAGE);
  process.exit(1);
});
