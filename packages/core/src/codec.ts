/**
 * Document ⇄ row codecs with Spark's parse modes.
 *
 * ## When a document matches a schema
 *
 * Two rules, chosen with {@link DocumentDecoderOptions.matching}:
 *
 * **`"shape"` (default; the connector's rule — a document of another shape is not imported):**
 * 1. The document is a JSON object (a top-level scalar, array or `null` does not match).
 * 2. Every schema field is present in it, possibly as `null`. The corrupt-record column is never
 *    required. Inside arrays, objects may leave fields out (they read as null): inference merges
 *    all elements of one array into one struct, so elements of one document differ by design.
 * 3. Every field of the document is in the schema, except fields inference drops on its own (an
 *    empty name, `{}`, arrays of only `{}`), so a document always matches its own inferred schema.
 * 4. Every value is of its field's type, or converts to it without loss:
 *    - string: only strings;
 *    - bigint / int: integral numbers in range (`1.0` and `1e2` count: their value is an integer);
 *    - double / float: any number; an integer beyond ±2^53 only when the double is exactly it;
 *      `1e400` (overflow) does not match;
 *    - decimal(p,s): numbers with at most p−s integer digits and no non-zero digit past s;
 *    - boolean: true/false;
 *    - timestamp: ISO-8601 text (`2024-01-02`, `2024-01-02T03:04:05[.fff][Z|±hh:mm]`, space
 *      allowed for `T`, UTC when no zone) with no non-zero digit below the millisecond, or an
 *      integral number of epoch seconds (Spark's reading of a number), or a Date;
 *    - date: `yyyy-MM-dd` text of a real calendar day, or a Date;
 *    - binary: base64 text, or bytes;
 *    - array: a JSON array whose elements all match the element type (an array of one element
 *      type: Spark's ArrayType);
 *    - map: an object whose values all match the value type (keys are strings);
 *    - struct: an object matching the struct by rules 2-4.
 *    - `""` is a string, not a null: it does not match a non-string field (Spark 3 refuses it too).
 * Field names match exactly; when no field has the exact name, a case-variant does (Spark's
 * default resolver is case-insensitive and inference merges case-variants into the first spelling).
 *
 * **`"spark"` (Spark's JacksonParser; use it with `merge` inference or a user's schema):** rule 4
 * only. Missing fields are null, unknown fields are ignored, and a string field takes the JSON text
 * of any non-string value (`1.0` stays `"1.0"`, objects become their compact JSON).
 *
 * ## Parse modes
 * - PERMISSIVE: the row keeps every value that converted; mismatching values are null, and the
 *   whole document (its text, or its JSON when given as an object) goes to the corrupt-record column
 *   when the schema has one (the reader adds it: {@link withCorruptRecordColumn}). Counted under
 *   `malformedMetric`.
 * - DROPMALFORMED: `decode` returns undefined; counted under `rejectedMetric` with `_key` and reason.
 * - FAILFAST: throws MalformedRecordError naming `_key` (context.documentKey) and the field path
 *   (context.field, e.g. `a.b[]`).
 * A blank text (no document at all) gives no row in any mode; it is counted under `emptyMetric`.
 *
 * ## Values in rows
 * string → string; bigint/int → number within ±(2^53−1), bigint beyond (never rounded);
 * double/float → number; decimal → string with exactly `scale` fraction digits; boolean → boolean;
 * timestamp → Date; date → `yyyy-MM-dd` string; binary → Uint8Array; array → array;
 * map → plain object; struct → positional row (nested array).
 * @packageDocumentation
 */
import type { Row } from "./contracts.js";
import { MalformedRecordError } from "./errors.js";
import { vanishesInSchema } from "./infer.js";
import { JsonNumber, isIntegerLexeme, parseJsonLossless, stringifyJson, toBase64 } from "./json-text.js";
import type { JobMetrics } from "./metrics.js";
import {
  ArrayType,
  DataType,
  DecimalType,
  MapType,
  StringType,
  StructType,
} from "./types.js";

export type ParseMode = "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
export const PARSE_MODES: readonly ParseMode[] = ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"];

/** Which documents match a schema: see the module documentation. */
export type FieldMatching = "shape" | "spark";

export interface DocumentDecoderOptions {
  /** Default: "PERMISSIVE" (Spark's); collection and stream readers pass their own default. */
  mode?: ParseMode;
  /** Default: "_corrupt_record" (used only when the schema has that column). */
  columnNameOfCorruptRecord?: string;
  /** Where rejected documents are counted, with a few examples (`_key`, reason). */
  metrics?: JobMetrics;
  /** Counter name for rejected documents. Default: "rejectedRecords". */
  rejectedMetric?: string;
  /** Counter for documents PERMISSIVE kept with nulls / the corrupt column. Default: "malformedRecords". */
  malformedMetric?: string;
  /** Counter for blank texts (no document, no row). Default: "emptyRecords". */
  emptyMetric?: string;
  /**
   * `"shape"` (default): the connector's rule, missing or unknown fields do not match.
   * `"spark"`: Spark's reader, missing → null, unknown ignored, strings take any value's text.
   */
  matching?: FieldMatching;
}

export interface DocumentDecoder {
  /**
   * A positional row for one document (JSON text, lossless value or plain object), or
   * `undefined` when DROPMALFORMED dropped it (counted in metrics). FAILFAST throws
   * MalformedRecordError naming the document's `_key` and the field.
   */
  decode(input: unknown): Row | undefined;
}

export interface CompiledDocumentDecoder extends DocumentDecoder {
  /**
   * Spark's reading of a JSON line: a top-level array gives one row per element (an empty array
   * none); anything else is `decode`. Dropped documents are left out.
   */
  decodeAll(input: unknown): Row[];
  readonly schema: StructType;
}

// ---------------------------------------------------------------------------------------------
// Decoding state. Converters are synchronous and never re-entered, so the state of the document
// being decoded lives at module level instead of being threaded through every call.

/** Where the first mismatch of the current document was, and why. */
let failPath: string | undefined;
let failReason = "";
/** The value came from JSON.parse: number lexemes are gone, so converters that need one ask for a re-parse. */
let fastMode = false;
/** Thrown (never escapes) when the current document must be re-read with the lossless parser. */
const NEED_LEXEMES = Symbol("need lexemes");

function mismatch(path: string, reason: string): null {
  if (failPath === undefined) {
    failPath = path;
    failReason = reason;
  }
  return null;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof JsonNumber || typeof v === "number" || typeof v === "bigint") return "number";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "Date";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof JsonNumber) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array)
  );
}

function setField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Exact decimal arithmetic on lexemes

interface DecimalParts {
  negative: boolean;
  /** Significant digits without leading or trailing zeros ("" for zero). */
  digits: string;
  /** value = digits × 10^exponent */
  exponent: number;
}

const DECIMAL_LEXEME = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function decimalParts(lexeme: string): DecimalParts | undefined {
  const m = DECIMAL_LEXEME.exec(lexeme);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = m[3] ?? "";
  let digits = m[2]! + frac;
  const expText = m[4] ?? "0";
  // Exponents this large put the value beyond every type we convert to; avoid huge BigInts.
  if (expText.length > 9) return digits.replace(/0/g, "") === "" ? { negative: false, digits: "", exponent: 0 } : undefined;
  let exponent = Number(expText) - frac.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let stop = digits.length;
  while (stop > start && digits.charCodeAt(stop - 1) === 48) stop--;
  exponent += digits.length - stop;
  digits = digits.slice(start, stop);
  if (digits === "") return { negative: false, digits: "", exponent: 0 };
  return { negative: m[1] === "-", digits, exponent };
}

/** The exact integer a lexeme denotes, or undefined when it has a fraction or is beyond ±10^40. */
function exactInteger(lexeme: string): bigint | undefined {
  const p = decimalParts(lexeme);
  if (!p || p.exponent < 0) return undefined;
  if (p.digits.length + p.exponent > 40) return undefined;
  const v = BigInt(p.digits + "0".repeat(p.exponent));
  return p.negative ? -v : v;
}

/** A decimal(precision, scale) value's text with exactly `scale` fraction digits, or undefined when it does not fit. */
function decimalText(lexeme: string, precision: number, scale: number): string | undefined {
  const p = decimalParts(lexeme);
  if (!p) return undefined;
  if (p.digits === "") return scale === 0 ? "0" : "0." + "0".repeat(scale);
  const fractionDigits = Math.max(0, -p.exponent);
  if (fractionDigits > scale) return undefined;
  const integerDigits = p.digits.length + p.exponent;
  if (integerDigits > precision - scale) return undefined;
  // Scaled integer: digits × 10^(exponent + scale).
  const scaled = p.digits + "0".repeat(p.exponent + scale);
  const padded = scaled.padStart(scale + 1, "0");
  const intPart = padded.slice(0, padded.length - scale);
  const text = scale === 0 ? intPart : `${intPart}.${padded.slice(padded.length - scale)}`;
  return p.negative ? "-" + text : text;
}

// ---------------------------------------------------------------------------------------------
// Converters

type Converter = (v: unknown) => unknown;

interface CompileContext {
  matching: FieldMatching;
  /** Inside an array: objects may leave fields out. */
  inArray: boolean;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const FLOAT_MAX = 3.4028234663852886e38;

function narrow(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

function integralConverter(path: string, wide: boolean): Converter {
  const name = wide ? "bigint" : "int";
  const min = wide ? LONG_MIN : BigInt(INT_MIN);
  const max = wide ? LONG_MAX : BigInt(INT_MAX);
  const fromBig = (b: bigint | undefined, shown: string): unknown => {
    if (b === undefined) return mismatch(path, `${shown} is not an integer within ${name} range`);
    if (b < min || b > max) return mismatch(path, `${shown} is out of ${name} range`);
    return narrow(b);
  };
  return (v) => {
    if (typeof v === "number") {
      if (Number.isSafeInteger(v)) {
        if (!wide && (v < INT_MIN || v > INT_MAX)) return mismatch(path, `${v} is out of int range`);
        return v + 0; // folds -0 into 0
      }
      if (!Number.isInteger(v)) return mismatch(path, `${v} is not an integer`);
      if (fastMode) throw NEED_LEXEMES;
      return fromBig(BigInt(v), String(v));
    }
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) {
      const l = v.lexeme;
      if (l.length <= 15 && isIntegerLexeme(l)) {
        const n = Number(l) + 0;
        if (!wide && (n < INT_MIN || n > INT_MAX)) return mismatch(path, `${l} is out of int range`);
        return n;
      }
      return fromBig(exactInteger(l), l);
    }
    if (typeof v === "bigint") return fromBig(v, v.toString());
    return mismatch(path, `expected ${name}, found ${kindOf(v)}`);
  };
}

const NON_NUMERIC: Record<string, number> = {
  NaN: NaN,
  "+NaN": NaN,
  "-NaN": NaN,
  Infinity: Infinity,
  "+Infinity": Infinity,
  INF: Infinity,
  "+INF": Infinity,
  "-Infinity": -Infinity,
  "-INF": -Infinity,
};

function fractionalConverter(path: string, float: boolean, ctx: CompileContext): Converter {
  const name = float ? "float" : "double";
  const inRange = (n: number, shown: string): unknown =>
    float && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX ? mismatch(path, `${shown} is out of float range`) : n;
  return (v) => {
    if (typeof v === "number") {
      // JSON.parse turns an overflowing lexeme into Infinity and rounds big integers silently.
      if (fastMode && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))) throw NEED_LEXEMES;
      return inRange(v, String(v));
    }
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) {
      const l = v.lexeme;
      const n = Number(l);
      if (!Number.isFinite(n)) {
        if (l === "NaN" || l === "Infinity" || l === "-Infinity") return n;
        return mismatch(path, `${l} is out of ${name} range`);
      }
      if (l.length > 15 && isIntegerLexeme(l) && BigInt(n) !== BigInt(l)) {
        return mismatch(path, `${l} is not exactly representable as a ${name}`);
      }
      return inRange(n, l);
    }
    if (typeof v === "bigint") {
      const n = Number(v);
      if (BigInt(n) !== v) return mismatch(path, `${v} is not exactly representable as a ${name}`);
      return inRange(n, v.toString());
    }
    if (typeof v === "string" && ctx.matching === "spark") {
      const special = NON_NUMERIC[v];
      if (special !== undefined) return special;
    }
    return mismatch(path, `expected ${name}, found ${kindOf(v)}`);
  };
}

function decimalConverter(path: string, t: DecimalType, ctx: CompileContext): Converter {
  const name = t.simpleString();
  const convert = (lexeme: string): unknown =>
    decimalText(lexeme, t.precision, t.scale) ?? mismatch(path, `${lexeme} does not fit ${name} without loss`);
  return (v) => {
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) return convert(v.lexeme);
    if (typeof v === "number") {
      if (fastMode) throw NEED_LEXEMES;
      return Number.isFinite(v) ? convert(String(v)) : mismatch(path, `${v} does not fit ${name}`);
    }
    if (typeof v === "bigint") return convert(v.toString());
    // Spark reads decimals from strings too; under the shape rule a string is another shape.
    if (typeof v === "string" && ctx.matching === "spark" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) {
      return convert(v.trim());
    }
    return mismatch(path, `expected ${name}, found ${kindOf(v)}`);
  };
}

function stringConverter(path: string, ctx: CompileContext): Converter {
  if (ctx.matching === "shape") {
    return (v) => (typeof v === "string" ? v : v === null || v === undefined ? null : mismatch(path, `expected string, found ${kindOf(v)}`));
  }
  return (v) => {
    if (typeof v === "string") return v;
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean") return v ? "true" : "false";
    // Spark keeps the JSON text of a non-string token; JSON.parse has lost number lexemes.
    if (fastMode) throw NEED_LEXEMES;
    return stringifyJson(v);
  };
}

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Milliseconds since the epoch for Spark-style ISO text, or a reason it is not one. */
export function parseTimestampText(text: string): number | string {
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (!m) return `'${text}' is not an ISO-8601 timestamp`;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return `'${text}' is not a valid timestamp`;
  const frac = m[7] ?? "";
  if (/[1-9]/.test(frac.slice(3))) return `'${text}' has digits below the millisecond, which a Date would lose`;
  const ms = Number(frac.slice(0, 3).padEnd(3, "0"));
  let offset = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi - offset, s, ms);
  return date.getTime();
}

function timestampConverter(path: string): Converter {
  const fromSeconds = (b: bigint | undefined, shown: string): unknown => {
    if (b === undefined) return mismatch(path, `${shown} is not an integral number of epoch seconds`);
    const ms = b * 1000n;
    if (ms > 8640000000000000n || ms < -8640000000000000n) return mismatch(path, `${shown} is out of the Date range`);
    return new Date(Number(ms));
  };
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      const t = parseTimestampText(v);
      return typeof t === "number" ? new Date(t) : mismatch(path, t);
    }
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? mismatch(path, "invalid Date") : v;
    if (v instanceof JsonNumber) return fromSeconds(exactInteger(v.lexeme), v.lexeme);
    if (typeof v === "number") {
      if (fastMode && Number.isInteger(v) && !Number.isSafeInteger(v)) throw NEED_LEXEMES;
      return fromSeconds(Number.isInteger(v) ? BigInt(v) : undefined, String(v));
    }
    if (typeof v === "bigint") return fromSeconds(v, v.toString());
    return mismatch(path, `expected timestamp, found ${kindOf(v)}`);
  };
}

function dateConverter(path: string): Converter {
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (m && validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return v;
      return mismatch(path, `'${v}' is not a yyyy-MM-dd date`);
    }
    if (v instanceof Date) {
      return Number.isNaN(v.getTime()) ? mismatch(path, "invalid Date") : v.toISOString().slice(0, 10);
    }
    return mismatch(path, `expected date, found ${kindOf(v)}`);
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function binaryConverter(path: string): Converter {
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      if (!BASE64.test(v)) return mismatch(path, "not base64 text");
      return new Uint8Array(Buffer.from(v, "base64"));
    }
    if (v instanceof Uint8Array) return v;
    return mismatch(path, `expected binary, found ${kindOf(v)}`);
  };
}

function booleanConverter(path: string): Converter {
  return (v) =>
    typeof v === "boolean" ? v : v === null || v === undefined ? null : mismatch(path, `expected boolean, found ${kindOf(v)}`);
}

function arrayConverter(path: string, t: ArrayType, ctx: CompileContext): Converter {
  const elementPath = path + "[]";
  const element = compile(t.elementType, elementPath, { ...ctx, inArray: true });
  const containsNull = t.containsNull;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) return mismatch(path, `expected array, found ${kindOf(v)}`);
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      if (item === null && !containsNull) {
        mismatch(elementPath, "null in an array that contains no nulls");
        out[i] = null;
      } else {
        out[i] = element(item);
      }
    }
    return out;
  };
}

function mapConverter(path: string, t: MapType, ctx: CompileContext): Converter {
  const valuePath = path + "{}";
  const value = compile(t.valueType, valuePath, ctx);
  const valueContainsNull = t.valueContainsNull;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (!isPlainObject(v)) return mismatch(path, `expected object (map), found ${kindOf(v)}`);
    const out: Record<string, unknown> = {};
    for (const k in v) {
      const item = v[k];
      if ((item === null || item === undefined) && !valueContainsNull) {
        mismatch(valuePath, "null value in a map that contains no nulls");
        setField(out, k, null);
      } else {
        setField(out, k, value(item));
      }
    }
    return out;
  };
}

const OBJECT_PROTO = Object.prototype as Record<string, unknown>;
const hasOwn = Object.prototype.hasOwnProperty;

function structConverter(path: string, t: StructType, ctx: CompileContext, corruptIndex = -1): Converter {
  const prefix = path === "" ? "" : path + ".";
  const n = t.fields.length;
  const names = t.fields.map((f) => f.name);
  const converters = t.fields.map((f) => compile(f.dataType, prefix + f.name, { ...ctx, inArray: false }));
  // Names an object inherits (`toString`, `__proto__`...) need an own-property check to read as missing.
  const inherited = names.map((name) => name in OBJECT_PROTO);
  const lowerIndex = new Map<string, number>();
  names.forEach((name, i) => {
    const lower = name.toLowerCase();
    if (!lowerIndex.has(lower)) lowerIndex.set(lower, i);
  });
  const exactIndex = new Map<string, number>();
  names.forEach((name, i) => {
    if (!exactIndex.has(name)) exactIndex.set(name, i);
  });
  const required = ctx.matching === "shape" && !ctx.inArray;
  const checkExtras = ctx.matching === "shape";

  /** The slow path: missing fields (case-variants, requiredness) and fields outside the schema. */
  const reconcile = (obj: Record<string, unknown>, row: unknown[]): void => {
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      if (row[i] !== MISSING) continue;
      row[i] = null;
      let hit: string | undefined;
      const lower = names[i]!.toLowerCase();
      for (const k in obj) {
        if (k !== names[i] && !exactIndex.has(k) && !used.has(k) && k.toLowerCase() === lower && lowerIndex.get(lower) === i) {
          hit = k;
          break;
        }
      }
      if (hit !== undefined) {
        used.add(hit);
        row[i] = converters[i]!(obj[hit]);
      } else if (required && i !== corruptIndex) {
        mismatch(prefix + names[i], "field is missing");
      }
    }
    if (!checkExtras) return;
    for (const k in obj) {
      if (exactIndex.has(k) || used.has(k)) continue;
      if (k === "" || vanishesInSchema(obj[k])) continue;
      mismatch(prefix + k, "field is not in the schema");
    }
  };

  const notObject = (v: unknown): null => mismatch(path === "" ? "(document)" : path, `expected object, found ${kindOf(v)}`);
  return generateStructLoop(t, converters, inherited, checkExtras, { isPlainObject, notObject, reconcile, hasOwn, MISSING });
}

/**
 * The per-document loop of a struct, generated once per struct so every field is read with a
 * constant property name (monomorphic inline caches: documents of one shape share a hidden class)
 * and common types convert inline. A closure loop reading `v[names[i]]` measured about twice as
 * slow. Names enter the source only as JSON string literals.
 */
function generateStructLoop(
  t: StructType,
  converters: Converter[],
  inherited: boolean[],
  checkExtras: boolean,
  helpers: Record<string, unknown>,
): Converter {
  const n = t.fields.length;
  const lines: string[] = [
    "return function struct(v) {",
    "if (v === null || v === undefined) return null;",
    "if (!isPlainObject(v)) return notObject(v);",
    `const row = new Array(${n});`,
    "let found = 0, x;",
  ];
  t.fields.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const c = `c[${i}]`;
    let fast: string;
    switch (f.dataType.kind) {
      case "string":
        fast = `typeof x === "string" ? x : ${c}(x)`;
        break;
      case "long":
        fast = `typeof x === "number" && Number.isSafeInteger(x) ? x + 0 : ${c}(x)`;
        break;
      case "boolean":
        fast = `typeof x === "boolean" ? x : ${c}(x)`;
        break;
      case "double":
        fast = `typeof x === "number" && (Number.isSafeInteger(x) || (x % 1 !== 0 && Number.isFinite(x))) ? x : ${c}(x)`;
        break;
      default:
        fast = `${c}(x)`;
    }
    const missing = inherited[i] ? `x === undefined || !hasOwn.call(v, ${key})` : "x === undefined";
    lines.push(`x = v[${key}]; if (${missing}) row[${i}] = MISSING; else { found++; row[${i}] = ${fast}; }`);
  });
  lines.push(`if (found < ${n}) reconcile(v, row);`);
  if (checkExtras) lines.push(`else { let keys = 0; for (const _ in v) keys++; if (keys > found) reconcile(v, row); }`);
  lines.push("return row;", "};");
  const names = ["c", ...Object.keys(helpers)];
  const factory = new Function(...names, lines.join("\n")) as (...args: unknown[]) => Converter;
  return factory(converters, ...Object.values(helpers));
}

/** Placeholder for a field not (yet) found in the document; replaced before the row escapes. */
const MISSING = Symbol("missing");

function compile(t: DataType, path: string, ctx: CompileContext): Converter {
  switch (t.kind) {
    case "string":
      return stringConverter(path, ctx);
    case "long":
      return integralConverter(path, true);
    case "integer":
      return integralConverter(path, false);
    case "double":
      return fractionalConverter(path, false, ctx);
    case "float":
      return fractionalConverter(path, true, ctx);
    case "boolean":
      return booleanConverter(path);
    case "decimal":
      return decimalConverter(path, t as DecimalType, ctx);
    case "timestamp":
      return timestampConverter(path);
    case "date":
      return dateConverter(path);
    case "binary":
      return binaryConverter(path);
    case "array":
      return arrayConverter(path, t as ArrayType, ctx);
    case "map":
      return mapConverter(path, t as MapType, ctx);
    case "struct":
      return structConverter(path, t as StructType, ctx);
    case "null":
      return (v) => (v === null || v === undefined ? null : mismatch(path, `expected null, found ${kindOf(v)}`));
  }
}

function needsLexemes(t: DataType): boolean {
  if (t instanceof DecimalType) return true;
  if (t instanceof ArrayType) return needsLexemes(t.elementType);
  if (t instanceof MapType) return needsLexemes(t.valueType);
  if (t instanceof StructType) return t.fields.some((f) => needsLexemes(f.dataType));
  return false;
}

function documentKey(value: unknown, text: string | undefined): string | undefined {
  if (isPlainObject(value)) {
    const k = value["_key"];
    if (typeof k === "string") return k;
    if (typeof k === "number" || typeof k === "bigint" || k instanceof JsonNumber) return String(k);
    return undefined;
  }
  // An unparsable text may still name its key; worth a cheap look for the error message.
  if (text !== undefined) {
    const m = /"_key"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

const utf8 = new TextDecoder();

/**
 * Compiles `schema` once into a tree of converters; `decode` then reads one document.
 *
 * Texts are read with JSON.parse (native, the fastest) and re-read with the lossless parser only
 * when JSON.parse refuses them (single quotes, NaN, trailing text) or a converter needs a number's
 * lexeme (integers beyond 2^53, non-string values in a string field under `spark` matching).
 * Schemas with a decimal anywhere always use the lossless parser.
 */
export function createDocumentDecoder(schema: StructType, options: DocumentDecoderOptions = {}): CompiledDocumentDecoder {
  const mode = options.mode ?? "PERMISSIVE";
  if (!PARSE_MODES.includes(mode)) throw new RangeError(`unknown parse mode '${String(mode)}' (expected ${PARSE_MODES.join(", ")})`);
  const matching = options.matching ?? "shape";
  const corruptName = options.columnNameOfCorruptRecord ?? "_corrupt_record";
  const rejectedMetric = options.rejectedMetric ?? "rejectedRecords";
  const malformedMetric = options.malformedMetric ?? "malformedRecords";
  const emptyMetric = options.emptyMetric ?? "emptyRecords";
  const metrics = options.metrics;
  const ci = schema.fieldIndex(corruptName);
  const corruptIndex = ci >= 0 && schema.fields[ci]!.dataType === StringType ? ci : -1;
  const root = structConverter("", schema, { matching, inArray: false }, corruptIndex);
  const lossless = needsLexemes(schema);
  const n = schema.fields.length;

  const malformed = (value: unknown, text: string | undefined, row: unknown[] | undefined): Row | undefined => {
    const key = documentKey(value, text);
    const field = failPath ?? "(document)";
    const reason = `${field}: ${failReason}`;
    failPath = undefined;
    if (mode === "FAILFAST") {
      throw new MalformedRecordError(
        `document ${key === undefined ? "(no _key)" : `'${key}'`} does not match the schema at ${reason}`,
        key === undefined ? { field } : { documentKey: key, field },
      );
    }
    const sample = key === undefined ? { reason } : { key, reason };
    if (mode === "DROPMALFORMED") {
      metrics?.reject(rejectedMetric, sample);
      return undefined;
    }
    metrics?.reject(malformedMetric, sample);
    const out = row ?? new Array<unknown>(n).fill(null);
    if (corruptIndex >= 0) out[corruptIndex] = text ?? stringifyJson(value);
    return out;
  };

  const convert = (value: unknown): unknown[] | null => {
    try {
      return root(value) as unknown[] | null;
    } finally {
      fastMode = false;
    }
  };

  const decodeValue = (value: unknown, text: string | undefined, fromJsonParse: boolean): Row | undefined => {
    failPath = undefined;
    if (value === null && text !== undefined && isBlank(text)) {
      metrics?.add(emptyMetric);
      return undefined;
    }
    let row: unknown[] | null;
    if (Array.isArray(value)) {
      mismatch("(document)", "a top-level array is not one document");
      row = null;
    } else if (value === null || value === undefined) {
      mismatch("(document)", "the document is null");
      row = null;
    } else {
      fastMode = fromJsonParse;
      try {
        row = convert(value);
      } catch (err) {
        if (err !== NEED_LEXEMES) throw err;
        // Only texts get here (fastMode is set for JSON.parse output only).
        failPath = undefined;
        value = parseJsonLossless(text!);
        row = convert(value);
      }
    }
    if (failPath === undefined) return row!;
    return malformed(value, text, row ?? undefined);
  };

  const parse = (text: string): { value: unknown; fast: boolean } | SyntaxError => {
    if (!lossless) {
      try {
        return { value: JSON.parse(text), fast: true };
      } catch {
        // Jackson accepts more than JSON.parse (single quotes, NaN, trailing text): ask it.
      }
    }
    try {
      return { value: parseJsonLossless(text), fast: false };
    } catch (err) {
      if (err instanceof SyntaxError) return err;
      throw err;
    }
  };

  const textOf = (input: unknown): string | undefined =>
    typeof input === "string" ? input : input instanceof Uint8Array ? utf8.decode(input) : undefined;

  const decode = (input: unknown): Row | undefined => {
    const text = textOf(input);
    if (text === undefined) return decodeValue(input, undefined, false);
    const parsed = parse(text);
    if (parsed instanceof SyntaxError) {
      failPath = undefined;
      mismatch("(document)", `malformed JSON: ${parsed.message}`);
      return malformed(undefined, text, undefined);
    }
    return decodeValue(parsed.value, text, parsed.fast);
  };

  const decodeAll = (input: unknown): Row[] => {
    const text = textOf(input);
    let value: unknown = input;
    let fast = false;
    if (text !== undefined) {
      const parsed = parse(text);
      if (parsed instanceof SyntaxError) {
        const row = decode(text);
        return row === undefined ? [] : [row];
      }
      value = parsed.value;
      fast = parsed.fast;
    }
    if (!Array.isArray(value)) {
      const row = decodeValue(value, text, fast);
      return row === undefined ? [] : [row];
    }
    // Elements carry no text of their own to re-read, so read the line losslessly once up front.
    if (fast) value = parseJsonLossless(text!);
    const rows: Row[] = [];
    for (const item of value as unknown[]) {
      // An element's corrupt-record text is its own JSON, not the whole line's.
      const row = decodeValue(item, undefined, false);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  };

  return { decode, decodeAll, schema };
}

function isBlank(text: string): boolean {
  return /^[\s\uFEFF]*$/.test(text);
}

/** `schema` with a string column for corrupt records at the end, unless it has that column already. */
export function withCorruptRecordColumn(schema: StructType, name = "_corrupt_record"): StructType {
  return schema.fieldIndex(name) >= 0 ? schema : schema.add(name, StringType, true);
}

// ---------------------------------------------------------------------------------------------
// Rows to objects and JSON

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
      const st = t as StructType;
      const keys = st.fields.map((f) => JSON.stringify(f.name) + ":");
      const inner = st.fields.map((f) => jsonWriter(f.dataType, ignoreNulls));
      const names = st.fields.map((f) => f.name);
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
      const inner = jsonWriter((t as ArrayType).elementType, ignoreNulls);
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
      const inner = jsonWriter((t as MapType).valueType, ignoreNulls);
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

const objectConverters = new WeakMap<StructType, Converter>();

/**
 * A row from a plain object (createDataFrame); values converted to the field types, missing → null.
 * Values follow `spark` matching (unknown fields ignored; a string field takes any value's JSON
 * text); a value that cannot be converted without loss throws MalformedRecordError naming the field.
 */
export function objectToRow(schema: StructType, object: Record<string, unknown>): Row {
  let convert = objectConverters.get(schema);
  if (!convert) {
    convert = structConverter("", schema, { matching: "spark", inArray: false });
    objectConverters.set(schema, convert);
  }
  failPath = undefined;
  fastMode = false;
  const row = convert(object) as Row | null;
  if (failPath !== undefined || row === null) {
    const field = failPath ?? "(document)";
    const reason = failPath === undefined ? "expected an object" : failReason;
    failPath = undefined;
    throw new MalformedRecordError(`cannot convert to ${schema.simpleString()}: ${field}: ${reason}`, { field });
  }
  return row;
}
