/**
 * `_api/index?collection=<c>` (list, create; also `_api/index/<type>?collection=<c>`) and
 * `_api/index/<c>/<id|name>` (describe, drop), with the live envelopes from the GDN API spec.
 * @packageDocumentation
 */
import { badParameter, gdnFail } from "../errors.js";
import { ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";

export function handleIndexes(ctx: ServerContext, req: GdnRequest): Reply {
  const [, first, second] = req.segments;
  const collName = req.query.get("collection");
  if (second === undefined && collName !== null) {
    const c = ctx.store.collection(req.fabric, collName);
    if (req.method === "GET" && first === undefined) {
      const indexes = c.indexes.list();
      const identifiers: Record<string, unknown> = {};
      for (const i of indexes) identifiers[i.id as string] = i;
      return ok({ indexes, identifiers });
    }
    if (req.method === "POST") {
      // `POST _api/index/<type>` is the spec's per-type form of `POST _api/index {type}`.
      const { def, created } = c.indexes.create(parseBody(req).value, first);
      if (created) c.indexesChanged();
      return ok({ ...c.indexes.describe(def), isNewlyCreated: created }, created ? 201 : 200);
    }
    throw gdnFail("METHOD_NOT_SUPPORTED");
  }
  if (first === undefined) throw badParameter("expecting the 'collection' query parameter");
  if (second === undefined) throw badParameter("expecting an index handle <collection>/<index>");
  const c = ctx.store.collection(req.fabric, first);
  const handle = req.segments.slice(2).join("/");
  if (req.method === "GET") {
    const def = c.indexes.find(handle);
    if (!def) throw gdnFail("INDEX_NOT_FOUND");
    return ok(c.indexes.describe(def));
  }
  if (req.method === "DELETE") {
    const def = c.indexes.drop(handle);
    c.indexesChanged();
    return ok({ id: `${c.name}/${def.id}` });
  }
  throw gdnFail("METHOD_NOT_SUPPORTED");
}
