/**
 * Key-value collections (`/_fabric/<f>/_api/kv/...`) as the GDN API spec documents them: a KV
 * collection is a collection with `collectionModel: "KV"` whose documents are
 * `{_key, value, expireAt, groupID?}`. With `expiration=true` at creation, a value whose `expireAt`
 * (Unix seconds; -1 never) has passed is removed by the expiry sweep, like a TTL index.
 * @packageDocumentation
 */
import { badParameter, GdnHttpError, notFoundCollection, gdnFail } from "../errors.js";
import { flag, ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import { isJsonObject, LosslessNumber, type JsonObject, type JsonValue } from "../json.js";
import type { Collection } from "../store.js";

/** The spec's limits: at most 100 keys per values read, 1000 per delete. */
const MAX_READ_KEYS = 100;
const MAX_DELETE_KEYS = 1000;

function kvCollection(ctx: ServerContext, req: GdnRequest, name: string): Collection {
  const c = ctx.store.collection(req.fabric, name);
  if (c.model !== "KV") throw notFoundCollection(name);
  return c;
}

function meta(doc: JsonObject): Record<string, unknown> {
  return { _id: doc._id, _key: doc._key, _rev: doc._rev };
}

function paging(q: URLSearchParams, dfltLimit: number): { offset: number; limit: number } {
  const offset = Number(q.get("offset") ?? 0);
  const limit = Number(q.get("limit") ?? dfltLimit);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) throw badParameter("offset and limit must be non-negative integers");
  return { offset, limit };
}

/** Documents of the collection (of one group when `groupID` is given), in key order. */
function entries(c: Collection, q: URLSearchParams): JsonObject[] {
  const group = q.get("groupID");
  const docs = [...c.docs.values()].filter((d) => group === null || d.groupID === group);
  return docs.sort((a, b) => ((a._key as string) < (b._key as string) ? -1 : (a._key as string) > (b._key as string) ? 1 : 0));
}

function keyList(value: JsonValue | undefined, max: number): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((k) => typeof k === "string")) throw badParameter("expecting an array of keys");
  if (value.length > max) throw badParameter(`at most ${max} keys per request`);
  return value as string[];
}

function pair(doc: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = { _key: doc._key, value: doc.value ?? null, expireAt: doc.expireAt ?? -1 };
  if (doc.groupID !== undefined) out.groupID = doc.groupID;
  return out;
}

export function handleKv(ctx: ServerContext, req: GdnRequest): Reply {
  const [, name, sub, ...rest] = req.segments;
  const m = req.method;
  const fabric = ctx.store.fabric(req.fabric);
  if (name === undefined) {
    if (m !== "GET") throw gdnFail("METHOD_NOT_SUPPORTED");
    const result = [...fabric.collections.values()].filter((c) => c.model === "KV").map((c) => ({ name: c.name, expiration: !!c.meta.expiration }));
    return ok({ result });
  }
  if (sub === undefined) {
    if (m === "POST") {
      const body = parseBody(req).value;
      const o = isJsonObject(body) ? body : {};
      const c = ctx.store.createCollection(req.fabric, { name, collectionModel: "KV", expiration: flag(req.query, "expiration"), stream: o.stream === true, waitForSync: o.waitForSync === true });
      if (c.meta.hasStream) ctx.broker.ensureCollectionStream(req.fabric, c.name);
      return ok({ name: c.name });
    }
    if (m === "DELETE") {
      const c = kvCollection(ctx, req, name);
      ctx.store.dropCollection(req.fabric, name);
      if (c.meta.hasStream) ctx.broker.dropCollectionStream(req.fabric, name);
      return ok({ name });
    }
    throw gdnFail("METHOD_NOT_SUPPORTED");
  }
  const c = kvCollection(ctx, req, name);
  switch (`${m} ${sub}`) {
    case "GET count":
      return ok({ name: c.name, count: entries(c, req.query).length });
    case "GET keys": {
      const { offset, limit } = paging(req.query, 20);
      let keys = entries(c, req.query).map((d) => d._key as string);
      if ((req.query.get("order") ?? "asc").toLowerCase() === "desc") keys = keys.reverse();
      return ok({ result: keys.slice(offset, offset + limit) });
    }
    case "GET value":
    case "DELETE value": {
      const key = rest.join("/");
      if (!key) throw badParameter("expecting a key");
      if (m === "GET") return { status: 200, body: c.mustGet(key) };
      return { status: 202, body: meta(c.remove(key)) };
    }
    case "PUT value": {
      const body = parseBody(req);
      const items = Array.isArray(body.value) ? body.value : [body.value];
      const out = items.map((item) => putPair(c, item, body.lossless));
      return { status: 202, body: out };
    }
    case "POST values": {
      const { offset, limit } = paging(req.query, 20);
      const keys = keyList(parseBody(req).value, MAX_READ_KEYS);
      const docs = keys?.length ? keys.flatMap((k) => (c.get(k) ? [c.get(k)!] : [])) : entries(c, req.query);
      return ok({ result: docs.slice(offset, offset + limit).map(pair) });
    }
    case "DELETE values": {
      const keys = keyList(parseBody(req).value, MAX_DELETE_KEYS);
      if (!keys) throw badParameter("expecting an array of keys");
      const out = keys.map((k) => {
        try {
          return meta(c.remove(k));
        } catch (e) {
          if (!(e instanceof GdnHttpError)) throw e;
          return { error: true, errorNum: e.errorNum, errorMessage: e.message };
        }
      });
      return { status: 202, body: out };
    }
    case "PUT truncate": {
      const group = req.query.get("groupID");
      if (group === null) c.truncate();
      else for (const d of entries(c, req.query)) c.remove(d._key as string);
      return ok({ name: c.name });
    }
    default:
      throw gdnFail("UNKNOWN_PATH_AT", { path: `/_api/kv/${name}/${sub}` });
  }
}

/** Creates or replaces one pair; `expireAt` defaults to -1 (never). */
function putPair(c: Collection, item: JsonValue | undefined, lossless: boolean): Record<string, unknown> {
  if (!isJsonObject(item) || typeof item._key !== "string" || !("value" in item)) throw badParameter("each pair needs '_key' and 'value'");
  const at = item.expireAt ?? -1;
  if (!(typeof at === "number" || at instanceof LosslessNumber) || !Number.isInteger(Number(at))) throw badParameter("expireAt must be an integer (Unix seconds, -1 for never)");
  const doc: JsonObject = { _key: item._key, value: item.value as JsonValue, expireAt: at };
  if (item.groupID !== undefined) {
    if (typeof item.groupID !== "string") throw badParameter("groupID must be a string");
    doc.groupID = item.groupID;
  }
  const r = c.insert(doc, { overwrite: true, lossless });
  const out = meta(r.doc);
  if (r.old) out._oldrev = r.old._rev;
  return out;
}
