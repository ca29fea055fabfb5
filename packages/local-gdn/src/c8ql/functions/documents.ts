/**
 * Document functions: HAS, KEEP, UNSET, MERGE, ATTRIBUTES, VALUES and DOCUMENT. Functions that
 * need an object answer null for anything else.
 * @packageDocumentation
 */
import { notFoundCollection } from "../../errors.js";
import type { JsonObject, JsonValue } from "../../json.js";
import { compare, type Value } from "../values.js";
import type { FunctionContext, FunctionTable } from "./registry.js";
import { isArray, isObject, toStr } from "./types.js";

/** Attribute names given as separate arguments or as one array. */
function names(args: Value[]): Set<string> {
  const list = args.length === 1 && isArray(args[0]) ? args[0] : args;
  return new Set(list.map((a) => toStr(a)));
}

function pick(doc: Value, attrs: Set<string>, keep: boolean): JsonObject | null {
  if (!isObject(doc)) return null;
  const out: JsonObject = {};
  for (const k of Object.keys(doc)) if (attrs.has(k) === keep) out[k] = doc[k] as JsonValue;
  return out;
}

function merge(args: Value[]): JsonObject | null {
  const docs = args.length === 1 && isArray(args[0]) ? args[0] : args;
  const out: JsonObject = {};
  for (const d of docs) {
    if (!isObject(d)) return null;
    Object.assign(out, d);
  }
  return out;
}

function attributes(doc: Value, removeInternal: Value | undefined, sort: Value | undefined): string[] | null {
  if (!isObject(doc)) return null;
  let keys = Object.keys(doc);
  if (removeInternal === true) keys = keys.filter((k) => !k.startsWith("_"));
  if (sort === true) keys.sort((a, b) => compare(a, b));
  return keys;
}

/** `DOCUMENT(id)`, `DOCUMENT([ids])`, `DOCUMENT(collection, key)`, `DOCUMENT(collection, [keys])`. */
function documentLookup(args: Value[], ctx: FunctionContext): Value {
  const fetch = (coll: string, key: string): JsonObject | null => {
    const c = ctx.store.fabric(ctx.fabric).collections.get(coll);
    if (!c) throw notFoundCollection(coll);
    return c.get(key) ?? null;
  };
  const byId = (id: Value): JsonObject | null => {
    if (typeof id !== "string" || !id.includes("/")) return null;
    const slash = id.indexOf("/");
    return fetch(id.slice(0, slash), id.slice(slash + 1));
  };
  if (args.length === 1) {
    const [v] = args;
    if (isArray(v)) return v.map(byId).filter((d): d is JsonObject => d !== null);
    return byId(v);
  }
  const [coll, key] = args;
  if (typeof coll !== "string") return null;
  const keyOf = (k: Value): string | undefined => (typeof k !== "string" ? undefined : k.startsWith(`${coll}/`) ? k.slice(coll.length + 1) : k.includes("/") ? undefined : k);
  if (isArray(key))
    return key.flatMap((k) => {
      const kk = keyOf(k);
      const d = kk === undefined ? null : fetch(coll, kk);
      return d ? [d] : [];
    });
  const kk = keyOf(key);
  return kk === undefined ? null : fetch(coll, kk);
}

export const documentFunctions: FunctionTable = {
  HAS: { min: 2, max: 2, fn: ([d, a]) => isObject(d) && Object.prototype.hasOwnProperty.call(d, toStr(a)) },
  KEEP: { min: 2, max: Infinity, fn: ([d, ...a]) => pick(d, names(a), true) },
  UNSET: { min: 2, max: Infinity, fn: ([d, ...a]) => pick(d, names(a), false) },
  MERGE: { min: 1, max: Infinity, fn: (args) => merge(args) },
  ATTRIBUTES: { min: 1, max: 3, fn: ([d, r, s]) => attributes(d, r, s) },
  VALUES: { min: 1, max: 2, fn: ([d, r]) => (isObject(d) ? (attributes(d, r, false) ?? []).map((k) => d[k] as JsonValue) : null) },
  DOCUMENT: { min: 1, max: 2, fn: (args, ctx) => documentLookup(args, ctx) },
};
