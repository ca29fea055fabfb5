/**
 * @packageDocumentation
 * The HTTP endpoint: a plain node:http server that checks the bearer token and the warehouse path,
 * then hands each POST body to the generated TCLIService Processor (TBinaryProtocol over
 * TBufferedTransport, one RPC per request, as the driver sends them).
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { makeCertificates } from "./tls.js";
import { WarehouseService, type ServiceStats } from "./service.js";
import { TBinaryProtocol, TBufferedTransport, TCLIServiceProcessor } from "./thrift.js";
import { Warehouse } from "../warehouse.js";
import { VolumesHttp } from "../volumes/files-api.js";
import { WireFaults } from "./faults.js";

export interface LocalWarehouseOptions {
  /** TCP port; 0 picks a free one. Default: 0. */
  port?: number;
  /** Interface to listen on. Default: "127.0.0.1". */
  host?: string;
  /** DuckDB file for catalog `main` (other catalogs become sibling files), or ":memory:". Default: ":memory:". */
  database?: string;
  /** The bearer token clients must present. Default: a random token, returned in the handle. */
  token?: string;
  /** The id in `/sql/1.0/warehouses/<id>`. Default: "local". */
  warehouseId?: string;
  /**
   * Answer in Arrow when the driver asks for it (it does by default), as Databricks does; false answers
   * every client in the older column format, e.g. to test a reader against both. Default: true.
   */
  arrowResults?: boolean;
  /**
   * Serve HTTPS, as a Databricks workspace does, with a certificate made at start and signed by a CA
   * that exists only in this process (its PEM is `caCertificate` of the handle; give it to clients as
   * the driver's `customCaCert`). Thrift, the Files API and staging URLs all move to https. Default:
   * false (plain HTTP, which the driver reaches only with its connection options patched).
   */
  tls?: boolean;
}

export interface LocalWarehouse {
  readonly host: string;
  readonly port: number;
  /** The HTTP path a client connects to, `/sql/1.0/warehouses/<id>`. */
  readonly path: string;
  readonly token: string;
  /** `http(s)://host:port/path`, for logs and humans (it does not contain the token). */
  readonly url: string;
  /** True when the endpoint serves HTTPS (`tls: true`). */
  readonly tls: boolean;
  /** With `tls`, the PEM of the CA that signed the server certificate: what clients must trust. */
  readonly caCertificate?: string;
  /** Where volume files live: `<database>.volumes`, or a temporary directory (removed by close) in memory. */
  readonly volumesDirectory: string;
  /** Sessions and operations held, and RPCs served so far: for tests and benchmarks. */
  stats(): ServiceStats;
  /** Fault injection for recovery tests (replies dropped after the work is done). */
  readonly faults: WireFaults;
  /** Stops accepting requests, closes every session and flushes and closes DuckDB. */
  close(): Promise<void>;
}

/**
 * The options `DBSQLClient.connect()` takes for this endpoint. With `tls`, they are all the driver
 * needs; without, TLS must be turned off on the client (see the README).
 */
export interface LocalWarehouseConnectOptions {
  host: string;
  port: number;
  path: string;
  token: string;
  /** The CA to trust (the driver's own option name); only when the endpoint serves HTTPS. */
  customCaCert?: string;
}

export function connectOptionsFor(warehouse: Pick<LocalWarehouse, "host" | "port" | "path" | "token"> & Partial<Pick<LocalWarehouse, "caCertificate">>): LocalWarehouseConnectOptions {
  return {
    host: warehouse.host,
    port: warehouse.port,
    path: warehouse.path,
    token: warehouse.token,
    ...(warehouse.caCertificate !== undefined ? { customCaCert: warehouse.caCertificate } : {}),
  };
}

/** Bodies larger than this are refused; a statement this large would fail on Databricks too. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startLocalWarehouse(options: LocalWarehouseOptions = {}): Promise<LocalWarehouse> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? randomBytes(24).toString("base64url");
  const path = `/sql/1.0/warehouses/${options.warehouseId ?? "local"}`;
  const warehouse = await Warehouse.open(options.database ?? ":memory:");
  const service = new WarehouseService(warehouse, { arrowResults: options.arrowResults ?? true });
  const processor = new TCLIServiceProcessor(service.handler());
  const expected = Buffer.from(`Bearer ${token}`);
  const faults = new WireFaults();

  const authorized = (req: IncomingMessage): boolean => {
    const given = Buffer.from(req.headers.authorization ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const reject = (res: ServerResponse, status: number, reason: string) => {
    // Databricks puts the reason in these headers; the body stays empty as for a Thrift client.
    res.writeHead(status, { "x-thriftserver-error-message": reason, "x-databricks-reason-phrase": reason, "content-length": 0 });
    res.end();
  };

  const volumesHttp = new VolumesHttp(warehouse.volumes);

  const listener: RequestListener = (req, res) => {
    const pathname = (req.url ?? "").split("?")[0] ?? "";
    // The Files API and the staging URLs share the warehouse's port, as on a Databricks workspace host.
    if (volumesHttp.handles(pathname)) return volumesHttp.handle(req, res, authorized(req));
    if (pathname !== path) return reject(res, 404, `No SQL warehouse at ${pathname}`);
    if (req.method !== "POST") return reject(res, 405, "Only POST is supported");
    if (!authorized(req)) {
      res.setHeader("www-authenticate", 'Bearer realm="local-warehouse"');
      return reject(res, 401, "Credential was not sent or was of an unsupported type for this API.");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(res, 413, "Request too large");
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      const drop = faults.takeDrop(body);
      const reply = (message: Buffer) => {
        if (drop) {
          res.socket?.destroy();
          drop();
          return;
        }
        res.writeHead(200, { "content-type": "application/x-thrift", "content-length": message.length });
        res.end(message);
      };
      try {
        TBufferedTransport.receiver((transport) => {
          const input = new TBinaryProtocol(transport);
          const output = new TBinaryProtocol(new TBufferedTransport(undefined, reply));
          processor.process(input, output);
        })(body);
      } catch {
        if (!res.headersSent) reject(res, 400, "Malformed Thrift request");
      }
    });
  };
  const certificates = options.tls ? makeCertificates([host, hostname()]) : undefined;
  const server = certificates ? createHttpsServer({ key: certificates.key, cert: certificates.cert }, listener) : createHttpServer(listener);
  const scheme = certificates ? "https" : "http";

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  warehouse.volumes.baseUrl = `${scheme}://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    path,
    token,
    url: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    tls: certificates !== undefined,
    ...(certificates ? { caCertificate: certificates.ca } : {}),
    volumesDirectory: warehouse.volumes.root,
    stats: () => service.stats(),
    faults,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        service.closeAll();
        await warehouse.close();
      })();
      return closing;
    },
  };
}
