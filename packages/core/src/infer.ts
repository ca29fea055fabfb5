/**
 * Spark-exact JSON schema inference (JsonInferSchema) and the connector's most-common-schema rule.
 *
 * Rules and their Spark source lines: `/work/shared/reference/spark-json-inference-rules.md`
 * (JIS = JsonInferSchema.scala, TC = TypeCoercion.scala).
 * @packageDocumentation
 */
import stableStringify from "fast-json-stable-stringify";
import type { ParseMode } from "./codec/index.js";
import { MalformedRecordError, JsonNumber, isIntegerLexeme, parseJsonLosslessWithDuplicates, type LosslessJson } from "@macrometa-spark/kit";
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DataType,
  DecimalType,
  DoubleType,
  LongType,
  MapType,
  NullType,
  StringType,
  StructField,
  StructType,
  TimestampType,
} from "./types.js";
import { compatibleType } from "./type-coercion.js";

export type InferenceStrategy = "mostCommon" | "merge";

export interface InferSchemaOptions {
  /** `mostCommon` (the connector's rule) or `merge` (spark.read.json). Default: "mostCommon". */
  strategy?: InferenceStrategy;
  /** Documents looked at. Default: 50. */
  sampleSize?: number;
  /** Name of the column malformed or non-object documents add. Default: "_corrupt_record". */
  columnNameOfCorruptRecord?: string;
  /**
   * Spark's `mode` during inference. PERMISSIVE (default): malformed and non-object documents add
   * the corrupt-record column. DROPMALFORMED: they are ignored. FAILFAST: they throw
   * MalformedRecordError.
   */
  mode?: ParseMode;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Type of an integer given by its decimal digits (sign allowed): Jackson's INT/LONG vs BIG_INTEGER (JIS 230-240). */
function integralType(digits: string): DataType {
  const unsigned = digits.charCodeAt(0) === 45 ? digits.length - 1 : digits.length;
  if (unsigned <= 18) return LongType;
  const v = BigInt(digits);
  if (v >= LONG_MIN && v <= LONG_MAX) return LongType;
  // BigDecimal precision of an integer is its digit count (no leading zeros reach here).
  return unsigned <= DecimalType.MAX_PRECISION ? new DecimalType(unsigned, 0) : DoubleType;
}

function compareNames(a: StructField, b: StructField): number {
  // String.compareTo compares UTF-16 code units, which is what `<` on JS strings does.
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function structOf(entries: Iterable<[string, unknown]>, extra: [string, LosslessJson][] | undefined, dups: Dups): StructType {
  const fields: StructField[] = [];
  for (const [name, v] of entries) fields.push(new StructField(name, typeOf(v, dups)));
  if (extra) for (const [name, v] of extra) fields.push(new StructField(name, typeOf(v, dups)));
  // Array.prototype.sort is stable, like the TimSort Spark uses, so duplicate names keep their order.
  fields.sort(compareNames);
  return new StructType(fields);
}

type Dups = WeakMap<object, [string, LosslessJson][]> | undefined;

function typeOf(value: unknown, dups: Dups): DataType {
  switch (typeof value) {
    case "string":
      return value.length === 0 ? NullType : StringType;
    case "boolean":
      return BooleanType;
    case "number":
      if (Number.isInteger(value)) return integralType(BigInt(value).toString());
      return DoubleType;
    case "bigint":
      return integralType(value.toString());
    case "undefined":
      return NullType;
    case "object":
      break;
    default:
      return StringType;
  }
  if (value === null) return NullType;
  if (value instanceof JsonNumber) {
    return isIntegerLexeme(value.lexeme) ? integralType(value.lexeme) : DoubleType;
  }
  if (Array.isArray(value)) {
    let element: DataType = NullType;
    for (const item of value) element = compatibleType(element, typeOf(item, dups));
    return new ArrayType(element, true);
  }
  if (value instanceof Date) return TimestampType;
  if (value instanceof Uint8Array) return BinaryType;
  if (value instanceof Map) return structOf([...value.entries()].map(([k, v]) => [String(k), v]), undefined, dups);
  return structOf(Object.entries(value as object), dups?.get(value as object), dups);
}

/**
 * Spark's per-record `inferField` for one parsed value (JIS 145-256). A string here is a value,
 * not JSON text: `""` is NullType. Plain JS numbers: integral → bigint (or decimal/double by digit
 * count, as a Jackson BIG_INTEGER), otherwise double; bigint likewise; JsonNumber by its lexeme.
 * Date → timestamp and Uint8Array → binary (never produced by Spark's JSON inference, offered for
 * objects built in JS).
 */
export function inferValueType(value: unknown): DataType {
  return typeOf(value, undefined);
}

/** Infers one JSON text's type with Spark's `inferField`; throws SyntaxError when Jackson would not parse it. */
export function inferTextType(text: string): DataType {
  const { value, duplicates } = parseJsonLosslessWithDuplicates(text);
  return typeOf(value, duplicates);
}

// ---------------------------------------------------------------------------------------------
// Root handling and canonicalisation

interface RootContext {
  corrupt: string;
  mode: ParseMode;
}

function withCorruptField(struct: StructType, other: DataType, ctx: RootContext): StructType {
  if (ctx.mode === "DROPMALFORMED") return struct;
  if (ctx.mode === "FAILFAST") {
    throw new MalformedRecordError(`malformed record during schema inference: a document of type ${other.simpleString()}`);
  }
  if (struct.fields.some((f) => f.name === ctx.corrupt)) return struct;
  const fields = [new StructField(ctx.corrupt, StringType), ...struct.fields];
  fields.sort(compareNames);
  return new StructType(fields);
}

/** Spark's `compatibleRootType` (JIS 342-362). */
function compatibleRootType(a: DataType, b: DataType, ctx: RootContext): DataType {
  if (a instanceof ArrayType) return compatibleRootType(a.elementType, b, ctx);
  if (b instanceof ArrayType) return compatibleRootType(a, b.elementType, ctx);
  if (a instanceof StructType && b === NullType) return a;
  if (a === NullType && b instanceof StructType) return b;
  if (a instanceof StructType && !(b instanceof StructType)) return withCorruptField(a, b, ctx);
  if (b instanceof StructType && !(a instanceof StructType)) return withCorruptField(b, a, ctx);
  return compatibleType(a, b);
}

/** Spark's `canonicalizeType` (JIS 262-286): undefined where Spark answers None. */
export function canonicalizeType(t: DataType): DataType | undefined {
  if (t instanceof ArrayType) {
    const e = canonicalizeType(t.elementType);
    return e === undefined ? undefined : new ArrayType(e, t.containsNull);
  }
  if (t instanceof StructType) {
    const fields: StructField[] = [];
    for (const f of t.fields) {
      if (f.name.length === 0) continue;
      const c = canonicalizeType(f.dataType);
      if (c !== undefined) fields.push(c === f.dataType ? f : new StructField(f.name, c, f.nullable, f.metadata));
    }
    return fields.length === 0 ? undefined : new StructType(fields);
  }
  if (t === NullType) return StringType;
  return t;
}

function rootSchema(t: DataType): StructType {
  const c = canonicalizeType(t);
  return c instanceof StructType ? c : new StructType([]);
}

// ---------------------------------------------------------------------------------------------
// inferSchema

/** Per-document outcome: its type, or undefined when the mode drops it. */
function documentType(input: unknown, ctx: RootContext): DataType | undefined {
  if (typeof input === "string" || input instanceof Uint8Array) {
    const text = typeof input === "string" ? input : new TextDecoder().decode(input);
    try {
      return inferTextType(text);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      if (ctx.mode === "DROPMALFORMED") return undefined;
      if (ctx.mode === "FAILFAST") {
        throw new MalformedRecordError(`malformed JSON during schema inference: ${err.message}`, {}, err);
      }
      return new StructType([new StructField(ctx.corrupt, StringType)]);
    }
  }
  return typeOf(input, undefined);
}

/**
 * Infers a schema from JSON texts (lexemes kept) or already-parsed values.
 *
 * A string (or Uint8Array, read as UTF-8) is one JSON text: Jackson's grammar as Spark configures it,
 * only the first value read. Anything else is an already-parsed document (see {@link inferValueType}).
 * Only the first `sampleSize` documents are looked at.
 *
 * - `merge` is `spark.read.json` on one partition: the documents' types are reduced in order with
 *   `compatibleRootType`, folded from `struct<>`, then canonicalised.
 * - `mostCommon` (default) is the connector's rule: each document's schema is inferred on its own
 *   (root handling and canonicalisation applied to it alone), schemas are grouped by a fingerprint
 *   (fast-json-stable-stringify of the Spark JSON form) and the most frequent one wins. **Ties go to
 *   the schema whose first document came earliest.** Null documents (`null`, blank, `""`, `[]`) do
 *   not vote; nor do malformed/non-object ones under DROPMALFORMED.
 *
 * With no voting document the result is the empty `struct<>`.
 */
export function inferSchema(input: Iterable<unknown>, options: InferSchemaOptions = {}): StructType {
  const sampleSize = options.sampleSize ?? 50;
  const ctx: RootContext = {
    corrupt: options.columnNameOfCorruptRecord ?? "_corrupt_record",
    mode: options.mode ?? "PERMISSIVE",
  };
  const strategy = options.strategy ?? "mostCommon";
  if (strategy !== "mostCommon" && strategy !== "merge") {
    throw new RangeError(`unknown inference strategy '${String(strategy)}' (expected mostCommon or merge)`);
  }
  const empty = new StructType([]);

  if (strategy === "merge") {
    let reduced: DataType | undefined;
    let seen = 0;
    for (const doc of input) {
      if (seen++ >= sampleSize) break;
      const t = documentType(doc, ctx);
      if (t === undefined) continue;
      reduced = reduced === undefined ? t : compatibleRootType(reduced, t, ctx);
    }
    if (reduced === undefined) return empty;
    // The partition's fold from struct<>, then the driver's merge into struct<>.
    const partition = compatibleRootType(empty, reduced, ctx);
    return rootSchema(compatibleRootType(empty, partition, ctx));
  }

  const votes = new Map<string, { count: number; schema: StructType }>();
  // Stable stringification costs ~4x a cheap exact key, so it runs once per distinct schema.
  const fingerprints = new Map<string, string>();
  let seen = 0;
  for (const doc of input) {
    if (seen++ >= sampleSize) break;
    const t = documentType(doc, ctx);
    if (t === undefined) continue;
    const schema = documentSchema(t, ctx);
    if (schema === undefined) continue;
    const shapeKey = typeKey(schema);
    let key = fingerprints.get(shapeKey);
    if (key === undefined) {
      key = schemaFingerprint(schema);
      fingerprints.set(shapeKey, key);
    }
    const vote = votes.get(key);
    if (vote) vote.count++;
    else votes.set(key, { count: 1, schema });
  }
  let best: { count: number; schema: StructType } | undefined;
  // Map iteration follows first insertion, so a strict `>` keeps the earliest of tied schemas.
  for (const vote of votes.values()) if (best === undefined || vote.count > best.count) best = vote;
  return best?.schema ?? empty;
}

/** The connector's schema fingerprint: fast-json-stable-stringify of Spark's JSON form. */
export function schemaFingerprint(schema: DataType): string {
  return stableStringify(schema.jsonValue());
}

/** An exact, cheap key of a type: names JSON-quoted so no name can fake a separator. */
function typeKey(t: DataType): string {
  if (t instanceof StructType) {
    let out = "{";
    for (const f of t.fields) {
      out += JSON.stringify(f.name) + (f.nullable ? ":" : "!") + typeKey(f.dataType);
      if (Object.keys(f.metadata).length > 0) out += "#" + stableStringify(f.metadata);
      out += ",";
    }
    return out + "}";
  }
  if (t instanceof ArrayType) return (t.containsNull ? "[" : "[!") + typeKey(t.elementType) + "]";
  if (t instanceof MapType) return `<${typeKey(t.keyType)},${t.valueContainsNull ? "" : "!"}${typeKey(t.valueType)}>`;
  return t.simpleString();
}

/** One document's own schema under the root rules, or undefined when it is a null document or dropped. */
function documentSchema(t: DataType, ctx: RootContext): StructType | undefined {
  let root = t;
  while (root instanceof ArrayType) root = root.elementType;
  if (root === NullType) return undefined;
  if (!(root instanceof StructType)) {
    if (ctx.mode === "DROPMALFORMED") return undefined;
    root = withCorruptField(new StructType([]), root, ctx);
  }
  return rootSchema(root);
}

/**
 * Whether inference would drop a value's field entirely: an empty object, or arrays holding only
 * empty objects. The codec allows such fields outside the schema.
 */
export function vanishesInSchema(value: unknown): boolean {
  if (value === null || typeof value !== "object" || value instanceof JsonNumber) return false;
  return canonicalizeType(inferValueType(value)) === undefined;
}
