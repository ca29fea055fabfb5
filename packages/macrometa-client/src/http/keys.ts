/**
 * What an API key may do (the connector's permission check) and one-time tokens for WebSocket URLs.
 * @packageDocumentation
 */
import { gdnError } from "../error-codes.js";
import { parseAccessLevel } from "./parsers.js";
import { type GdnTransport, enc } from "./transport.js";
import type { AccessLevel } from "./types.js";

export const keyMethods = {
  /**
   * What the API key may do with a collection or stream:
   * `GET /_api/key/<keyid>/database/<fabric>/collection|stream/<name>` (idempotent), as the official
   * connector checks before reading. Needs an API key (not a JWT).
   */
  async keyAccess(this: GdnTransport, kind: "collection" | "stream", name: string, signal?: AbortSignal): Promise<AccessLevel> {
    if (!this.keyId) throw gdnError("GDN_NO_API_KEY");
    const body = await this.requestJson<{ result?: unknown }>({
      method: "GET",
      path: `/_api/key/${enc(this.keyId)}/database/${enc(this.fabric)}/${kind}/${enc(name)}`,
      retry: "idempotent",
      context: kind === "collection" ? { collection: name } : { stream: name },
      signal,
    });
    return parseAccessLevel(body.result);
  },

  /** `POST /apid/otp` → a one-time token for a WebSocket URL (`?otp=`). Never retried after send: a token is single-use either way, so a fresh call is cheap. */
  async createOtp(this: GdnTransport, signal?: AbortSignal): Promise<string> {
    const body = await this.requestJson<{ otp?: unknown; result?: { otp?: unknown } }>({ method: "POST", path: "/apid/otp", retry: "refusals", signal });
    const otp = body.otp ?? body.result?.otp;
    if (typeof otp !== "string") throw gdnError("GDN_BAD_ANSWER", { what: "OTP answer without an 'otp' field" }, { context: { route: "POST /apid/otp" } });
    return otp;
  },
};
