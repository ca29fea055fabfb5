/**
 * Rows to plain objects and to JSON text, with one writer compiled and cached per type.
 * @packageDocumentation
 */
import type { Row } from "../contracts.js";
import { stringifyJson, toBase64 } from "@macrometa-spark/kit";
import { ArrayType, DataType, MapType, StructType } from "../types.js";
import { isPlainObject, setField } from "./values.js";

type RowWriter = (v: unknown) => unknown;

const objectWriters = new WeakMap<DataType, RowWriter>();

function objectWriter(t: DataType): RowWriter {
  const cached = objectWriters.get(t);
  if (cached) return cached;
  let w: RowWriter;
  if (t instanceof StructType) {
    const names = t.fields.map((f) => f.name);
    const inner = t.fields.map((f) => objectWriter(f.dataType));
    w = (v) => {
      if (v === null || v === undefined) return null;
      if (!Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) setField(out, names[i]!, inner[i]!(v[i] ?? null));
      return out;
    };
  } else if (t instanceof ArrayType) {
    const inner = objectWriter(t.elementType);
    w = (v) => (Array.isArray(v) ? v.map((x) => inner(x ?? null)) : (v ?? null));
  } else if (t instanceof MapType) {
    const inner = objectWriter(t.valueType);
    w = (v) => {
      if (!isPlainObject(v)) return v ?? null;
      const out: Record<string, unknown> = {};
      for (const k in v) setField(out, k, inner(v[k] ?? null));
      return out;
    };
  } else {
    w = (v) => (v === undefined ? null : v);
  }
  objectWriters.set(t, w);
  return w;
}

/** A plain object for a row (nested structs as objects, arrays kept, bigint kept). */
export function rowToObject(schema: StructType, row: Row): Record<string, unknown> {
  return objectWriter(schema)(row) as Record<string, unknown>;
}

export interface RowToJsonOptions {
  /** Leave null fields out, as Spark's JSON writer does. Default: false (every schema field is written). */
  ignoreNullFields?: boolean;
}

type JsonWriter = (v: unknown) => string;

const jsonWriters = new WeakMap<DataType, [JsonWriter, JsonWriter]>();

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

function jsonWriter(t: DataType, ignoreNulls: boolean): JsonWriter {
  const cached = jsonWriters.get(t);
  const slot = ignoreNulls ? 1 : 0;
  if (cached?.[slot]) return cached[slot];
  let w: JsonWriter;
  switch (t.kind) {
    case "string":
      w = (v) => (typeof v === "string" ? JSON.stringify(v) : stringifyJson(v));
      break;
    case "long":
    case "integer":
    case "double":
    case "float":
      w = (v) => (typeof v === "number" ? (Number.isFinite(v) ? String(v) : `"${v}"`) : typeof v === "bigint" ? v.toString() : stringifyJson(v));
      break;
    case "decimal":
      w = (v) => (typeof v === "string" && DECIMAL_TEXT.test(v) ? v : stringifyJson(v));
      break;
    case "binary":
      w = (v) => (v instanceof Uint8Array ? `"${toBase64(v)}"` : stringifyJson(v));
      break;
    case "struct": {
      const keys = t.fields.map((f) => JSON.stringify(f.name) + ":");
      const inner = t.fields.map((f) => jsonWriter(f.dataType, ignoreNulls));
      const names = t.fields.map((f) => f.name);
      w = (v) => {
        if (v === null || v === undefined) return "null";
        const positional = Array.isArray(v);
        const obj = v as Record<string, unknown>;
        let out = "{";
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          const x = positional ? (v as unknown[])[i] : obj[names[i]!];
          if (x === null || x === undefined) {
            if (ignoreNulls) continue;
            out += (first ? "" : ",") + keys[i] + "null";
          } else {
            out += (first ? "" : ",") + keys[i] + inner[i]!(x);
          }
          first = false;
        }
        return out + "}";
      };
      break;
    }
    case "array": {
      const inner = jsonWriter(t.elementType, ignoreNulls);
      w = (v) => {
        if (!Array.isArray(v)) return stringifyJson(v);
        let out = "[";
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          out += (i === 0 ? "" : ",") + (x === null || x === undefined ? "null" : inner(x));
        }
        return out + "]";
      };
      break;
    }
    case "map": {
      const inner = jsonWriter(t.valueType, ignoreNulls);
      w = (v) => {
        if (!isPlainObject(v)) return stringifyJson(v);
        let out = "{";
        let first = true;
        for (const k in v) {
          const x = v[k];
          out += (first ? "" : ",") + JSON.stringify(k) + ":" + (x === null || x === undefined ? "null" : inner(x));
          first = false;
        }
        return out + "}";
      };
      break;
    }
    default:
      w = stringifyJson;
  }
  const entry = cached ?? [undefined as unknown as JsonWriter, undefined as unknown as JsonWriter];
  entry[slot] = w;
  jsonWriters.set(t, entry);
  return w;
}

/**
 * One JSON document for a row; integers beyond 2^53 are written exactly. Fields in schema order;
 * null fields written as `null` unless `ignoreNullFields`. Decimals are written as JSON numbers,
 * timestamps as ISO text, binary as base64 (Spark's JSON writer forms); NaN and ±Infinity as
 * strings.
 */
export function rowToJson(schema: StructType, row: Row, options: RowToJsonOptions = {}): string {
  return jsonWriter(schema, options.ignoreNullFields === true)(row);
}
