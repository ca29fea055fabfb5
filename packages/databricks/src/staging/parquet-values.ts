/**
 * Row values → the primitive values a Parquet column holds, one converter per Spark type, compiled
 * once per schema. Each converter validates like the SQL literal path does (sql-types.ts), so a value
 * that the `insert` method would refuse is refused here too, with the same MalformedRecordError:
 * the two write methods accept exactly the same rows and store exactly the same values.
 *
 * - long → number when safe, else bigint (INT64), int → number (INT32), float/double → number
 * - decimal(p,s) → unscaled bigint, rounded HALF_UP to the scale as Databricks' CAST does; a value
 *   that needs more than p digits is refused (ANSI mode would fail the cast)
 * - date → days since 1970-01-01 (INT32 DATE), proleptic Gregorian like Spark
 * - timestamp → microseconds since the epoch, UTC (INT64 TIMESTAMP(MICROS, isAdjustedToUTC))
 * - array → array, map → [{key, value}], struct → object keyed by field name
 * @packageDocumentation
 */
import { MalformedRecordError, epochDay, type DataType, type DecimalType } from "@macrometa-spark/core";
import { dateText, decimalText, integerText, timestampText } from "../sql-types.js";

export type ParquetValueConverter = (v: unknown, column: string) => unknown;

function daysOfDateText(text: string): number {
  return epochDay(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)));
}

const MICROS_PER_DAY = 86_400_000_000n;
/** Number text the literal path accepts for a DOUBLE column (no hex, no words). */
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Microseconds of `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) since the epoch, exactly. */
function microsOfTimestampText(text: string): bigint {
  const days = BigInt(daysOfDateText(text));
  const secs = Number(text.slice(11, 13)) * 3600 + Number(text.slice(14, 16)) * 60 + Number(text.slice(17, 19));
  const frac = text.length > 20 ? text.slice(20).padEnd(6, "0").slice(0, 6) : "0";
  return days * MICROS_PER_DAY + BigInt(secs) * 1_000_000n + BigInt(frac);
}

function refuse(column: string, t: DataType, v: unknown, why: string): MalformedRecordError {
  const shown = typeof v === "string" ? JSON.stringify(v.length > 40 ? v.slice(0, 37) + "..." : v) : String(v);
  return new MalformedRecordError(`column ${JSON.stringify(column)}: ${shown} is not a valid ${t.simpleString()} (${why})`, { field: column });
}

/** The unscaled value of decimal text at `scale`, rounded HALF_UP (away from zero on a tie). */
export function unscaledDecimal(text: string, t: DecimalType, column: string): bigint {
  const negative = text.startsWith("-");
  const body = text.replace(/^[-+]/, "");
  const [whole = "", frac = ""] = body.split(".");
  const kept = frac.slice(0, t.scale).padEnd(t.scale, "0");
  let unscaled = BigInt((whole || "0") + kept);
  const next = frac.charCodeAt(t.scale);
  if (next >= 53 /* '5' */ && next <= 57) unscaled += 1n;
  if (unscaled >= 10n ** BigInt(t.precision)) throw refuse(column, t, text, `needs more than ${t.precision} digits`);
  return negative ? -unscaled : unscaled;
}

/** A converter for values of type `t`; nested types convert their children recursively. */
export function parquetConverter(t: DataType): ParquetValueConverter {
  switch (t.kind) {
    case "string":
    case "null":
      return (v, column) => {
        if (typeof v === "string") return v;
        if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
        throw refuse(column, t, v, "expected text");
      };
    case "long":
      // A safe integer stays a number (the column writer splits it into two words without a BigInt).
      return (v, column) => (typeof v === "number" && Number.isSafeInteger(v) ? v : BigInt(integerText(v, t, column)));
    case "integer":
      return (v, column) => (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : Number(integerText(v, t, column)));
    case "double":
    case "float":
      return (v, column) => {
        if (typeof v === "number") return v;
        if (typeof v === "bigint") return Number(v);
        if (typeof v === "string" && NUMBER_TEXT.test(v.trim())) return Number(v);
        throw refuse(column, t, v, "expected a number");
      };
    case "boolean":
      return (v, column) => {
        if (typeof v === "boolean") return v;
        throw refuse(column, t, v, "expected true or false");
      };
    case "decimal":
      return (v, column) => unscaledDecimal(decimalText(v, t, column), t, column);
    case "date":
      return (v, column) => daysOfDateText(dateText(v, t, column));
    case "timestamp":
      return (v, column) => {
        if (v instanceof Date && !Number.isNaN(v.getTime())) return BigInt(v.getTime()) * 1000n;
        return microsOfTimestampText(timestampText(v, t, column));
      };
    case "binary":
      return (v, column) => {
        if (v instanceof Uint8Array) return v;
        throw refuse(column, t, v, "expected bytes");
      };
    case "array": {
      const element = parquetConverter(t.elementType);
      return (v, column) => {
        if (!Array.isArray(v)) throw refuse(column, t, v, "expected an array");
        return v.map((x, i) => (x === null || x === undefined ? null : element(x, `${column}[${i}]`)));
      };
    }
    case "map": {
      const key = parquetConverter(t.keyType);
      const value = parquetConverter(t.valueType);
      return (v, column) => {
        const entries = v instanceof Map ? [...v.entries()] : v && typeof v === "object" && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>) : undefined;
        if (!entries) throw refuse(column, t, v, "expected a map");
        return entries.map(([k, x]) => {
          if (k === null || k === undefined) throw refuse(column, t, v, "a map key is null");
          return { key: key(k, `${column}{key}`), value: x === null || x === undefined ? null : value(x, `${column}[${String(k)}]`) };
        });
      };
    }
    case "struct": {
      const names = t.fields.map((f) => f.name);
      const children = t.fields.map((f) => parquetConverter(f.dataType));
      return (v, column) => {
        let values: unknown[];
        if (Array.isArray(v)) {
          if (v.length !== names.length) throw refuse(column, t, v, `a struct row needs ${names.length} values, got ${v.length}`);
          values = v;
        } else if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof Map)) {
          const o = v as Record<string, unknown>;
          values = names.map((n) => o[n] ?? null);
        } else {
          throw refuse(column, t, v, "expected a struct");
        }
        // No prototype: a field named __proto__ must stay a field.
        const out = Object.create(null) as Record<string, unknown>;
        for (let i = 0; i < names.length; i++) {
          const x = values[i];
          out[names[i]!] = x === null || x === undefined ? null : children[i]!(x, `${column}.${names[i]}`);
        }
        return out;
      };
    }
  }
}
