/**
 * Response parsers: GDN answers (cursor pages, import and insert results, error-code headers,
 * key permissions, backlogs) into the client's types. Kept apart from the calls so the quirks of
 * the live service (numbers as strings, JSON inside strings, two header forms) sit in one place.
 * @packageDocumentation
 */
import { parseJsonLossless, stringifyJson } from "@macrometa-spark/kit";
import { splitResultArray } from "./json-scan.js";
import type { RawResponse } from "./transport.js";
import type { AccessLevel, CursorPage, ImportErrorDetail, ImportResult, InsertResultItem } from "./types.js";

/** A request body as JSON; bindVars may carry bigint. */
export function stringifyBody(body: Record<string, unknown>): string {
  // bindVars may carry bigint (a user's value beyond 2^53): JSON.stringify refuses it, kit's stringifier writes it exactly.
  try {
    return JSON.stringify(body);
  } catch {
    return stringifyJson(body);
  }
}

/** A cursor answer as a page: the items' texts cut out of the body without parsing them. */
export function parseCursorPage(text: string): CursorPage {
  const { items, envelope } = splitResultArray(text);
  return {
    items,
    hasMore: envelope.hasMore === true,
    id: typeof envelope.id === "string" ? envelope.id : envelope.id === undefined || envelope.id === null ? undefined : String(envelope.id),
    count: typeof envelope.count === "number" ? envelope.count : undefined,
    extra: envelope.extra as Record<string, unknown> | undefined,
  };
}

/** `X-C8-Error-Codes`: JSON (`{"1210":6}`, what the server sends) or the spec's `1205:10,1210:17`. */
export function parseErrorCodes(value: string | string[] | undefined): Record<string, number> {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return {};
  try {
    const parsed = JSON.parse(v) as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(parsed)) if (typeof n === "number") out[k] = n;
    return out;
  } catch {
    // the spec's `1205:10,1210:17` form
    const out: Record<string, number> = {};
    for (const part of v.split(",")) {
      const [k, n] = part.split(":");
      if (k && n && /^\d+$/.test(n.trim())) out[k.trim()] = Number(n.trim());
    }
    return out;
  }
}

/** An import answer in full; failed documents re-read losslessly. */
export function parseImportResult(res: RawResponse): ImportResult {
  const env = JSON.parse(res.text) as {
    result?: { created?: number; errors?: number; unprocessed?: number; updated?: number; ignored?: number; empty?: number; details?: { errors?: unknown[]; unprocessed?: unknown[] } };
  };
  const r = env.result ?? {};
  let details: ImportResult["details"];
  if (r.details) {
    let errors: ImportErrorDetail[] = [];
    if ((r.details.errors?.length ?? 0) > 0) {
      // Failed documents come back echoed: read them again without losing number lexemes.
      const lossless = parseJsonLossless(res.text) as { result: { details: { errors: { document: unknown; errorNumber: unknown; errorMessage: unknown }[] } } };
      errors = lossless.result.details.errors.map((e) => {
        const doc = e.document;
        const key = doc && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>)._key : undefined;
        return {
          document: doc,
          documentText: stringifyJson(doc),
          key: typeof key === "string" ? key : undefined,
          errorNumber: Number(e.errorNumber),
          errorMessage: String(e.errorMessage ?? ""),
        };
      });
    }
    details = { errors, unprocessed: r.details.unprocessed ?? [] };
  }
  return {
    created: r.created ?? 0,
    errors: r.errors ?? 0,
    unprocessed: r.unprocessed ?? 0,
    updated: r.updated ?? 0,
    ignored: r.ignored ?? 0,
    empty: r.empty ?? 0,
    details,
    errorCodes: parseErrorCodes(res.headers["x-c8-error-codes"]),
    attempts: res.attempts,
  };
}

/** A JSON answer body, `{}` when empty. */
export function parseJsonBody<T>(text: string): T {
  return (text === "" ? {} : JSON.parse(text)) as T;
}

/** A bulk insert answer: one item per document (`silent` answers `{}`: no items). */
export function parseInsertResults(text: string): InsertResultItem[] {
  if (text === "" || text === "{}") return [];
  return JSON.parse(text) as InsertResultItem[];
}

/** The access level in a key-permission answer (`result` is the level, or an object holding it). */
export function parseAccessLevel(result: unknown): AccessLevel {
  const level =
    typeof result === "string"
      ? result
      : result && typeof result === "object"
        ? ((result as Record<string, unknown>).access ?? (result as Record<string, unknown>).permission)
        : undefined;
  return level === "rw" || level === "ro" ? level : "none";
}

/** A backlog answer's `result`, which the server sends as a JSON string; parsed when it is one. */
export function parseBacklog(result: unknown): unknown {
  if (typeof result !== "string") return result;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}
