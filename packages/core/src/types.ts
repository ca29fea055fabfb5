/**
 * Spark SQL data types: the classes a schema is made of, with Spark's printed forms
 * (`simpleString`, `typeName`, JSON schema value, SQL/DDL).
 *
 * Parsers for the printed forms live in `type-parsers.ts`; the JSON Schema form in `json-schema.ts`.
 * @packageDocumentation
 */

export type DataTypeKind =
  | "string"
  | "long"
  | "integer"
  | "double"
  | "float"
  | "boolean"
  | "null"
  | "decimal"
  | "date"
  | "timestamp"
  | "binary"
  | "array"
  | "map"
  | "struct";

/**
 * What every Spark type has. Schemas hold {@link DataType}, the union of the concrete classes, so
 * a `switch (t.kind)` narrows to the class (`t.precision`, `t.elementType`) without casts.
 */
export abstract class DataTypeBase {
  abstract readonly kind: DataTypeKind;
  /** Spark's `typeName` (the JSON schema name of an atomic type, e.g. `long`). */
  abstract get typeName(): string;
  /** Spark's `simpleString`, e.g. `struct<a:bigint,b:array<string>>`. */
  abstract simpleString(): string;
  /** Spark's `sql` form, e.g. `STRUCT<a: BIGINT>` (used in DDL). */
  abstract sql(): string;
  /** Spark's `jsonValue`: a string for atomic types, an object for complex ones. */
  abstract jsonValue(): unknown;
  /** Spark's `json` (compact). */
  json(): string {
    return JSON.stringify(this.jsonValue());
  }
  /** Spark's `catalogString` equals `simpleString` except for structs (never truncated here either). */
  catalogString(): string {
    return this.simpleString();
  }
  equals(other: DataType): boolean {
    return this.json() === other.json();
  }
  toString(): string {
    return this.simpleString();
  }
}

/** The types without parameters (string, long, date...): one instance each, below. */
export class AtomicType extends DataTypeBase {
  constructor(
    readonly kind: Exclude<DataTypeKind, "decimal" | "array" | "map" | "struct">,
    private readonly name: string,
    private readonly simple: string,
  ) {
    super();
  }
  get typeName(): string {
    return this.name;
  }
  simpleString(): string {
    return this.simple;
  }
  sql(): string {
    return this.simple.toUpperCase();
  }
  jsonValue(): unknown {
    return this.name;
  }
}

export const StringType = new AtomicType("string", "string", "string");
export const LongType = new AtomicType("long", "long", "bigint");
export const IntegerType = new AtomicType("integer", "integer", "int");
export const DoubleType = new AtomicType("double", "double", "double");
export const FloatType = new AtomicType("float", "float", "float");
export const BooleanType = new AtomicType("boolean", "boolean", "boolean");
/** Spark 3.x prints NullType as `void` but names it `null` in JSON schemas. */
export const NullType = new AtomicType("null", "null", "void");
export const DateType = new AtomicType("date", "date", "date");
export const TimestampType = new AtomicType("timestamp", "timestamp", "timestamp");
export const BinaryType = new AtomicType("binary", "binary", "binary");

export type AtomicDataType = AtomicType;

/** A Spark data type: a union discriminated by `kind`. */
export type DataType = AtomicType | DecimalType | ArrayType | MapType | StructType;
/** The common base, for `instanceof DataType` checks. */
export const DataType = DataTypeBase;

export class DecimalType extends DataTypeBase {
  readonly kind = "decimal" as const;
  static readonly MAX_PRECISION = 38;
  static readonly MAX_SCALE = 38;
  /** Spark's `DecimalType.SYSTEM_DEFAULT`. */
  static readonly SYSTEM_DEFAULT = new DecimalType(38, 18);
  constructor(
    readonly precision: number = 10,
    readonly scale: number = 0,
  ) {
    super();
    if (!Number.isInteger(precision) || precision < 1 || precision > DecimalType.MAX_PRECISION) {
      throw new RangeError(`decimal precision ${precision} is outside 1..38`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new RangeError(`decimal scale ${scale} is outside 0..precision (${precision})`);
    }
  }
  get typeName(): string {
    return `decimal(${this.precision},${this.scale})`;
  }
  simpleString(): string {
    return this.typeName;
  }
  sql(): string {
    return `DECIMAL(${this.precision},${this.scale})`;
  }
  jsonValue(): unknown {
    return this.typeName;
  }
}

export class ArrayType extends DataTypeBase {
  readonly kind = "array" as const;
  constructor(
    readonly elementType: DataType,
    readonly containsNull: boolean = true,
  ) {
    super();
  }
  get typeName(): string {
    return "array";
  }
  simpleString(): string {
    return `array<${this.elementType.simpleString()}>`;
  }
  sql(): string {
    return `ARRAY<${this.elementType.sql()}>`;
  }
  jsonValue(): unknown {
    return { type: "array", elementType: this.elementType.jsonValue(), containsNull: this.containsNull };
  }
}

export class MapType extends DataTypeBase {
  readonly kind = "map" as const;
  constructor(
    readonly keyType: DataType,
    readonly valueType: DataType,
    readonly valueContainsNull: boolean = true,
  ) {
    super();
  }
  get typeName(): string {
    return "map";
  }
  simpleString(): string {
    return `map<${this.keyType.simpleString()},${this.valueType.simpleString()}>`;
  }
  sql(): string {
    return `MAP<${this.keyType.sql()}, ${this.valueType.sql()}>`;
  }
  jsonValue(): unknown {
    return {
      type: "map",
      keyType: this.keyType.jsonValue(),
      valueType: this.valueType.jsonValue(),
      valueContainsNull: this.valueContainsNull,
    };
  }
}

export type FieldMetadata = Record<string, unknown>;

export class StructField {
  constructor(
    readonly name: string,
    readonly dataType: DataType,
    readonly nullable: boolean = true,
    readonly metadata: FieldMetadata = {},
  ) {}
  jsonValue(): unknown {
    return { name: this.name, type: this.dataType.jsonValue(), nullable: this.nullable, metadata: this.metadata };
  }
  /** Spark's `StructField.toDDL`: a backtick-quoted name when needed, then the SQL type, NOT NULL, COMMENT. */
  toDDL(): string {
    return `${quoteIdentifierIfNeeded(this.name)} ${this.dataType.sql()}${this.nullable ? "" : " NOT NULL"}${commentSuffix(this)}`;
  }
  /** The `comment` metadata entry (DDL's COMMENT), if any. */
  get comment(): string | undefined {
    const c = this.metadata["comment"];
    return typeof c === "string" ? c : undefined;
  }
}

export class StructType extends DataTypeBase {
  readonly kind = "struct" as const;
  readonly fields: readonly StructField[];
  private index: Map<string, number> | undefined;
  constructor(fields: readonly StructField[] = []) {
    super();
    this.fields = Object.freeze([...fields]);
  }
  get typeName(): string {
    return "struct";
  }
  get length(): number {
    return this.fields.length;
  }
  get fieldNames(): string[] {
    return this.fields.map((f) => f.name);
  }
  /** Position of a field by exact name, or -1. */
  fieldIndex(name: string): number {
    if (!this.index) {
      this.index = new Map();
      this.fields.forEach((f, i) => {
        if (!this.index!.has(f.name)) this.index!.set(f.name, i);
      });
    }
    return this.index.get(name) ?? -1;
  }
  field(name: string): StructField | undefined {
    const i = this.fieldIndex(name);
    return i < 0 ? undefined : this.fields[i];
  }
  /** A new struct with one more field (Spark's `add`). */
  add(name: string, dataType: DataType, nullable = true, metadata: FieldMetadata = {}): StructType {
    return new StructType([...this.fields, new StructField(name, dataType, nullable, metadata)]);
  }
  simpleString(): string {
    return `struct<${this.fields.map((f) => `${f.name}:${f.dataType.simpleString()}`).join(",")}>`;
  }
  sql(): string {
    return `STRUCT<${this.fields.map((f) => `${quoteIdentifier(f.name)}: ${f.dataType.sql()}${f.nullable ? "" : " NOT NULL"}${commentSuffix(f)}`).join(", ")}>`;
  }
  /** Spark's `toDDL`: `a BIGINT,b ARRAY<STRING>` (names quoted only when needed). */
  toDDL(): string {
    return this.fields.map((f) => f.toDDL()).join(",");
  }
  jsonValue(): unknown {
    return { type: "struct", fields: this.fields.map((f) => f.jsonValue()) };
  }
  [Symbol.iterator](): Iterator<StructField> {
    return this.fields[Symbol.iterator]();
  }
}

/** ` COMMENT '…'` for a field with a comment, quotes and backslashes escaped as Spark's SQL strings expect. */
function commentSuffix(field: StructField): string {
  const c = field.comment;
  return c === undefined ? "" : ` COMMENT '${c.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Backtick-quotes an identifier, doubling backticks inside (Spark's `quoteIdentifier`). */
export function quoteIdentifier(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/** Spark's `quoteIfNeeded`: bare when it is a plain identifier, quoted otherwise. */
export function quoteIdentifierIfNeeded(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteIdentifier(name);
}

export function isStructType(t: DataType): t is StructType {
  return t.kind === "struct";
}
export function isArrayType(t: DataType): t is ArrayType {
  return t.kind === "array";
}
export function isMapType(t: DataType): t is MapType {
  return t.kind === "map";
}
export function isDecimalType(t: DataType): t is DecimalType {
  return t.kind === "decimal";
}
