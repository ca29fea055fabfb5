/**
 * LENGTH/COUNT and array functions, including the ones COLLECT … AGGREGATE uses. Aggregates ignore
 * null members; SUM of an empty array is 0, AVERAGE/MIN/MAX of one are null (AQL numeric docs). A
 * non-array where an array is expected gives null.
 * @packageDocumentation
 */
import { equalityKey, LosslessNumber, type JsonValue } from "../../json.js";
import { compare, finite, type Value } from "../values.js";
import type { FunctionTable } from "./registry.js";
import { isArray, isNumber, isObject, toStr } from "./types.js";

/** LENGTH: items of an array, attributes of an object, characters of a string or of a number's text, 1/0 for booleans, 0 for null. */
export function length(v: Value): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (isArray(v)) return v.length;
  if (isObject(v)) return Object.keys(v).length;
  return Array.from(toStr(v)).length;
}

/** Members that are not null; undefined when the argument is not an array. */
function present(v: Value): JsonValue[] | undefined {
  return isArray(v) ? v.filter((x) => x !== null && x !== undefined) : undefined;
}

function numbers(v: Value): number[] | undefined {
  const xs = present(v);
  if (!xs || !xs.every(isNumber)) return undefined;
  return xs.map((x) => (x instanceof LosslessNumber ? Number(x.lexeme) : (x as number)));
}

export function sum(v: Value): number | null {
  const xs = numbers(v);
  return xs ? finite(xs.reduce((a, b) => a + b, 0)) : null;
}

export function average(v: Value): number | null {
  const xs = numbers(v);
  return xs && xs.length ? finite(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
}

function extreme(v: Value, sign: 1 | -1): Value {
  const xs = present(v);
  if (!xs || !xs.length) return null;
  return xs.reduce((best, x) => (compare(x, best) * sign > 0 ? x : best));
}

export function unique(v: Value): JsonValue[] | null {
  if (!isArray(v)) return null;
  const seen = new Set<string>();
  const out: JsonValue[] = [];
  for (const x of v) {
    const k = equalityKey(x ?? null);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

export const arrayFunctions: FunctionTable = {
  LENGTH: { min: 1, max: 1, fn: ([v]) => length(v) },
  COUNT: { min: 1, max: 1, fn: ([v]) => length(v) },
  FIRST: { min: 1, max: 1, fn: ([v]) => (isArray(v) && v.length ? v[0]! : null) },
  LAST: { min: 1, max: 1, fn: ([v]) => (isArray(v) && v.length ? v[v.length - 1]! : null) },
  UNIQUE: { min: 1, max: 1, fn: ([v]) => unique(v) },
  SORTED_UNIQUE: { min: 1, max: 1, fn: ([v]) => unique(v)?.sort(compare) ?? null },
  COUNT_DISTINCT: { min: 1, max: 1, fn: ([v]) => unique(v)?.length ?? null },
  COUNT_UNIQUE: { min: 1, max: 1, fn: ([v]) => unique(v)?.length ?? null },
  SUM: { min: 1, max: 1, fn: ([v]) => sum(v) },
  AVERAGE: { min: 1, max: 1, fn: ([v]) => average(v) },
  AVG: { min: 1, max: 1, fn: ([v]) => average(v) },
  MIN: { min: 1, max: 1, fn: ([v]) => extreme(v, -1) },
  MAX: { min: 1, max: 1, fn: ([v]) => extreme(v, 1) },
  /** PUSH(array, value, unique?): a copy with `value` appended (not when `unique` and present). */
  PUSH: {
    min: 2,
    max: 3,
    fn: ([arr, v, uniq]) => {
      if (!isArray(arr)) return null;
      const item = (v ?? null) as JsonValue;
      if (uniq === true && arr.some((x) => compare(x, item) === 0)) return arr;
      return [...arr, item];
    },
  },
};

/** Functions COLLECT … AGGREGATE accepts, applied to the group's values. */
export const AGGREGATES: ReadonlySet<string> = new Set(["LENGTH", "COUNT", "SUM", "AVERAGE", "AVG", "MIN", "MAX", "UNIQUE", "SORTED_UNIQUE", "COUNT_DISTINCT", "COUNT_UNIQUE", "PUSH"]);
