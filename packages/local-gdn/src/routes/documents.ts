/**
 * `_api/document/<c>[/<key>]`: single and bulk insert, read, replace, update and remove.
 * @packageDocumentation
 */
import { ErrorNum, GdnHttpError, badParameter, gdnFail } from "../errors.js";
import { flag, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../json.js";
import { textOf, type Collection } from "../store.js";

/** 202 accepted, or (with waitForSync) 201 for writes and 200 for removals, as the live server does. */
function status(req: GdnRequest, c: Collection, removal = false): number {
  return flag(req.query, "waitForSync", c.meta.waitForSync) ? (removal ? 200 : 201) : 202;
}

function ifMatch(req: GdnRequest): string | undefined {
  const h = req.headers["if-match"];
  return typeof h === "string" ? h.replace(/^"|"$/g, "") : undefined;
}

function meta(doc: JsonObject): Record<string, unknown> {
  return { _id: doc._id, _key: doc._key, _rev: doc._rev };
}

/** Per-item failures in an array answer, and the `X-C8-Error-Codes` summary of them. */
class ItemErrors {
  private readonly counts: Record<string, number> = {};
  add(e: unknown, bulk: boolean): Record<string, unknown> {
    if (!(e instanceof GdnHttpError)) throw e;
    this.counts[e.errorNum] = (this.counts[e.errorNum] ?? 0) + 1;
    const message = bulk && e.errorNum === ErrorNum.CONFLICT ? "conflict" : e.message;
    return { error: true, errorNum: e.errorNum, errorMessage: message };
  }
  headers(): Record<string, string> | undefined {
    return Object.keys(this.counts).length ? { "X-C8-Error-Codes": JSON.stringify(this.counts) } : undefined;
  }
}

/** As recorded: `Location: /_tenant/<tenant>/_fabric/<f>/_api/document/<c>/<key>` (writes and deletes). */
function docHeaders(ctx: ServerContext, req: GdnRequest, c: Collection, doc: JsonObject): Record<string, string> {
  return {
    Etag: `"${doc._rev as string}"`,
    Location: `/_tenant/${ctx.tenant}/_fabric/${req.fabric}/_api/document/${c.name}/${encodeURIComponent(doc._key as string)}`,
  };
}

function keyFromSelector(c: Collection, v: JsonValue): { key: string; rev?: string } {
  if (typeof v === "string") {
    const slash = v.indexOf("/");
    return { key: slash >= 0 && v.slice(0, slash) === c.name ? v.slice(slash + 1) : v };
  }
  if (isJsonObject(v) && typeof v._key === "string")
    return typeof v._rev === "string" ? { key: v._key, rev: v._rev } : { key: v._key };
  throw gdnFail("DOCUMENT_KEY_INVALID");
}

export function handleDocuments(ctx: ServerContext, req: GdnRequest): Reply {
  const [, collName, ...rest] = req.segments;
  if (!collName) throw badParameter("expecting a collection name");
  const c = ctx.store.collection(req.fabric, collName);
  const key = rest.length ? rest.join("/") : undefined;
  const q = req.query;
  const returnNew = flag(q, "returnNew");
  const returnOld = flag(q, "returnOld");
  const silent = flag(q, "silent");
  const ignoreRevs = flag(q, "ignoreRevs", true);

  if (key === undefined) {
    if (req.method === "POST") return insert(ctx, req, c, returnNew, returnOld, silent);
    if (req.method === "PUT" && flag(q, "onlyget")) return bulkGet(req, c);
    if (req.method === "PUT" || req.method === "PATCH" || req.method === "DELETE") return bulkModify(ctx, req, c, returnNew, returnOld, silent, ignoreRevs);
    throw gdnFail("METHOD_NOT_SUPPORTED");
  }

  switch (req.method) {
    case "GET":
    case "HEAD": {
      const doc = c.mustGet(key);
      const want = ifMatch(req);
      if (want !== undefined && want !== doc._rev) throw gdnFail("CONFLICT", {}, { extra: meta(doc) });
      const none = req.headers["if-none-match"];
      if (typeof none === "string" && none.replace(/^"|"$/g, "") === doc._rev) return { status: 304, headers: { Etag: `"${doc._rev as string}"` } };
      return { status: 200, raw: req.method === "HEAD" ? "" : textOf(doc)!, headers: { Etag: `"${doc._rev as string}"` } };
    }
    case "PUT":
    case "PATCH": {
      const { value, lossless } = parseBody(req);
      const body = (value ?? {}) as JsonObject;
      let expectRev = ifMatch(req);
      if (expectRev === undefined && !ignoreRevs && typeof body === "object" && body !== null && typeof body._rev === "string") expectRev = body._rev;
      const r =
        req.method === "PUT"
          ? c.replace(key, value as JsonValue, { expectRev, lossless })
          : c.update(key, value as JsonValue, { expectRev, lossless, keepNull: flag(q, "keepNull", true), mergeObjects: flag(q, "mergeObjects", true) });
      flushIfSync(ctx, req, c);
      if (silent) return { status: status(req, c), body: {} };
      const out: Record<string, unknown> = { ...meta(r.doc), _oldRev: r.old._rev };
      if (returnOld) out.old = r.old;
      if (returnNew) out.new = r.doc;
      return { status: status(req, c), body: out, headers: docHeaders(ctx, req, c, r.doc) };
    }
    case "DELETE": {
      const old = c.remove(key, { expectRev: ifMatch(req) });
      flushIfSync(ctx, req, c);
      if (silent) return { status: status(req, c, true), body: {} };
      const out: Record<string, unknown> = meta(old);
      if (returnOld) out.old = old;
      return { status: status(req, c, true), body: out, headers: docHeaders(ctx, req, c, old) };
    }
    default:
      throw gdnFail("METHOD_NOT_SUPPORTED");
  }
}

function flushIfSync(ctx: ServerContext, req: GdnRequest, c: Collection): void {
  if (flag(req.query, "waitForSync", c.meta.waitForSync)) ctx.journal?.flush(true);
}

function insert(ctx: ServerContext, req: GdnRequest, c: Collection, returnNew: boolean, returnOld: boolean, silent: boolean): Reply {
  const { value, lossless } = parseBody(req);
  const overwrite = flag(req.query, "overwrite");
  const one = (v: JsonValue): Record<string, unknown> => {
    const r = c.insert(v, { overwrite, lossless });
    const out: Record<string, unknown> = meta(r.doc);
    if (r.old) out._oldRev = r.old._rev;
    if (returnNew) out.new = r.doc;
    if (returnOld && r.old) out.old = r.old;
    return out;
  };
  if (Array.isArray(value)) {
    const errors = new ItemErrors();
    const results: unknown[] = [];
    let failed = 0;
    for (const v of value) {
      try {
        results.push(one(v));
      } catch (e) {
        results.push(errors.add(e, false));
        failed++;
      }
    }
    flushIfSync(ctx, req, c);
    const body = silent ? (failed ? results.filter((r) => (r as { error?: boolean }).error) : {}) : results;
    const headers = errors.headers();
    return headers ? { status: status(req, c), body, headers } : { status: status(req, c), body };
  }
  if (value === undefined) throw gdnFail("DOCUMENT_TYPE_INVALID");
  const out = one(value);
  flushIfSync(ctx, req, c);
  const key = out._key as string;
  const doc = c.get(key)!;
  return { status: status(req, c), body: silent ? {} : out, headers: docHeaders(ctx, req, c, doc) };
}

function bulkGet(req: GdnRequest, c: Collection): Reply {
  const { value } = parseBody(req);
  if (!Array.isArray(value)) throw badParameter("expecting an array of document selectors");
  const errors = new ItemErrors();
  const out = value.map((v) => {
    try {
      const { key } = keyFromSelector(c, v);
      return c.mustGet(key);
    } catch (e) {
      return errors.add(e, true);
    }
  });
  const headers = errors.headers();
  return headers ? { status: 200, body: out, headers } : { status: 200, body: out };
}

function bulkModify(
  ctx: ServerContext,
  req: GdnRequest,
  c: Collection,
  returnNew: boolean,
  returnOld: boolean,
  silent: boolean,
  ignoreRevs: boolean,
): Reply {
  const { value, lossless } = parseBody(req);
  if (!Array.isArray(value)) throw badParameter("expecting an array of documents");
  const errors = new ItemErrors();
  let failed = 0;
  const results = value.map((v) => {
    try {
      const { key, rev } = keyFromSelector(c, v);
      const expectRev = ignoreRevs ? undefined : rev;
      if (req.method === "DELETE") {
        const old = c.remove(key, { expectRev });
        const out: Record<string, unknown> = meta(old);
        if (returnOld) out.old = old;
        return out;
      }
      const r =
        req.method === "PUT"
          ? c.replace(key, v, { expectRev, lossless })
          : c.update(key, v, { expectRev, lossless, keepNull: flag(req.query, "keepNull", true), mergeObjects: flag(req.query, "mergeObjects", true) });
      const out: Record<string, unknown> = { ...meta(r.doc), _oldRev: r.old._rev };
      if (returnOld) out.old = r.old;
      if (returnNew) out.new = r.doc;
      return out;
    } catch (e) {
      failed++;
      return errors.add(e, true);
    }
  });
  flushIfSync(ctx, req, c);
  const st = req.method === "DELETE" ? status(req, c, true) : status(req, c);
  const body = silent ? (failed ? results.filter((r) => (r as { error?: boolean }).error) : {}) : results;
  const headers = errors.headers();
  return headers ? { status: st, body, headers } : { status: st, body };
}
