/**
 * Who may read the monitoring page. The page shows collection names, keys and error texts, so:
 * on a loopback address only requests naming a loopback host are served (a page elsewhere that
 * re-points its own name at 127.0.0.1 is refused), and on any other address every request must
 * carry the token printed once at start, as `Authorization: Bearer`, `?token=` or the cookie the
 * page sets from `?token=`.
 * @packageDocumentation
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** The cookie the page keeps the token in (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = "mmspark_ui";

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** A fresh token: 24 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

export type AccessVerdict = { ok: true; token?: string } | { ok: false; status: 401 | 403; reason: string };

/** The rule for one server: `token` undefined means loopback-only serving. */
export class AccessRule {
  private readonly digest: Buffer | undefined;
  constructor(readonly token: string | undefined) {
    this.digest = token === undefined ? undefined : sha256(token);
  }

  /** Judges a request; `token` in the verdict is set when it came in the URL (to become a cookie). */
  check(req: IncomingMessage, url: URL): AccessVerdict {
    if (!this.digest) {
      const host = hostOf(req.headers.host);
      if (host === undefined || !isLoopbackHost(host)) return { ok: false, status: 403, reason: "this page is served to loopback host names only" };
      return { ok: true };
    }
    const fromUrl = url.searchParams.get("token") ?? undefined;
    const presented = fromUrl ?? bearer(req.headers.authorization) ?? cookie(req.headers.cookie, TOKEN_COOKIE);
    if (presented === undefined) return { ok: false, status: 401, reason: "a token is required (see the UI line printed at start)" };
    // Equal-length digests: the comparison time says nothing about the token.
    if (!timingSafeEqual(sha256(presented), this.digest)) return { ok: false, status: 401, reason: "wrong token" };
    return fromUrl !== undefined ? { ok: true, token: fromUrl } : { ok: true };
  }
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header.trim());
  return m?.[1];
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return m?.[1];
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
