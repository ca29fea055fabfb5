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
  DateType,
  DecimalType,
  DoubleType,
  FloatType,
  IntegerType,
  LongType,
  MapType,
  NullType,
  StringType,
  StructField,
  StructType,
  TimestampType,
} from "./types.js";

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
// compatibleType

function sameType(a: DataType, b: DataType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "decimal":
      return b.kind === "decimal" && a.precision === b.precision && a.scale === b.scale;
    case "array":
      return b.kind === "array" && a.containsNull === b.containsNull && sameType(a.elementType, b.elementType);
    case "map":
      return b.kind === "map" && a.valueContainsNull === b.valueContainsNull && sameType(a.keyType, b.keyType) && sameType(a.valueType, b.valueType);
    case "struct": {
      const s = a;
      if (b.kind !== "struct") return false;
      const o = b;
      if (s.fields.length !== o.fields.length) return false;
      for (let i = 0; i < s.fields.length; i++) {
        const x = s.fields[i]!;
        const y = o.fields[i]!;
        if (x.name !== y.name || x.nullable !== y.nullable || !sameType(x.dataType, y.dataType)) return false;
        if (stableStringify(x.metadata) !== stableStringify(y.metadata)) return false;
      }
      return true;
    }
    default:
      // Atomic types are singletons, so different objects of one kind would only be copies.
      return true;
  }
}

/** Spark's `DecimalType.forType` for integral types. */
function decimalForIntegral(t: DataType): DecimalType | undefined {
  if (t === LongType) return new DecimalType(20, 0);
  if (t === IntegerType) return new DecimalType(10, 0);
  return undefined;
}

function isWiderThan(d: DecimalType, integral: DataType): boolean {
  const o = decimalForIntegral(integral)!;
  return d.precision - d.scale >= o.precision - o.scale && d.scale >= o.scale;
}

/** TC's `numericPrecedence` for the non-decimal numeric types we have. */
const NUMERIC_RANK = new Map<DataType, number>([
  [IntegerType, 2],
  [LongType, 3],
  [FloatType, 4],
  [DoubleType, 5],
]);

/** TC `findTightestCommonType`: undefined where Spark answers None. */
export function findTightestCommonType(a: DataType, b: DataType): DataType | undefined {
  if (sameType(a, b)) return a;
  if (a === NullType) return b;
  if (b === NullType) return a;
  const ia = decimalForIntegral(a) !== undefined;
  const ib = decimalForIntegral(b) !== undefined;
  if (ia && b instanceof DecimalType) return isWiderThan(b, a) ? b : undefined;
  if (ib && a instanceof DecimalType) return isWiderThan(a, b) ? a : undefined;
  const ra = NUMERIC_RANK.get(a);
  const rb = NUMERIC_RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra >= rb ? a : b;
  if ((a === TimestampType && b === DateType) || (a === DateType && b === TimestampType)) return TimestampType;
  // findTypeForComplex
  if (a instanceof ArrayType && b instanceof ArrayType) {
    const e = findTightestCommonType(a.elementType, b.elementType);
    return e === undefined ? undefined : new ArrayType(e, a.containsNull || b.containsNull);
  }
  if (a instanceof MapType && b instanceof MapType) {
    const k = findTightestCommonType(a.keyType, b.keyType);
    const v = findTightestCommonType(a.valueType, b.valueType);
    return k === undefined || v === undefined ? undefined : new MapType(k, v, a.valueContainsNull || b.valueContainsNull);
  }
  if (a instanceof StructType && b instanceof StructType && a.fields.length === b.fields.length) {
    const out: StructField[] = [];
    for (let i = 0; i < a.fields.length; i++) {
      const x = a.fields[i]!;
      const y = b.fields[i]!;
      // Spark's default resolver is case-insensitive (Java's equalsIgnoreCase); the first
      // struct's spelling is kept.
      if (!equalsIgnoreCase(x.name, y.name)) return undefined;
      const t = findTightestCommonType(x.dataType, y.dataType);
      if (t === undefined) return undefined;
      out.push(new StructField(x.name, t, x.nullable || y.nullable));
    }
    return new StructType(out);
  }
  return undefined;
}

/**
 * Java's `String.equalsIgnoreCase` (JDK 17+: `regionMatchesCI` is `compareToCIImpl(...) == 0`):
 * the same UTF-16 length, then per unit: equal, or equal after `Character.toUpperCase`, or after
 * `Character.toLowerCase` of those; units that still differ are retried as whole code points when
 * they are part of a surrogate pair. Java maps one character to one (UnicodeData's simple
 * mappings), so `ſ` matches `s` and `İ` matches `i`, where comparing JS `toLowerCase()` results
 * (full mappings) says no to both.
 * @internal
 */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const len = a.length;
  for (let k1 = 0, k2 = 0; k1 < len && k2 < len; k1++, k2++) {
    let cp1 = a.charCodeAt(k1);
    let cp2 = b.charCodeAt(k2);
    if (cp1 === cp2 || sameCodePointCI(cp1, cp2)) continue;
    cp1 = codePointIncluding(a, cp1, k1);
    if (cp1 < 0) {
      k1++;
      cp1 = -cp1;
    }
    cp2 = codePointIncluding(b, cp2, k2);
    if (cp2 < 0) {
      k2++;
      cp2 = -cp2;
    }
    if (!sameCodePointCI(cp1, cp2)) return false;
  }
  return true;
}

function sameCodePointCI(cp1: number, cp2: number): boolean {
  const u1 = simpleUpper(cp1);
  const u2 = simpleUpper(cp2);
  return u1 === u2 || simpleLower(u1) === simpleLower(u2);
}

/** JDK's `StringUTF16.codePointIncluding`: the pair around a surrogate, negated when it starts here. */
function codePointIncluding(s: string, cp: number, index: number): number {
  if (isLow(cp)) return index > 0 && isHigh(s.charCodeAt(index - 1)) ? s.codePointAt(index - 1)! : cp;
  if (isHigh(cp)) return index + 1 < s.length && isLow(s.charCodeAt(index + 1)) ? -s.codePointAt(index)! : cp;
  return cp;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** `Character.toUpperCase(int)`: JS's mapping where it is one character, else UnicodeData's simple one. */
function simpleUpper(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return cp;
  const u = String.fromCodePoint(cp).toUpperCase();
  const first = u.codePointAt(0)!;
  if (u.length === (first > 0xffff ? 2 : 1)) return first;
  // SpecialCasing expands these; their simple uppercase is the titlecase letter with prosgegrammeni.
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return cp + 8;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return cp; // ß, ŉ, ǰ, ΐ, ﬀ…: no simple uppercase
}

/** `Character.toLowerCase(int)`: only U+0130 (İ → i̇) expands in JS; its simple lowercase is `i`. */
function simpleLower(cp: number): number {
  if (cp === 0x130) return 0x69;
  if (cp >= 0xd800 && cp <= 0xdfff) return cp;
  const l = String.fromCodePoint(cp).toLowerCase();
  const first = l.codePointAt(0)!;
  return l.length === (first > 0xffff ? 2 : 1) ? first : cp;
}

/** Spark's `compatibleType` (JIS 369-453): never fails, string is the fallback. */
export function compatibleType(a: DataType, b: DataType): DataType {
  const tight = findTightestCommonType(a, b);
  if (tight !== undefined) return tight;
  if ((a === DoubleType || a === FloatType) && b instanceof DecimalType) return DoubleType;
  if ((b === DoubleType || b === FloatType) && a instanceof DecimalType) return DoubleType;
  if (a instanceof DecimalType && b instanceof DecimalType) {
    const scale = Math.max(a.scale, b.scale);
    const range = Math.max(a.precision - a.scale, b.precision - b.scale);
    return range + scale > DecimalType.MAX_PRECISION ? DoubleType : new DecimalType(range + scale, scale);
  }
  if (a instanceof StructType && b instanceof StructType) return mergeSortedStructs(a, b);
  if (a instanceof ArrayType && b instanceof ArrayType) {
    return new ArrayType(compatibleType(a.elementType, b.elementType), a.containsNull || b.containsNull);
  }
  const da = decimalForIntegral(a);
  if (da && b instanceof DecimalType) return compatibleType(da, b);
  const db = decimalForIntegral(b);
  if (db && a instanceof DecimalType) return compatibleType(a, db);
  return StringType;
}

/** The sorted union of two structs whose fields are sorted (JIS 394-434). */
function mergeSortedStructs(a: StructType, b: StructType): StructType {
  const f1 = a.fields;
  const f2 = b.fields;
  const out: StructField[] = [];
  let i = 0;
  let j = 0;
  while (i < f1.length && j < f2.length) {
    const x = f1[i]!;
    const y = f2[j]!;
    if (x.name === y.name) {
      out.push(new StructField(x.name, compatibleType(x.dataType, y.dataType), true));
      i++;
      j++;
    } else if (x.name < y.name) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < f1.length) out.push(f1[i++]!);
  while (j < f2.length) out.push(f2[j++]!);
  return new StructType(out);
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
