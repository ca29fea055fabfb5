/**
 * Credentials: API keys of the real form `<tenant>.<keyid>.<secret>`, HS256 JWTs issued by
 * `POST /_open/auth`, and one-time tokens for WebSocket upgrades (`POST /apid/otp`).
 * @packageDocumentation
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface LocalUser {
  email: string;
  password: string;
}

/** Splits a key into tenant (which may contain dots), key id and secret. */
export function parseApiKey(key: string): { tenant: string; keyid: string; secret: string } | undefined {
  const parts = key.split(".");
  if (parts.length < 3) return undefined;
  const secret = parts.pop()!;
  const keyid = parts.pop()!;
  return { tenant: parts.join("."), keyid, secret };
}

export function generateApiKey(tenant: string): string {
  return `${tenant}.localgdn${randomBytes(3).toString("hex")}.${randomBytes(24).toString("base64url").replace(/[-_]/g, "x")}`;
}

const JWT_TTL_S = 12 * 3600;
const OTP_TTL_MS = 60_000;

export class Auth {
  private readonly keys: Set<string>;
  private readonly secret = randomBytes(32);
  private readonly otps = new Map<string, number>();

  constructor(
    keys: string[],
    readonly tenant: string,
    private readonly users: LocalUser[],
  ) {
    this.keys = new Set(keys);
  }

  keyIds(): string[] {
    return [...this.keys].map((k) => parseApiKey(k)?.keyid ?? "");
  }

  /** Checks an `Authorization` header value. */
  check(header: string | undefined): boolean {
    if (!header) return false;
    const sp = header.indexOf(" ");
    if (sp < 0) return this.keys.has(header.trim());
    const scheme = header.slice(0, sp).toLowerCase();
    const value = header.slice(sp + 1).trim();
    if (scheme === "apikey") return this.keys.has(value);
    if (scheme === "bearer") return this.verifyJwt(value);
    return false;
  }

  /** The owner of a configured key, or undefined. */
  validateApiKey(key: string): { tenant: string; user: string; keyid: string } | undefined {
    if (!this.keys.has(key)) return undefined;
    const parts = parseApiKey(key)!;
    return { tenant: parts.tenant, user: "root", keyid: parts.keyid };
  }

  /** The tenant and user of a JWT this server issued and that has not expired, or undefined. */
  validateJwt(token: string): { tenant: string; user: string } | undefined {
    if (!this.verifyJwt(token)) return undefined;
    const payload = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as { tenant?: string; sub?: string };
    return { tenant: payload.tenant ?? this.tenant, user: payload.sub ?? "root" };
  }

  login(email: unknown, password: unknown): string | undefined {
    const u = this.users.find((x) => x.email === email && x.password === password);
    if (!u) return undefined;
    const now = Math.floor(Date.now() / 1000);
    const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64(JSON.stringify({ iss: "local-gdn", sub: u.email, tenant: this.tenant, iat: now, exp: now + JWT_TTL_S }));
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  private sign(data: string): string {
    return createHmac("sha256", this.secret).update(data).digest("base64url");
  }

  private verifyJwt(token: string): boolean {
    const parts = token.split(".");
    if (parts.length !== 3) return false;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const got = Buffer.from(parts[2]!);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return false;
    try {
      const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as { exp?: number };
      return typeof payload.exp === "number" && payload.exp * 1000 > Date.now();
    } catch {
      return false;
    }
  }

  issueOtp(): string {
    const now = Date.now();
    for (const [k, exp] of this.otps) if (exp < now) this.otps.delete(k);
    const otp = randomBytes(16).toString("hex");
    this.otps.set(otp, now + OTP_TTL_MS);
    return otp;
  }

  /** One use only: the token is gone after this call. */
  consumeOtp(otp: string): boolean {
    const exp = this.otps.get(otp);
    this.otps.delete(otp);
    return exp !== undefined && exp >= Date.now();
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString("base64url");
}
