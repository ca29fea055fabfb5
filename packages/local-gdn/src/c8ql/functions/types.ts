/**
 * Type checks, conversions and numeric functions, with C8QL's (AQL's) conversion rules:
 * TO_NUMBER of a non-numeric string is 0, TO_BOOL of any array or object is true, TO_STRING of an
 * array or object is its JSON, and arithmetic on something that is not a number goes through
 * TO_NUMBER first.
 * @packageDocumentation
 */
import { LosslessNumber, stringifyJson, type JsonValue } from "../../json.js";
import { finite, toNumber, truthy, type Value } from "../values.js";
import type { FunctionTable } from "./registry.js";

export function isNumber(v: Value): v is number | LosslessNumber {
  return typeof v === "number" || v instanceof LosslessNumber;
}
export function isArray(v: Value): v is JsonValue[] {
  return Array.isArray(v);
}
export function isObject(v: Value): v is { [k: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof LosslessNumber);
}

/** AQL's TO_STRING: null → "", booleans and numbers as written, arrays/objects as JSON. */
export function toStr(v: Value): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  if (v instanceof LosslessNumber) return v.toBigInt() !== undefined ? v.lexeme.replace(/^-0$/, "0") : String(Number(v.lexeme));
  return stringifyJson(v);
}

function typeName(v: Value): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return "bool";
  if (isNumber(v)) return "number";
  if (typeof v === "string") return "string";
  return Array.isArray(v) ? "array" : "object";
}

const round = (v: Value, f: (n: number) => number): number | null => finite(f(toNumber(v)));

export const typeFunctions: FunctionTable = {
  TO_NUMBER: { min: 1, max: 1, fn: ([v]) => finite(toNumber(v)) },
  TO_STRING: { min: 1, max: 1, fn: ([v]) => toStr(v) },
  TO_BOOL: { min: 1, max: 1, fn: ([v]) => truthy(v) },
  TO_ARRAY: {
    min: 1,
    max: 1,
    fn: ([v]) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [v]),
  },
  IS_NULL: { min: 1, max: 1, fn: ([v]) => v === null || v === undefined },
  IS_BOOL: { min: 1, max: 1, fn: ([v]) => typeof v === "boolean" },
  IS_NUMBER: { min: 1, max: 1, fn: ([v]) => isNumber(v) },
  IS_STRING: { min: 1, max: 1, fn: ([v]) => typeof v === "string" },
  IS_ARRAY: { min: 1, max: 1, fn: ([v]) => isArray(v) },
  IS_LIST: { min: 1, max: 1, fn: ([v]) => isArray(v) },
  IS_OBJECT: { min: 1, max: 1, fn: ([v]) => isObject(v) },
  IS_DOCUMENT: { min: 1, max: 1, fn: ([v]) => isObject(v) },
  TYPENAME: { min: 1, max: 1, fn: ([v]) => typeName(v) },
  /** The first argument that is not null, else null. */
  NOT_NULL: { min: 1, max: Infinity, fn: (args) => args.find((a) => a !== null && a !== undefined) ?? null },
  ROUND: { min: 1, max: 1, fn: ([v]) => round(v, Math.round) },
  FLOOR: { min: 1, max: 1, fn: ([v]) => round(v, Math.floor) },
  CEIL: { min: 1, max: 1, fn: ([v]) => round(v, Math.ceil) },
  ABS: { min: 1, max: 1, fn: ([v]) => round(v, Math.abs) },
};
