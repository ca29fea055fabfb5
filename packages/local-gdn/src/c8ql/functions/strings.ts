/**
 * String functions. Arguments that are not strings go through TO_STRING first, and positions count
 * characters (code points), not UTF-16 units, as the server's UTF-8 strings do.
 * @packageDocumentation
 */
import { toNumber, type Value } from "../values.js";
import type { FunctionTable } from "./registry.js";
import { isArray, toStr } from "./types.js";

const chars = (s: string): string[] => Array.from(s);

function concat(args: Value[]): string {
  const parts: Value[] = args.length === 1 && isArray(args[0]) ? args[0] : args.flatMap((a) => (isArray(a) ? a : [a]));
  let out = "";
  for (const p of parts) if (p !== null && p !== undefined) out += toStr(p);
  return out;
}

function substring(value: Value, offset: Value, length: Value | undefined): string {
  const cs = chars(toStr(value));
  let start = Math.trunc(toNumber(offset));
  if (start < 0) start = Math.max(0, cs.length + start);
  if (length === undefined || length === null) return cs.slice(start).join("");
  const n = Math.trunc(toNumber(length));
  return n <= 0 ? "" : cs.slice(start, start + n).join("");
}

function contains(text: Value, search: Value, returnIndex: Value | undefined): boolean | number {
  const t = toStr(text);
  const i = t.indexOf(toStr(search));
  if (returnIndex === true) return i < 0 ? -1 : chars(t.slice(0, i)).length;
  return i >= 0;
}

function split(value: Value, separator: Value | undefined, limit: Value | undefined): string[] {
  const s = toStr(value);
  let parts: string[];
  if (separator === undefined || separator === null) parts = [s];
  else if (isArray(separator)) {
    const seps = separator.map(toStr).filter((x) => x !== "");
    parts = seps.length ? s.split(new RegExp(seps.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"))) : chars(s);
  } else {
    const sep = toStr(separator);
    parts = sep === "" ? chars(s) : s.split(sep);
  }
  if (limit !== undefined && limit !== null) {
    const n = Math.trunc(toNumber(limit));
    if (n >= 0) parts = parts.slice(0, n);
  }
  return parts;
}

export const stringFunctions: FunctionTable = {
  CONCAT: { min: 1, max: Infinity, fn: (args) => concat(args) },
  LOWER: { min: 1, max: 1, fn: ([v]) => toStr(v).toLowerCase() },
  UPPER: { min: 1, max: 1, fn: ([v]) => toStr(v).toUpperCase() },
  SUBSTRING: { min: 2, max: 3, fn: ([v, o, l]) => substring(v, o, l) },
  CONTAINS: { min: 2, max: 3, fn: ([t, s, r]) => contains(t, s, r) },
  SPLIT: { min: 1, max: 3, fn: ([v, s, l]) => split(v, s, l) },
  TRIM: { min: 1, max: 1, fn: ([v]) => toStr(v).replace(/^[\r\n \t]+|[\r\n \t]+$/g, "") },
};
