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
 *    required. Inside arrays (at any depth below one), objects may leave fields out (they read as
 *    null): inference merges all elements of one array into one struct, recursively, so elements
 *    of one document differ by design.
 * 3. Every field of the document is in the schema, except fields inference drops on its own (an
 *    empty name, `{}`, arrays of only `{}`; inside arrays also nulls, `""` and `[]` such a field
 *    merged with), so a document always matches its own inferred schema.
 * 4. Every value is of its field's type, or converts to it without loss:
 *    - string: any value; a non-string one reads as its JSON text (`1.0` → `"1.0"`, `true` →
 *      `"true"`, objects and arrays as compact JSON), as Spark's JacksonParser reads it: inference
 *      widens conflicting types to string (`["x",1]` is `array<string>`), so they must match;
 *    - bigint / int: integral numbers in range (`1.0` and `1e2` count: their value is an integer);
 *    - double: any number, read as the nearest double (`1e400` is Infinity), as Spark reads it:
 *      inference widens bigint and decimal to double;
 *    - float: any number; an integer beyond ±2^53 only when the float is exactly it; overflow
 *      does not match;
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
 *    - `""` in a non-string field reads as null: inference reads it as null (JIS 154), so
 *      `{"a":["",1.5]}` infers `array<double>` and must match it.
 * Field names match exactly; when no field has the exact name, a case-variant does (Spark's
 * default resolver is case-insensitive and inference merges case-variants into the first spelling).
 *
 * **`"spark"` (Spark's JacksonParser; use it with `merge` inference or a user's schema):** rule 4
 * only. Missing fields are null, unknown fields are ignored; values convert as under `shape`, except
 * that `""` does not match a non-string field (Spark 3 refuses it), and decimal and double fields
 * also take numeric text.
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
import type { Row } from "../contracts.js";
import { MalformedRecordError, JsonNumber, parseJsonLossless, stringifyJson } from "@macrometa-spark/kit";
import { StringType, StructType } from "../types.js";
import { type Converter, needsLexemes, structConverter } from "./converters.js";
import { PARSE_MODES, type DocumentDecoderOptions } from "./options.js";
import { DecodeState, NEED_LEXEMES } from "./state.js";
import { isPlainObject } from "./values.js";

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
  const state = new DecodeState();
  const root = structConverter("", schema, { matching, inArray: false, state }, corruptIndex);
  const lossless = needsLexemes(schema);
  const n = schema.fields.length;

  const malformed = (value: unknown, text: string | undefined, row: unknown[] | undefined): Row | undefined => {
    const key = documentKey(value, text);
    const field = state.failPath ?? "(document)";
    const reason = `${field}: ${state.failReason}`;
    state.reset();
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
      state.fastMode = false;
    }
  };

  const decodeValue = (value: unknown, text: string | undefined, fromJsonParse: boolean): Row | undefined => {
    state.reset();
    if (value === null && text !== undefined && isBlank(text)) {
      metrics?.add(emptyMetric);
      return undefined;
    }
    let row: unknown[] | null;
    if (Array.isArray(value)) {
      state.mismatch("(document)", "a top-level array is not one document");
      row = null;
    } else if (value === null || value === undefined) {
      state.mismatch("(document)", "the document is null");
      row = null;
    } else {
      state.fastMode = fromJsonParse;
      try {
        row = convert(value);
      } catch (err) {
        if (err !== NEED_LEXEMES) throw err;
        // Only texts get here (fastMode is set for JSON.parse output only).
        state.reset();
        value = parseJsonLossless(text!);
        row = convert(value);
      }
    }
    if (state.failPath === undefined) return row!;
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
      state.reset();
      state.mismatch("(document)", `malformed JSON: ${parsed.message}`);
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

/** One compiled converter (and its state) per schema, for repeated createDataFrame calls. */
const objectConverters = new WeakMap<StructType, { convert: Converter; state: DecodeState }>();

/**
 * A row from a plain object (createDataFrame); values converted to the field types, missing → null.
 * Values follow `spark` matching (unknown fields ignored; a string field takes any value's JSON
 * text); a value that cannot be converted without loss throws MalformedRecordError naming the field.
 */
export function objectToRow(schema: StructType, object: Record<string, unknown>): Row {
  let compiled = objectConverters.get(schema);
  if (!compiled) {
    const state = new DecodeState();
    compiled = { convert: structConverter("", schema, { matching: "spark", inArray: false, state }), state };
    objectConverters.set(schema, compiled);
  }
  const { convert, state } = compiled;
  state.reset();
  const row = convert(object) as Row | null;
  if (state.failPath !== undefined || row === null) {
    const field = state.failPath ?? "(document)";
    const reason = state.failPath === undefined ? "expected an object" : state.failReason;
    state.reset();
    throw new MalformedRecordError(`cannot convert to ${schema.simpleString()}: ${field}: ${reason}`, { field });
  }
  return row;
}
