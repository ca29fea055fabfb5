/**
 * `POST _api/import/<c> {data, details, primaryKey, replace}`: answers 200 even when documents
 * fail, listing them in `details.errors` and summarising them in `X-C8-Error-Codes`.
 * @packageDocumentation
 */
import { badParameter, GdnHttpError, gdnFail } from "../errors.js";
import { flag, ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import { LosslessNumber, type JsonObject, type JsonValue } from "../json.js";

export function handleImport(ctx: ServerContext, req: GdnRequest): Reply {
  if (req.method !== "POST") throw gdnFail("METHOD_NOT_SUPPORTED");
  const name = req.segments[1] ?? req.query.get("collection");
  if (!name) throw badParameter("expecting a collection name");
  const c = ctx.store.collection(req.fabric, name);
  const { value, lossless } = parseBody(req);
  const body = value as JsonObject | undefined;
  if (!body || typeof body !== "object" || !Array.isArray(body.data)) throw badParameter("expecting 'data' to be an array of documents");
  const details = body.details === true;
  const replace = body.replace === true;
  const primaryKey = typeof body.primaryKey === "string" && body.primaryKey !== "" ? body.primaryKey : undefined;

  let created = 0;
  const errors: unknown[] = [];
  const counts: Record<string, number> = {};
  const ignored = Math.min(ctx.faults.importIgnoreNext, body.data.length);
  ctx.faults.importIgnoreNext = 0;
  for (const original of body.data.slice(0, body.data.length - ignored)) {
    try {
      if (typeof original !== "object" || original === null || Array.isArray(original))
        throw gdnFail("DOCUMENT_TYPE_INVALID");
      let doc = original as JsonObject;
      if (primaryKey !== undefined) {
        const pk = doc[primaryKey];
        if (pk === undefined || pk === null || typeof pk === "object" && !(pk instanceof LosslessNumber))
          throw gdnFail("PRIMARY_KEY_MISSING", { attribute: primaryKey });
        doc = { ...doc };
        if (doc._key !== undefined) doc.old_key = doc._key;
        doc._key = String(pk);
      }
      c.insert(doc, { overwrite: replace, lossless });
      created++;
    } catch (e) {
      if (!(e instanceof GdnHttpError)) throw e;
      counts[e.errorNum] = (counts[e.errorNum] ?? 0) + 1;
      const key = (original as JsonObject | null)?._key;
      errors.push({ document: original as JsonValue, errorNumber: e.errorNum, errorMessage: `${typeof key === "string" ? key : ""}: ${e.message}` });
    }
  }
  if (flag(req.query, "waitForSync", c.meta.waitForSync)) ctx.journal?.flush(true);
  const result: Record<string, unknown> = { created, errors: errors.length, unprocessed: 0, ...(ignored ? { ignored } : {}) };
  if (details) result.details = { errors, unprocessed: [] };
  const reply = ok({ result });
  if (errors.length) reply.headers = { "X-C8-Error-Codes": JSON.stringify(counts) };
  return reply;
}
