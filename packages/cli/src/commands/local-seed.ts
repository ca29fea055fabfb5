/**
 * What `mmspark local up --seed` puts into the local peers (the data every file in examples/ reads)
 * and what `--env-file` writes (the variables the examples' job specs reference).
 * @packageDocumentation
 */
import { writeFileSync } from "node:fs";
import type { DatabricksConnection } from "@macrometa-spark/databricks";
import { gdnClientFor } from "@macrometa-spark/macrometa-client";
import { secretVariable } from "../spec/references.js";

/** Interval of the live producer on the `clicks` stream. */
const PRODUCER_INTERVAL_MS = 1000;

/** The schema the examples write their Delta tables into (the sinks create it). */
export const EXAMPLES_SCHEMA = "examples";

export interface SeedHandle {
  /** Documents and messages written at start. */
  summary: string;
  /** Stops the live producer. */
  stop(): void;
}

const click = (id: number) => JSON.stringify({ id, user: `u${id % 4}`, page: `/p${id % 3}` });

/**
 * Collections `customers` (three matching documents and one that the inferred schema rejects) and
 * `orders` (with a change stream, for cdc-sync), and stream `clicks` with 25 messages plus one a
 * second from a live producer until `stop()`.
 */
export async function seedExamples(gdn: { regionUrl: string; apiKey: string }): Promise<SeedHandle> {
  const http = gdnClientFor({ origin: gdn.regionUrl, apiKey: gdn.apiKey });
  await http.createCollection("customers");
  await http.importDocuments("customers", [
    { _key: "1", name: "Ada", city: "London" },
    { _key: "2", name: "Grace", city: "New York" },
    { _key: "3", name: "Linus", city: "Helsinki" },
    { _key: "4", nickname: "odd one" },
  ]);
  await http.createCollection("orders", { stream: true });
  await http.importDocuments("orders", [1, 2, 3, 4, 5].map((i) => ({ _key: `o${i}`, amount: i * 10, status: "new" })));
  const topic = await http.createStream("clicks", false);
  let id = 0;
  while (id < 25) await http.publish(topic, click(++id), false);
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // One message at a time; a failed publish (peers shutting down) only ends the producer.
    inFlight = inFlight.then(() => (stopped ? undefined : http.publish(topic, click(++id), false))).catch(() => clearInterval(timer));
  }, PRODUCER_INTERVAL_MS);
  timer.unref();
  return {
    summary: "collections customers (4 documents) and orders (5, with a change stream); stream clicks (25 messages, then one a second)",
    stop() {
      stopped = true;
      clearInterval(timer);
      void inFlight.finally(() => http.close());
    },
  };
}

/** The Delta table reverse-sync.json follows: an aggregate with its change data feed on. */
export const REGION_TOTALS = `main.${EXAMPLES_SCHEMA}.region_totals`;

/**
 * `region_totals` (per-region order counts and revenue, as a Delta job would compute them) with
 * `delta.enableChangeDataFeed`: three regions inserted, then one refreshed, so its change feed holds
 * inserts and an update. Returns what it seeded, for the summary line.
 */
export async function seedDeltaExamples(conn: DatabricksConnection): Promise<string> {
  await conn.execute(`CREATE SCHEMA IF NOT EXISTS main.${EXAMPLES_SCHEMA}`, { idempotent: true });
  await conn.execute(`CREATE TABLE IF NOT EXISTS ${REGION_TOTALS} (_key STRING, orders BIGINT, revenue DOUBLE) TBLPROPERTIES (delta.enableChangeDataFeed = true)`, { idempotent: true });
  // With --data the table may be there from an earlier run: its history stays as it was.
  const [row] = await conn.query(`SELECT count(*) AS n FROM ${REGION_TOTALS}`);
  if (Number(row?.["n"] ?? 0) > 0) return `Delta table ${REGION_TOTALS} (kept from an earlier run)`;
  await conn.execute(`INSERT INTO ${REGION_TOTALS} VALUES ('emea', 12, 1830.5), ('amer', 20, 2410.0), ('apac', 7, 640.25)`);
  await conn.execute(`UPDATE ${REGION_TOTALS} SET orders = orders + 1, revenue = revenue + 99.5 WHERE _key = 'apac'`);
  return `Delta table ${REGION_TOTALS} (3 rows, change data feed on)`;
}

export interface LocalEndpoints {
  macrometa: { regionUrl: string; apiKey: string; fabric: string };
  databricks: { host: string; port: number; httpPath: string; token: string; useTls: boolean; stagingVolume: string; caCertFile?: string };
}

/** The variables examples and `mmspark sql` read, as a file for `source` (mode 0600: it holds keys). */
export function envFileText(e: LocalEndpoints): string {
  const vars: [string, string | number | boolean][] = [
    ["MM_REGION_URL", e.macrometa.regionUrl],
    ["MM_API_KEY", e.macrometa.apiKey],
    ["MM_FABRIC", e.macrometa.fabric],
    ["DATABRICKS_HOST", e.databricks.host],
    ["DATABRICKS_PORT", e.databricks.port],
    ["DATABRICKS_HTTP_PATH", e.databricks.httpPath],
    ["DATABRICKS_TOKEN", e.databricks.token],
    ["DATABRICKS_USE_TLS", e.databricks.useTls],
    ...(e.databricks.caCertFile !== undefined
      ? ([
          ["DATABRICKS_CA_CERT_FILE", e.databricks.caCertFile],
          // Node adds this file to its roots at start: job specs, scripts and the unpatched driver trust
          // the local warehouse without a CA option of their own.
          ["NODE_EXTRA_CA_CERTS", e.databricks.caCertFile],
        ] as [string, string][])
      : []),
    ["DATABRICKS_CATALOG", "main"],
    ["DATABRICKS_SCHEMA", EXAMPLES_SCHEMA],
    ["DATABRICKS_STAGING_VOLUME", e.databricks.stagingVolume],
    // What `{{secrets/macrometa/api-key}}` and `{{secrets/databricks/token}}` resolve to under `mmspark run`.
    [secretVariable("macrometa", "api-key"), e.macrometa.apiKey],
    [secretVariable("databricks", "token"), e.databricks.token],
  ];
  const quote = (v: string | number | boolean) => `'${String(v).replaceAll("'", `'\\''`)}'`;
  return `# written by mmspark local up; use with: source <this file>\n${vars.map(([k, v]) => `export ${k}=${quote(v)}`).join("\n")}\n`;
}

export function writeEnvFile(path: string, e: LocalEndpoints): void {
  writeFileSync(path, envFileText(e), { mode: 0o600 });
}
