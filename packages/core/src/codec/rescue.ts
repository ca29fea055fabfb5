/**
 * The rescued-data column (Databricks Auto Loader's `_rescued_data`): a decoder that, instead of
 * dropping, nulling or rejecting a document that does not fit the schema, keeps every value that
 * fits in its column and puts the rest into one JSON object in a string column.
 *
 * What goes into the rescued JSON (Auto Loader's rule, see docs.databricks.com → Auto Loader →
 * "Configure schema inference and evolution" → "What is the rescued data column?"):
 * - a field that is not in the schema (at any depth of nested structs: a nested one is rescued
 *   under its parent's name, `{"address":{"zip":"…"}}`);
 * - a field whose value does not fit its column's type (the column is null, the original value is
 *   rescued with its JSON spelling: `{"amount":"$100"}`);
 * - a field whose name matches a column only when case is ignored (Auto Loader reads case
 *   sensitively for rescue; Delta's column names are not, so such a field never becomes a column);
 * - inside arrays and maps a value is all or nothing: when an element does not fit, or an object
 *   in it carries a field the element type lacks, the whole value is rescued (and the column keeps
 *   what converted, or null when nothing did).
 * Nulls outside the schema lose nothing (a missing field reads as null) and are not rescued.
 * Macrometa's system attributes `_id`, `_rev` and `_key` are never rescued: they are the server's.
 *
 * Auto Loader adds `_file_path` (the source file) to the object; our analogue names where the
 * document came from: {@link RescueOptions.locatorName} (`_key` for collection documents,
 * `_messageId` for stream messages).
 *
 * A payload that is not a JSON object at all (unparsable, an array, a scalar) cannot be rescued
 * field by field: it follows the parse mode as before (see `codec/decode`). A value of another type
 * is rescued whatever the mode: Databricks' JSON reader neither drops such a record under
 * DROPMALFORMED nor fails under FAILFAST when the rescued-data column is on (docs.databricks.com →
 * JSON file → "Rescued data column").
 * @packageDocumentation
 */
import { JsonNumber, parseJsonLossless, stringifyJson } from "@macrometa-spark/kit";
import type { Row } from "../contracts.js";
import type { JobMetrics } from "../metrics.js";
import { ArrayType, type DataType, MapType, StringType, StructType } from "../types.js";
import { compile, needsLexemes, type Converter } from "./converters.js";
import { createDocumentDecoder, type CompiledDocumentDecoder } from "./decode.js";
import type { DocumentDecoderOptions } from "./options.js";
import { DecodeState, NEED_LEXEMES } from "./state.js";
import { isPlainObject, setField } from "./values.js";

/** Default name of the rescued-data column (Auto Loader's). */
export const RESCUED_DATA_COLUMN = "_rescued_data";
/** Top-level attributes every Macrometa document has; they are never rescued. */
const SYSTEM_ATTRIBUTES = new Set(["_id", "_rev", "_key"]);

export interface RescueOptions extends DocumentDecoderOptions {
  /** The rescued-data column (a string column of the schema). Default: "_rescued_data". */
  rescuedDataColumn?: string;
  /** Key of the rescued JSON naming the document's origin. Default: "_key". */
  locatorName?: string;
  /** Counter of documents with rescued data (samples: the locator and the fields). Default: "rescuedRecords". */
  rescuedMetric?: string;
}

export interface RescuingDecoder extends CompiledDocumentDecoder {
  /**
   * `decode`, with the document's origin for the rescued JSON (a message id); without one, a
   * document's own `_key` is used.
   */
  decodeWithLocator(input: unknown, locator: string | undefined): Row | undefined;
}

/** `schema` with the rescued-data column at the end, unless it has that column already. */
export function withRescuedDataColumn(schema: StructType, name = RESCUED_DATA_COLUMN): StructType {
  return schema.fieldIndex(name) >= 0 ? schema : schema.add(name, StringType, true);
}

/** One struct level: where each name goes and how its value converts. */
interface StructPlan {
  readonly n: number;
  readonly exact: Map<string, number>;
  readonly lower: Map<string, number>;
  readonly convert: (Converter | undefined)[];
  readonly nested: (StructPlan | undefined)[];
  readonly types: DataType[];
}

const utf8 = new TextDecoder();

/**
 * A decoder for `schema` (which must hold the rescued-data column as a string) that rescues what
 * does not fit instead of applying the parse mode; see the module documentation.
 */
export function createRescuingDecoder(schema: StructType, options: RescueOptions = {}): RescuingDecoder {
  const column = options.rescuedDataColumn ?? RESCUED_DATA_COLUMN;
  const rescuedIndex = schema.fieldIndex(column);
  if (rescuedIndex < 0 || schema.fields[rescuedIndex]!.dataType !== StringType) {
    throw new RangeError(`the schema has no string column '${column}' for rescued data`);
  }
  const locatorName = options.locatorName ?? "_key";
  const rescuedMetric = options.rescuedMetric ?? "rescuedRecords";
  const metrics: JobMetrics | undefined = options.metrics;
  const corruptName = options.columnNameOfCorruptRecord ?? "_corrupt_record";
  const skip = new Set([rescuedIndex, schema.fieldIndex(corruptName)]);
  // What cannot be rescued field by field (not an object) keeps the parse mode's behaviour.
  const whole = createDocumentDecoder(schema, { ...options, matching: "spark" });
  const state = new DecodeState();
  const root = planStruct(schema, "", state, skip);
  // Decimals need every number's digits: such schemas always take the lossless parser.
  const lossless = needsLexemes(schema);

  const width = schema.fields.length;
  /**
   * The common case, a document that fits, read from JSON.parse output (the native parser, the
   * fastest); undefined when the lossless parser must decide: something is rescued (its JSON keeps
   * number spellings) or a converter needs a number's lexeme.
   */
  const tryFast = (text: string): Row | undefined => {
    if (lossless) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isPlainObject(value)) return undefined;
    const row = new Array<unknown>(width).fill(null);
    try {
      return readStruct(root, value, row, state, true, true) === undefined ? row : undefined;
    } catch (err) {
      if (err !== NEED_LEXEMES) throw err;
      return undefined;
    } finally {
      state.reset();
    }
  };

  const decodeWithLocator = (input: unknown, locator: string | undefined): Row | undefined => {
    let value: unknown = input;
    if (typeof input === "string" || input instanceof Uint8Array) {
      const text = typeof input === "string" ? input : utf8.decode(input);
      const fast = tryFast(text);
      if (fast) return fast;
      try {
        value = parseJsonLossless(text);
      } catch {
        return whole.decode(text);
      }
      if (!isPlainObject(value)) return whole.decode(text);
    } else if (!isPlainObject(value)) {
      return whole.decode(input);
    }
    const doc = value as Record<string, unknown>;
    const row = new Array<unknown>(width).fill(null);
    const rescued = readStruct(root, doc, row, state, true, false);
    if (rescued === undefined) return row;
    const where = locator ?? keyOf(doc);
    const out: Record<string, unknown> = {};
    for (const k in rescued) setField(out, k, rescued[k]);
    if (where !== undefined) setField(out, locatorName, where);
    row[rescuedIndex] = stringifyJson(out);
    metrics?.reject(rescuedMetric, { ...(where === undefined ? {} : { key: where }), reason: `rescued ${Object.keys(rescued).join(", ")}` });
    return row;
  };

  return {
    schema,
    decode: (input) => decodeWithLocator(input, undefined),
    decodeWithLocator,
    decodeAll(input: unknown): Row[] {
      const row = decodeWithLocator(input, undefined);
      return row === undefined ? [] : [row];
    },
  };
}

function keyOf(doc: Record<string, unknown>): string | undefined {
  const k = doc["_key"];
  if (typeof k === "string") return k;
  if (k instanceof JsonNumber || typeof k === "number") return String(k);
  return undefined;
}

function planStruct(t: StructType, path: string, state: DecodeState, skip: ReadonlySet<number> = new Set()): StructPlan {
  const exact = new Map<string, number>();
  const lower = new Map<string, number>();
  const ctx = { matching: "spark" as const, state, inArray: false };
  const prefix = path === "" ? "" : path + ".";
  const convert: (Converter | undefined)[] = [];
  const nested: (StructPlan | undefined)[] = [];
  t.fields.forEach((f, i) => {
    if (skip.has(i)) {
      convert.push(undefined);
      nested.push(undefined);
      return;
    }
    if (!exact.has(f.name)) exact.set(f.name, i);
    if (!lower.has(f.name.toLowerCase())) lower.set(f.name.toLowerCase(), i);
    nested.push(f.dataType instanceof StructType ? planStruct(f.dataType, prefix + f.name, state) : undefined);
    convert.push(compile(f.dataType, prefix + f.name, ctx));
  });
  return { n: t.fields.length, exact, lower, convert, nested, types: t.fields.map((f) => f.dataType) };
}

/**
 * Fills `row` from `obj`; returns the rescued fields (undefined when nothing was rescued). Nested
 * structs recurse, so only the part of a nested object that does not fit is rescued. `fast`: `obj`
 * comes from JSON.parse (see tryFast).
 */
function readStruct(p: StructPlan, obj: Record<string, unknown>, row: unknown[], state: DecodeState, top: boolean, fast: boolean): Record<string, unknown> | undefined {
  let rescued: Record<string, unknown> | undefined;
  const rescue = (k: string, v: unknown): void => {
    rescued ??= {};
    setField(rescued, k, v);
  };
  for (const k in obj) {
    const v = obj[k];
    const i = p.exact.get(k);
    if (i === undefined) {
      if (v === null || v === undefined || (top && SYSTEM_ATTRIBUTES.has(k))) continue;
      rescue(k, v); // not in the schema, or only a case-variant of a column
      continue;
    }
    const sub = p.nested[i];
    if (sub !== undefined && isPlainObject(v)) {
      const inner = new Array<unknown>(sub.n).fill(null);
      const r = readStruct(sub, v, inner, state, false, fast);
      row[i] = inner;
      if (r !== undefined) rescue(k, r);
      continue;
    }
    state.reset();
    // From JSON.parse, number lexemes are gone: a converter that needs one throws NEED_LEXEMES.
    state.fastMode = fast;
    const out = p.convert[i]!(v);
    if (state.failPath !== undefined) {
      state.reset();
      row[i] = null;
      rescue(k, v);
      continue;
    }
    row[i] = out;
    if (hasUnknownFields(v, p.types[i]!)) rescue(k, v);
  }
  return rescued;
}

/** Whether an array or map value holds an object with a field its element type lacks (Spark's reader would ignore it). */
function hasUnknownFields(v: unknown, t: DataType): boolean {
  if (v === null || v === undefined) return false;
  if (t instanceof ArrayType) return Array.isArray(v) && v.some((e) => hasUnknownFields(e, t.elementType));
  if (t instanceof MapType) return isPlainObject(v) && Object.values(v).some((e) => hasUnknownFields(e, t.valueType));
  if (t instanceof StructType) {
    if (!isPlainObject(v)) return false;
    for (const k in v) {
      const i = t.fieldIndex(k);
      const f = i >= 0 && t.fields[i]!.name === k ? t.fields[i]! : undefined;
      if (!f) {
        if (v[k] !== null && v[k] !== undefined) return true;
      } else if (hasUnknownFields(v[k], f.dataType)) return true;
    }
  }
  return false;
}
