/**
 * Batch write into a collection through the import API, `batchSize` documents per call with
 * `details: true`, up to `parallelism` calls in flight per writer.
 *
 * Nothing is swallowed: the import answers HTTP 200 even when documents fail, so every answer's
 * `errors`, `unprocessed` and `details.errors[]` are read. `onDocumentError: fail` stops the write
 * and fails with counts per errorNum and example keys; `skip` appends each rejected document to
 * `rejectsPath` (JSON lines) and counts it.
 *
 * Retry safety of an import call:
 * - refused by the server (429, 503) or never connected: always repeated (nothing was written);
 * - ambiguous (reset after sending, timeout, 500/502/504) with explicit keys (`_key` on every
 *   document, or `primaryKey`) and `replace`: repeated, an upsert by key is idempotent;
 * - ambiguous with explicit keys, no `replace`: repeated, then "unique constraint" (1210) answers of
 *   the repeat are checked against the stored documents: a stored document equal to ours is counted
 *   as written by the first attempt (an identical pre-existing document is indistinguishable, and
 *   leaves the collection in the same state);
 * - ambiguous without explicit keys: NOT repeated (it could duplicate every document, under new
 *   server-generated keys); the write fails with `WRITE_OUTCOME_UNKNOWN`.
 * @packageDocumentation
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type BatchWrite,
  type DataWriter,
  MacrometaSparkError,
  type ProviderContext,
  type RowBatch,
  type StructType,
  type WriterCommitMessage,
  rowToJson,
} from "@macrometa-spark/core";
import { GDN_ERROR_NUM, type GdnHttpClient, type ImportErrorDetail, type ImportResult, isGdnError } from "@macrometa-spark/macrometa-client";
import type { CollectionOptions } from "./options.js";
import { METRICS } from "./read.js";
import { collectionError } from "./error-codes.js";

/** Per-errorNum tally of rejected documents, with a few examples. */
export interface ErrorTally {
  count: number;
  examples: { key?: string; message: string }[];
}

interface WriterState {
  created: number;
  rejected: number;
  byError: Map<string, ErrorTally>;
  reconciled: number;
}

const rejectsQueues = new Map<string, Promise<void>>();

/** Appends lines to a file, one append at a time per path (several writers share one file). */
function appendLines(path: string, text: string): Promise<void> {
  const prev = rejectsQueues.get(path) ?? mkdir(dirname(path), { recursive: true }).then(() => undefined);
  const next = prev.then(() => appendFile(path, text, "utf8"));
  rejectsQueues.set(
    path,
    next.catch(() => undefined),
  );
  return next;
}

function tally(map: Map<string, ErrorTally>, errorNum: string, key: string | undefined, message: string): void {
  const t = map.get(errorNum) ?? { count: 0, examples: [] };
  t.count++;
  if (t.examples.length < 3) t.examples.push(key === undefined ? { message } : { key, message });
  map.set(errorNum, t);
}

function describeTally(map: Map<string, ErrorTally>): string {
  return [...map.entries()]
    .map(([num, t]) => `${num} ×${t.count} (e.g. ${t.examples.map((e) => (e.key !== undefined ? `key '${e.key}': ` : "") + e.message.slice(0, 160)).join("; ")})`)
    .join(", ");
}

function stripMeta(value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== "_id" && k !== "_rev" && k !== "_key" && k !== "old_key") out[k] = v;
  return out;
}

function sameDocument(a: unknown, b: unknown): boolean {
  return stableStringify(stripMeta(a)) === stableStringify(stripMeta(b));
}

function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

export class CollectionDataWriter implements DataWriter {
  private buffer: string[] = [];
  private bufferKeyed = true;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private readonly state: WriterState = { created: 0, rejected: 0, byError: new Map(), reconciled: 0 };
  private readonly keyIndex: number;

  constructor(
    private readonly client: GdnHttpClient,
    private readonly opts: CollectionOptions,
    private readonly schema: StructType,
    private readonly ctx: ProviderContext,
    private readonly partitionId: number,
    /** `ignore` mode on a non-empty collection: accept rows, write nothing. */
    private readonly discard: boolean,
  ) {
    this.keyIndex = opts.primaryKey !== undefined ? schema.fieldIndex(opts.primaryKey) : schema.fieldIndex("_key");
  }

  async write(batch: RowBatch): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.discard) return;
    for (const row of batch) {
      const k = this.keyIndex >= 0 ? row[this.keyIndex] : undefined;
      if (k === undefined || k === null || k === "") this.bufferKeyed = false;
      this.buffer.push(rowToJson(this.schema, row));
      if (this.buffer.length >= this.opts.batchSize) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    const keyed = this.bufferKeyed;
    this.buffer = [];
    this.bufferKeyed = true;
    // Backpressure: at most `parallelism` imports in flight; the caller waits for a slot.
    while (this.inFlight.size >= this.opts.parallelism) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const p: Promise<void> = this.send(chunk, keyed)
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async send(chunk: string[], keyed: boolean): Promise<void> {
    // No abort signal: an import cut short mid-request may or may not have landed, so an interrupted
    // write lets it finish and counts it (the writer stops at its next batch instead).
    const importOpts = { details: true, primaryKey: this.opts.primaryKey, replace: this.opts.replace };
    let result: ImportResult;
    let repeated = false;
    try {
      result = await this.client.importDocuments(this.opts.collection, chunk, { ...importOpts, safeToRetry: keyed && this.opts.replace });
    } catch (err) {
      if (!(isGdnError(err) && err.outcomeUnknown)) throw err;
      if (!keyed) {
        throw collectionError(
          "WRITE_OUTCOME_UNKNOWN",
          { collection: this.opts.collection, documents: chunk.length, cause: err.code },
          { cause: err, context: { collection: this.opts.collection, fabric: this.opts.fabric } },
        );
      }
      this.ctx.logger.warn("collection write: an import answer was lost; repeating the keyed chunk and reconciling duplicates", { collection: this.opts.collection, documents: chunk.length, code: err.code });
      result = await this.client.importDocuments(this.opts.collection, chunk, { ...importOpts, safeToRetry: true });
      repeated = true;
    }
    await this.account(chunk, result, repeated);
  }

  private async account(chunk: string[], result: ImportResult, repeated: boolean): Promise<void> {
    let errors: ImportErrorDetail[] = result.details?.errors ?? [];
    let created = result.created;
    if (repeated && errors.some((e) => e.errorNumber === GDN_ERROR_NUM.UNIQUE_CONSTRAINT_VIOLATED)) {
      const { ours, others } = await this.reconcile(chunk, errors);
      created += ours;
      this.state.reconciled += ours;
      errors = others;
    }
    // Replaced documents (upserts) are written too, where the server counts them apart.
    const written = created + result.updated;
    this.state.created += written;
    this.ctx.metrics.add(METRICS.documentsWritten, written);
    const unprocessed = result.unprocessed;
    // Errors counted by the server but missing from details, and documents the answer does not
    // account for at all (ignored, empty, or simply missing from the counts): never success.
    const undetailed = repeated ? 0 : Math.max(0, result.errors - (result.details?.errors.length ?? 0));
    const unaccounted = repeated ? 0 : Math.max(0, chunk.length - (written + result.errors + unprocessed));
    if (errors.length === 0 && unprocessed === 0 && undetailed === 0 && unaccounted === 0) return;
    for (let i = 0; i < undetailed; i++) tally(this.state.byError, "unknown", undefined, "the server counted an error without details");
    for (let i = 0; i < unaccounted; i++) tally(this.state.byError, "unaccounted", undefined, `the import answer accounts for ${written + result.errors + unprocessed} of ${chunk.length} documents (ignored ${result.ignored}, empty ${result.empty})`);
    const lines: string[] = [];
    for (const e of errors) {
      tally(this.state.byError, String(e.errorNumber), e.key, e.errorMessage);
      lines.push(`{"collection":${JSON.stringify(this.opts.collection)},"errorNum":${e.errorNumber},"errorMessage":${JSON.stringify(e.errorMessage)},"document":${e.documentText}}\n`);
    }
    if (unprocessed > 0) {
      for (let i = 0; i < unprocessed; i++) tally(this.state.byError, "unprocessed", undefined, "the server did not process the document");
      for (const d of result.details?.unprocessed ?? []) lines.push(`{"collection":${JSON.stringify(this.opts.collection)},"errorNum":"unprocessed","document":${JSON.stringify(d)}}\n`);
    }
    const count = errors.length + unprocessed + undetailed + unaccounted;
    if (this.opts.onDocumentError === "skip") {
      this.state.rejected += count;
      for (const e of errors) this.ctx.metrics.reject(METRICS.writeRejected, { ...(e.key !== undefined ? { key: e.key } : {}), reason: `${e.errorNumber}: ${e.errorMessage}` });
      for (let i = 0; i < unprocessed + undetailed + unaccounted; i++) {
        this.ctx.metrics.reject(METRICS.writeRejected, { reason: i < unprocessed ? "unprocessed" : i < unprocessed + undetailed ? "error without details" : "not accounted for by the import answer" });
      }
      if (lines.length) await appendLines(this.opts.rejectsPath!, lines.join(""));
      return;
    }
    this.state.rejected += count;
    throw this.failureError();
  }

  /** After a repeated keyed import: 1210 answers whose stored document equals ours were written by the first attempt. */
  private async reconcile(chunk: string[], errors: ImportErrorDetail[]): Promise<{ ours: number; others: ImportErrorDetail[] }> {
    const dupes = errors.filter((e) => e.errorNumber === GDN_ERROR_NUM.UNIQUE_CONSTRAINT_VIOLATED && e.key !== undefined);
    const sent = new Map<string, unknown>();
    for (const text of chunk) {
      const doc = JSON.parse(text) as Record<string, unknown>;
      const k = this.opts.primaryKey !== undefined ? doc[this.opts.primaryKey] : doc._key;
      if (k !== undefined && k !== null) sent.set(String(k), doc);
    }
    const stored = new Map<string, unknown>();
    const cursor = this.client.query("FOR d IN @@collection FILTER d._key IN @keys RETURN d", {
      bindVars: { "@collection": this.opts.collection, keys: dupes.map((e) => e.key) },
      batchSize: 1000,
      signal: this.ctx.signal,
    });
    for await (const page of cursor) {
      for (const t of page.items) {
        const d = JSON.parse(t) as Record<string, unknown>;
        stored.set(String(d._key), d);
      }
    }
    let ours = 0;
    const others: ImportErrorDetail[] = errors.filter((e) => !(e.errorNumber === GDN_ERROR_NUM.UNIQUE_CONSTRAINT_VIOLATED && e.key !== undefined));
    for (const e of dupes) {
      const mine = sent.get(e.key!);
      const theirs = stored.get(e.key!);
      if (mine !== undefined && theirs !== undefined && sameDocument(mine, theirs)) ours++;
      else others.push(e);
    }
    return { ours, others };
  }

  private failureError(): MacrometaSparkError {
    const total = [...this.state.byError.values()].reduce((n, t) => n + t.count, 0);
    return collectionError(
      "IMPORT_DOCUMENT_ERRORS",
      { collection: this.opts.collection, rejected: total, tally: describeTally(this.state.byError), written: this.state.created },
      {
        context: { collection: this.opts.collection, fabric: this.opts.fabric, errorCounts: Object.fromEntries([...this.state.byError].map(([k, t]) => [k, t.count])), written: this.state.created },
      },
    );
  }

  /** Documents this writer's imports wrote so far (an abort does not take them back). */
  get written(): number {
    return this.state.created;
  }

  async commit(): Promise<WriterCommitMessage> {
    if (this.failure) throw this.failure;
    await this.flush();
    while (this.inFlight.size) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    return {
      partitionId: this.partitionId,
      created: this.state.created,
      rejected: this.state.rejected,
      reconciled: this.state.reconciled,
      errorCounts: Object.fromEntries([...this.state.byError].map(([k, t]) => [k, t.count])),
    };
  }

  async abort(): Promise<void> {
    this.buffer = [];
    // Let in-flight calls finish so their outcome is counted and no socket is torn down mid-request.
    await Promise.allSettled([...this.inFlight]);
  }
}

export class CollectionBatchWrite implements BatchWrite {
  private readonly writers: CollectionDataWriter[] = [];

  constructor(
    private readonly client: GdnHttpClient,
    private readonly opts: CollectionOptions,
    private readonly schema: StructType,
    private readonly ctx: ProviderContext,
    private readonly discard: boolean,
    /** Overwrite emptied the collection before the first import. */
    private readonly truncated = false,
  ) {}

  createWriter(partitionId: number): DataWriter {
    const writer = new CollectionDataWriter(this.client, this.opts, this.schema, this.ctx, partitionId, this.discard);
    this.writers.push(writer);
    return writer;
  }

  async commit(messages: WriterCommitMessage[]): Promise<void> {
    const sum = (k: string) => messages.reduce((n, m) => n + (typeof m[k] === "number" ? (m[k] as number) : 0), 0);
    const rejected = sum("rejected");
    const fields = { collection: this.opts.collection, written: sum("created"), rejected, reconciled: sum("reconciled") };
    if (rejected > 0) this.ctx.logger.warn(`collection write: ${rejected} documents were rejected by the server and written to rejectsPath`, { ...fields, rejectsPath: this.opts.rejectsPath });
    else this.ctx.logger.info("collection write: done", fields);
  }

  /**
   * Imports are not transactional: nothing is undone. What stays is said, with its count (every
   * writer has settled its imports when this runs: see CollectionDataWriter.abort).
   */
  async abort(messages: WriterCommitMessage[]): Promise<void> {
    const written = this.writers.reduce((n, w) => n + w.written, 0);
    const truncated = this.truncated ? "; it was emptied first (save mode overwrite), so its earlier documents are gone" : "";
    this.ctx.logger.warn(`collection write aborted: ${written} documents already imported stay in collection '${this.opts.collection}' (imports are not transactional; nothing is undone)${truncated}`, {
      collection: this.opts.collection,
      written,
      partitionsCommitted: messages.length,
      truncated: this.truncated,
    });
  }
}
