/**
 * Converters: one function per schema node, compiled once per decoder, turning a JSON value into
 * the row value of its type or recording a mismatch in the decoder's {@link DecodeState}. The
 * matching rules are documented in `codec/decode`.
 * @packageDocumentation
 */
import { vanishesInSchema } from "../infer.js";
import { JsonNumber, isIntegerLexeme, stringifyJson, isDateText, exactInteger, scaledDecimalText } from "@macrometa-spark/kit";
import { ArrayType, DataType, DecimalType, MapType, StructType } from "../types.js";
import { parseTimestampText } from "./datetime.js";
import type { FieldMatching } from "./options.js";
import { NEED_LEXEMES, type DecodeState } from "./state.js";
import { MISSING, generateStructLoop } from "./struct-codegen.js";
import { isPlainObject, kindOf, mergesAway, setField } from "./values.js";

export type Converter = (v: unknown) => unknown;

export interface CompileContext {
  matching: FieldMatching;
  /** The decoder's per-document state, shared by all its converters. */
  state: DecodeState;
  /** Inside an array (at any depth): objects may leave fields out. */
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

function integralConverter(path: string, wide: boolean, ctx: CompileContext): Converter {
  const s = ctx.state;
  const name = wide ? "bigint" : "int";
  const min = wide ? LONG_MIN : BigInt(INT_MIN);
  const max = wide ? LONG_MAX : BigInt(INT_MAX);
  const fromBig = (b: bigint | undefined, shown: string): unknown => {
    if (b === undefined) return s.mismatch(path, `${shown} is not an integer within ${name} range`);
    if (b < min || b > max) return s.mismatch(path, `${shown} is out of ${name} range`);
    return narrow(b);
  };
  return (v) => {
    if (typeof v === "number") {
      if (Number.isSafeInteger(v)) {
        if (!wide && (v < INT_MIN || v > INT_MAX)) return s.mismatch(path, `${v} is out of int range`);
        return v + 0; // folds -0 into 0
      }
      if (!Number.isInteger(v)) return s.mismatch(path, `${v} is not an integer`);
      if (s.fastMode) throw NEED_LEXEMES;
      return fromBig(BigInt(v), String(v));
    }
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) {
      const l = v.lexeme;
      if (l.length <= 15 && isIntegerLexeme(l)) {
        const n = Number(l) + 0;
        if (!wide && (n < INT_MIN || n > INT_MAX)) return s.mismatch(path, `${l} is out of int range`);
        return n;
      }
      return fromBig(exactInteger(l), l);
    }
    if (typeof v === "bigint") return fromBig(v, v.toString());
    return s.mismatch(path, `expected ${name}, found ${kindOf(v)}`);
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
  const s = ctx.state;
  const name = float ? "float" : "double";
  // double: inference widens bigint and decimal to double (TC findTightestCommonType, JIS 376/384),
  // so every number matches and reads as Jackson's getDoubleValue does: the nearest double, ±Infinity
  // beyond range. JSON.parse rounds the same way, so its numbers need no re-read.
  // float never comes from inference: it keeps the no-loss rule.
  const inRange = (n: number, shown: string): unknown =>
    float && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX ? s.mismatch(path, `${shown} is out of float range`) : n;
  return (v) => {
    if (typeof v === "number") {
      if (!float) return v;
      // JSON.parse turns an overflowing lexeme into Infinity and rounds big integers silently.
      if (s.fastMode && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))) throw NEED_LEXEMES;
      return inRange(v, String(v));
    }
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) {
      const l = v.lexeme;
      const n = Number(l);
      if (!float) return Number.isNaN(n) ? (NON_NUMERIC[l] ?? n) : n;
      if (!Number.isFinite(n)) {
        if (l === "NaN" || l === "Infinity" || l === "-Infinity") return n;
        return s.mismatch(path, `${l} is out of ${name} range`);
      }
      if (l.length > 15 && isIntegerLexeme(l) && BigInt(n) !== BigInt(l)) {
        return s.mismatch(path, `${l} is not exactly representable as a ${name}`);
      }
      return inRange(n, l);
    }
    if (typeof v === "bigint") {
      const n = Number(v);
      if (!float) return n;
      if (BigInt(n) !== v) return s.mismatch(path, `${v} is not exactly representable as a ${name}`);
      return inRange(n, v.toString());
    }
    if (typeof v === "string" && ctx.matching === "spark") {
      const special = NON_NUMERIC[v];
      if (special !== undefined) return special;
    }
    return s.mismatch(path, `expected ${name}, found ${kindOf(v)}`);
  };
}

function decimalConverter(path: string, t: DecimalType, ctx: CompileContext): Converter {
  const s = ctx.state;
  const name = t.simpleString();
  const convert = (lexeme: string): unknown =>
    scaledDecimalText(lexeme, t.precision, t.scale) ?? s.mismatch(path, `${lexeme} does not fit ${name} without loss`);
  return (v) => {
    if (v === null || v === undefined) return null;
    if (v instanceof JsonNumber) return convert(v.lexeme);
    if (typeof v === "number") {
      if (s.fastMode) throw NEED_LEXEMES;
      return Number.isFinite(v) ? convert(String(v)) : s.mismatch(path, `${v} does not fit ${name}`);
    }
    if (typeof v === "bigint") return convert(v.toString());
    // Spark reads decimals from strings too; under the shape rule a string is another shape.
    if (typeof v === "string" && ctx.matching === "spark" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) {
      return convert(v.trim());
    }
    return s.mismatch(path, `expected ${name}, found ${kindOf(v)}`);
  };
}

function stringConverter(ctx: CompileContext): Converter {
  const s = ctx.state;
  // Both rules: inference widens conflicting types to string (JIS 452), so a document must still
  // match the schema inferred from it; Spark's JacksonParser keeps a non-string token's JSON text.
  return (v) => {
    if (typeof v === "string") return v;
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean") return v ? "true" : "false";
    // JSON.parse has lost number lexemes (`1.0` would read as "1").
    if (s.fastMode) throw NEED_LEXEMES;
    return stringifyJson(v);
  };
}

function timestampConverter(path: string, ctx: CompileContext): Converter {
  const s = ctx.state;
  const fromSeconds = (b: bigint | undefined, shown: string): unknown => {
    if (b === undefined) return s.mismatch(path, `${shown} is not an integral number of epoch seconds`);
    const ms = b * 1000n;
    if (ms > 8640000000000000n || ms < -8640000000000000n) return s.mismatch(path, `${shown} is out of the Date range`);
    return new Date(Number(ms));
  };
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      const t = parseTimestampText(v);
      return typeof t === "number" ? new Date(t) : s.mismatch(path, t);
    }
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? s.mismatch(path, "invalid Date") : v;
    if (v instanceof JsonNumber) return fromSeconds(exactInteger(v.lexeme), v.lexeme);
    if (typeof v === "number") {
      if (s.fastMode && Number.isInteger(v) && !Number.isSafeInteger(v)) throw NEED_LEXEMES;
      return fromSeconds(Number.isInteger(v) ? BigInt(v) : undefined, String(v));
    }
    if (typeof v === "bigint") return fromSeconds(v, v.toString());
    return s.mismatch(path, `expected timestamp, found ${kindOf(v)}`);
  };
}

function dateConverter(path: string, ctx: CompileContext): Converter {
  const s = ctx.state;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      if (isDateText(v)) return v;
      return s.mismatch(path, `'${v}' is not a yyyy-MM-dd date`);
    }
    if (v instanceof Date) {
      return Number.isNaN(v.getTime()) ? s.mismatch(path, "invalid Date") : v.toISOString().slice(0, 10);
    }
    return s.mismatch(path, `expected date, found ${kindOf(v)}`);
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function binaryConverter(path: string, ctx: CompileContext): Converter {
  const s = ctx.state;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") {
      if (!BASE64.test(v)) return s.mismatch(path, "not base64 text");
      return new Uint8Array(Buffer.from(v, "base64"));
    }
    if (v instanceof Uint8Array) return v;
    return s.mismatch(path, `expected binary, found ${kindOf(v)}`);
  };
}

function booleanConverter(path: string, ctx: CompileContext): Converter {
  const s = ctx.state;
  return (v) =>
    typeof v === "boolean" ? v : v === null || v === undefined ? null : s.mismatch(path, `expected boolean, found ${kindOf(v)}`);
}

function arrayConverter(path: string, t: ArrayType, ctx: CompileContext): Converter {
  const s = ctx.state;
  const elementPath = path + "[]";
  const element = compile(t.elementType, elementPath, { ...ctx, inArray: true });
  const containsNull = t.containsNull;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) return s.mismatch(path, `expected array, found ${kindOf(v)}`);
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      if (item === null && !containsNull) {
        s.mismatch(elementPath, "null in an array that contains no nulls");
        out[i] = null;
      } else {
        out[i] = element(item);
      }
    }
    return out;
  };
}

function mapConverter(path: string, t: MapType, ctx: CompileContext): Converter {
  const s = ctx.state;
  const valuePath = path + "{}";
  const value = compile(t.valueType, valuePath, ctx);
  const valueContainsNull = t.valueContainsNull;
  return (v) => {
    if (v === null || v === undefined) return null;
    if (!isPlainObject(v)) return s.mismatch(path, `expected object (map), found ${kindOf(v)}`);
    const out: Record<string, unknown> = {};
    for (const k in v) {
      const item = v[k];
      if ((item === null || item === undefined) && !valueContainsNull) {
        s.mismatch(valuePath, "null value in a map that contains no nulls");
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

export function structConverter(path: string, t: StructType, ctx: CompileContext, corruptIndex = -1): Converter {
  const s = ctx.state;
  const prefix = path === "" ? "" : path + ".";
  const n = t.fields.length;
  const names = t.fields.map((f) => f.name);
  // Inside an array, structs at any depth below were merged across elements: inArray stays on.
  const converters = t.fields.map((f) => compile(f.dataType, prefix + f.name, ctx));
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
        // A value inference dropped (`{}`) was never merged into the case-variant field.
        if (k !== names[i] && !exactIndex.has(k) && !used.has(k) && k.toLowerCase() === lower && lowerIndex.get(lower) === i && !vanishesInSchema(obj[k])) {
          hit = k;
          break;
        }
      }
      if (hit !== undefined) {
        used.add(hit);
        row[i] = converters[i]!(obj[hit]);
      } else if (required && i !== corruptIndex) {
        s.mismatch(prefix + names[i], "field is missing");
      }
    }
    if (!checkExtras) return;
    for (const k in obj) {
      if (exactIndex.has(k) || used.has(k)) continue;
      if (k === "" || vanishesInSchema(obj[k]) || (ctx.inArray && mergesAway(obj[k]))) continue;
      s.mismatch(prefix + k, "field is not in the schema");
    }
  };

  const notObject = (v: unknown): null => s.mismatch(path === "" ? "(document)" : path, `expected object, found ${kindOf(v)}`);
  return generateStructLoop(t, converters, inherited, checkExtras, { isPlainObject, notObject, reconcile, hasOwn, MISSING });
}

/** The converter of one schema node (exported for the rescuing decoder, which converts field by field). */
export function compile(t: DataType, path: string, ctx: CompileContext): Converter {
  const c = compileType(t, path, ctx);
  if (ctx.matching !== "shape" || t.kind === "string") return c;
  // Inference reads `""` as null (JIS 154), so a field it typed from other values takes it as null.
  return (v) => (v === "" ? null : c(v));
}

function compileType(t: DataType, path: string, ctx: CompileContext): Converter {
  const s = ctx.state;
  switch (t.kind) {
    case "string":
      return stringConverter(ctx);
    case "long":
      return integralConverter(path, true, ctx);
    case "integer":
      return integralConverter(path, false, ctx);
    case "double":
      return fractionalConverter(path, false, ctx);
    case "float":
      return fractionalConverter(path, true, ctx);
    case "boolean":
      return booleanConverter(path, ctx);
    case "decimal":
      return decimalConverter(path, t, ctx);
    case "timestamp":
      return timestampConverter(path, ctx);
    case "date":
      return dateConverter(path, ctx);
    case "binary":
      return binaryConverter(path, ctx);
    case "array":
      return arrayConverter(path, t, ctx);
    case "map":
      return mapConverter(path, t, ctx);
    case "struct":
      return structConverter(path, t, ctx);
    case "null":
      return (v) => (v === null || v === undefined ? null : s.mismatch(path, `expected null, found ${kindOf(v)}`));
  }
}

export function needsLexemes(t: DataType): boolean {
  if (t instanceof DecimalType) return true;
  if (t instanceof ArrayType) return needsLexemes(t.elementType);
  if (t instanceof MapType) return needsLexemes(t.valueType);
  if (t instanceof StructType) return t.fields.some((f) => needsLexemes(f.dataType));
  return false;
}
