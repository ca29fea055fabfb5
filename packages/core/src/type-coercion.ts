/**
 * Spark's type coercion for inference: the tightest common type of two types
 * (TypeCoercion.findTightestCommonType) and JsonInferSchema's `compatibleType`, with the
 * case-insensitive field-name rule struct merging uses. Rules and their Spark source lines:
 * `/work/shared/reference/spark-json-inference-rules.md` (JIS, TC).
 * @packageDocumentation
 */
import stableStringify from "fast-json-stable-stringify";
import {
  ArrayType,
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
