/**
 * Where a GDN lives and who the caller is: the region URL rule and API-key parsing.
 * @packageDocumentation
 */
import { gdnError } from "../error-codes.js";

/**
 * The HTTP origin for a `regionUrl` option.
 *
 * A bare host (`play.paas.macrometa.io`, as the official connector takes it) becomes
 * `https://api-<host>`: TLS is the default against remote hosts, and the GDN API answers on the
 * `api-` prefixed name. A value with a scheme (`http://127.0.0.1:8529`, `https://api-x`) is used as
 * is, so local servers and explicit origins work. A trailing slash or path is dropped: every route
 * we call is absolute (`/_fabric/...`, `/apid/otp`).
 */
export function resolveGdnUrl(regionUrl: string): string {
  const raw = regionUrl.trim();
  if (raw === "") throw gdnError("GDN_BAD_URL", { problem: "is empty" });
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? new URL(raw) : new URL(`https://${raw.startsWith("api-") ? raw : `api-${raw}`}`);
  } catch {
    throw gdnError("GDN_BAD_URL", { problem: `'${raw}' is not a host name or URL` });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw gdnError("GDN_BAD_URL", { problem: `'${raw}' must use http or https` });
  }
  // The API key travels in every request: plain HTTP only to this machine (a local GDN).
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw gdnError("GDN_INSECURE_URL", { url: raw });
  }
  return url.origin;
}

/** localhost, 127.0.0.0/8 and ::1: where plain HTTP never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The WebSocket origin matching an HTTP origin (`https` → `wss`, `http` → `ws`). */
export function wsUrlFor(httpOrigin: string): string {
  return httpOrigin.replace(/^http/i, "ws");
}

/** The parts of an API key `<tenant>.<keyid>.<secret>`. */
export interface ParsedApiKey {
  /** The bare key, without an `apikey ` prefix. Secret: never log it. */
  key: string;
  /** All but the last two dot-separated segments (a tenant may contain dots, e.g. an e-mail). */
  tenant: string;
  keyId: string;
}

/**
 * Splits an API key. Accepts the bare key or the connector's `apikey <key>` form (case-insensitive
 * prefix). Error messages never echo the key.
 */
export function parseApiKey(value: string): ParsedApiKey {
  const key = value.trim().replace(/^apikey\s+/i, "").trim();
  const parts = key.split(".");
  if (key === "" || /\s/.test(key) || parts.length < 3 || parts.some((p) => p === "")) {
    throw gdnError("GDN_BAD_API_KEY");
  }
  return { key, tenant: parts.slice(0, -2).join("."), keyId: parts[parts.length - 2]! };
}

/** The tenant named by an API key (all but the last two segments). */
export function tenantFromApiKey(value: string): string {
  return parseApiKey(value).tenant;
}
