/**
 * Secrets out of logs and error messages: fields that hold credentials are masked, and free text
 * loses the values that look like a key, token or password — only those, so the help text around
 * them ("set apiKey to <tenant>.<keyid>.<secret>") stays readable. Loggers and error constructors apply
 * it; callers that know their own secret add it with {@link redactSecrets}.
 * @packageDocumentation
 */

/** Structured fields of a log event. */
export type LogFields = Record<string, unknown>;

/**
 * Field names that hold a credential: the name ENDS with the credential's word (`apiKey`,
 * `accessToken`, `clientSecret`, `x-api-key`, `authorization`), so `apiKeyId`, `tokenEndpoint`,
 * `secretScope` or `passwordPolicy` — names about a credential, not holding one — stay readable.
 */
const SECRET_NAME = /(api[-_]?key|token|secret|password|passwd|authorization|jwt|otp|credentials?)$/i;

/** Masks values of fields whose names say they hold a credential, at any depth (arrays included). */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_NAME.test(k) && v !== undefined && v !== null && v !== "" ? "***" : redactValue(v);
  }
  return out;
}

function redactValue(v: unknown): unknown {
  if (typeof v === "string") return redactText(v);
  if (Array.isArray(v)) return v.map(redactValue);
  if (v instanceof Error) return redactText(v.message);
  if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array)) return redactFields(v as LogFields);
  return v;
}

/** The characters a credential value runs over in free text. */
const VALUE = String.raw`[^\s"',&;}()\]]+`;
const MASK = "***";

/**
 * Whether a word after `apikey`, `bearer`, `token:`… is a credential rather than the help text
 * around one ("set apiKey to …", "bearer token missing", "token=<personal access token>"): a
 * key's dotted shape (`<tenant>.<keyid>.<secret>`, a JWT), letters and digits mixed, or a long
 * unbroken run. Placeholders (`<…>`, `…`, `tenant.keyid.secret`) are help text.
 */
function looksLikeCredential(v: string): boolean {
  if (v === MASK || v.startsWith("<") || v.includes("…") || v.includes("...")) return false;
  if (/^<?tenant>?\.<?key(?:id|_id)?>?\.<?secret>?$/i.test(v)) return false;
  if (/^[^.]+\.[^.]+\.[^.]+/.test(v)) return true;
  if (v.length >= 6 && /\d/.test(v) && /[a-z]/i.test(v)) return true;
  return v.length >= 20;
}

/**
 * Masks credential values in free text and nothing around them: quoted JSON fields named like a
 * credential (`"apiKey": "…"`), `otp`/`token`/`apikey` query parameters, the value after an
 * `Authorization` header, `apikey`/`bearer`/`basic` schemes or `token=`/`password:` labels when
 * it looks like a credential (see {@link looksLikeCredential}), Databricks `dapi…` tokens, JWTs,
 * and GDN API keys (`<tenant>.<keyid>.<secret>` with a long secret: only the secret). Patterns
 * are a safety net; callers that know their secret also pass it to {@link redactSecrets}.
 */
export function redactText(text: string): string {
  const ifCredential = (m: string, ...groups: unknown[]): string => {
    const value = groups[groups.length - 3] as string;
    return looksLikeCredential(value) ? m.slice(0, m.length - value.length) + MASK : m;
  };
  return text
    .replace(/(["'])((?:api[-_]?key|access[-_]?token|token|jwt|password|secret|authorization))\1(\s*:\s*)(["'])(?!\*\*\*)([^"']+)\4/gi, (_m, q: string, name: string, sep: string, vq: string) => `${q}${name}${q}${sep}${vq}${MASK}${vq}`)
    .replace(/([?&](?:otp|token|apikey|api_key|access_token|jwt)=)[^&\s"'#]+/gi, `$1${MASK}`)
    .replace(new RegExp(String.raw`\b(authorization["']?\s*[:=]\s*["']?(?:(?:bearer|apikey|basic|token)(?:\s+|%20))?)(${VALUE})`, "gi"), ifCredential)
    .replace(new RegExp(String.raw`\b((?:apikey|bearer|basic)(?:["']?\s*[:=]\s*["']?|\s+|%20))(${VALUE})`, "gi"), ifCredential)
    .replace(new RegExp(String.raw`\b((?:access[-_]?token|token|api[-_]?key|secret|password|jwt)["']?\s*[:=]\s*["']?)(${VALUE})`, "gi"), ifCredential)
    .replace(/\bdapi[0-9a-f]{8,}\b/gi, "dapi***")
    .replace(/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g, MASK)
    .replace(/\b([\w@-]+(?:\.[\w@-]+)*)\.([\w-]{2,})\.([A-Za-z0-9_-]{20,})\b/g, (m, tenant: string, keyId: string) =>
      // A dotted host name (api-x.eng.macrometa.io) has short labels; a key's secret is long and unbroken.
      /[A-Z0-9]/.test(m.slice(tenant.length + keyId.length + 2)) ? `${tenant}.${keyId}.${MASK}` : m);
}

/** Removes every occurrence of the given secrets (the caller's own key/token), then the generic patterns. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return redactText(out);
}
