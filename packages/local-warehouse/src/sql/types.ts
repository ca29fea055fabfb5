/**
 * @packageDocumentation
 * Spark SQL data types as this warehouse sees them: parsed from DDL and casts, rendered as DuckDB
 * types for storage, and recovered from DuckDB's types for DESCRIBE and result metadata — so a client
 * sees Databricks names (`bigint`, `array<string>`, BIGINT_TYPE) whatever DuckDB calls them.
 */
import { DuckDBTypeId, type DuckDBType } from "@duckdb/node-api";
import type { Cursor } from "./cursor.js";
import { syntaxError, unsupported } from "../errors.js";
import { isOp, quoteIdent, type Token } from "./tokenizer.js";
import { TTypeId } from "../wire/thrift.js";

export type SparkType =
  | { kind: "primitive"; name: PrimitiveName }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "array"; element: SparkType }
  | { kind: "map"; key: SparkType; value: SparkType }
  | { kind: "struct"; fields: StructField[] };

export interface StructField {
  name: string;
  type: SparkType;
  nullable: boolean;
  comment?: string;
}

export type PrimitiveName =
  | "boolean"
  | "tinyint"
  | "smallint"
  | "int"
  | "bigint"
  | "float"
  | "double"
  | "string"
  | "binary"
  | "date"
  | "timestamp"
  | "timestamp_ntz"
  | "void"
  | "interval";

const PRIMITIVE_ALIASES: Record<string, PrimitiveName> = {
  BOOLEAN: "boolean",
  BOOL: "boolean",
  TINYINT: "tinyint",
  BYTE: "tinyint",
  SMALLINT: "smallint",
  SHORT: "smallint",
  INT: "int",
  INTEGER: "int",
  BIGINT: "bigint",
  LONG: "bigint",
  FLOAT: "float",
  REAL: "float",
  DOUBLE: "double",
  STRING: "string",
  BINARY: "binary",
  DATE: "date",
  TIMESTAMP: "timestamp",
  TIMESTAMP_LTZ: "timestamp",
  TIMESTAMP_NTZ: "timestamp_ntz",
  VOID: "void",
};

const primitive = (name: PrimitiveName): SparkType => ({ kind: "primitive", name });

/**
 * Parses a Spark type at the cursor: `ARRAY<T>`, `MAP<K, V>`, `STRUCT<a: T [NOT NULL] [COMMENT '…'], …>`,
 * `DECIMAL(p, s)`, `VARCHAR(n)`/`CHAR(n)` (read as string, as Delta stores them) and the primitives.
 */
export function parseType(c: Cursor): SparkType {
  const t = c.next();
  if (t.kind !== "word") throw syntaxError(`expected a data type at position ${t.pos}`);
  const name = t.value.toUpperCase();
  switch (name) {
    case "ARRAY": {
      openAngle(c);
      const element = parseType(c);
      closeAngle(c);
      return { kind: "array", element };
    }
    case "MAP": {
      openAngle(c);
      const key = parseType(c);
      c.expectOp(",");
      const value = parseType(c);
      closeAngle(c);
      return { kind: "map", key, value };
    }
    case "STRUCT": {
      openAngle(c);
      const fields: StructField[] = [];
      if (!isCloseAngle(c.peek())) {
        do fields.push(parseStructField(c));
        while (c.acceptOp(","));
      }
      closeAngle(c);
      return { kind: "struct", fields };
    }
    case "DECIMAL":
    case "DEC":
    case "NUMERIC": {
      if (!isOp(c.peek(), "(")) return { kind: "decimal", precision: 10, scale: 0 };
      c.expectOp("(");
      const precision = Number(c.next().value);
      const scale = c.acceptOp(",") ? Number(c.next().value) : 0;
      c.expectOp(")");
      if (!(precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision))
        throw syntaxError(`invalid type decimal(${precision},${scale})`);
      return { kind: "decimal", precision, scale };
    }
    case "VARCHAR":
    case "CHAR": {
      if (isOp(c.peek(), "(")) c.i = c.matchingParen();
      return primitive("string");
    }
    case "INTERVAL":
      throw unsupported("The INTERVAL column type");
    case "VARIANT":
    case "OBJECT":
    case "GEOGRAPHY":
    case "GEOMETRY":
      throw unsupported(`The ${name} type`);
    default: {
      const p = PRIMITIVE_ALIASES[name];
      if (!p) throw syntaxError(`unknown data type '${t.value}'`);
      return primitive(p);
    }
  }
}

function parseStructField(c: Cursor): StructField {
  // `a:INT` lexes as the name then a parameter token; Spark allows both `a: INT` and `a INT`.
  const name = c.identifier();
  const next = c.peek();
  if (next?.kind === "param") {
    c.tokens.splice(c.i, 1, { kind: "word", value: next.value, pos: next.pos + 1 });
  } else c.acceptOp(":");
  const type = parseType(c);
  let nullable = true;
  if (c.acceptWords("NOT", "NULL")) nullable = false;
  const field: StructField = { name, type, nullable };
  if (c.acceptWords("COMMENT")) field.comment = c.stringLiteral();
  return field;
}

const isCloseAngle = (t: Token | undefined): boolean => t !== undefined && t.kind === "op" && t.value === ">";

function openAngle(c: Cursor): void {
  c.expectOp("<");
}

/** `>>` never lexes as one token here (no shift operator), so nested closes are plain `>`s. */
function closeAngle(c: Cursor): void {
  c.expectOp(">");
}

/** The DuckDB type that stores a Spark type. TIMESTAMP is an instant (TIMESTAMPTZ); TIMESTAMP_NTZ is wall-clock. */
export function toDuckDbType(type: SparkType): string {
  switch (type.kind) {
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array":
      return `${toDuckDbType(type.element)}[]`;
    case "map":
      return `MAP(${toDuckDbType(type.key)}, ${toDuckDbType(type.value)})`;
    case "struct":
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${toDuckDbType(f.type)}`).join(", ")})`;
    case "primitive":
      return DUCK_PRIMITIVES[type.name];
  }
}

const DUCK_PRIMITIVES: Record<PrimitiveName, string> = {
  boolean: "BOOLEAN",
  tinyint: "TINYINT",
  smallint: "SMALLINT",
  int: "INTEGER",
  bigint: "BIGINT",
  float: "FLOAT",
  double: "DOUBLE",
  string: "VARCHAR",
  binary: "BLOB",
  date: "DATE",
  timestamp: "TIMESTAMPTZ",
  timestamp_ntz: "TIMESTAMP",
  void: '"NULL"',
  interval: "INTERVAL",
};

/** Spark's `simpleString`, the form DESCRIBE prints: `bigint`, `array<struct<a:int>>`, `decimal(10,2)`. */
export function simpleString(type: SparkType): string {
  switch (type.kind) {
    case "primitive":
      return type.name === "interval" ? "interval day to second" : type.name;
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "array":
      return `array<${simpleString(type.element)}>`;
    case "map":
      return `map<${simpleString(type.key)},${simpleString(type.value)}>`;
    case "struct":
      return `struct<${type.fields.map((f) => `${f.name}:${simpleString(f.type)}`).join(",")}>`;
  }
}

/** Spark's `DataType.sql`: `INT`, `DECIMAL(10,2)`, `ARRAY<STRING>`, `MAP<STRING, INT>`, `STRUCT<a: INT>`. */
export function sparkTypeSql(type: SparkType): string {
  switch (type.kind) {
    case "primitive":
      return type.name.toUpperCase();
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array":
      return `ARRAY<${sparkTypeSql(type.element)}>`;
    case "map":
      return `MAP<${sparkTypeSql(type.key)}, ${sparkTypeSql(type.value)}>`;
    case "struct":
      return `STRUCT<${type.fields.map((f) => `${f.name}: ${sparkTypeSql(f.type)}`).join(", ")}>`;
  }
}

/** The Spark type a DuckDB column or result type reads back as. */
export function fromDuckDbType(type: DuckDBType): SparkType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return primitive("boolean");
    case DuckDBTypeId.TINYINT:
      return primitive("tinyint");
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return primitive("smallint");
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return primitive("int");
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return primitive("bigint");
    case DuckDBTypeId.UBIGINT:
      return { kind: "decimal", precision: 20, scale: 0 };
    // DuckDB sums integers into a HUGEINT; Spark's sum of integers is a BIGINT that fails on overflow
    // (results.ts checks each value), so that is how a HUGEINT reads back.
    case DuckDBTypeId.HUGEINT:
      return primitive("bigint");
    case DuckDBTypeId.UHUGEINT:
      return { kind: "decimal", precision: 38, scale: 0 };
    case DuckDBTypeId.FLOAT:
      return primitive("float");
    case DuckDBTypeId.DOUBLE:
      return primitive("double");
    case DuckDBTypeId.DECIMAL:
      return { kind: "decimal", precision: type.width, scale: type.scale };
    case DuckDBTypeId.BLOB:
      return primitive("binary");
    case DuckDBTypeId.DATE:
      return primitive("date");
    case DuckDBTypeId.TIMESTAMP_TZ:
      return primitive("timestamp");
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return primitive("timestamp_ntz");
    case DuckDBTypeId.INTERVAL:
      return primitive("interval");
    case DuckDBTypeId.SQLNULL:
      return primitive("void");
    case DuckDBTypeId.LIST:
      return { kind: "array", element: fromDuckDbType(type.valueType) };
    case DuckDBTypeId.ARRAY:
      return { kind: "array", element: fromDuckDbType(type.valueType) };
    case DuckDBTypeId.MAP:
      return { kind: "map", key: fromDuckDbType(type.keyType), value: fromDuckDbType(type.valueType) };
    case DuckDBTypeId.STRUCT:
      return {
        kind: "struct",
        fields: type.entryNames.map((name, k) => ({ name, type: fromDuckDbType(type.entryTypes[k]!), nullable: true })),
      };
    default:
      // VARCHAR, UUID, ENUM, TIME, BIT, UNION…: clients see text.
      return primitive("string");
  }
}

/** The TTypeId the driver decodes a column by. */
export function thriftTypeId(type: SparkType): number {
  switch (type.kind) {
    case "decimal":
      return TTypeId.DECIMAL;
    case "array":
      return TTypeId.ARRAY;
    case "map":
      return TTypeId.MAP;
    case "struct":
      return TTypeId.STRUCT;
    case "primitive":
      return THRIFT_PRIMITIVES[type.name];
  }
}

const THRIFT_PRIMITIVES: Record<PrimitiveName, number> = {
  boolean: TTypeId.BOOLEAN,
  tinyint: TTypeId.TINYINT,
  smallint: TTypeId.SMALLINT,
  int: TTypeId.INT,
  bigint: TTypeId.BIGINT,
  float: TTypeId.FLOAT,
  double: TTypeId.DOUBLE,
  string: TTypeId.STRING,
  binary: TTypeId.BINARY,
  date: TTypeId.DATE,
  timestamp: TTypeId.TIMESTAMP,
  timestamp_ntz: TTypeId.TIMESTAMP,
  void: TTypeId.NULL,
  interval: TTypeId.INTERVAL_DAY_TIME,
};

export const STRING: SparkType = primitive("string");
export const BOOLEAN: SparkType = primitive("boolean");
export const BIGINT: SparkType = primitive("bigint");
