/**
 * Prints driver values the way Spark's SQL golden files print them, so a result from the local
 * warehouse can be compared with a `-- !query output` block of Spark's SQLQueryTestSuite.
 *
 * The rules are those of Spark's `HiveResult.toHiveString` (apache/spark,
 * sql/core/src/main/scala/org/apache/spark/sql/execution/HiveResult.scala): NULL at the top level and
 * `null` inside a collection; strings bare at the top level and in double quotes inside one; arrays
 * `[a,b]`; maps `{k:v}` with the printed entries sorted; structs `{"name":v}`; dates `yyyy-MM-dd`;
 * timestamps `yyyy-MM-dd HH:mm:ss` with the fraction's trailing zeros dropped; decimals as
 * `BigDecimal.toPlainString` (all of their scale); doubles and floats as Java's `Double.toString` /
 * `Float.toString`. Columns of a row are joined by a tab.
 *
 * How a value prints depends on its type (a DOUBLE 2 prints `2.0`, an INT 2 prints `2`), and a JS number
 * does not say which it was, so the type comes from the result's Arrow schema: every field carries
 * `Spark:DataType:SqlName`, as on a real warehouse. A type the printer does not know is an error, never
 * a guess.
 */
import { RecordBatchReader } from "apache-arrow";
import type { Session } from "./client.js";

/** A Spark type, parsed from a `Spark:DataType:SqlName` such as `MAP<STRING, ARRAY<DECIMAL(3,1)>>`. */
export type PrintType =
  | { kind: "primitive"; name: string }
  | { kind: "decimal"; scale: number }
  | { kind: "array"; element: PrintType }
  | { kind: "map"; key: PrintType; value: PrintType }
  | { kind: "struct"; fields: { name: string; type: PrintType }[] };

export function parseSqlName(text: string): PrintType {
  let pos = 0;
  const skip = () => {
    while (text[pos] === " ") pos++;
  };
  const expect = (s: string) => {
    skip();
    if (!text.startsWith(s, pos)) throw new Error(`bad type name ${text}: expected ${s} at ${pos}`);
    pos += s.length;
  };
  const word = (): string => {
    skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!m) throw new Error(`bad type name ${text} at ${pos}`);
    pos += m[0].length;
    return m[0];
  };
  const type = (): PrintType => {
    const name = word().toUpperCase();
    if (name === "DECIMAL") {
      expect("(");
      skip();
      const m = /^\d+\s*,\s*(\d+)/.exec(text.slice(pos));
      if (!m) throw new Error(`bad type name ${text} at ${pos}`);
      pos += m[0].length;
      expect(")");
      return { kind: "decimal", scale: Number(m[1]) };
    }
    if (name === "ARRAY") {
      expect("<");
      const element = type();
      expect(">");
      return { kind: "array", element };
    }
    if (name === "MAP") {
      expect("<");
      const key = type();
      expect(",");
      const value = type();
      expect(">");
      return { kind: "map", key, value };
    }
    if (name === "STRUCT") {
      expect("<");
      const fields: { name: string; type: PrintType }[] = [];
      skip();
      while (text[pos] !== ">") {
        skip();
        let field: string;
        if (text[pos] === "`") {
          const end = text.indexOf("`", pos + 1);
          field = text.slice(pos + 1, end);
          pos = end + 1;
        } else field = word();
        expect(":");
        fields.push({ name: field, type: type() });
        skip();
        if (text[pos] === ",") pos++;
        skip();
      }
      expect(">");
      return { kind: "struct", fields };
    }
    // `INTERVAL DAY TO SECOND` and other multi-word names are left unparsed: the printer refuses them.
    return { kind: "primitive", name: name.toLowerCase() };
  };
  const t = type();
  skip();
  if (pos !== text.length) return { kind: "primitive", name: text.toLowerCase() };
  return t;
}

/** Java's `Double.toString`: plain between 10^-3 and 10^7, else `d.dddE±n`; always a fraction digit. */
function javaDecimalText(x: number, shortest: string): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  const n = Number(shortest);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = String(n);
    return plain.includes(".") ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

export function javaDouble(x: number): string {
  return javaDecimalText(x, String(x));
}

/** Java's `Float.toString`: the shortest digits that read back as the same 32-bit float. */
export function javaFloat(x: number): string {
  if (!Number.isFinite(x) || x === 0) return javaDecimalText(x, String(x));
  for (let p = 1; p <= 9; p++) {
    const candidate = x.toPrecision(p);
    if (Math.fround(Number(candidate)) === x) return javaDecimalText(x, candidate);
  }
  return javaDecimalText(x, String(x));
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

function timestampText(d: Date): string {
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${pad(ms, 3).replace(/0+$/, "")}`;
}

/** A BigDecimal's `toPlainString` at the type's scale, from the driver's exact decimal text or number. */
function decimalText(value: unknown, scale: number): string {
  const text = typeof value === "string" ? value : String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`decimal value ${text} is not plain digits`);
  const [whole, fraction = ""] = text.split(".") as [string, string?];
  if (fraction.length > scale) throw new Error(`decimal value ${text} has more digits than scale ${scale}`);
  return scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, "0")}`;
}

export function printValue(value: unknown, type: PrintType, nested = false): string {
  if (value === null || value === undefined) return nested ? "null" : "NULL";
  switch (type.kind) {
    case "decimal":
      return decimalText(value, type.scale);
    case "array":
      return `[${(value as unknown[]).map((v) => printValue(v, type.element, true)).join(",")}]`;
    case "map": {
      const entries: [unknown, unknown][] =
        value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      return `{${entries
        .map(([k, v]) => `${printValue(k, type.key, true)}:${printValue(v, type.value, true)}`)
        .sort()
        .join(",")}}`;
    }
    case "struct": {
      const row = value as Record<string, unknown>;
      return `{${type.fields.map((f) => `"${f.name}":${printValue(row[f.name], f.type, true)}`).join(",")}}`;
    }
    case "primitive":
      switch (type.name) {
        case "string":
        case "void":
          return nested ? `"${String(value)}"` : String(value);
        case "boolean":
          return value ? "true" : "false";
        case "tinyint":
        case "smallint":
        case "int":
        case "bigint":
          // Map keys reach JS as object keys, so an integral key arrives as its decimal text.
          if (typeof value !== "number" && typeof value !== "bigint" && !(nested && /^-?\d+$/.test(String(value))))
            throw new Error(`${type.name} value ${String(value)}`);
          return String(value);
        case "double":
          return javaDouble(Number(value));
        case "float":
          return javaFloat(Number(value));
        case "date":
          return (value as Date).toISOString().slice(0, 10);
        case "timestamp":
        case "timestamp_ntz":
          return timestampText(value as Date);
        case "binary":
          return Buffer.from(value as Uint8Array).toString("utf8");
        default:
          throw new Error(`no Spark printing rule for type ${type.name}`);
      }
  }
}

export interface PrintedResult {
  /** One line per row, the columns joined by a tab, as in a golden file's output block. */
  rows: string[];
  /** The column types as the warehouse declared them. */
  types: string[];
}

/** Runs one statement through the driver and prints its rows as Spark's golden files do. */
export async function runPrinted(session: Session, statement: string): Promise<PrintedResult> {
  const op = await session.executeStatement(statement);
  try {
    const rows = (await op.fetchAll()) as Record<string, unknown>[];
    // The result-set metadata (with `arrowSchema`) is public on the driver's DBSQLOperation but not on
    // the IOperation interface that executeStatement is typed to return.
    const metadata = await (op as unknown as { getMetadata(): Promise<{ arrowSchema?: Buffer }> }).getMetadata();
    if (!metadata.arrowSchema) throw new Error("the result carries no Arrow schema to take column types from");
    const reader = RecordBatchReader.from(metadata.arrowSchema);
    reader.open();
    const fields = reader.schema.fields;
    const types = fields.map((f) => {
      const name = f.metadata.get("Spark:DataType:SqlName");
      if (!name) throw new Error(`column ${f.name} has no Spark:DataType:SqlName`);
      return name;
    });
    const parsed = types.map(parseSqlName);
    // The driver gives each row as an object keyed by column name: two columns with one name would
    // print the same value twice.
    if (new Set(fields.map((f) => f.name)).size !== fields.length) throw new Error("two result columns share a name");
    return {
      types,
      rows: rows.map((row) => fields.map((f, i) => printValue(row[f.name], parsed[i]!)).join("\t")),
    };
  } finally {
    await op.close();
  }
}
