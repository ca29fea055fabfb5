/**
 * How one schema's messages become rows: the payload decoder (rescuing when the schema has the
 * rescued-data column), where each table column's value comes from (payload or message metadata),
 * and the change-stream columns to fill. A stream source keeps one per schema it reads with: the
 * initial one, and each one a batch was planned with (schema evolution).
 * @packageDocumentation
 */
import { createDocumentDecoder, createRescuingDecoder, type DocumentDecoder, type JobMetrics, type RescuingDecoder, type StructType } from "@macrometa-spark/core";
import { publishTimeMs, type StreamMessage } from "@macrometa-spark/macrometa-client";
import type { StreamFormatOptions } from "./options.js";
import { CHANGE_DELETE, CHANGE_KEY, META_KEY, META_MESSAGE_ID, META_PROPERTIES, META_PUBLISH_TIME, payloadSchema, rowLayout, type ColumnSource } from "./schema.js";

/** Counter for messages dropped or nulled by the parse mode. */
export const REJECTED_METRIC = "rejectedMessages";
/** Counter for messages PERMISSIVE kept with nulls (and the corrupt-record column, if any). */
export const MALFORMED_METRIC = "malformedMessages";
/** Counter for blank payloads (no document, no row). */
export const EMPTY_METRIC = "emptyMessages";
/** Counter for messages with rescued data (samples: message id and fields). */
export const RESCUED_METRIC = "rescuedMessages";
/** Counter for fields dropped because they are not in the schema (schemaEvolutionMode none). */
export const DROPPED_FIELDS_METRIC = "droppedFields";

/** How one schema's messages become rows. */
export interface SchemaReader {
  decoder: DocumentDecoder;
  rescuing: RescuingDecoder | undefined;
  layout: ColumnSource[];
  payloadNames: Set<string>;
  deleteIndex: number;
  keyIndex: number;
}

export function createSchemaReader(schema: StructType, o: StreamFormatOptions, metrics: JobMetrics): SchemaReader {
  const payload = payloadSchema(schema, o);
  const common = {
    mode: o.mode,
    columnNameOfCorruptRecord: o.columnNameOfCorruptRecord,
    metrics,
    rejectedMetric: REJECTED_METRIC,
    malformedMetric: MALFORMED_METRIC,
    emptyMetric: EMPTY_METRIC,
  };
  const rescuing =
    o.rescuedDataColumn !== undefined && payload.fieldIndex(o.rescuedDataColumn) >= 0
      ? createRescuingDecoder(payload, { ...common, rescuedDataColumn: o.rescuedDataColumn, locatorName: META_MESSAGE_ID, rescuedMetric: RESCUED_METRIC })
      : undefined;
  return {
    decoder: rescuing ?? createDocumentDecoder(payload, { ...common, matching: o.matching }),
    rescuing,
    layout: rowLayout(schema, o),
    payloadNames: new Set(payload.fieldNames),
    deleteIndex: o.isCollectionStream ? payload.fieldIndex(CHANGE_DELETE) : -1,
    keyIndex: o.isCollectionStream ? payload.fieldIndex(CHANGE_KEY) : -1,
  };
}

/** The value of a metadata column, from the message. */
export function metaValue(m: StreamMessage, name: string): unknown {
  if (name === META_MESSAGE_ID) return m.messageId;
  if (name === META_PUBLISH_TIME) {
    const t = publishTimeMs(m.publishTime);
    return t === undefined ? null : new Date(t).toISOString();
  }
  if (name === META_KEY) return m.key ?? null;
  if (name === META_PROPERTIES) return { ...m.properties };
  return null;
}

/** Non-null top-level fields of a payload that the schema has no column for (the GDN's `_id`/`_rev` aside). */
export function droppedFieldCount(text: string, names: ReadonlySet<string>): number {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return 0; // a malformed payload is the parse mode's business
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(obj)) if (v !== null && !names.has(k) && k !== "_id" && k !== "_rev") n++;
  return n;
}
