/**
 * The request/response shapes route handlers work with, and their small helpers.
 * @packageDocumentation
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Auth } from "./auth.js";
import type { Clock } from "./clock.js";
import type { CursorRegistry } from "./cursors.js";
import { gdnFail } from "./errors.js";
import type { Faults } from "./faults.js";
import type { Journal } from "./journal.js";
import { JsonSyntaxError, parseJson, type JsonValue } from "./json.js";
import type { Store } from "./store.js";
import type { StreamBroker } from "./streams/index.js";

export interface ServerContext {
  store: Store;
  cursors: CursorRegistry;
  auth: Auth;
  broker: StreamBroker;
  faults: Faults;
  journal: Journal | undefined;
  tenant: string;
  region: string;
  /** Host (and port) clients use, for `/datacenter/*` tags. */
  host: string;
  maxBatchSize: number;
  clock: Clock;
}

export interface GdnRequest {
  method: string;
  /** Path segments after `/_fabric/<f>/_api`, decoded. */
  segments: string[];
  fabric: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The host (and port) the client addressed, without a leading `api-`, as the live server reports regions. */
  publicHost: string;
}

/** `Host` header without the `api-` prefix jsC8 and the docs put in front of a region's host. */
export function publicHostOf(hostHeader: string | undefined, fallback: string): string {
  const h = hostHeader?.trim() || fallback;
  return h.startsWith("api-") ? h.slice(4) : h;
}

export interface Reply {
  status: number;
  /** Serialised with lossless numbers and cached document texts. */
  body?: unknown;
  /** Pre-built JSON text (takes precedence over `body`). */
  raw?: string;
  headers?: Record<string, string>;
}

export function parseBody(req: GdnRequest): { value: JsonValue | undefined; lossless: boolean } {
  if (req.body.length === 0) return { value: undefined, lossless: false };
  try {
    return parseJson(req.body.toString("utf8"));
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw gdnFail("BODY_NOT_JSON", { reason: e.message });
    throw e;
  }
}

/** Query-string booleans as the SDKs send them (`1`/`0`, `true`/`false`). */
export function flag(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  return v === "1" || v.toLowerCase() === "true" || v.toLowerCase() === "yes";
}

export function ok(body: Record<string, unknown>, status = 200): Reply {
  return { status, body: { error: false, code: status, ...body } };
}
