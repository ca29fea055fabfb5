/**
 * @packageDocumentation
 * The Files API (`/api/2.0/fs/files{path}`, `/api/2.0/fs/directories{path}`) over the volume store,
 * on the warehouse's own HTTP server, and the presigned URLs of the driver's staging operations.
 * Uploads stream to a temporary file and are renamed into place when complete, so a reader never sees
 * half a file and a 100 MB upload is never held in memory. Errors carry Databricks' JSON body
 * (`error_code`, `message`, `details`).
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, mkdir, rename, rm, rmdir, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isSqlError } from "../errors.js";
import { formatVolumePath, parseVolumePath, type VolumePath } from "./paths.js";
import { STAGING_PREFIX } from "./staging-tickets.js";
import type { VolumeEntry, VolumeStore } from "./store.js";

export const FILES_API_PREFIX = "/api/2.0/fs/";

/** `page_size` default and cap of a directory listing (the facts sheet, §2). */
const MAX_PAGE_SIZE = 1000;

interface RequestUrl {
  pathname: string;
  searchParams: URLSearchParams;
}

class FilesApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** google.rpc.ErrorInfo reason, where Databricks' is known. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

const notFound = (p: VolumePath, what = "file or directory") =>
  // The exact error_code of a Files API 404 is UNCONFIRMED (the facts sheet, §2); clients match on the status.
  new FilesApiError(404, "NOT_FOUND", `The ${what} ${formatVolumePath(p)} does not exist.`);

function sendError(res: ServerResponse, error: FilesApiError): void {
  const details: object[] = [];
  if (error.reason) details.push({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: error.reason, domain: "filesystem.databricks.com", metadata: {} });
  details.push({ "@type": "type.googleapis.com/google.rpc.RequestInfo", request_id: randomUUID(), serving_data: "" });
  const body = JSON.stringify({ error_code: error.errorCode, message: error.message, details });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function toFilesApiError(error: unknown): FilesApiError {
  if (error instanceof FilesApiError) return error;
  if (isSqlError(error)) {
    if (error.errorClass === "VOLUME_NOT_FOUND") return new FilesApiError(404, "NOT_FOUND", error.message);
    if (error.errorClass === "INVALID_PARAMETER_VALUE") return new FilesApiError(400, "INVALID_PARAMETER_VALUE", error.message);
  }
  return new FilesApiError(500, "INTERNAL_ERROR", error instanceof Error ? error.message : String(error));
}

/** The HTTP side of volumes: the Files API and the staging URLs. Authorisation is the caller's (the server's) decision. */
export class VolumesHttp {
  constructor(private readonly store: VolumeStore) {}

  /** True when the request is for this module (it has then been answered or is being answered). */
  handles(pathname: string): boolean {
    return pathname.startsWith(FILES_API_PREFIX) || pathname.startsWith(STAGING_PREFIX);
  }

  handle(req: IncomingMessage, res: ServerResponse, authorized: boolean): void {
    // Parsed by hand: WHATWG URL parsing would resolve `..` segments before the path check could refuse them.
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const url = { pathname: q < 0 ? raw : raw.slice(0, q), searchParams: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
    const run = url.pathname.startsWith(STAGING_PREFIX) ? this.staging(req, res, url) : this.filesApi(req, res, url, authorized);
    run.catch((error: unknown) => {
      req.resume();
      sendError(res, toFilesApiError(error));
    });
  }

  private async filesApi(req: IncomingMessage, res: ServerResponse, url: RequestUrl, authorized: boolean): Promise<void> {
    if (!authorized) {
      req.resume();
      res.setHeader("www-authenticate", 'Bearer realm="local-warehouse"');
      throw new FilesApiError(401, "UNAUTHENTICATED", "Credential was not sent or was of an unsupported type for this API.");
    }
    const rest = url.pathname.slice(FILES_API_PREFIX.length);
    const slash = rest.indexOf("/");
    const kind = slash < 0 ? rest : rest.slice(0, slash);
    let raw = "";
    try {
      raw = slash < 0 ? "" : decodeURIComponent(rest.slice(slash));
    } catch {
      throw new FilesApiError(400, "INVALID_PARAMETER_VALUE", "The path is not valid percent-encoded UTF-8.");
    }
    const path = parseVolumePath(raw);
    const method = req.method ?? "GET";
    if (kind === "files") {
      if (method === "PUT") {
        const overwrite = (url.searchParams.get("overwrite") ?? "true").toLowerCase() !== "false";
        await this.upload(req, path, overwrite);
        res.writeHead(204).end();
        return;
      }
      req.resume();
      if (method === "GET" || method === "HEAD") return this.download(req, res, path);
      if (method === "DELETE") {
        await this.deleteFile(path, true);
        res.writeHead(204).end();
        return;
      }
    } else if (kind === "directories") {
      req.resume();
      if (method === "GET") return this.list(res, path, url);
      if (method === "PUT") return this.makeDirectory(res, path);
      if (method === "HEAD") {
        const e = await this.store.entry(path);
        if (!e?.isDirectory) throw notFound(path, "directory");
        res.writeHead(200, { "content-length": 0 }).end();
        return;
      }
      if (method === "DELETE") return this.deleteDirectory(res, path);
    } else {
      req.resume();
      throw new FilesApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${url.pathname}'.`);
    }
    throw new FilesApiError(405, "BAD_REQUEST", `Method ${method} is not allowed on ${FILES_API_PREFIX}${kind}.`);
  }

  /** A presigned URL: no bearer token, a one-time ticket instead. */
  private async staging(req: IncomingMessage, res: ServerResponse, url: RequestUrl): Promise<void> {
    const ticket = this.store.tickets.take(url.pathname.slice(STAGING_PREFIX.length), req.method ?? "");
    if (!ticket) {
      req.resume();
      throw new FilesApiError(403, "PERMISSION_DENIED", "The presigned URL is invalid, expired, already used, or not for this method.");
    }
    if (ticket.method === "PUT") {
      await this.upload(req, ticket.path, ticket.overwrite);
      res.writeHead(200, { "content-length": 0 }).end();
      return;
    }
    req.resume();
    if (ticket.method === "GET") return this.download(req, res, ticket.path);
    await this.deleteFile(ticket.path, true);
    res.writeHead(204).end();
  }

  /** Streams the body to a temporary file, then renames it into place (or links it, when it must not replace). */
  async upload(body: Readable, path: VolumePath, overwrite: boolean): Promise<void> {
    const target = this.store.localPath(path);
    if (path.segments.length === 0) throw new FilesApiError(409, "RESOURCE_CONFLICT", `${formatVolumePath(path)} is a volume, not a file.`);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isDirectory()) throw new FilesApiError(409, "RESOURCE_CONFLICT", `The given path ${formatVolumePath(path)} points to an existing directory.`);
    if (existing && !overwrite) throw alreadyExists(path);
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch {
      throw new FilesApiError(409, "RESOURCE_CONFLICT", `A parent of ${formatVolumePath(path)} is a file, not a directory.`);
    }
    const temp = this.store.uploadPath();
    try {
      await pipeline(body, createWriteStream(temp));
      if (overwrite) await rename(temp, target);
      else
        await link(temp, target).catch((error: NodeJS.ErrnoException) => {
          throw error.code === "EEXIST" ? alreadyExists(path) : error;
        });
    } finally {
      await rm(temp, { force: true });
    }
  }

  private async download(req: IncomingMessage, res: ServerResponse, path: VolumePath): Promise<void> {
    const local = this.store.localPath(path);
    const s = await stat(local).catch(() => undefined);
    if (!s?.isFile()) throw notFound(path, "file");
    const lastModified = new Date(Math.floor(s.mtimeMs / 1000) * 1000);
    const since = req.headers["if-unmodified-since"];
    if (since && !Number.isNaN(Date.parse(since)) && lastModified.getTime() > Date.parse(since))
      throw new FilesApiError(412, "FAILED_PRECONDITION", `${formatVolumePath(path)} was modified after ${since}.`);
    const headers: Record<string, string | number> = {
      "content-type": "application/octet-stream",
      "last-modified": lastModified.toUTCString(),
      "accept-ranges": "bytes",
    };
    let start = 0;
    let end = s.size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? "").trim());
    if (req.headers.range && range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), s.size - 1) : s.size - 1;
      } else {
        start = Math.max(0, s.size - Number(range[2]));
      }
      if (start >= s.size || start > end) {
        res.writeHead(416, { "content-range": `bytes */${s.size}`, "content-length": 0 }).end();
        return;
      }
      status = 206;
      headers["content-range"] = `bytes ${start}-${end}/${s.size}`;
    }
    headers["content-length"] = s.size === 0 ? 0 : end - start + 1;
    res.writeHead(status, headers);
    if (req.method === "HEAD" || s.size === 0) {
      res.end();
      return;
    }
    await pipeline(createReadStream(local, { start, end }), res);
  }

  private async deleteFile(path: VolumePath, mustExist: boolean): Promise<void> {
    const e = await this.store.entry(path);
    if (!e || e.isDirectory) {
      if (mustExist) throw notFound(path, "file");
      return;
    }
    await rm(this.store.localPath(path));
  }

  private async list(res: ServerResponse, path: VolumePath, url: RequestUrl): Promise<void> {
    const requested = Number(url.searchParams.get("page_size") ?? MAX_PAGE_SIZE);
    const pageSize = Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
    const token = url.searchParams.get("page_token");
    const after = token ? Buffer.from(token, "base64url").toString("utf8") : undefined;
    const children = await this.store.children(path);
    if (!children) throw notFound(path, "directory");
    const remaining = after === undefined ? children : children.filter((c) => c.name > after);
    const page = remaining.slice(0, pageSize);
    const body: Record<string, unknown> = { contents: page.map(directoryEntry) };
    if (remaining.length > page.length) body.next_page_token = Buffer.from(page[page.length - 1]!.name, "utf8").toString("base64url");
    const text = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  }

  private async makeDirectory(res: ServerResponse, path: VolumePath): Promise<void> {
    const local = this.store.localPath(path);
    const existing = await stat(local).catch(() => undefined);
    if (existing && !existing.isDirectory())
      throw new FilesApiError(409, "RESOURCE_CONFLICT", "The given path points to an existing file. This API does not support operations on files.");
    try {
      await mkdir(local, { recursive: true });
    } catch {
      throw new FilesApiError(409, "RESOURCE_CONFLICT", `A parent of ${formatVolumePath(path)} is a file, not a directory.`);
    }
    res.writeHead(204).end();
  }

  private async deleteDirectory(res: ServerResponse, path: VolumePath): Promise<void> {
    const e = await this.store.entry(path);
    if (!e?.isDirectory) throw notFound(path, "directory");
    if (path.segments.length === 0) throw new FilesApiError(400, "INVALID_PARAMETER_VALUE", `${formatVolumePath(path)} is the root of a volume; drop the volume instead.`);
    const children = await this.store.children(path);
    if (children && children.length > 0)
      throw new FilesApiError(400, "BAD_REQUEST", `The directory ${formatVolumePath(path)} is not empty.`, "FILES_API_DIRECTORY_IS_NOT_EMPTY");
    await rmdir(this.store.localPath(path));
    res.writeHead(204).end();
  }
}

const alreadyExists = (path: VolumePath) =>
  new FilesApiError(409, "ALREADY_EXISTS", `The file ${formatVolumePath(path)} already exists and overwrite is false.`);

/** One listing entry: `file_size` is omitted for directories, `last_modified` is epoch ms (the facts sheet, §2). */
function directoryEntry(e: VolumeEntry): object {
  return {
    path: formatVolumePath(e.path),
    is_directory: e.isDirectory,
    ...(e.isDirectory ? {} : { file_size: e.size }),
    last_modified: e.modifiedMs,
    name: e.name,
  };
}
