/**
 * The Databricks Files API (`/api/2.0/fs/files`, `/api/2.0/fs/directories`) over undici, for the
 * staging files of the `volume` write method. One keep-alive pool per sink, on the workspace host
 * the SQL connection uses, with the same bearer token.
 *
 * Why the Files API rather than the driver's staging `PUT … INTO '/Volumes/…'`: the driver's path
 * costs a statement round trip plus a presigned-URL PUT per file, needs the bytes in a local file
 * first (it streams from disk), and goes through node-fetch; the Files API is one pipelined HTTP PUT
 * straight from memory. Measured in test/bench/databricks.bench.test.ts.
 *
 * Every call here is safe to repeat (PUT with overwrite=true, DELETE where 404 counts as done, GET), so
 * transient failures (429, 5xx, connection errors) are retried through core's withRetry.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Pool, type Dispatcher } from "undici";
import { redactSecrets, silentLogger, withRetry, type Logger, type RetryPolicy } from "@macrometa-spark/core";
import { DatabricksError } from "../errors.js";

export interface FilesClientOptions {
  host: string;
  port: number;
  /** https unless the connection is a local plain-HTTP endpoint (see ConnectionOptions.useTls). */
  useTls: boolean;
  /** PEM of a CA to trust on top of Node's roots (see ConnectionOptions.caCertFile). Default: unset. */
  ca?: string;
  token: string;
  /** Per-request timeout. Default: 60000 (ms). */
  requestTimeoutMs?: number;
  retryPolicy?: Partial<RetryPolicy>;
  logger?: Logger;
}

/** One entry of a directory listing. */
export interface DirectoryEntry {
  path: string;
  name: string;
  isDirectory: boolean;
  /** Bytes; absent for directories. */
  fileSize?: number;
  /** Epoch ms. */
  lastModified?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_CLOSED)$/;

/** `/Volumes/a b/c` → `/Volumes/a%20b/c`: each segment encoded, the slashes kept. */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** `NODE_EXTRA_CA_CERTS`, which Node adds to its roots only where no `ca` is given: kept when one is. */
function extraCaCerts(): string[] {
  const file = process.env["NODE_EXTRA_CA_CERTS"];
  if (!file) return [];
  try {
    return [readFileSync(file, "utf8")];
  } catch {
    return []; // Node ignores an unreadable file too
  }
}

export class FilesClient {
  private readonly pool: Pool;
  private readonly logger: Logger;

  constructor(private readonly options: FilesClientOptions) {
    const origin = `${options.useTls ? "https" : "http"}://${options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host}:${options.port}`;
    const timeout = options.requestTimeoutMs ?? 60_000;
    this.pool = new Pool(origin, {
      connections: 8,
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
      // undici's `ca` replaces the default roots, so they are listed too: a CA is added, never swapped in.
      ...(options.ca !== undefined ? { connect: { ca: [...rootCertificates, ...extraCaCerts(), options.ca] } } : {}),
    });
    this.logger = options.logger ?? silentLogger;
  }

  private fail(method: string, what: string, err: unknown, status?: number, body?: string): DatabricksError {
    let code: string | undefined;
    let message = body ?? "";
    try {
      const parsed = JSON.parse(body ?? "") as { error_code?: string; message?: string };
      code = parsed.error_code;
      message = parsed.message ?? message;
    } catch {
      // not a JSON error body
    }
    const sys = (err as { code?: string } | undefined)?.code;
    const retryable = status !== undefined ? RETRYABLE_STATUS.has(status) : typeof sys === "string" && NETWORK_CODES.test(sys);
    const auth = status === 401 || status === 403;
    const text = redactSecrets(
      status !== undefined
        ? `Files API ${method} ${what} failed with HTTP ${status}${code ? ` ${code}` : ""}: ${message.slice(0, 300)}${auth ? " (the volume method needs READ VOLUME and WRITE VOLUME on the staging volume)" : ""}`
        : `Files API ${method} ${what} could not reach the workspace${sys ? ` (${sys})` : ""}: ${(err as Error)?.message ?? String(err)}`,
      [this.options.token],
    );
    return new DatabricksError(text, {
      code: auth ? "DATABRICKS_AUTH" : retryable ? "DATABRICKS_UNAVAILABLE" : "DATABRICKS_VOLUME",
      retryable,
      context: { ...(status !== undefined ? { httpStatus: status } : {}), path: what },
    });
  }

  private async call(method: Dispatcher.HttpMethod, path: string, what: string, opts: { body?: Uint8Array; query?: string; okStatus?: number[] } = {}): Promise<{ status: number; text: string }> {
    return withRetry(
      async () => {
        let res: Dispatcher.ResponseData;
        try {
          res = await this.pool.request({
            method,
            path: path + (opts.query ? `?${opts.query}` : ""),
            headers: {
              authorization: `Bearer ${this.options.token}`,
              ...(opts.body ? { "content-type": "application/octet-stream" } : {}),
            },
            ...(opts.body ? { body: opts.body } : {}),
          });
        } catch (err) {
          throw this.fail(method, what, err);
        }
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, text };
        if (opts.okStatus?.includes(res.statusCode)) return { status: res.statusCode, text };
        throw this.fail(method, what, undefined, res.statusCode, text);
      },
      {
        ...(this.options.retryPolicy ? { policy: this.options.retryPolicy } : {}),
        onRetry: (err, attempt, delayMs) => this.logger.warn("retrying a Files API call", { attempt, delayMs, error: (err as Error).message }),
      },
    );
  }

  /** Uploads (replacing) one file. */
  async put(path: string, bytes: Uint8Array): Promise<void> {
    await this.call("PUT", `/api/2.0/fs/files${encodePath(path)}`, path, { body: bytes, query: "overwrite=true" });
  }

  /** Creates a directory and its parents (idempotent). */
  async mkdirs(path: string): Promise<void> {
    await this.call("PUT", `/api/2.0/fs/directories${encodePath(path)}`, path);
  }

  /** Deletes a file; a missing file counts as deleted. */
  async delete(path: string): Promise<void> {
    await this.call("DELETE", `/api/2.0/fs/files${encodePath(path)}`, path, { okStatus: [404] });
  }

  /** Deletes an empty directory; a missing one counts as deleted. */
  async deleteDirectory(path: string): Promise<void> {
    await this.call("DELETE", `/api/2.0/fs/directories${encodePath(path)}`, path, { okStatus: [404] });
  }

  /** The entries directly inside a directory (all pages); undefined when it does not exist. */
  async list(path: string): Promise<DirectoryEntry[] | undefined> {
    const out: DirectoryEntry[] = [];
    let token: string | undefined;
    do {
      const { status, text } = await this.call("GET", `/api/2.0/fs/directories${encodePath(path)}`, path, {
        query: `page_size=1000${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
        okStatus: [404],
      });
      if (status === 404) return undefined;
      const page = JSON.parse(text || "{}") as { contents?: { path: string; name?: string; is_directory?: boolean; file_size?: number; last_modified?: number }[]; next_page_token?: string };
      for (const e of page.contents ?? []) {
        out.push({
          path: e.path,
          name: e.name ?? e.path.slice(e.path.lastIndexOf("/") + 1),
          isDirectory: e.is_directory === true,
          ...(typeof e.file_size === "number" ? { fileSize: e.file_size } : {}),
          ...(typeof e.last_modified === "number" ? { lastModified: e.last_modified } : {}),
        });
      }
      token = page.next_page_token || undefined;
    } while (token);
    return out;
  }

  /** Deletes a directory with everything below it; returns how many files went. */
  async deleteTree(path: string): Promise<number> {
    const entries = await this.list(path);
    if (!entries) return 0;
    let files = 0;
    for (const e of entries) {
      if (e.isDirectory) files += await this.deleteTree(e.path);
      else {
        await this.delete(e.path);
        files++;
      }
    }
    await this.deleteDirectory(path);
    return files;
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => undefined);
  }
}
