/**
 * Schema evolution of streaming reads: the modes (Auto Loader's names), finding the fields of a
 * micro-batch that the query's schema lacks, and widening the schema with them.
 *
 * How a schema change travels through the micro-batch loop (streaming/query.ts):
 * 1. Before `offsets/N` is written, a source that implements `planSchema` looks at the batch's
 *    payloads and returns the schema to read them with (the current one, or the current one with
 *    new columns appended at the end; `failOnNewColumns` throws here, so nothing of the batch is
 *    planned or acknowledged).
 * 2. `offsets/N` records that schema. A replay of batch N after a crash reads it from there, never
 *    from the payloads again, so batch N is decoded the way it was planned; a restart continues
 *    with the latest recorded schema, not the one inferred at start.
 * 3. When the batch's output schema differs from what the sink was last given, the sink's
 *    `evolveSchema(epochId, schema)` runs before any of the batch's rows are written (the Delta sink
 *    adds the columns with ALTER TABLE … ADD COLUMNS; doing it again on a replay is a no-op).
 *
 * New columns are only ever appended: plans above the source (projections, filters, withColumn)
 * keep the positions they were built with. Types of existing columns never change (Delta would have
 * to rewrite the column): a value that does not fit its column goes to the rescued-data column.
 * @packageDocumentation
 */
import { parseJsonLossless } from "@macrometa-spark/kit";
import { inferSchema } from "../infer.js";
import { StructField, StructType } from "../types.js";

/** Auto Loader's `cloudFiles.schemaEvolutionMode` values. */
export type SchemaEvolutionMode = "addNewColumns" | "rescue" | "failOnNewColumns" | "none";
export const SCHEMA_EVOLUTION_MODES: readonly SchemaEvolutionMode[] = ["addNewColumns", "rescue", "failOnNewColumns", "none"];

/** Attributes the GDN adds to every document: never columns of their own by evolution. */
const SYSTEM_ATTRIBUTES = new Set(["_id", "_rev"]);

/** One payload of a batch and where it came from (a message id), for error messages. */
export interface BatchPayload {
  text: string;
  origin: string;
}

export interface NewFields {
  /** Fields to append, typed by Spark's inference merged over the batch (sorted by name, as inference does). */
  fields: StructField[];
  /** The first payload that carried each new field. */
  firstSeen: Map<string, string>;
}

function topLevel(text: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    try {
      v = parseJsonLossless(text);
    } catch {
      return undefined; // malformed payloads follow the parse mode, not evolution
    }
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The top-level fields of `payloads` that `current` has no column for (compared ignoring case, as
 * Delta compares column names; a case-variant of a column is rescued instead). Fields whose every
 * value is null are not new: nothing of them would be lost.
 */
export function findNewFields(current: StructType, payloads: Iterable<BatchPayload>, ignore: readonly string[] = []): NewFields {
  const known = new Set(current.fieldNames.map((n) => n.toLowerCase()));
  for (const n of ignore) known.add(n.toLowerCase());
  const firstSeen = new Map<string, string>();
  const carriers: string[] = [];
  for (const p of payloads) {
    const obj = topLevel(p.text);
    if (!obj) continue;
    let carries = false;
    for (const k in obj) {
      if (k === "" || known.has(k.toLowerCase()) || SYSTEM_ATTRIBUTES.has(k) || obj[k] === null) continue;
      carries = true;
      if (!firstSeen.has(k)) firstSeen.set(k, p.origin);
    }
    if (carries) carriers.push(p.text);
  }
  if (carriers.length === 0) return { fields: [], firstSeen };
  const inferred = inferSchema(carriers, { strategy: "merge", sampleSize: carriers.length, mode: "DROPMALFORMED" });
  const fields = inferred.fields.filter((f) => firstSeen.has(f.name)).map((f) => new StructField(f.name, f.dataType, true));
  for (const k of [...firstSeen.keys()]) if (!fields.some((f) => f.name === k)) firstSeen.delete(k);
  return { fields, firstSeen };
}

/** `current` with `fields` appended (Spark's struct merge keeps the left fields in place and appends the new ones). */
export function appendFields(current: StructType, fields: readonly StructField[]): StructType {
  return fields.length === 0 ? current : new StructType([...current.fields, ...fields]);
}

/** Whether two schemas are the same (names, types, nullability), for deciding whether to evolve. */
export function sameSchema(a: StructType, b: StructType): boolean {
  return a === b || JSON.stringify(a.jsonValue()) === JSON.stringify(b.jsonValue());
}
