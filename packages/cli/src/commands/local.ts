/**
 * `mmspark local up`: starts the local GDN and the local Databricks SQL warehouse in this process
 * and prints the options that reach them, until Ctrl-C.
 * @packageDocumentation
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { CaseInsensitiveOptions } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse } from "@macrometa-spark/local-warehouse";
import { EXIT_OK, UsageError, parse, type Command } from "../usage.js";
import { seedDeltaExamples, seedExamples, writeEnvFile, type SeedHandle } from "./local-seed.js";

/** The volume `local up` creates for the sinks' staged files. */
const STAGING_VOLUME = "main.default.staging";

const HELP = `Usage: mmspark local up [options]

Starts local-gdn (Macrometa GDN: HTTP + stream WebSockets) and local-warehouse (a Databricks SQL
endpoint on DuckDB that the real @databricks/sql driver talks to), prints the options to reach
them, and runs until Ctrl-C. The warehouse serves HTTPS like a Databricks workspace, with a
certificate made at start and signed by a CA that exists only in this process; its certificate is
written to a file that clients trust (the driver's customCaCert, the databricks format's
caCertFile, NODE_EXTRA_CA_CERTS, a JDBC/ODBC trust store). The env file points at it.

  --gdn-port N        GDN port (default 8529; 0 picks a free port)
  --warehouse-port N  Warehouse port (default 8080; 0 picks a free port)
  --host H            Bind address (default 127.0.0.1)
  --data DIR          Persist GDN data and the DuckDB file under DIR (default: memory only)
  --ca-file FILE      Where to write the warehouse's CA certificate (default: DIR/warehouse-ca.pem
                      with --data, else a temporary file removed at exit)
  --plain-http        Serve the warehouse over plain HTTP instead of HTTPS (clients then need
                      useTls=false)
  --json              Print the connection options as JSON
  --seed              Fill the peers with the data examples/ reads: collections customers and
                      orders, stream clicks with a live producer (one message a second), and
                      the Delta table main.examples.region_totals (change data feed on)
  --env-file FILE     Write the variables examples/ and mmspark sql read (MM_*, DATABRICKS_*,
                      MMSPARK_SECRET_*) to FILE, for: source FILE

On Ctrl-C the producer stops and both servers close; with --data their data stays under DIR,
otherwise it is gone. The env file is left in place (its values are stale once the peers stop).
`;

function port(v: string | undefined, def: number): number {
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid port '${v}'`, HELP);
  return n;
}

export const localCommand: Command = {
  name: "local",
  summary: "start the local GDN and local Databricks warehouse (local up)",
  help: HELP,
  async run(argv, io, signal) {
    const { values, positionals } = parse(
      argv,
      { "gdn-port": { type: "string" }, "warehouse-port": { type: "string" }, host: { type: "string" }, data: { type: "string" }, json: { type: "boolean" }, seed: { type: "boolean" }, "env-file": { type: "string" }, "ca-file": { type: "string" }, "plain-http": { type: "boolean" } },
      HELP,
    );
    if (positionals[0] !== "up" || positionals.length !== 1) throw new UsageError("expected: mmspark local up", HELP);
    const host = values.host ?? "127.0.0.1";
    const tls = !values["plain-http"];
    if (!tls && values["ca-file"]) throw new UsageError("--ca-file has no use with --plain-http", HELP);
    if (values.data) mkdirSync(values.data, { recursive: true });
    const gdn = await startLocalGdn({ port: port(values["gdn-port"], 8529), host, ...(values.data ? { dataDir: join(values.data, "gdn") } : {}) });
    const wh = await startLocalWarehouse({
      port: port(values["warehouse-port"], 8080),
      host,
      tls,
      ...(values.data ? { database: join(values.data, "warehouse.duckdb") } : {}),
    });
    // The CA file: where the user asked, in the data folder, or in a temporary folder gone at exit.
    let scratch: string | undefined;
    let caCertFile: string | undefined;
    if (wh.caCertificate !== undefined) {
      if (!values["ca-file"] && !values.data) scratch = mkdtempSync(join(tmpdir(), "mmspark-local-"));
      caCertFile = resolvePath(values["ca-file"] ?? join(values.data ?? scratch!, "warehouse-ca.pem"));
      writeFileSync(caCertFile, wh.caCertificate);
    }
    const databricks = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: tls, ...(caCertFile !== undefined ? { caCertFile } : {}) };
    // A staging volume, so sinks use the volume method (Parquet files + one COPY INTO) out of the box.
    const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(databricks)));
    try {
      await admin.execute(`CREATE VOLUME IF NOT EXISTS ${STAGING_VOLUME}`, { idempotent: true });
    } finally {
      await admin.close();
    }
    const stagingVolume = `/Volumes/${STAGING_VOLUME.replaceAll(".", "/")}`;
    const info = {
      macrometa: { regionUrl: gdn.url, apiKey: gdn.apiKey, fabric: "_system", tenant: gdn.tenant },
      databricks: { ...databricks, stagingVolume },
    };
    let seeded: SeedHandle | undefined;
    let seededDelta = "";
    if (values.seed) {
      seeded = await seedExamples(info.macrometa);
      const conn = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions(databricks)));
      try {
        seededDelta = await seedDeltaExamples(conn);
      } finally {
        await conn.close();
      }
    }
    if (values["env-file"]) writeEnvFile(values["env-file"], info);
    if (values.json) io.out(JSON.stringify(info, null, 2) + "\n");
    else {
      io.out(`local GDN        ${gdn.url}   (ws ${gdn.wsUrl})\n`);
      io.out(`  options: regionUrl=${gdn.url} apiKey=${gdn.apiKey} fabric=_system\n`);
      io.out(`local warehouse  ${wh.url}\n`);
      io.out(`  options: host=${wh.host} port=${wh.port} httpPath=${wh.path} token=${wh.token} useTls=${tls}${caCertFile !== undefined ? ` caCertFile=${caCertFile}` : ""}\n`);
      if (caCertFile !== undefined) io.out(`  CA certificate: ${caCertFile}  (trust it: driver option customCaCert, NODE_EXTRA_CA_CERTS, or a JDBC/ODBC trust store)\n`);
      io.out(`  sink option: stagingVolume=${stagingVolume}  (Parquet staging for writes; without it writes use SQL INSERTs)\n`);
      if (seeded) io.out(`seeded: ${seeded.summary}; ${seededDelta}\n`);
      if (values["env-file"]) io.out(`env file: ${values["env-file"]}  (source it, then e.g. mmspark run examples/jobs/collection-to-delta.json)\n`);
      io.out(`Ctrl-C stops ${seeded ? "the producer and " : ""}both servers${values.data ? ` (data stays in ${values.data})` : " (their data is in memory and is lost)"}.\n`);
    }
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    io.err(`stopping ${seeded ? "the producer and " : ""}both servers${values.data ? ` (data stays in ${values.data})` : ""}\n`);
    seeded?.stop();
    await Promise.allSettled([gdn.close(), wh.close()]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    io.err("stopped\n");
    return EXIT_OK;
  },
};
