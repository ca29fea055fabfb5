/**
 * Batch read of a collection: pre-flight, schema sampling, partition planning and the partition
 * reader (cursor pages → rows, with one page of prefetch).
 *
 * Partitioning (only the default full-collection read; a user's query runs as one partition,
 * because we cannot split arbitrary C8QL safely): `parallelism` key ranges
 * `FILTER doc._key >= @lo AND doc._key < @hi`, with boundaries found by `SORT d._key LIMIT @off, 1`
 * (one tiny query per boundary; on GDN the primary index is ordered, so that is an index skip and
 * no documents travel). `LIMIT offset, n` slices were rejected: every slice makes the server skip
 * `offset` documents, O(n²) over the job, and a slice cannot be resumed by key.
 *
 * Resumption: the default read is ordered by `_key`, so when a page is lost in a way that makes the
 * cursor's position unknown (a reset or timeout during `PUT _api/cursor/<id>`), the reader opens a
 * new cursor from the last `_key` it emitted (`doc._key > @after`) instead of asking the old cursor
 * again (which could skip a page). A user's query cannot be resumed; such a loss fails the job with
 * a clear error rather than returning a silently short result.
 * @packageDocumentation
 */
import {
  type Batch,
  type DocumentDecoder,
  type InputPartition,
  JobMetrics,
  type PartitionReader,
  type ProviderContext,
  type Row,
  type RowBatch,
  type Scan,
  StringType,
  StructType,
  createDocumentDecoder,
  createRescuingDecoder,
  inferSchema,
  withRescuedDataColumn,
} from "@macrometa-spark/core";
import { type GdnHttpClient, isGdnError } from "@macrometa-spark/macrometa-client";
import { type CollectionOptions, defaultQuery } from "./options.js";
import { collectionError } from "./error-codes.js";

/** Metric names this format adds to the job's metrics. */
export const METRICS = {
  /** Documents received from the server (before decoding). */
  documentsRead: "collection.documentsRead",
  /** Documents not returned under DROPMALFORMED (with the first `_key`s as samples). */
  rejected: "rejectedRecords",
  /** Documents with fields in the rescued-data column (samples: `_key` and the fields). */
  rescued: "rescuedRecords",
  /** Documents imported. */
  documentsWritten: "collection.documentsWritten",
  /** Documents the server refused on import (onDocumentError: skip). */
  writeRejected: "collection.writeRejected",
  /** Cursors reopened from the last key after a lost page. */
  cursorResumes: "collection.cursorResumes",
} as const;

/**
 * Checks what the connector checks before reading, with one precise error per failure. The checks
 * are independent reads, so they go out together (one round trip instead of three over a WAN);
 * failures are reported in the connector's order: fabric, collection, permission, query.
 */
export async function preflight(client: GdnHttpClient, opts: CollectionOptions, purpose: "read" | "write", signal?: AbortSignal): Promise<{ exists: boolean }> {
  const [fabric, found, allowed, validated] = await Promise.allSettled([
    client.fabricMetadata(signal),
    client.findCollection(opts.collection, signal),
    client.keyId ? client.keyAccess("collection", opts.collection, signal) : Promise.resolve(undefined),
    purpose === "read" ? client.validateQuery(opts.query ?? defaultQuery(opts.collection), signal) : Promise.resolve(undefined),
  ]);
  if (fabric.status === "rejected") {
    const err: unknown = fabric.reason;
    if (isGdnError(err) && err.status === 404) {
      throw collectionError("FABRIC_NOT_FOUND", { fabric: opts.fabric }, { cause: err, context: { fabric: opts.fabric, option: "fabric" } });
    }
    if (isGdnError(err) && err.status === 401) {
      throw collectionError("UNAUTHORIZED", { detail: err.message }, { cause: err, context: { fabric: opts.fabric } });
    }
    throw err;
  }
  if (found.status === "rejected") throw found.reason;
  const info = found.value;
  const context = { collection: opts.collection, fabric: opts.fabric };
  if (!info && purpose === "read") {
    throw collectionError("COLLECTION_NOT_FOUND", { collection: opts.collection, fabric: opts.fabric }, { context: { ...context, option: "collection" } });
  }
  if (allowed.status === "rejected") throw allowed.reason;
  const access = allowed.value;
  if (access !== undefined) {
    const ok = purpose === "read" ? access === "rw" || access === "ro" : access === "rw";
    // A missing collection has no permission entry yet: creating it is checked by the server itself.
    if (!ok && info) {
      throw collectionError("ACCESS_DENIED", { purpose, collection: opts.collection, access, need: purpose === "read" ? "'ro' or 'rw'" : "'rw'" }, { context });
    }
  }
  if (validated.status === "rejected") {
    const err: unknown = validated.reason;
    if (isGdnError(err) && err.status === 400) {
      throw collectionError("INVALID_QUERY", { detail: err.message }, { cause: err, context: { ...context, option: "query" } });
    }
    throw err;
  }
  return { exists: info !== undefined };
}

/** The first `schemaSampleSize` documents of the query (the connector's rule), as JSON texts. */
export async function sampleDocuments(client: GdnHttpClient, opts: CollectionOptions, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  // The connector's own order (no SORT): "the first 50 documents" means what its query returns first.
  const query = opts.query ?? "FOR doc IN @@collection RETURN doc";
  const bindVars = opts.query ? opts.bindVars : { "@collection": opts.collection };
  const cursor = client.query(query, { bindVars, batchSize: Math.min(opts.schemaSampleSize, 1000), signal });
  for await (const page of cursor) {
    for (const item of page.items) {
      out.push(item);
      if (out.length >= opts.schemaSampleSize) return out;
    }
  }
  return out;
}

/** Schemas this provider inferred with the most-common rule (as opposed to a user's schema). */
const inferredByShape = new WeakSet<StructType>();

/**
 * Which documents match: the connector's "shape" rule (missing or extra fields do not match) for a
 * schema inferred with `mostCommon`, Spark's reader rule (missing → null, extra ignored) for a
 * user's schema or `merge` inference — a user's schema is usually a projection, and a merged schema
 * is a superset of every document.
 */
export function matchingFor(schema: StructType, opts: CollectionOptions): "shape" | "spark" {
  return opts.schemaInference === "mostCommon" && inferredByShape.has(schema) ? "shape" : "spark";
}

/** Schemas this provider inferred (either rule), as opposed to a user's `.schema(…)`. */
const inferred = new WeakSet<StructType>();

/** Schema of the sample: the connector's most-common rule (or merge); PERMISSIVE gets the corrupt-record column. */
export function schemaFromSample(sample: string[], opts: CollectionOptions): StructType {
  let schema = inferSchema(sample, { strategy: opts.schemaInference, sampleSize: opts.schemaSampleSize, columnNameOfCorruptRecord: opts.columnNameOfCorruptRecord });
  inferred.add(schema);
  schema = withCorruptColumn(schema, opts);
  if (opts.schemaInference === "mostCommon") inferredByShape.add(schema);
  return schema;
}

/**
 * The read options for `schema`: without an explicit `mode`, a user's schema reads PERMISSIVE
 * (Spark's default: a value that does not fit is null, the row stays) and an inferred one
 * DROPMALFORMED (the connector's: a document of another shape is not imported).
 */
export function readOptionsFor(schema: StructType, opts: CollectionOptions, modeGiven: boolean): CollectionOptions {
  if (modeGiven) return opts;
  const mode = inferred.has(schema) ? "DROPMALFORMED" : "PERMISSIVE";
  return mode === opts.mode ? opts : { ...opts, mode };
}

/**
 * PERMISSIVE adds the corrupt-record column to an inferred schema (as Spark's inference does when
 * it sees a malformed record); a user's schema is kept as given (Spark fills the column only when
 * the schema has it).
 */
export function withCorruptColumn(schema: StructType, opts: CollectionOptions): StructType {
  if (opts.rescuedDataColumn !== undefined && schema.fieldIndex(opts.rescuedDataColumn) < 0) {
    // Auto Loader adds the rescued-data column to an inferred schema and to a given one alike.
    const out = withRescuedDataColumn(schema, opts.rescuedDataColumn);
    if (inferred.has(schema)) inferred.add(out);
    if (inferredByShape.has(schema)) inferredByShape.add(out);
    return withCorruptColumn(out, opts);
  }
  if (opts.mode === "PERMISSIVE" && inferred.has(schema) && schema.fieldIndex(opts.columnNameOfCorruptRecord) < 0) {
    const out = schema.add(opts.columnNameOfCorruptRecord, StringType, true);
    inferred.add(out);
    if (inferredByShape.has(schema)) inferredByShape.add(out);
    return out;
  }
  return schema;
}

/** A key range of the default read; bounds are `_key` strings (lo inclusive, hi exclusive). */
export interface CollectionPartition extends InputPartition {
  readonly lo?: string;
  readonly hi?: string;
  /** True for the default full-collection read (ordered by `_key`, resumable). */
  readonly resumable: boolean;
}

/** Cuts the collection into at most `parallelism` key ranges of about equal size. */
export async function planPartitions(client: GdnHttpClient, opts: CollectionOptions, signal?: AbortSignal): Promise<CollectionPartition[]> {
  if (opts.query !== undefined) return [{ index: 0, resumable: false }];
  if (opts.parallelism <= 1) return [{ index: 0, resumable: true }];
  const count = await client.collectionCount(opts.collection, signal);
  // Below a few pages per partition, the extra cursors cost more than they save.
  const parts = Math.min(opts.parallelism, Math.floor(count / Math.max(opts.batchSize, 1)));
  if (parts <= 1) return [{ index: 0, resumable: true }];
  const offsets = Array.from({ length: parts - 1 }, (_, i) => Math.floor(((i + 1) * count) / parts));
  const keys = await Promise.all(
    offsets.map(async (off) => {
      const page = await client.createCursor("FOR d IN @@collection SORT d._key LIMIT @off, 1 RETURN d._key", {
        bindVars: { "@collection": opts.collection, off },
        batchSize: 1,
        signal,
      });
      return page.items.length ? (JSON.parse(page.items[0]!) as string) : undefined;
    }),
  );
  const bounds = [...new Set(keys.filter((k): k is string => typeof k === "string"))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: CollectionPartition[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    out.push({ index: i, resumable: true, ...(i > 0 ? { lo: bounds[i - 1] } : {}), ...(i < bounds.length ? { hi: bounds[i] } : {}) });
  }
  return out;
}

/** The query of one default-read partition, continuing after `after` when resuming. */
export function partitionQuery(p: CollectionPartition, collection: string, after: string | undefined): { query: string; bindVars: Record<string, unknown> } {
  const filters: string[] = [];
  const bindVars: Record<string, unknown> = { "@collection": collection };
  if (after !== undefined) {
    filters.push("doc._key > @after");
    bindVars.after = after;
  } else if (p.lo !== undefined) {
    filters.push("doc._key >= @lo");
    bindVars.lo = p.lo;
  }
  if (p.hi !== undefined) {
    filters.push("doc._key < @hi");
    bindVars.hi = p.hi;
  }
  const where = filters.length ? ` FILTER ${filters.join(" AND ")}` : "";
  return { query: `FOR doc IN @@collection${where} SORT doc._key RETURN doc`, bindVars };
}

const KEY_FIELD = /"_key"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** `_key` of a document text, without parsing the whole document. */
export function keyOfText(text: string): string | undefined {
  const m = KEY_FIELD.exec(text);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
}

export class CollectionScan implements Scan, Batch {
  constructor(
    private readonly client: GdnHttpClient,
    private readonly opts: CollectionOptions,
    private readonly schema: StructType,
    private readonly ctx: ProviderContext,
  ) {}

  readSchema(): StructType {
    return this.schema;
  }
  description(): string {
    return `MacrometaCollectionScan(${this.opts.fabric}.${this.opts.collection}${this.opts.query ? ", query" : ""})`;
  }
  toBatch(): Batch {
    return this;
  }
  planInputPartitions(): Promise<InputPartition[]> {
    return planPartitions(this.client, this.opts, this.ctx.signal);
  }
  createReader(partition: InputPartition): PartitionReader {
    return readPartition(this.client, this.opts, this.schema, partition as CollectionPartition, this.ctx);
  }
}

/**
 * Whether documents may be decoded from `JSON.parse` output instead of the lossless text parser
 * (measured ~1.3x faster end to end). Only when that cannot change a result: the shape rule (under
 * it `1` and `1.0` both match an integer field), no decimal fields
 * (digits beyond a double), and not PERMISSIVE (the corrupt column must hold the original text).
 * Integers beyond 2^53 are caught per row by {@link decodeFast}.
 */
export function canDecodeParsed(schema: StructType, opts: CollectionOptions, matching: "shape" | "spark"): boolean {
  return matching === "shape" && opts.mode !== "PERMISSIVE" && opts.rescuedDataColumn === undefined && !/decimal/.test(schema.simpleString());
}

const TWO_53 = 2 ** 53;

/** True when a row holds an integral number JSON.parse may have rounded (|v| >= 2^53, or made a bigint of one). */
function hasUnsafeNumber(v: unknown): boolean {
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) >= TWO_53;
  if (typeof v === "bigint") return true;
  if (Array.isArray(v)) {
    for (const x of v) if (hasUnsafeNumber(x)) return true;
    return false;
  }
  if (v !== null && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    for (const x of Object.values(v)) if (hasUnsafeNumber(x)) return true;
  }
  return false;
}

/**
 * JSON.parse + decode with a scratch decoder; the exact decoder re-reads the text whenever the
 * result could differ: a document the scratch decoder would drop (rounding can push a value out of
 * range), or a row with a number at or beyond 2^53. So counts, samples, FAILFAST errors and big
 * integers all come from the exact path.
 */
function decodeFast(scratch: DocumentDecoder, exact: DocumentDecoder, text: string): Row | undefined {
  // Given the text, the scratch decoder parses it with JSON.parse itself and re-reads it losslessly
  // where a lexeme matters (a number in a string field keeps its spelling: `1.0` → "1.0").
  const row = scratch.decode(text);
  return row === undefined || hasUnsafeNumber(row) ? exact.decode(text) : row;
}

/** Rows of one partition, a batch per cursor page; `return()` deletes the cursor. */
export async function* readPartition(client: GdnHttpClient, opts: CollectionOptions, schema: StructType, p: CollectionPartition, ctx: ProviderContext): AsyncGenerator<RowBatch, void, undefined> {
  const { metrics, logger, signal } = ctx;
  const matching = matchingFor(schema, opts);
  const decoderOptions = { mode: opts.mode, columnNameOfCorruptRecord: opts.columnNameOfCorruptRecord, metrics, rejectedMetric: METRICS.rejected };
  // With a rescued-data column a document is kept with what fits; the rest goes there, with its `_key`.
  const decoder =
    opts.rescuedDataColumn !== undefined && schema.fieldIndex(opts.rescuedDataColumn) >= 0
      ? createRescuingDecoder(schema, { ...decoderOptions, rescuedDataColumn: opts.rescuedDataColumn, locatorName: "_key", rescuedMetric: METRICS.rescued })
      : createDocumentDecoder(schema, { ...decoderOptions, matching });
  // The fast path's own decoder judges nothing: whatever it would drop is decoded again, exactly, by `decoder`.
  const fast = canDecodeParsed(schema, opts, matching) ? createDocumentDecoder(schema, { mode: "DROPMALFORMED", matching, metrics: new JobMetrics() }) : undefined;
  let after: string | undefined;
  let received = 0;
  let rejected = 0;
  let resumes = 0;
  const rejectedKeys: string[] = [];
  let last: { id: string | undefined; exhausted: boolean } | undefined;
  try {
    for (;;) {
      const { query, bindVars } = p.resumable ? partitionQuery(p, opts.collection, after) : { query: opts.query ?? defaultQuery(opts.collection), bindVars: opts.bindVars };
      const cursor = client.query(query, { bindVars, batchSize: opts.batchSize, signal });
      last = cursor;
      try {
        for await (const page of cursor) {
          const rows: Row[] = [];
          for (const text of page.items) {
            const row = fast ? decodeFast(fast, decoder, text) : decoder.decode(text);
            if (row !== undefined) rows.push(row);
            else {
              rejected++;
              if (rejectedKeys.length < 5) {
                const k = keyOfText(text);
                if (k !== undefined) rejectedKeys.push(k);
              }
            }
          }
          received += page.items.length;
          metrics.add(METRICS.documentsRead, page.items.length);
          if (p.resumable && page.items.length) after = keyOfText(page.items[page.items.length - 1]!) ?? after;
          if (rows.length) yield rows;
        }
        return;
      } catch (err) {
        if (isGdnError(err) && err.outcomeUnknown && cursor.pages > 0) {
          if (p.resumable && resumes < Math.max(opts.maxRetries, 1) * 4) {
            resumes++;
            metrics.add(METRICS.cursorResumes);
            logger.warn("collection read: a cursor page was lost; reopening from the last key", { collection: opts.collection, partition: p.index, after, code: err.code });
            continue;
          }
          throw collectionError(
            "CURSOR_PAGE_LOST",
            {
              collection: opts.collection,
              cause: err.code,
              received,
              why: p.resumable ? "too many resumptions" : "a user query cannot be resumed safely (the cursor may have moved on), so the read fails instead of returning a short result",
            },
            { cause: err, context: { collection: opts.collection, fabric: opts.fabric } },
          );
        }
        throw err;
      }
    }
  } finally {
    // Per partition for the log; the action warns once with the job's totals (core's warnRejections).
    if (rejected > 0) {
      logger.info(`collection read: ${rejected} of ${received} documents did not match the schema and were not returned (mode ${opts.mode})`, {
        collection: opts.collection,
        partition: p.index,
        rejected,
        sampleKeys: rejectedKeys,
      });
    }
    logger.debug("collection read: partition done", {
      collection: opts.collection,
      partition: p.index,
      received,
      rejected,
      resumes,
      // An early stop (or failure) deleted this cursor; named so it can be checked.
      ...(last && !last.exhausted && last.id !== undefined ? { releasedCursor: last.id } : {}),
    });
  }
}

