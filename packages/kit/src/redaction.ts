/**
 * Secrets out of logs and error messages: fields named like credentials are masked, and free text
 * loses anything that looks like a key, token or password. Loggers and error constructors apply
 * it; callers that know their own secret add it with {@link redactSecrets}.
 * @packageDocumentation
 */

/** Structured fields of a log event. */
export type LogFields = Record<string, unknown>;

const SECRET_NAME = /(api[-_]?key|token|secret|password|authorization|jwt|otp)/i;

/** Masks values of fields whose names look like credentials, at any depth (arrays included). */
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

/**
 * Masks credential-looking substrings in free text: `apikey …` / `bearer …` / `token: …` (with a
 * space, `:`, `=` or `%20`), `otp=`/`token=` query parameters, Databricks `dapi…` tokens, JWTs, and
 * GDN API keys (`<tenant>.<keyid>.<secret>` with a long secret). Patterns are a safety net; callers
 * that know their secret also pass it to {@link redactSecrets}.
 */
export function redactText(text: string): string {
  return text
    .replace(/\b(apikey|bearer|basic)(["']?\s*[:=]\s*["']?|\s+|%20)(?!\*\*\*)[^\s"',&;}]+/gi, "$1$2***")
    .replace(/\b(token|api[-_]?key|authorization|secret|password)(["']?\s*[:=]\s*["']?)(?!\*\*\*|(?:bearer|apikey|basic)\b)(?=[^\s"',&;}]*\d)[^\s"',&;}]{6,}/gi, "$1$2***")
    .replace(/([?&](?:otp|token|apikey|api_key|access_token)=)[^&\s"']+/gi, "$1***")
    .replace(/\bdapi[0-9a-f]{8,}\b/gi, "dapi***")
    .replace(/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g, "***")
    .replace(/\b([\w@-]+(?:\.[\w@-]+)*)\.([\w-]{2,})\.([A-Za-z0-9_-]{20,})\b/g, (m, tenant: string, keyId: string) =>
      // A dotted host name (api-x.eng.macrometa.io) has short labels; a key's secret is long and unbroken.
      /[A-Z0-9]/.test(m.slice(tenant.length + keyId.length + 2)) ? `${tenant}.${keyId}.***` : m);
}

/** Removes every occurrence of the given secrets (the caller's own key/token), then the generic patterns. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return redactText(out);
}
