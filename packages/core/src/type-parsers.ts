/**
 * Parsers for Spark's printed type forms: simpleString/catalogString, JSON schema, and DDL.
 *
 * Type keywords are case-insensitive. Aliases: LONG = BIGINT, INT = INTEGER, BOOL = BOOLEAN,
 * REAL = FLOAT, DEC = NUMERIC = DECIMAL (default decimal(10,0), Spark's USER_DEFAULT),
 * CHAR(n)/VARCHAR(n) → string, VOID → null, TIMESTAMP_LTZ/TIMESTAMP_NTZ → timestamp.
 * TINYINT/BYTE and SMALLINT/SHORT become int: this runtime has no 8/16-bit types and int holds
 * every value of them.
 * @packageDocumentation
 */
import { SchemaError } from "@macrometa-spark/kit";
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
  type FieldMetadata,
} from "./types.js";

const ATOMIC: Record<string, DataType> = {
  string: StringType,
  bigint: LongType,
  long: LongType,
  int: IntegerType,
  integer: IntegerType,
  smallint: IntegerType,
  short: IntegerType,
  tinyint: IntegerType,
  byte: IntegerType,
  double: DoubleType,
  float: FloatType,
  real: FloatType,
  boolean: BooleanType,
  bool: BooleanType,
  void: NullType,
  null: NullType,
  date: DateType,
  timestamp: TimestampType,
  timestamp_ltz: TimestampType,
  timestamp_ntz: TimestampType,
  binary: BinaryType,
};

/** How a struct field's name is read: `raw` up to the `:` (simpleString prints names unquoted), or an identifier. */
type NameStyle = "raw" | "identifier";

class TypeTextParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly names: NameStyle,
  ) {}

  fail(message: string): never {
    throw new SchemaError(`cannot parse type '${this.text}': ${message} at position ${this.pos}`);
  }

  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  peek(): string {
    this.ws();
    return this.text[this.pos] ?? "";
  }

  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`expected '${ch}', found ${this.pos < this.text.length ? `'${this.text[this.pos]}'` : "end"}`);
  }

  atEnd(): boolean {
    this.ws();
    return this.pos >= this.text.length;
  }

  word(): string {
    this.ws();
    const m = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail("expected a name");
    this.pos += m[0].length;
    return m[0];
  }

  keyword(kw: string): boolean {
    this.ws();
    const re = new RegExp(`^${kw}(?![A-Za-z0-9_])`, "i");
    const m = re.exec(this.text.slice(this.pos));
    if (!m) return false;
    this.pos += m[0].length;
    return true;
  }

  integer(): number {
    this.ws();
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (!m) this.fail("expected a number");
    this.pos += m[0].length;
    return Number(m[0]);
  }

  quotedName(): string {
    // Backtick-quoted, a doubled backtick standing for one.
    this.pos++;
    let out = "";
    for (;;) {
      const i = this.text.indexOf("`", this.pos);
      if (i < 0) this.fail("unterminated `name`");
      out += this.text.slice(this.pos, i);
      this.pos = i + 1;
      if (this.text[this.pos] === "`") {
        out += "`";
        this.pos++;
      } else {
        return out;
      }
    }
  }

  fieldName(): string {
    if (this.peek() === "`") return this.quotedName();
    if (this.names === "identifier") return this.word();
    const colon = this.text.indexOf(":", this.pos);
    if (colon < 0) this.fail("expected 'name:type'");
    const name = this.text.slice(this.pos, colon);
    this.pos = colon;
    return name;
  }

  stringLiteral(): string {
    const q = this.peek();
    if (q !== "'" && q !== '"') this.fail("expected a quoted string");
    this.pos++;
    let out = "";
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === q) {
        // SQL's doubled quote
        if (this.text[this.pos] === q) {
          out += q;
          this.pos++;
          continue;
        }
        return out;
      }
      if (c === "\\" && this.pos < this.text.length) {
        const e = this.text[this.pos++]!;
        out += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e === "0" ? "\0" : e;
        continue;
      }
      out += c;
    }
    return this.fail("unterminated string");
  }

  /** `[NOT NULL] [COMMENT '…']` after a field's type, in either order. */
  fieldSuffix(): { nullable: boolean; metadata: FieldMetadata } {
    let nullable = true;
    const metadata: FieldMetadata = {};
    for (;;) {
      if (this.keyword("NOT")) {
        if (!this.keyword("NULL")) this.fail("expected NULL after NOT");
        nullable = false;
      } else if (this.keyword("COMMENT")) {
        metadata["comment"] = this.stringLiteral();
      } else {
        return { nullable, metadata };
      }
    }
  }

  dataType(): DataType {
    const word = this.word();
    const lower = word.toLowerCase();
    switch (lower) {
      case "array": {
        this.expect("<");
        const element = this.dataType();
        this.expect(">");
        return new ArrayType(element, true);
      }
      case "map": {
        this.expect("<");
        const key = this.dataType();
        this.expect(",");
        const value = this.dataType();
        this.expect(">");
        return new MapType(key, value, true);
      }
      case "struct": {
        this.expect("<");
        const fields: StructField[] = [];
        if (!this.eat(">")) {
          do {
            fields.push(this.structField(true));
          } while (this.eat(","));
          this.expect(">");
        }
        return new StructType(fields);
      }
      case "decimal":
      case "dec":
      case "numeric": {
        if (!this.eat("(")) return new DecimalType(10, 0);
        const precision = this.integer();
        const scale = this.eat(",") ? this.integer() : 0;
        this.expect(")");
        try {
          return new DecimalType(precision, scale);
        } catch (err) {
          return this.fail((err as Error).message);
        }
      }
      case "char":
      case "varchar":
      case "character":
        if (this.eat("(")) {
          this.integer();
          this.expect(")");
        }
        return StringType;
      default: {
        const t = ATOMIC[lower];
        if (t === undefined) this.fail(`unknown type '${word}'`);
        return t;
      }
    }
  }

  structField(inStruct: boolean): StructField {
    const name = this.fieldName();
    // `struct<a:int>` has the colon; DDL (`a INT`) and `STRUCT<a INT>` may leave it out.
    if (!this.eat(":") && this.names === "raw" && inStruct) this.fail("expected ':'");
    const type = this.dataType();
    const { nullable, metadata } = this.fieldSuffix();
    return new StructField(name, type, nullable, metadata);
  }
}

function parseWhole(text: string, names: NameStyle): DataType {
  const p = new TypeTextParser(text, names);
  const t = p.dataType();
  if (!p.atEnd()) p.fail("unexpected text after the type");
  return t;
}

/** `struct<a:bigint,b:array<string>>` or `bigint` → DataType (also `STRUCT<a: BIGINT>` SQL forms). */
export function parseSimpleString(text: string): DataType {
  try {
    return parseWhole(text, "raw");
  } catch (err) {
    // Names printed raw may not contain ':'; the SQL form (`STRUCT<a BIGINT>`, backticks) is the other reading.
    try {
      return parseWhole(text, "identifier");
    } catch {
      throw err;
    }
  }
}

function jsonSchemaError(message: string, value: unknown): never {
  throw new SchemaError(`not a Spark JSON schema: ${message} (${JSON.stringify(value)?.slice(0, 200)})`);
}

function fromJsonValue(v: unknown): DataType {
  if (typeof v === "string") {
    const lower = v.toLowerCase();
    const atomic = ATOMIC[lower];
    if (atomic) return atomic;
    if (lower === "decimal") return new DecimalType(10, 0);
    const m = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(lower);
    if (m) {
      try {
        return new DecimalType(Number(m[1]), Number(m[2]));
      } catch (err) {
        return jsonSchemaError((err as Error).message, v);
      }
    }
    if (/^(var)?char\(\s*\d+\s*\)$/.test(lower)) return StringType;
    return jsonSchemaError(`unknown type '${v}'`, v);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return jsonSchemaError("expected a type name or object", v);
  const o = v as Record<string, unknown>;
  switch (o["type"]) {
    case "struct": {
      const fields = o["fields"];
      if (!Array.isArray(fields)) return jsonSchemaError("struct without a fields array", v);
      return new StructType(
        fields.map((f: unknown) => {
          if (typeof f !== "object" || f === null) return jsonSchemaError("field is not an object", f);
          const field = f as Record<string, unknown>;
          if (typeof field["name"] !== "string") return jsonSchemaError("field without a name", f);
          const metadata = field["metadata"];
          return new StructField(
            field["name"],
            fromJsonValue(field["type"]),
            field["nullable"] !== false,
            typeof metadata === "object" && metadata !== null ? (metadata as FieldMetadata) : {},
          );
        }),
      );
    }
    case "array":
      return new ArrayType(fromJsonValue(o["elementType"]), o["containsNull"] !== false);
    case "map":
      return new MapType(fromJsonValue(o["keyType"]), fromJsonValue(o["valueType"]), o["valueContainsNull"] !== false);
    default:
      return jsonSchemaError(`unknown complex type '${String(o["type"])}'`, v);
  }
}

/** Spark's JSON schema (text or parsed) → DataType. */
export function parseJsonSchema(json: string | unknown): DataType {
  let value: unknown = json;
  if (typeof json === "string") {
    const trimmed = json.trim();
    // A bare atomic name (`long`) is accepted as well as its JSON string (`"long"`).
    if (!trimmed.startsWith("{") && !trimmed.startsWith('"')) return fromJsonValue(trimmed);
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw new SchemaError(`not a Spark JSON schema: ${(err as Error).message}`, {}, err);
    }
  }
  return fromJsonValue(value);
}

/**
 * Spark DDL `a BIGINT, b ARRAY<STRING>, c STRUCT<d: DOUBLE>` → StructType. Names are identifiers or
 * backtick-quoted (a doubled backtick inside is one); `NOT NULL` makes a field non-nullable;
 * `COMMENT 'text'` is kept in the field's metadata under `comment`, as Spark does.
 */
export function parseDDL(ddl: string): StructType {
  const p = new TypeTextParser(ddl, "identifier");
  const fields: StructField[] = [];
  if (p.atEnd()) return new StructType([]);
  do {
    fields.push(p.structField(false));
  } while (p.eat(","));
  if (!p.atEnd()) p.fail("expected ',' or the end");
  return new StructType(fields);
}

/**
 * A user's schema given as StructType, DDL text, simpleString (`struct<…>`), Spark JSON text, or
 * an already-parsed Spark JSON object → StructType. Throws SchemaError naming what failed.
 */
export function toStructType(schema: StructType | string | object): StructType {
  if (schema instanceof StructType) return schema;
  let t: DataType;
  if (typeof schema !== "string") {
    t = parseJsonSchema(schema);
  } else {
    const text = schema.trim();
    if (text.startsWith("{") || text.startsWith('"')) t = parseJsonSchema(text);
    else if (/^struct\s*</i.test(text)) t = parseSimpleString(text);
    else t = parseDDL(text);
  }
  if (!(t instanceof StructType)) throw new SchemaError(`a schema must be a struct, got ${t.simpleString()}`);
  return t;
}
