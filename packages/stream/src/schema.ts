/**
 * The row shape of a stream table: the payload's fields, then for change streams `_key` and
 * `_delete`, then (with `includeMetadata`) the message's metadata.
 * @packageDocumentation
 */
import { BooleanType, MapType, RESCUED_DATA_COLUMN, StringType, StructField, StructType, TimestampType, withRescuedDataColumn, type DataType } from "@macrometa-spark/core";
import type { StreamFormatOptions } from "./options.js";

/** Change-stream columns: the document key and whether the change is a delete. */
export const CHANGE_KEY = "_key";
export const CHANGE_DELETE = "_delete";

/** Metadata columns filled from the message, not the payload. */
export const META_MESSAGE_ID = "_messageId";
export const META_PUBLISH_TIME = "_publishTime";
export const META_KEY = "_key";
export const META_PROPERTIES = "_properties";

const META_TYPES: Record<string, DataType> = {
  [META_MESSAGE_ID]: StringType,
  [META_PUBLISH_TIME]: TimestampType,
  [META_KEY]: StringType,
  [META_PROPERTIES]: new MapType(StringType, StringType, false),
};

/** Metadata column names for these options (a change stream's `_key` is the document's, from the payload). */
export function metadataColumns(o: Pick<StreamFormatOptions, "includeMetadata" | "isCollectionStream">): string[] {
  if (!o.includeMetadata) return [];
  return [META_MESSAGE_ID, META_PUBLISH_TIME, ...(o.isCollectionStream ? [] : [META_KEY]), META_PROPERTIES];
}

/**
 * The table schema from a payload schema (inferred or the user's): change-stream columns forced to
 * `_key string, _delete boolean`, metadata columns appended once, in a fixed order.
 */
export function tableSchema(payload: StructType, o: Pick<StreamFormatOptions, "includeMetadata" | "isCollectionStream">): StructType {
  const meta = metadataColumns(o);
  const metaSet = new Set(meta);
  const fields: StructField[] = [];
  for (const f of payload.fields) {
    if (metaSet.has(f.name)) continue;
    if (o.isCollectionStream && f.name === CHANGE_KEY) fields.push(new StructField(CHANGE_KEY, StringType, true, f.metadata));
    else if (o.isCollectionStream && f.name === CHANGE_DELETE) fields.push(new StructField(CHANGE_DELETE, BooleanType, false, f.metadata));
    else fields.push(f);
  }
  if (o.isCollectionStream) {
    if (!fields.some((f) => f.name === CHANGE_KEY)) fields.push(new StructField(CHANGE_KEY, StringType, true));
    if (!fields.some((f) => f.name === CHANGE_DELETE)) fields.push(new StructField(CHANGE_DELETE, BooleanType, false));
  }
  for (const name of meta) fields.push(new StructField(name, META_TYPES[name]!, name === META_MESSAGE_ID ? false : true));
  return new StructType(fields);
}

/** The part of a table schema that comes from the payload (what the decoder fills), in table order. */
export function payloadSchema(table: StructType, o: Pick<StreamFormatOptions, "includeMetadata" | "isCollectionStream">): StructType {
  const meta = new Set(metadataColumns(o));
  return new StructType(table.fields.filter((f) => !meta.has(f.name)));
}

/**
 * The options with the schema-evolution defaults resolved: `addNewColumns` for an inferred schema,
 * `rescue` for a user's (Auto Loader's default with a given schema is `none`; we rescue instead, so
 * nothing is dropped unless asked), and the rescued-data column `_rescued_data` under those two.
 */
export function resolveEvolution(o: StreamFormatOptions, inferred: boolean): StreamFormatOptions {
  const mode = o.schemaEvolutionMode ?? (inferred ? "addNewColumns" : "rescue");
  const rescued = o.rescuedDataColumn ?? (mode === "addNewColumns" || mode === "rescue" ? RESCUED_DATA_COLUMN : undefined);
  return mode === o.schemaEvolutionMode && rescued === o.rescuedDataColumn ? o : { ...o, schemaEvolutionMode: mode, rescuedDataColumn: rescued };
}

/** The schema with the rescued-data column at the end when the (resolved) options have one (before tableSchema, which puts metadata columns after it). */
export function withRescueColumn(table: StructType, o: Pick<StreamFormatOptions, "rescuedDataColumn">): StructType {
  return o.rescuedDataColumn === undefined ? table : withRescuedDataColumn(table, o.rescuedDataColumn);
}

/**
 * Where each table column's value comes from: an index into the decoded payload row, or a
 * metadata column's name. Metadata columns sit between the payload's columns and the rescued and
 * evolved ones, so a row is assembled rather than appended to.
 */
export type ColumnSource = { payload: number } | { meta: string };

export function rowLayout(table: StructType, o: Pick<StreamFormatOptions, "includeMetadata" | "isCollectionStream">): ColumnSource[] {
  const meta = new Set(metadataColumns(o));
  let p = 0;
  return table.fields.map((f) => (meta.has(f.name) ? { meta: f.name } : { payload: p++ }));
}
