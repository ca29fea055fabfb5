/**
 * C8QL value semantics: ArangoDB type ordering (null < bool < number < string < array < object),
 * truthiness, numeric conversion and LIKE.
 * @packageDocumentation
 */
import { LosslessNumber, type JsonObject, type JsonValue } from "../json.js";

export type Value = JsonValue | undefined;

function rank(v: Value): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      if (v instanceof LosslessNumber) return 2;
      return Array.isArray(v) ? 4 : 5;
  }
}

function compareNumbers(a: number | LosslessNumber, b: number | LosslessNumber): number {
  if (a instanceof LosslessNumber || b instanceof LosslessNumber) {
    const ab = a instanceof LosslessNumber ? a.toBigInt() : Number.isInteger(a) ? BigInt(a) : undefined;
    const bb = b instanceof LosslessNumber ? b.toBigInt() : Number.isInteger(b) ? BigInt(b) : undefined;
    if (ab !== undefined && bb !== undefined) return ab < bb ? -1 : ab > bb ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumbers(a as number | LosslessNumber, b as number | LosslessNumber);
    case 3:
      return a! < b! ? -1 : a! > b! ? 1 : 0;
    case 4: {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      const n = Math.max(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(i < x.length ? x[i] : null, i < y.length ? y[i] : null);
        if (c) return c;
      }
      return 0;
    }
    default: {
      const x = a as JsonObject;
      const y = b as JsonObject;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) {
        const c = compare(k in x ? x[k] : null, k in y ? y[k] : null);
        if (c) return c;
      }
      return 0;
    }
  }
}

export function truthy(v: Value): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  if (v instanceof LosslessNumber) return Number(v.lexeme) !== 0;
  return true;
}

export function toNumber(v: Value): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (v instanceof LosslessNumber) return Number(v.lexeme);
  if (typeof v === "string") {
    const t = v.trim();
    if (t === "") return 0;
    const n = Number(t);
    return Number.isFinite(n) ? n : 0;
  }
  if (Array.isArray(v)) return v.length === 0 ? 0 : v.length === 1 ? toNumber(v[0]) : 0;
  return 0;
}

/** Arithmetic results that are not finite become null, as in C8QL. */
export function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

const likeCache = new Map<string, RegExp>();

/** `%` any sequence, `_` one character, backslash escapes; case-sensitive. */
export function like(value: Value, pattern: Value): boolean {
  if (typeof pattern !== "string") return false;
  const s = typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  let re = likeCache.get(pattern);
  if (!re) {
    let out = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === "\\" && i + 1 < pattern.length) out += escapeRe(pattern[++i]!);
      else if (c === "%") out += "[\\s\\S]*";
      else if (c === "_") out += "[\\s\\S]";
      else out += escapeRe(c);
    }
    re = new RegExp(`^${out}$`);
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(pattern, re);
  }
  return re.test(s);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
