/**
 * Fabric (database), datacenter, tenant/user, auth, OTP and API-key permission routes.
 * @packageDocumentation
 */
import { badParameter, gdnFail } from "../errors.js";
import { ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../json.js";
import { mergePatch, type Fabric } from "../store.js";

function fabricInfo(ctx: ServerContext, f: Fabric): Record<string, unknown> {
  return {
    name: f.name,
    options: {
      associated_regions: [ctx.region],
      clusters: [ctx.region],
      dcList: ctx.region,
      dynamo_local_tables: false,
      metadata: f.metadata,
      name: `${ctx.tenant}.${f.name}`,
      realTime: true,
      spotDc: "",
      status: "available",
      tenant: ctx.tenant,
    },
    isSystem: f.name === "_system",
  };
}

export function handleDatabase(ctx: ServerContext, req: GdnRequest): Reply {
  const f = ctx.store.fabric(req.fabric);
  const sub = req.segments[1];
  const m = req.method;
  if (sub === undefined || sub === "user") {
    if (m === "GET") return ok({ result: [...ctx.store.fabrics.keys()] });
    if (m === "POST" && sub === undefined) {
      if (f.name !== "_system") throw gdnFail("SYSTEM_DATABASE_ONLY");
      const body = parseBody(req).value as JsonObject | undefined;
      if (!body || typeof body.name !== "string") throw badParameter("expecting a fabric name");
      const created = ctx.store.createFabric(body.name);
      const options = body.options as JsonObject | undefined;
      if (options && options.metadata !== undefined) created.metadata = options.metadata as JsonValue;
      return ok({ result: true }, 201);
    }
  }
  if (sub === "current" && m === "GET") return ok({ result: fabricInfo(ctx, f) });
  if (sub === "metadata") {
    if (m === "GET") return ok({ result: fabricInfo(ctx, f) });
    if (m === "PUT" || m === "PATCH") {
      const body = parseBody(req).value as JsonObject | undefined;
      const md = body?.metadata;
      if (!isJsonObject(md)) throw badParameter("expecting 'metadata' to be an object");
      f.metadata = m === "PATCH" && isJsonObject(f.metadata) ? mergePatch(f.metadata, md, true, false) : md;
      ctx.store.listener?.onMetadata();
      return ok({ result: true }, 201);
    }
  }
  if (sub !== undefined && m === "DELETE" && req.segments.length === 2) {
    if (f.name !== "_system") throw gdnFail("SYSTEM_DATABASE_ONLY");
    ctx.store.dropFabric(sub);
    return ok({ result: true });
  }
  throw gdnFail("UNKNOWN_PATH");
}

/**
 * The live server reports `tags.url` as the region's host and `tags.api` as `api-<url>` (recorded:
 * `{"api":"api-dino-fra.eng.macrometa.io","url":"dino-fra.eng.macrometa.io"}`); SDKs build their
 * WebSocket URLs from them, so they name the host this client actually reached.
 */
function datacenter(ctx: ServerContext, host: string, withKey: boolean): Record<string, unknown> {
  const dc: Record<string, unknown> = {
    name: ctx.region,
    local: true,
    status: 0,
    tags: { api: `api-${host}`, url: host },
    locationInfo: { city: "", countrycode: "", countryname: "", latitude: "0", longitude: "0", url: host },
  };
  return withKey ? { _key: ctx.region, host: "127.0.0.1", ...dc, spot_region: false } : dc;
}

/** `/datacenter/local|all|<name>` (outside any fabric). */
export function handleDatacenter(ctx: ServerContext, req: GdnRequest): Reply {
  const which = req.segments[1];
  const host = req.publicHost;
  if (which === "local") return { status: 200, body: datacenter(ctx, host, true) };
  if (which === "all") return { status: 200, body: [datacenter(ctx, host, true)] };
  if (which === ctx.region) return { status: 200, body: datacenter(ctx, host, false) };
  throw gdnFail("DATACENTER_NOT_FOUND");
}

export function handleUser(ctx: ServerContext): Reply {
  return ok({ result: [{ user: "root", tenant: ctx.tenant, active: true, extra: {} }] });
}

/** `_api/key/<keyid>/database/<fabric>/collection|stream/<name>` → the key's access level. */
export function handleKeyPermission(ctx: ServerContext, req: GdnRequest, segments: string[]): Reply {
  const [, keyid, db, fabric, kind, name] = segments;
  if (!keyid || !ctx.auth.keyIds().includes(keyid)) throw gdnFail("API_KEY_ID_INVALID");
  if (req.method !== "GET" || db !== "database" || !fabric) throw gdnFail("UNKNOWN_PATH");
  ctx.store.fabric(fabric);
  if (kind === undefined) return ok({ result: "rw" });
  if ((kind === "collection" || kind === "stream") && name) return ok({ result: "rw" });
  throw gdnFail("UNKNOWN_PATH");
}

/**
 * `POST /_api/key/validate {apikey} | {jwt}` → the tenant and user the credential belongs to
 * (jsC8's `loginWithApiKey()`/`loginWithToken()` read `result.tenant`); 401 when it is not valid.
 */
export function handleKeyValidate(ctx: ServerContext, req: GdnRequest): Reply {
  if (req.method !== "POST") throw gdnFail("METHOD_NOT_SUPPORTED");
  const body = parseBody(req).value;
  if (!isJsonObject(body) || (typeof body.apikey !== "string" && typeof body.jwt !== "string")) throw badParameter("expecting 'apikey' or 'jwt'");
  const who = typeof body.apikey === "string" ? ctx.auth.validateApiKey(body.apikey) : ctx.auth.validateJwt(body.jwt as string);
  if (!who) throw gdnFail("NOT_AUTHORIZED");
  return ok({ result: who });
}

export function handleLogin(ctx: ServerContext, req: GdnRequest): Reply {
  const body = parseBody(req).value as JsonObject | undefined;
  const jwt = ctx.auth.login(body?.email ?? body?.username, body?.password);
  if (!jwt) throw gdnFail("WRONG_CREDENTIALS");
  return { status: 200, body: { jwt, tenant: ctx.tenant, username: "root" } };
}

export function handleOtp(ctx: ServerContext): Reply {
  return { status: 200, body: { otp: ctx.auth.issueOtp() } };
}

