/**
 * What every example's `main(env)` takes: how to reach the GDN and the Databricks SQL warehouse.
 * `fromProcessEnv()` reads them from environment variables for `npx tsx examples/<x>.ts`; with
 * none set, `runExample` starts the local peers in-process (the embedded default, no accounts).
 */
import type { DatabricksOptions } from "@macrometa-spark/cli";

export interface ExampleEnv {
  gdn: { regionUrl: string; apiKey: string; fabric?: string };
  databricks: DatabricksOptions & { host: string; httpPath: string };
  /** Scratch folder for checkpoints. */
  workDir: string;
}

export function fromProcessEnv(workDir: string): ExampleEnv | undefined {
  const e = process.env;
  if (!e["MM_REGION_URL"] || !e["DATABRICKS_HOST"]) return undefined;
  return {
    gdn: { regionUrl: e["MM_REGION_URL"], apiKey: e["MM_API_KEY"] ?? "", fabric: e["MM_FABRIC"] ?? "_system" },
    databricks: {
      host: e["DATABRICKS_HOST"],
      httpPath: e["DATABRICKS_HTTP_PATH"] ?? "",
      token: e["DATABRICKS_TOKEN"],
      // What `mmspark local up --env-file` writes for the local warehouse (its own port, its own CA).
      ...(e["DATABRICKS_PORT"] ? { port: Number(e["DATABRICKS_PORT"]) } : {}),
      ...(e["DATABRICKS_USE_TLS"] ? { useTls: e["DATABRICKS_USE_TLS"] !== "false" } : {}),
      ...(e["DATABRICKS_CA_CERT_FILE"] ? { caCertFile: e["DATABRICKS_CA_CERT_FILE"] } : {}),
      catalog: e["DATABRICKS_CATALOG"] ?? "main",
      schema: e["DATABRICKS_SCHEMA"] ?? "default",
    },
    workDir,
  };
}

/**
 * The tiny CLI wrapper each example ends with: environment variables if set, else local peers
 * (seeded by `seed`), then prints what `main` returned.
 */
export async function runExample<T>(main: (env: ExampleEnv) => Promise<T>, seed?: (env: ExampleEnv) => Promise<void>): Promise<void> {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const workDir = await mkdtemp(join(tmpdir(), "mmspark-example-"));
  let close = async () => {};
  try {
    let env = fromProcessEnv(workDir);
    if (!env) {
      const local = await startLocalPeers(workDir);
      env = local.env;
      close = local.close;
      await seed?.(env);
    }
    console.log(await main(env));
  } finally {
    await close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Local GDN + local warehouse in this process, with the `main.examples` schema created. */
export async function startLocalPeers(workDir: string): Promise<{ env: ExampleEnv; close(): Promise<void> }> {
  const { startLocalGdn } = await import("@macrometa-spark/local-gdn");
  const { startLocalWarehouse } = await import("@macrometa-spark/local-warehouse");
  const { DatabricksConnection, parseConnectionOptions } = await import("@macrometa-spark/databricks");
  const { CaseInsensitiveOptions } = await import("@macrometa-spark/core");
  const gdn = await startLocalGdn({ port: 0, host: "127.0.0.1" });
  const wh = await startLocalWarehouse({ port: 0 });
  const databricks = { host: wh.host, port: wh.port, httpPath: wh.path, token: wh.token, useTls: false, catalog: "main", schema: "examples" };
  const admin = await DatabricksConnection.open(parseConnectionOptions(new CaseInsensitiveOptions({ ...databricks, schema: undefined })));
  await admin.execute("CREATE SCHEMA IF NOT EXISTS main.examples");
  await admin.close();
  return {
    env: { gdn: { regionUrl: gdn.url, apiKey: gdn.apiKey }, databricks, workDir },
    async close() {
      await Promise.allSettled([gdn.close(), wh.close()]);
    },
  };
}

/** True when this module is the script node/tsx was started with. */
export function isMain(moduleUrl: string): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  return moduleUrl === new URL(`file://${arg.startsWith("/") ? "" : process.cwd() + "/"}${arg}`).href;
}
