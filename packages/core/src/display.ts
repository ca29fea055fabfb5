/**
 * Spark's printed forms of data: `printSchema()`'s tree and `show()`'s ASCII table, character for
 * character, so output pasted from a Spark notebook can be compared with ours.
 * @packageDocumentation
 */
import type { Row } from "./contracts.js";
import { type DataType, type StructType, isArrayType, isMapType, isStructType } from "./types.js";

/** Spark's `StructType.treeString`: `root` then one ` |-- name: type (nullable = …)` line per field. */
export function treeString(schema: StructType): string {
  const lines = ["root"];
  for (const f of schema.fields) fieldLines(lines, " |", f.name, f.dataType, f.nullable);
  return lines.join("\n") + "\n";
}

function fieldLines(out: string[], prefix: string, name: string, type: DataType, nullable: boolean): void {
  out.push(`${prefix}-- ${escapeMetaCharacters(name)}: ${type.typeName} (nullable = ${nullable})`);
  nestedLines(out, `${prefix}    |`, type);
}

function nestedLines(out: string[], prefix: string, type: DataType): void {
  if (isStructType(type)) {
    for (const f of type.fields) fieldLines(out, prefix, f.name, f.dataType, f.nullable);
  } else if (isArrayType(type)) {
    out.push(`${prefix}-- element: ${type.elementType.typeName} (containsNull = ${type.containsNull})`);
    nestedLines(out, `${prefix}    |`, type.elementType);
  } else if (isMapType(type)) {
    // MapType.buildFormattedString: the key line and the key's tree, then the value's.
    out.push(`${prefix}-- key: ${type.keyType.typeName}`);
    nestedLines(out, `${prefix}    |`, type.keyType);
    out.push(`${prefix}-- value: ${type.valueType.typeName} (valueContainsNull = ${type.valueContainsNull})`);
    nestedLines(out, `${prefix}    |`, type.valueType);
  }
}

/**
 * Spark's `SchemaUtils.escapeMetaCharacters`, so one value stays on one line: LF, CR, TAB, FF,
 * BS (U+0008), VT (U+000B) and BEL (U+0007) become `\n`, `\r`, `\t`, `\f`, `\b`, `\v`, `\a`;
 * nothing else (not even `\`) is touched. In a JS regex `\b` is a word boundary, so BS is `\x08`.
 */
function escapeMetaCharacters(s: string): string {
  if (!/[\n\r\t\f\x08\u000B\u0007]/.test(s)) return s;
  return s
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\f/g, "\\f")
    .replace(/\x08/g, "\\b")
    .replace(/\u000B/g, "\\v")
    .replace(/\u0007/g, "\\a");
}

/**
 * Spark's `Dataset.showString`. `rows` may hold one more row than `numRows`; that extra row only
 * says there is more (the footer), as Spark fetches `numRows + 1`.
 * @param truncate Cells longer than this are cut (with `...` when it is at least 4); 0 = never,
 *   and then cells are left-aligned as in Spark.
 */
export function showString(schema: StructType, rows: readonly Row[], numRows = 20, truncate = 20): string {
  const hasMore = rows.length > numRows;
  const shown = hasMore ? rows.slice(0, numRows) : rows;
  // Dataset.getRows: names and cells are escaped; only cells are truncated, by UTF-16 length.
  const cut = (s: string): string => {
    const e = escapeMetaCharacters(s);
    if (truncate > 0 && e.length > truncate) return truncate < 4 ? e.substring(0, truncate) : e.substring(0, truncate - 3) + "...";
    return e;
  };
  const header = schema.fields.map((f) => escapeMetaCharacters(f.name));
  const cells = shown.map((r) => schema.fields.map((f, i) => cut(formatCell(f.dataType, r[i]))));
  const widths = header.map((h, i) => Math.max(3, stringHalfWidth(h), ...cells.map((c) => stringHalfWidth(c[i]!))));
  const sep = "+" + widths.map((w) => "-".repeat(w)).join("+") + "+\n";
  const line = (cs: string[]): string =>
    "|" +
    cs
      .map((c, i) => {
        const pad = " ".repeat(Math.max(0, widths[i]! - stringHalfWidth(c)));
        return truncate > 0 ? pad + c : c + pad;
      })
      .join("|") +
    "|\n";
  let out = sep + line(header) + sep;
  for (const c of cells) out += line(c);
  out += sep;
  if (hasMore) out += `only showing top ${numRows} ${numRows === 1 ? "row" : "rows"}\n`;
  return out;
}

/**
 * Spark's `Utils.stringHalfWidth`: the UTF-16 length plus one for each code unit in its
 * `fullWidthRegex` ranges (all in the BMP, so an emoji's surrogate pair counts 2, not 4).
 */
function stringHalfWidth(s: string): number {
  return s.length + (s.match(FULL_WIDTH) ?? []).length;
}

const FULL_WIDTH = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE10-\uFE19\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6]/g;

/** A top-level cell as Spark's show prints it (`null`, `[1, 2]`, `{a, b}`, `{k -> v}`). */
export function formatCell(type: DataType, value: unknown): string {
  if (value === null || value === undefined) return "null";
  return formatValue(type, value);
}

function formatValue(type: DataType, value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (type.kind) {
    case "double":
    case "float":
      return typeof value === "number" ? javaDoubleString(value) : String(value);
    case "timestamp":
      return formatTimestamp(value);
    case "date":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case "binary":
      return value instanceof Uint8Array
        ? "[" + [...value].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ") + "]"
        : String(value);
    case "array": {
      if (!Array.isArray(value) || !isArrayType(type)) return String(value);
      return "[" + value.map((v) => formatValue(type.elementType, v)).join(", ") + "]";
    }
    case "struct": {
      if (!isStructType(type)) return String(value);
      if (Array.isArray(value)) return "{" + type.fields.map((f, i) => formatValue(f.dataType, value[i])).join(", ") + "}";
      if (typeof value === "object") {
        const o = value as Record<string, unknown>;
        return "{" + type.fields.map((f) => formatValue(f.dataType, o[f.name])).join(", ") + "}";
      }
      return String(value);
    }
    case "map": {
      if (!isMapType(type) || typeof value !== "object") return String(value);
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      return "{" + entries.map(([k, v]) => `${formatValue(type.keyType, k)} -> ${formatValue(type.valueType, v)}`).join(", ") + "}";
    }
    default:
      if (typeof value === "object" && !(value instanceof Date)) return JSON.stringify(value);
      return String(value);
  }
}

/** Java's `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`. */
export function javaDoubleString(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes(".") ? s : s + ".0";
  }
  const [mantissa, exp] = x.toExponential().split("e") as [string, string];
  const m = mantissa.includes(".") ? mantissa : mantissa + ".0";
  return `${m}E${exp.startsWith("+") ? exp.slice(1) : exp}`;
}

/** Spark prints timestamps as `yyyy-MM-dd HH:mm:ss[.fraction]` in the session zone (UTC here). */
function formatTimestamp(value: unknown): string {
  let d: Date | undefined;
  if (value instanceof Date) d = value;
  else if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) d = new Date(t);
  }
  if (!d) return String(value);
  const iso = d.toISOString();
  let frac = iso.slice(20, 23).replace(/0+$/, "");
  if (frac) frac = "." + frac;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac}`;
}
