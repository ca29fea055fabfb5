/**
 * What decoders and writers ask of a JavaScript value: its JSON kind for messages, whether it is
 * a plain object, and how to set a key that may be `__proto__`.
 * @packageDocumentation
 */
import { JsonNumber } from "@macrometa-spark/kit";

/** The JSON kind of a value, as named in mismatch reasons. */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof JsonNumber || typeof v === "number" || typeof v === "bigint") return "number";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "Date";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof JsonNumber) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array)
  );
}

/** Sets `key` as an own property even when it is `__proto__` (plain assignment would change the prototype). */
export function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Whether inference, merging `v` with values of other elements of an array, can be left with no
 * field for it: nulls, `""`, arrays of such, and objects of such (or with only empty names).
 * Merged with a struct that canonicalisation removes, such a value's field vanishes.
 */
export function mergesAway(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return true;
  if (Array.isArray(v)) return v.every(mergesAway);
  if (!isPlainObject(v)) return false;
  for (const k in v) if (k !== "" && !mergesAway(v[k])) return false;
  return true;
}
