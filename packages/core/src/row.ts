/**
 * `SparkRow`: what `collect()`/`take()` return. A positional row bound to its schema, readable by
 * field name (`row.get("a")`, `row.a`) and by position (`row.get(0)`, `row[0]`), whose `toJSON()`
 * / `asDict()` is a plain object (Spark's `Row.asDict(recursive = true)`).
 *
 * Field accessors live on a per-schema prototype built once (cached by schema), not on a Proxy:
 * a Proxy trap per property read costs several times a plain getter in V8.
 * @packageDocumentation
 */
import type { Row } from "./contracts.js";
import { SchemaError } from "@macrometa-spark/kit";
import { type DataType, type StructType, isArrayType, isMapType, isStructType } from "./types.js";

/** Names a field accessor must not shadow (the row's own API). */
const RESERVED = new Set([
  "get",
  "getAs",
  "schema",
  "values",
  "length",
  "asDict",
  "toJSON",
  "toArray",
  "fieldIndex",
  "constructor",
  "toString",
  "valueOf",
  "__proto__",
  "hasOwnProperty",
]);

export class SparkRow {
  /** Field accessors (`row.a`) and positions (`row[0]`) are defined per schema on the prototype. */
  [key: string]: unknown;
  [index: number]: unknown;

  constructor(
    readonly schema: StructType,
    readonly values: Row,
  ) {}

  get length(): number {
    return this.values.length;
  }

  /** Position of a field by name; throws a SchemaError naming the field when absent. */
  fieldIndex(name: string): number {
    const i = this.schema.fieldIndex(name);
    if (i < 0) throw new SchemaError(`no field '${name}' in ${this.schema.simpleString()}`, { field: name });
    return i;
  }

  /** A value by position or field name; nested structs come back as SparkRows. */
  get(field: number | string): unknown {
    const i = typeof field === "number" ? field : this.fieldIndex(field);
    if (i < 0 || i >= this.values.length) throw new RangeError(`row has no position ${i} (length ${this.values.length})`);
    return wrapValue(this.schema.fields[i]!.dataType, this.values[i]);
  }

  /** `get` with a caller-asserted type (Spark's `getAs[T]`). */
  getAs<T>(field: number | string): T {
    return this.get(field) as T;
  }

  /** A plain object; nested structs as objects (Spark's `asDict(recursive = true)`). */
  asDict(): Record<string, unknown> {
    return structToObject(this.schema, this.values);
  }

  toJSON(): Record<string, unknown> {
    return this.asDict();
  }

  /** The positional values (a copy). */
  toArray(): unknown[] {
    return [...this.values];
  }

  toString(): string {
    return `Row(${this.schema.fields.map((f, i) => `${f.name}=${String(this.values[i])}`).join(", ")})`;
  }

  *[Symbol.iterator](): Iterator<unknown> {
    for (let i = 0; i < this.values.length; i++) yield this.get(i);
  }
}

type RowConstructor = new (schema: StructType, values: Row) => SparkRow;
const classes = new WeakMap<StructType, RowConstructor>();

/** The row class for a schema, with one getter per field name and position. */
function rowClassFor(schema: StructType): RowConstructor {
  let cls = classes.get(schema);
  if (cls) return cls;
  const Bound = class extends SparkRow {};
  const seen = new Set<string>();
  schema.fields.forEach((f, i) => {
    const dataType = f.dataType;
    const getter = {
      get(this: SparkRow) {
        return wrapValue(dataType, this.values[i]);
      },
      enumerable: false,
      configurable: true,
    };
    Object.defineProperty(Bound.prototype, String(i), getter);
    // A duplicate name resolves to its first field, as Spark's Row.getAs(name) does.
    if (!RESERVED.has(f.name) && !/^\d+$/.test(f.name) && !seen.has(f.name)) {
      seen.add(f.name);
      Object.defineProperty(Bound.prototype, f.name, getter);
    }
  });
  cls = Bound;
  classes.set(schema, cls);
  return cls;
}

/** A SparkRow for a positional row of `schema`. */
export function createRow(schema: StructType, values: Row): SparkRow {
  return new (rowClassFor(schema))(schema, values);
}

function wrapValue(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (isStructType(type) && Array.isArray(value)) return createRow(type, value);
  if (isArrayType(type) && Array.isArray(value) && containsStruct(type.elementType)) {
    return value.map((v) => wrapValue(type.elementType, v));
  }
  return value;
}

function containsStruct(type: DataType): boolean {
  if (isStructType(type)) return true;
  if (isArrayType(type)) return containsStruct(type.elementType);
  if (isMapType(type)) return containsStruct(type.valueType);
  return false;
}

/** A positional struct value as a plain object, recursively. */
export function structToObject(schema: StructType, values: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = schema.fields;
  for (let i = 0; i < fields.length; i++) out[fields[i]!.name] = valueToPlain(fields[i]!.dataType, values[i]);
  return out;
}

function valueToPlain(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isStructType(type)) {
    if (Array.isArray(value)) return structToObject(type, value);
    if (value instanceof SparkRow) return value.asDict();
    return value;
  }
  if (isArrayType(type) && Array.isArray(value)) return value.map((v) => valueToPlain(type.elementType, v));
  if (isMapType(type)) {
    const out: Record<string, unknown> = {};
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) out[String(k)] = valueToPlain(type.valueType, v);
    return out;
  }
  return value;
}
