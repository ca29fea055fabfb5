/**
 * Topic naming and WebSocket URLs. A GDN stream `<name>` lives in namespace `c8global.<fabric>`
 * (topic `c8globals.<name>`) or `c8local.<fabric>` (topic `c8locals.<name>`); a collection's change
 * stream is named after the collection, with no prefix, and is always local.
 * @packageDocumentation
 */
import { OptionError } from "@macrometa-spark/kit";
import { parseApiKey, resolveGdnUrl, wsUrlFor } from "../http/url.js";

export type StreamReplication = "global" | "local";

export interface StreamRef {
  tenant: string;
  /** Default: "_system". */
  fabric?: string;
  /** The stream's name as the user gives it (with or without a `c8globals.`/`c8locals.` prefix). */
  name: string;
  /** Default: "global" (as the connector). Forced to "local" for collection streams. */
  replication?: StreamReplication;
  /** A collection's change stream: the topic is the collection name, always local. Default: false. */
  isCollectionStream?: boolean;
}

export interface ResolvedTopic {
  tenant: string;
  /** `c8global.<fabric>` or `c8local.<fabric>`. */
  namespace: string;
  /** `c8globals.<name>`, `c8locals.<name>`, or the collection's name. */
  topic: string;
  global: boolean;
  /** `persistent://<tenant>/<namespace>/<topic>`. */
  fullName: string;
}

/** Strips a `c8globals.`/`c8locals.` prefix the user may have given. */
export function bareStreamName(name: string): string {
  return name.replace(/^c8(globals|locals)\./, "");
}

export function resolveTopic(ref: StreamRef): ResolvedTopic {
  const fabric = ref.fabric && ref.fabric !== "" ? ref.fabric : "_system";
  if (!ref.tenant) throw new OptionError("tenant", "is required to name a stream topic");
  if (!ref.name) throw new OptionError("stream", "is required");
  if (ref.isCollectionStream) {
    if (ref.replication === "global") {
      // The connector rejects this too: a collection's stream exists only in its region.
      throw new OptionError("replication", "a collection stream is always local; use replication 'local' or omit it");
    }
    const namespace = `c8local.${fabric}`;
    return { tenant: ref.tenant, namespace, topic: ref.name, global: false, fullName: `persistent://${ref.tenant}/${namespace}/${ref.name}` };
  }
  const global = (ref.replication ?? "global") === "global";
  // A prefix that contradicts the replication is the caller's mistake, not something to guess about.
  if (global && ref.name.startsWith("c8locals.")) throw new OptionError("stream", `'${ref.name}' is a local stream name but replication is global`);
  if (!global && ref.name.startsWith("c8globals.")) throw new OptionError("stream", `'${ref.name}' is a global stream name but replication is local`);
  const bare = bareStreamName(ref.name);
  const namespace = `${global ? "c8global" : "c8local"}.${fabric}`;
  const topic = `${global ? "c8globals" : "c8locals"}.${bare}`;
  return { tenant: ref.tenant, namespace, topic, global, fullName: `persistent://${ref.tenant}/${namespace}/${topic}` };
}

export type WsEndpoint = "producer" | "consumer" | "reader";

/**
 * `<wsBase>/_ws/ws/v2/<endpoint>/persistent/<tenant>/<namespace>/<topic>[/<subscription>]?<params>`.
 * Parameters with undefined values are left out. The result may carry an OTP: never log it whole
 * (use `redactWsUrl`).
 */
export function buildWsUrl(
  wsBase: string,
  endpoint: WsEndpoint,
  topic: ResolvedTopic,
  subscription: string | undefined,
  params: Record<string, string | number | boolean | undefined>,
): string {
  if (endpoint === "consumer" && !subscription) throw new OptionError("subscriptionName", "a consumer needs a subscription name");
  const base = wsBase.replace(/\/+$/, "");
  const parts = ["_ws", "ws", "v2", endpoint, "persistent", topic.tenant, topic.namespace, topic.topic];
  if (endpoint === "consumer") parts.push(subscription!);
  const path = parts.map((p, i) => (i < 5 ? p : encodeURIComponent(p))).join("/");
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return `${base}/${path}${qs ? `?${qs}` : ""}`;
}

/** The URL without its query (OTPs travel there). */
export function redactWsUrl(url: string): string {
  const i = url.indexOf("?");
  return i < 0 ? url : url.slice(0, i);
}

/**
 * The WebSocket base for a region: the HTTP origin rule of `resolveGdnUrl` (a bare host gets
 * `https://api-`, a URL with a scheme is kept; `ws`/`wss` are read as `http`/`https`), as `ws(s)`.
 */
export function resolveWsBase(regionUrl: string): string {
  return wsUrlFor(resolveGdnUrl(regionUrl.trim().replace(/^ws(s?):\/\//i, (_m, s: string) => `http${s}://`)));
}

/** The HTTP(S) origin matching a WebSocket base (for `/apid/otp`). */
export function httpBaseOf(wsBase: string): string {
  return wsBase.replace(/^ws(s?):\/\//i, (_m, s: string) => `http${s}://`).replace(/\/+$/, "");
}

/** The tenant of an API key (see `parseApiKey`), or undefined when the key is not of that form. */
export function tenantOfApiKey(apiKey: string): string | undefined {
  try {
    return parseApiKey(apiKey).tenant;
  } catch {
    return undefined;
  }
}
