/**
 * `_api/collection[/<c>[/count|properties|figures|truncate]]`.
 * @packageDocumentation
 */
import { badParameter, gdnFail } from "../errors.js";
import { flag, ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import type { JsonObject } from "../json.js";
import type { CreateCollectionOptions } from "../store.js";

export function handleCollections(ctx: ServerContext, req: GdnRequest): Reply {
  const [, name, sub] = req.segments;
  const fabric = ctx.store.fabric(req.fabric);
  if (name === undefined) {
    if (req.method === "GET") {
      const excludeSystem = flag(req.query, "excludeSystem");
      const result = [...fabric.collections.values()].filter((c) => !(excludeSystem && c.meta.isSystem)).map((c) => c.listEntry());
      return ok({ result });
    }
    if (req.method === "POST") {
      const body = parseBody(req).value as JsonObject | undefined;
      if (!body || typeof body !== "object" || Array.isArray(body)) throw badParameter("expecting a JSON object body");
      const c = ctx.store.createCollection(req.fabric, body as unknown as CreateCollectionOptions);
      if (c.meta.hasStream) ctx.broker.ensureCollectionStream(req.fabric, c.name);
      return ok(c.properties());
    }
    throw gdnFail("METHOD_NOT_SUPPORTED");
  }
  const c = ctx.store.collection(req.fabric, name);
  switch (`${req.method} ${sub ?? ""}`) {
    case "GET ":
      return ok(c.info());
    case "GET count":
      return ok({ name: c.name, isSystem: c.meta.isSystem, searchEnabled: false, id: c.meta.id, globallyUniqueId: `local/${c.meta.id}`, count: c.docs.size });
    case "GET properties":
      return ok(c.properties());
    case "GET figures":
    {
      const { status: _s, type: _t, ...props } = c.properties();
      void _s;
      void _t;
      return ok({ ...props, collectionModel: 0, count: c.docs.size, figures: { indexes: { count: c.indexes.count(), size: 0 }, viewIndexes: { count: 0, size: 0 }, documentsSize: 0, cacheInUse: false, cacheSize: 0, cacheUsage: 0 } });
    }
    case "PUT properties": {
      const body = (parseBody(req).value ?? {}) as JsonObject;
      if (typeof body.waitForSync === "boolean") c.meta.waitForSync = body.waitForSync;
      if (body.hasStream === true && !c.meta.hasStream) {
        c.meta.hasStream = true;
        ctx.broker.ensureCollectionStream(req.fabric, c.name);
      }
      ctx.store.listener?.onMetadata();
      return ok(c.properties());
    }
    case "PUT truncate":
      c.truncate();
      return ok(c.info());
    case "PUT load":
    case "PUT unload":
      return ok(c.info());
    case "DELETE ": {
      ctx.store.dropCollection(req.fabric, name);
      if (c.meta.hasStream) ctx.broker.dropCollectionStream(req.fabric, name);
      return ok({ id: c.meta.id });
    }
    default:
      throw gdnFail("UNKNOWN_PATH_AT", { path: `/_api/collection/${name}/${sub ?? ""}` });
  }
}
