#!/usr/bin/env node
/**
 * `local-gdn --port 8529 [--host 127.0.0.1] [--data DIR] [--tenant T] [--api-key KEY]`: runs the
 * server until SIGINT/SIGTERM and prints the URL and an API key to use.
 * @packageDocumentation
 */
import { startLocalGdn, type LocalGdnOptions } from "./server.js";

function parseArgs(argv: string[]): LocalGdnOptions {
  const o: LocalGdnOptions = { port: 8529 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === "--port" || a === "-p") o.port = Number(v());
    else if (a === "--host") o.host = v();
    else if (a === "--data") o.dataDir = v();
    else if (a === "--tenant") o.tenant = v();
    else if (a === "--api-key") o.apiKeys = [...(o.apiKeys ?? []), v()];
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: local-gdn [--port 8529] [--host 127.0.0.1] [--data DIR] [--tenant NAME] [--api-key KEY]\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port! < 0 || o.port! > 65535) throw new Error("--port must be 0..65535");
  return o;
}

async function main(): Promise<void> {
  const gdn = await startLocalGdn(parseArgs(process.argv.slice(2)));
  process.stdout.write(`local-gdn listening on ${gdn.url}\n  websocket: ${gdn.wsUrl}\n  tenant:    ${gdn.tenant}\n  api key:   ${gdn.apiKey}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    gdn.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`local-gdn: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`local-gdn: ${(e as Error).message}\n`);
  process.exit(1);
});
