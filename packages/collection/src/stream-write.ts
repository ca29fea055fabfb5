/**
 * The streaming sink (`writeStream.format("com.macrometa.spark.collection")`): every row is applied
 * by key, `_key` or `primaryKey`. Rows of a change feed (a `_change_type` column) are changes:
 * `insert` and `update_postimage` upsert the document, `delete` removes it, `update_preimage` is
 * skipped, and `_change_type`, `_commit_version`, `_commit_timestamp` are not stored. Other rows
 * upsert.
 *
 * Exactly-once effect without a transaction: an upsert or a delete by key applied twice leaves the
 * collection as applying it once, so an epoch replayed after a crash (written, not yet in
 * `commits/N`) is harmless, and the query's checkpoint does the rest.
 *
 * Within an epoch the last change of a key wins. Rows are collapsed per key in chunks of
 * `batchSize` keys (later commit version wins, then the row's order), and chunks are applied one
 * after the other, so memory holds one chunk and a later chunk's change of a key lands after an
 * earlier one's.
 * @packageDocumentation
 */
import {
  type DataWriter,
  type LogicalWriteInfo,
  type ProviderContext,
  type RowBatch,
  StructType,
  type StreamingWrite,
  type WriterCommitMessage,
  rowToJson,
} from "@macrometa-spark/core";
import { GDN_ERROR_NUM, type GdnHttpClient, type ImportResult, type InsertResultItem } from "@macrometa-spark/macrometa-client";
import type { CollectionOptions } from "./options.js";
import { METRICS } from "./read.js";
import { collectionError } from "./error-codes.js";

const CHANGE_COLUMNS = ["_change_type", "_commit_version", "_commit_timestamp"];

/** Order of change types inside one commit: a delete and a re-insert of one key end inserted. */
const RANK: Record<string, number> = { delete: 0, update_preimage: 1, update_postimage: 2, insert: 2 };

interface Pending {
  /** The document's JSON text, or undefined for a delete. */
  doc: string | undefined;
  version: number;
  rank: number;
}

/** Where the key, the change type and the commit version sit in a row, and the stored columns. */
export interface ChangeLayout {
  keyIndex: number;
  changeTypeIndex: number;
  versionIndex: number;
  /** The document's schema: the row's columns minus the change columns. */
  docSchema: StructType;
  docIndexes: number[];
}

export function changeLayout(schema: StructType, keyColumn: string): ChangeLayout {
  const changeTypeIndex = schema.fieldIndex("_change_type");
  const isChange = changeTypeIndex >= 0;
  const docIndexes = schema.fields.map((_, i) => i).filter((i) => !(isChange && CHANGE_COLUMNS.includes(schema.fields[i]!.name)));
  return {
    keyIndex: schema.fieldIndex(keyColumn),
    changeTypeIndex,
    versionIndex: isChange ? schema.fieldIndex("_commit_version") : -1,
    docSchema: new StructType(docIndexes.map((i) => schema.fields[i]!)),
    docIndexes,
  };
}

class ChangeWriter implements DataWriter {
  private chunk = new Map<string, Pending>();
  private applying: Promise<void> = Promise.resolve();
  private failure: unknown;
  private upserted = 0;
  private deleted = 0;
  private skipped = 0;

  constructor(
    private readonly client: GdnHttpClient,
    private readonly opts: CollectionOptions,
    private readonly layout: ChangeLayout,
    private readonly keyColumn: string,
    private readonly ctx: ProviderContext,
    private readonly partitionId: number,
  ) {}

  async write(batch: RowBatch): Promise<void> {
    if (this.failure) throw this.failure;
    const l = this.layout;
    for (const row of batch) {
      const type = l.changeTypeIndex >= 0 ? String(row[l.changeTypeIndex]) : "insert";
      if (type === "update_preimage") {
        this.skipped++;
        continue;
      }
      const rank = RANK[type];
      if (rank === undefined) throw new TypeError(`collection stream write: unknown _change_type ${JSON.stringify(type)} (expected insert, update_preimage, update_postimage or delete)`);
      const rawKey = row[l.keyIndex];
      if (rawKey === null || rawKey === undefined || rawKey === "") {
        throw collectionError("MISSING_KEY", { collection: this.opts.collection, column: this.keyColumn });
      }
      const key = String(rawKey);
      const version = l.versionIndex >= 0 ? Number(row[l.versionIndex]) : 0;
      const prev = this.chunk.get(key);
      // Later commit wins; in one commit a delete gives way to an insert; otherwise arrival order.
      if (prev && (prev.version > version || (prev.version === version && prev.rank > rank))) continue;
      const doc = type === "delete" ? undefined : rowToJson(l.docSchema, l.docIndexes.map((i) => row[i]));
      this.chunk.delete(key);
      this.chunk.set(key, { doc, version, rank });
      if (this.chunk.size >= this.opts.batchSize) await this.flush();
    }
  }

  /** Queues the chunk behind the previous one and waits for that one (one chunk in flight). */
  private async flush(): Promise<void> {
    if (this.chunk.size === 0) return;
    const chunk = this.chunk;
    this.chunk = new Map();
    const previous = this.applying;
    const next = previous.then(() => this.apply(chunk));
    // Observed at once: a failure must surface through write()/commit(), never as an unhandled rejection.
    next.catch((err: unknown) => {
      this.failure ??= err;
    });
    this.applying = next;
    await previous.catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  private async apply(chunk: Map<string, Pending>): Promise<void> {
    const docs: string[] = [];
    const deletes: string[] = [];
    for (const [key, p] of chunk) {
      if (p.doc === undefined) deletes.push(key);
      else docs.push(p.doc);
    }
    const { signal } = this.ctx;
    const tasks: Promise<void>[] = [];
    const per = Math.max(1, Math.ceil(docs.length / this.opts.parallelism));
    for (let i = 0; i < docs.length; i += per) {
      const part = docs.slice(i, i + per);
      // An upsert by key is idempotent: safe to repeat whatever happened to the first attempt.
      tasks.push(this.client.importDocuments(this.opts.collection, part, { details: true, primaryKey: this.opts.primaryKey, replace: true, safeToRetry: true, signal }).then((r) => this.countUpserts(r, part.length)));
    }
    if (deletes.length) tasks.push(this.client.deleteDocuments(this.opts.collection, deletes, { signal }).then((r) => this.countDeletes(r, deletes)));
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  private countUpserts(r: ImportResult, sent: number): void {
    const written = r.created + r.updated;
    this.upserted += written;
    this.ctx.metrics.add(METRICS.documentsWritten, written);
    if (r.errors === 0 && r.unprocessed === 0 && written === sent) return;
    const examples = (r.details?.errors ?? []).slice(0, 3).map((e) => `${e.key !== undefined ? `key '${e.key}': ` : ""}${e.errorNumber} ${e.errorMessage.slice(0, 160)}`);
    throw collectionError("IMPORT_DOCUMENT_ERRORS", {
      collection: this.opts.collection,
      rejected: sent - written,
      tally: examples.join("; ") || `the answer accounts for ${written} of ${sent} documents`,
      written: this.upserted,
    });
  }

  private countDeletes(items: InsertResultItem[], keys: string[]): void {
    // A key already gone (1202) is the state a delete wants: a replayed epoch meets exactly that.
    const bad = items.filter((it) => it.error === true && it.errorNum !== GDN_ERROR_NUM.DOCUMENT_NOT_FOUND);
    this.deleted += keys.length - bad.length;
    if (bad.length === 0) return;
    throw collectionError("IMPORT_DOCUMENT_ERRORS", {
      collection: this.opts.collection,
      rejected: bad.length,
      tally: bad.slice(0, 3).map((b) => `${b.errorNum}: ${b.errorMessage ?? ""}`).join("; "),
      written: this.upserted,
    });
  }

  async commit(): Promise<WriterCommitMessage> {
    await this.flush();
    await this.applying;
    if (this.failure) throw this.failure;
    return { partitionId: this.partitionId, upserted: this.upserted, deleted: this.deleted, skipped: this.skipped };
  }

  async abort(): Promise<void> {
    this.chunk.clear();
    await this.applying.catch(() => undefined);
  }
}

export class CollectionStreamingWrite implements StreamingWrite {
  private readonly layout: ChangeLayout;
  private readonly keyColumn: string;

  constructor(
    private readonly client: GdnHttpClient,
    private readonly opts: CollectionOptions,
    info: LogicalWriteInfo,
    private readonly ctx: ProviderContext,
  ) {
    this.keyColumn = opts.primaryKey ?? "_key";
    this.layout = changeLayout(info.schema, this.keyColumn);
    if (this.layout.keyIndex < 0) {
      // Without a key a replayed epoch would store its documents twice.
      throw info.options.error("primaryKey", `a streaming write applies rows by key: give the rows a '_key' column or set 'primaryKey' to one of ${info.schema.fieldNames.join(", ")}`);
    }
  }

  createWriter(partitionId: number, _epochId: number): DataWriter {
    return new ChangeWriter(this.client, this.opts, this.layout, this.keyColumn, this.ctx, partitionId);
  }

  async commit(epochId: number, messages: WriterCommitMessage[]): Promise<void> {
    const sum = (k: string) => messages.reduce((n, m) => n + (typeof m[k] === "number" ? (m[k] as number) : 0), 0);
    this.ctx.logger.debug("collection stream write: epoch applied", { collection: this.opts.collection, epochId, upserted: sum("upserted"), deleted: sum("deleted"), skipped: sum("skipped") });
  }

  async abort(epochId: number, _messages: WriterCommitMessage[]): Promise<void> {
    // Changes already applied stay; the epoch is applied again on restart, which they survive.
    this.ctx.logger.warn("collection stream write: epoch aborted; it is applied again when the query restarts", { collection: this.opts.collection, epochId });
  }
}
