/**
 * Which tenant the credentials speak for, and whether a `tenant` option says otherwise. An API key
 * names its tenant (`<tenant>.<keyid>.<secret>`, the tenant being all but the last two segments:
 * see the wire contract); a JWT from `POST /_open/auth` comes with its tenant in the answer, and
 * carries it as a `tenant` claim where the issuer puts one there (local-gdn does; no reference at
 * hand lists the real GDN's claims, so a JWT without that claim is not checked). The payload is
 * read, never verified: the server does that — this only catches a mix-up before it costs a 401.
 * @packageDocumentation
 */
import { parseApiKey } from "./http/url.js";

/** The `tenant` claim of a JWT's payload, or undefined when it has none or is not a JWT. */
export function tenantOfJwt(jwt: string): string | undefined {
  const payload = jwt.trim().replace(/^bearer\s+/i, "").split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const tenant = claims && typeof claims === "object" ? (claims as Record<string, unknown>)["tenant"] : undefined;
    return typeof tenant === "string" && tenant !== "" ? tenant : undefined;
  } catch {
    return undefined;
  }
}

/** A `tenant` option that disagrees with the credentials' tenant. */
export interface TenantDisagreement {
  /** The `tenant` option's value. */
  option: string;
  /** The tenant the credential names. */
  credential: string;
  /** Which credential named it. */
  from: "apiKey" | "jwt";
}

/** The disagreement between `tenant` and the API key's (else the JWT's) tenant, if any. */
export function tenantDisagreement(tenant: string | undefined, credentials: { apiKey?: string | undefined; jwt?: string | undefined }): TenantDisagreement | undefined {
  const option = tenant?.trim();
  if (!option) return undefined;
  let fromKey: string | undefined;
  if (credentials.apiKey) {
    try {
      fromKey = parseApiKey(credentials.apiKey).tenant;
    } catch {
      fromKey = undefined; // the option parser reports a malformed key
    }
  }
  const fromJwt = credentials.jwt ? tenantOfJwt(credentials.jwt) : undefined;
  const credential = fromKey ?? fromJwt;
  if (credential === undefined || credential === option) return undefined;
  return { option, credential, from: fromKey !== undefined ? "apiKey" : "jwt" };
}

/** The warning for a disagreement: both tenants (never the credential itself) and what the option changes. */
export function tenantWarning(d: TenantDisagreement, effect: string): string {
  return `option 'tenant' is '${d.option}' but the ${d.from === "apiKey" ? "API key" : "JWT"} is for tenant '${d.credential}'; ${effect}`;
}
