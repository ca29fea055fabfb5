/**
 * Spark types ⇄ Databricks SQL: DDL type names for CREATE/ALTER, value literals for statements,
 * and parsing of the type names Databricks prints (DESCRIBE, result metadata).
 *
 * Literals follow Databricks' lexer exactly: inside '...' a backslash is an escape character,
 * so a value's backslashes are doubled and its single quotes become \' . Every other value is
 * validated against its column type before it becomes text, so a value can only ever be data.
 * @packageDocumentation
 */
import {
  ArrayType,
  MalformedRecordError,
  MapType,
  SchemaError,
  StructField,
  StructType,
  type DataType,
  errorMessage,
  isDateText,
  isDecimalLexeme,
  parseSimpleString,
  plainDecimalText,
} from "@macrometa-spark/core";
import { quoteIdent, type ColumnNameMode, mapColumnNames } from "./identifiers.js";

/** The Databricks DDL type of a Spark type (`ARRAY<STRUCT<`a`: BIGINT>>`, `DECIMAL(10,2)`...). */
export function sqlType(t: DataType): string {
  switch (t.kind) {
    case "string":
      return "STRING";
    case "long":
      return "BIGINT";
    case "integer":
      return "INT";
    case "double":
      return "DOUBLE";
    case "float":
      return "FLOAT";
    case "boolean":
      return "BOOLEAN";
    // Delta cannot store a VOID column; a column inferred only from nulls becomes STRING.
    case "null":
      return "STRING";
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMP";
    case "binary":
      return "BINARY";
    case "decimal": {
      const d = t;
      return `DECIMAL(${d.precision},${d.scale})`;
    }
    case "array":
      return `ARRAY<${sqlType(t.elementType)}>`;
    case "map": {
      const m = t;
      return `MAP<${sqlType(m.keyType)}, ${sqlType(m.valueType)}>`;
    }
    case "struct":
      return `STRUCT<${t.fields.map((f) => `${quoteIdent(f.name)}: ${sqlType(f.dataType)}`).join(", ")}>`;
  }
}

/** `\`a\` BIGINT NOT NULL, \`b\` ARRAY<STRING>` for CREATE TABLE / ADD COLUMNS. */
export function columnDefinitions(fields: readonly StructField[]): string {
  return fields.map((f) => `${quoteIdent(f.name)} ${sqlType(f.dataType)}${f.nullable ? "" : " NOT NULL"}`).join(", ");
}

/**
 * The schema as Delta will store it: names checked (or renamed) at every depth. Values stay
 * positional, so renaming a field never touches the data.
 */
export function toDeltaSchema(schema: StructType, mode: ColumnNameMode): StructType {
  return mapStruct(schema, mode, "");
}

function mapStruct(s: StructType, mode: ColumnNameMode, prefix: string): StructType {
  const names = mapColumnNames(s.fieldNames, mode, prefix);
  return new StructType(s.fields.map((f, i) => new StructField(names[i]!, mapType(f.dataType, mode, `${prefix}${f.name}.`), f.nullable, f.metadata)));
}

function mapType(t: DataType, mode: ColumnNameMode, prefix: string): DataType {
  if (t instanceof StructType) return mapStruct(t, mode, prefix);
  if (t instanceof ArrayType) return new ArrayType(mapType(t.elementType, mode, prefix), t.containsNull);
  if (t instanceof MapType) return new MapType(mapType(t.keyType, mode, prefix), mapType(t.valueType, mode, prefix), t.valueContainsNull);
  return t;
}

/** A Databricks string literal: backslash and quote escaped per Databricks' lexer. */
export function stringLiteral(s: string): string {
  return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
}

const INTEGER_TEXT = /^[-+]?\d+$/;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const INT_RANGE: Record<string, [bigint, bigint]> = {
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
};

function bad(column: string, t: DataType, v: unknown, why = ""): MalformedRecordError {
  const shown = typeof v === "string" ? JSON.stringify(v.length > 40 ? v.slice(0, 37) + "..." : v) : typeof v === "object" ? (Array.isArray(v) ? "an array" : "an object") : String(v);
  return new MalformedRecordError(`column ${JSON.stringify(column)}: ${shown} is not a valid ${t.simpleString()}${why ? ` (${why})` : ""}`, { field: column });
}

/** Integer text of a long/int value, range-checked. */
export function integerText(v: unknown, t: DataType, column: string): string {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === "string" && INTEGER_TEXT.test(v.trim())) b = BigInt(v.trim());
  else throw bad(column, t, v);
  const [lo, hi] = INT_RANGE[t.kind]!;
  if (b < lo || b > hi) throw bad(column, t, v, "out of range");
  return b.toString();
}

/**
 * Decimal text of a decimal value (exact: strings and bigints are never turned into doubles).
 * Exponent notation (`1.5e-3`, and what `String(number)` gives for tiny or huge numbers) is expanded
 * into plain digits, so no statement or parameter ever carries an exponent into a DECIMAL.
 */
export function decimalText(v: unknown, t: DataType, column: string): string {
  const text = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : typeof v === "bigint" ? v.toString() : typeof v === "string" ? v.trim() : "";
  if (!isDecimalLexeme(text)) throw bad(column, t, v);
  const plain = plainDecimalText(text);
  if (plain === undefined) throw bad(column, t, v, "exponent out of range");
  return plain;
}

/** `YYYY-MM-DD` of a date value (a Date is taken in UTC). An impossible day (`2023-02-29`) is refused. */
export function dateText(v: unknown, t: DataType, column: string): string {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
  if (typeof v === "string" && DATE_TEXT.test(v.trim())) {
    if (!isDateText(v.trim())) throw bad(column, t, v, "no such day");
    return v.trim();
  }
  throw bad(column, t, v);
}

/**
 * `YYYY-MM-DD HH:MM:SS.ffffff` in UTC for a timestamp value. A string must carry a zone or
 * `Z` (else it is ambiguous) or be a plain date-time, taken as UTC. Microseconds in the text
 * are kept; a Date has milliseconds.
 */
export function timestampText(v: unknown, t: DataType, column: string): string {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw bad(column, t, v);
    return v.toISOString().replace("T", " ").replace("Z", "");
  }
  if (typeof v === "number" && Number.isFinite(v)) return new Date(v).toISOString().replace("T", " ").replace("Z", "");
  if (typeof v === "string") {
    const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(v.trim());
    if (m) {
      // Checked on the text as written, before any offset: Date.parse rolls 2024-02-30 and 24:00 over.
      if (!isDateText(m[1]!)) throw bad(column, t, v, "no such day");
      if (m[2] && (Number(m[2].slice(0, 2)) > 23 || Number(m[2].slice(3, 5)) > 59 || (m[2].length > 5 && Number(m[2].slice(6, 8)) > 59))) throw bad(column, t, v, "no such time of day");
      const frac = (m[3] ?? "").slice(1);
      const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00:00"}${m[2] && m[2].length === 5 ? ":00" : ""}${m[4] ? (m[4].toUpperCase() === "Z" ? "Z" : m[4].length === 5 ? m[4].slice(0, 3) + ":" + m[4].slice(3) : m[4]) : "Z"}`);
      if (!Number.isNaN(ms)) {
        const base = new Date(ms - (ms % 1000 + 1000) % 1000).toISOString().slice(0, 19).replace("T", " ");
        return frac ? `${base}.${frac.slice(0, 6)}` : base;
      }
    }
  }
  throw bad(column, t, v);
}

/** A double literal that both lexers read as DOUBLE (`1.5E0`), or a CAST for NaN/±Infinity. */
export function doubleLiteral(v: unknown, t: DataType, column: string): string {
  const n = typeof v === "number" ? v : typeof v === "string" && isDecimalLexeme(v.trim()) ? Number(v) : typeof v === "bigint" ? Number(v) : NaN;
  if (typeof v === "number" && Number.isNaN(v)) return "CAST('NaN' AS DOUBLE)";
  if (Number.isNaN(n)) throw bad(column, t, v);
  if (n === Infinity) return "CAST('Infinity' AS DOUBLE)";
  if (n === -Infinity) return "CAST('-Infinity' AS DOUBLE)";
  // String(-0) is "0": the sign of a negative zero would be lost.
  if (Object.is(n, -0)) return "-0E0";
  const s = String(n);
  return /e/i.test(s) ? s.toUpperCase() : `${s}E0`;
}

function hex(v: unknown, t: DataType, column: string): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex").toUpperCase();
  throw bad(column, t, v);
}

function structValues(v: unknown, t: StructType, column: string): unknown[] {
  if (Array.isArray(v)) {
    if (v.length !== t.fields.length) throw bad(column, t, v, `a struct row needs ${t.fields.length} values, got ${v.length}`);
    return v;
  }
  if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof Map)) {
    const o = v as Record<string, unknown>;
    return t.fields.map((f) => o[f.name] ?? null);
  }
  throw bad(column, t, v);
}

function mapEntries(v: unknown, t: MapType, column: string): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()];
  if (v && typeof v === "object" && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>);
  throw bad(column, t, v);
}

/**
 * A SQL literal for a value of type `t`. Nested values become `array(...)`, `map(...)` and
 * `named_struct('name', ...)` calls built from the same literals.
 */
export function literal(v: unknown, t: DataType, column: string): string {
  if (v === null || v === undefined) return "NULL";
  switch (t.kind) {
    case "string":
    case "null":
      if (typeof v === "string") return stringLiteral(v);
      if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return stringLiteral(String(v));
      throw bad(column, t, v);
    case "long":
    case "integer":
      return integerText(v, t, column);
    case "double":
    case "float":
      return doubleLiteral(v, t, column);
    case "boolean":
      if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
      throw bad(column, t, v);
    case "decimal":
      return `CAST(${stringLiteral(decimalText(v, t, column))} AS ${sqlType(t)})`;
    case "date":
      return `DATE ${stringLiteral(dateText(v, t, column))}`;
    case "timestamp":
      return `TIMESTAMP ${stringLiteral(timestampText(v, t, column) + "Z")}`;
    case "binary":
      return `unhex(${stringLiteral(hex(v, t, column))})`;
    case "array": {
      if (!Array.isArray(v)) throw bad(column, t, v);
      const el = t.elementType;
      return `array(${v.map((x, i) => literal(x, el, `${column}[${i}]`)).join(", ")})`;
    }
    case "map": {
      const m = t;
      const parts: string[] = [];
      for (const [k, x] of mapEntries(v, m, column)) {
        if (k === null || k === undefined) throw bad(column, t, v, "a map key is null");
        parts.push(literal(k, m.keyType, `${column}{key}`), literal(x, m.valueType, `${column}[${String(k)}]`));
      }
      return `map(${parts.join(", ")})`;
    }
    case "struct": {
      const s = t;
      const values = structValues(v, s, column);
      return `named_struct(${s.fields.map((f, i) => `${stringLiteral(f.name)}, ${literal(values[i], f.dataType, `${column}.${f.name}`)}`).join(", ")})`;
    }
  }
}

/** True for types whose values go as parameters in the `parameters` strategy (scalars). */
export function isParameterizable(t: DataType): boolean {
  return !["array", "map", "struct", "binary"].includes(t.kind);
}

/** The `@databricks/sql` parameter type name of a scalar Spark type. */
export function parameterType(t: DataType): string {
  switch (t.kind) {
    case "long":
      return "BIGINT";
    case "integer":
      return "INTEGER";
    case "double":
      return "DOUBLE";
    case "float":
      return "FLOAT";
    case "boolean":
      return "BOOLEAN";
    case "decimal": {
      // A bare DECIMAL parameter binds as DECIMAL(10,0) on Databricks, rounding 0.0015 to 0.
      return `DECIMAL(${t.precision},${t.scale})`;
    }
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMP";
    default:
      return "STRING";
  }
}

/** The parameter's wire value (text), validated like a literal. */
export function parameterValue(v: unknown, t: DataType, column: string): string | boolean {
  switch (t.kind) {
    case "long":
    case "integer":
      return integerText(v, t, column);
    case "double":
    case "float": {
      const lit = doubleLiteral(v, t, column);
      const m = /^CAST\('(.*)' AS DOUBLE\)$/.exec(lit);
      if (m) return m[1]!;
      const n = Number(lit);
      return Object.is(n, -0) ? "-0.0" : String(n);
    }
    case "boolean":
      if (typeof v === "boolean") return v;
      throw bad(column, t, v);
    case "decimal":
      return decimalText(v, t, column);
    case "date":
      return dateText(v, t, column);
    case "timestamp":
      return timestampText(v, t, column) + "Z";
    default:
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
      throw bad(column, t, v);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing Databricks type names (DESCRIBE output, result metadata).

/**
 * Parses a Databricks/Spark type name as printed by DESCRIBE or `typeof`: `bigint`,
 * `decimal(10,2)`, `array<struct<a:int,b:string>>`, `STRUCT<a: INT NOT NULL COMMENT '...'>`,
 * `map<string,bigint>`, `varchar(10)`. Unknown names fail with a SchemaError naming the column.
 */
export function parseDatabricksType(text: string, column = ""): DataType {
  // Databricks prints types in Spark's simpleString/catalogString form; core's parser reads both
  // that and the SQL form (backticks, NOT NULL, COMMENT), with the same aliases.
  try {
    return parseSimpleString(text);
  } catch (err) {
    throw new SchemaError(`cannot read Databricks type ${JSON.stringify(text)}${column ? ` of column ${JSON.stringify(column)}` : ""}: ${errorMessage(err)}`, { field: column }, err);
  }
}
