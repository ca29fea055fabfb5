/**
 * The real peers a sync, stream or job test runs against, set up once per file: local-gdn and
 * local-warehouse on free ports, a GDN HTTP client, an admin connection to the warehouse (with the
 * suite's schema and staging volume created), a temporary directory and, when asked, a SparkSession.
 * Shared by packages/cli/test and the repository's test/e2e.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaseInsensitiveOptions, createSession, type SessionOptions, type SparkSession } from "@macrometa-spark/core";
import { DatabricksConnection, parseConnectionOptions } from "@macrometa-spark/databricks";
import { startLocalGdn, type LocalGdn } from "@macrometa-spark/local-gdn";
import { startLocalWarehouse, type LocalWarehouse } from "@macrometa-spark/local-warehouse";
import { GdnHttpClient } from "@macrometa-spark/macrometa-client";
import { afterAll, beforeAll } from "vitest";

/** Filled in by `usePeers`' beforeAll, before the first test. */
export interface Peers {
  gdn: LocalGdn;
  wh: LocalWarehouse;
  /** A client of local-gdn with its API key, for seeding collections and streams. */
  http: GdnHttpClient;
  /** A connection to local-warehouse for creating and checking tables. */
  admin: DatabricksConnection;
  /** Databricks connection options for the suite's schema: plain HTTP, catalog `main`. */
  dbx: Record<string, string | number | boolean>;
  /** The temporary directory (checkpoints, job files); unset without `dir`. */
  dir: string;
  /** Unset without `session`. */
  session: SparkSession;
}

export interface PeerOptions {
  /** Created in catalog `main` if missing; the schema of `dbx`. */
  schema: string;
  /** A volume created in that schema if missing (staged writes). */
  volume?: string;
  /** Prefix of the temporary directory to make (and remove afterwards). */
  dir?: string;
  /** A SparkSession to create (stopped afterwards): true, or the session's options. */
  session?: boolean | SessionOptions;
}

/**
 * Registers the file's beforeAll/afterAll for its peers and returns the object they fill in. The
 * afterAll closes in reverse: session, admin, GDN client, local-gdn, local-warehouse, directory.
 * A file's own hooks registered after this call run after the setup and before the teardown.
 */
export function usePeers(options: PeerOptions): Peers {
  const p = {} as Peers;
  beforeAll(async () => {
    p.gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
    p.wh = await startLocalWarehouse({ port: 0 });
    p.http = new GdnHttpClient({ url: p.gdn.url, apiKey: p.gdn.apiKey });
    p.dbx = { host: p.wh.host, port: p.wh.port, httpPath: p.wh.path, token: p.wh.token, useTls: false, catalog: "main", schema: options.schema };
    p.admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...p.dbx, schema: undefined })));
    // The sinks create tables, not schemas or volumes.
    await p.admin.execute(`CREATE SCHEMA IF NOT EXISTS main.${options.schema}`);
    if (options.volume) await p.admin.execute(`CREATE VOLUME IF NOT EXISTS main.${options.schema}.${options.volume}`);
    if (options.dir) p.dir = await mkdtemp(join(tmpdir(), options.dir));
    if (options.session) p.session = createSession(options.session === true ? {} : options.session);
  });
  afterAll(async () => {
    await p.session?.stop();
    await p.admin?.close();
    await p.http?.close();
    await p.gdn?.close();
    await p.wh?.close();
    if (p.dir) await rm(p.dir, { recursive: true, force: true });
  });
  return p;
}
