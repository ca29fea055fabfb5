/**
 * The micro-batch source. Why a batch read after a crash is the same batch:
 *
 * - An offset is the id of the last message of a batch (`{messageId}`; `null` before the first).
 *   Batch N is the messages of the subscription after `start` up to and including `end`, in id order.
 * - Nothing after the last committed end is ever acknowledged: `commit(end)` (called by the loop
 *   after `commits/N` is written) is the only place messages are acked, and it acks exactly the
 *   messages ≤ end. So after a crash the subscription still holds every message after the last
 *   acked one and redelivers them in order (Exclusive/Failover subscriptions deliver in id order);
 *   the replayed (start, end] finds the same messages.
 * - Messages ≤ start can come back too (their acks did not reach the server before the crash).
 *   The loop plans batch N only after `commits/N-1`, so `start` is committed: they are acked and
 *   skipped, never delivered twice.
 * - Bad payloads are decoded per `mode` and counted with their message id; a dropped one is acked
 *   only with the rest of its committed batch.
 * - The server pushes at most `receiverQueueSize` unacknowledged messages, and nothing of a batch
 *   is acked before its commit: a batch can be re-read only with a queue at least its size. The end
 *   offset records the batch's message count, and a replay opens the consumer with a queue that
 *   large; a batch that still cannot fill fails at once, naming receiverQueueSize.
 * - A batch offset is one message id, so the topic must not be partitioned (ids of different
 *   partitions have no common order): a message from a partition fails the query, naming the stream.
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import {
  AbortedError,
  JobMetrics,
  hasErrorCode,
  MalformedRecordError,
  errorMessage,
  findNewFields,
  appendFields,
  parseJsonSchema,
  type InputPartition,
  type MicroBatchStream,
  type Offset,
  type PartitionReader,
  type ProviderContext,
  type ReadLimit,
  type RejectionSample,
  type Row,
  type RowBatch,
  type StructType,
} from "@macrometa-spark/core";
import {
  StreamConsumer,
  compareMessageIds,
  formatMessageId,
  messageIdPartition,
  messageText,
  type StreamMessage,
} from "@macrometa-spark/macrometa-client";
import { streamError } from "./error-codes.js";
import type { StreamFormatOptions } from "./options.js";
import { metadataColumns } from "./schema.js";
import { DROPPED_FIELDS_METRIC, EMPTY_METRIC, MALFORMED_METRIC, REJECTED_METRIC, RESCUED_METRIC, createSchemaReader, droppedFieldCount, metaValue, type SchemaReader } from "./payload-reader.js";

/**
 * A source position: the id of the last message of a batch, or null before the first. An end
 * offset also records `messages`, the batch's message count, so a replay can size its queue.
 */
export interface StreamOffset {
  messageId: string | null;
  [key: string]: Offset;
}

export { REJECTED_METRIC, MALFORMED_METRIC, EMPTY_METRIC, RESCUED_METRIC, DROPPED_FIELDS_METRIC };

/** Rows handed out per yielded batch. */
const ROWS_PER_CHUNK = 1000;

export function offsetId(offset: Offset | undefined): string | null {
  if (offset === null || offset === undefined) return null;
  if (typeof offset === "object" && !Array.isArray(offset) && "messageId" in offset) {
    const id = (offset as { messageId: unknown }).messageId;
    if (id === null || typeof id === "string") return id;
  }
  throw streamError("INVALID_OFFSET", { offset: JSON.stringify(offset) });
}

/** The batch's message count recorded in an end offset; undefined for offsets without one. */
export function offsetMessages(offset: Offset | undefined): number | undefined {
  if (offset === null || typeof offset !== "object" || Array.isArray(offset)) return undefined;
  const n = (offset as { messages?: unknown }).messages;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function toOffset(id: string | null, messages?: number): StreamOffset {
  if (id === null) return { messageId: null };
  return messages === undefined ? { messageId: id, position: formatMessageId(id) } : { messageId: id, position: formatMessageId(id), messages };
}

/** Subscription name when the user gives none: stable for one checkpoint, so restarts resume. */
export function defaultSubscriptionName(checkpointLocation: string): string {
  return `mmspark-${createHash("sha256").update(checkpointLocation).digest("hex").slice(0, 16)}`;
}

/**
 * Forwards the codec's counts to the job's metrics with the message id as the sample key, keeps
 * totals for progress reports, and logs the first few, so no message is dropped unseen.
 */
class MessageScopedMetrics extends JobMetrics {
  current = "";
  readonly totals: Record<string, number> = { [REJECTED_METRIC]: 0, [MALFORMED_METRIC]: 0, [EMPTY_METRIC]: 0, [RESCUED_METRIC]: 0, [DROPPED_FIELDS_METRIC]: 0 };
  private logged = 0;
  constructor(
    private readonly target: () => JobMetrics,
    private readonly onSample: (name: string, sample: RejectionSample) => void,
  ) {
    super();
  }
  override add(name: string, n = 1): void {
    this.totals[name] = (this.totals[name] ?? 0) + n;
    this.target().add(name, n);
    if (name === EMPTY_METRIC && this.logged++ < 5) this.onSample(name, { key: this.current, reason: "blank payload" });
  }
  override reject(name: string, sample: RejectionSample): void {
    this.totals[name] = (this.totals[name] ?? 0) + 1;
    const s = { key: this.current, reason: sample.key ? `document ${sample.key}: ${sample.reason}` : sample.reason };
    this.target().reject(name, s);
    if (this.logged++ < 5) this.onSample(name, s);
  }
}

export class MacrometaMicroBatchStream implements MicroBatchStream {
  private consumer: StreamConsumer | undefined;
  private opening: Promise<StreamConsumer> | undefined;
  /** Received and not acknowledged, ascending by id. */
  private pending: StreamMessage[] = [];
  /** Everything ≤ this is committed (acked or to be acked on arrival). */
  private committed: string | null = null;
  /** The largest end handed out by latestOffset in this process. */
  private handedOut: string | null = null;
  /** Readers per schema (JSON form): a batch is read with the schema it was planned with. */
  private readonly readers = new Map<string, SchemaReader>();
  private readonly scopedMetrics: MessageScopedMetrics;
  private droppedWarned = false;
  private stopped = false;
  /** Aborted by stop(): ends a replay's wait at once. */
  private readonly stopping = new AbortController();
  /** receiverQueueSize of the consumer (raised before it opens when a replayed batch needs more). */
  private queueSize: number;
  readonly subscriptionName: string;
  /** Messages acknowledged by this source (for progress and tests). */
  acked = 0;

  constructor(
    private readonly o: StreamFormatOptions,
    readonly schema: StructType,
    private readonly ctx: ProviderContext,
    checkpointLocation: string,
  ) {
    this.subscriptionName = o.subscriptionName ?? defaultSubscriptionName(checkpointLocation);
    this.queueSize = o.receiverQueueSize;
    this.scopedMetrics = new MessageScopedMetrics(
      () => ctx.metrics,
      (name, sample) =>
        ctx.logger.warn(`stream message did not fit the schema (${name}, mode ${o.mode})`, { stream: o.topic.topic, messageId: sample.key ? formatMessageId(sample.key) : undefined, reason: sample.reason }),
    );
    this.readerFor(schema);
    // Only these modes look at a batch before it is planned (and record its schema in offsets/N).
    if (o.schemaEvolutionMode === "addNewColumns" || o.schemaEvolutionMode === "failOnNewColumns") this.planSchema = (s, e, c) => this.schemaForBatch(s, e, c);
    if (o.subscriptionType === "Shared" || o.subscriptionType === "Key_Shared") {
      ctx.logger.warn("stream source: with a Shared or Key_Shared subscription, several consumers split the messages; a replayed batch is the same batch only while this query is the sole consumer", {
        stream: o.topic.topic,
        subscription: this.subscriptionName,
      });
    }
  }

  async initialOffset(): Promise<Offset> {
    // Subscribing now anchors `startingPosition: latest` at the query's start.
    await this.ensureConsumer();
    return toOffset(null);
  }

  async latestOffset(start: Offset, limit: ReadLimit, waitMs = 0): Promise<Offset> {
    const consumer = await this.ensureConsumer();
    const s = offsetId(start);
    // The loop asks for the batch after `start` only once the batch ending at `start` is committed;
    // unless we already handed out a later end (then `start` is a replay, not a commit point).
    if (s !== null && (this.handedOut === null || compareMessageIds(s, this.handedOut) >= 0)) this.ackThrough(s);
    this.drain();
    let i = this.firstAfter(s);
    if (i >= this.pending.length && waitMs > 0) {
      await consumer.waitForMessage(waitMs, this.ctx.signal);
      this.drain();
      i = this.firstAfter(s);
    }
    if (i >= this.pending.length) return start;
    const max = Math.min(limit.maxRows ?? Number.POSITIVE_INFINITY, this.o.maxMessagesPerTrigger ?? Number.POSITIVE_INFINITY);
    const endIndex = Math.min(this.pending.length - 1, i + Math.max(1, max) - 1);
    const end = this.pending[endIndex]!.messageId;
    if (this.handedOut === null || compareMessageIds(end, this.handedOut) > 0) this.handedOut = end;
    return toOffset(end, endIndex - i + 1);
  }

  /** Set in the constructor for addNewColumns and failOnNewColumns (see core's streaming/schema-evolution). */
  planSchema?: (start: Offset, end: Offset, current: StructType) => Promise<StructType>;

  async planInputPartitions(start: Offset, end: Offset, schema?: StructType): Promise<InputPartition[]> {
    const s = offsetId(start);
    const e = offsetId(end);
    this.sizeQueueFor(end);
    await this.ensureConsumer();
    // offsets/N is planned only after commits/N-1, whose end is our start: it is committed.
    if (s !== null) this.ackThrough(s);
    if (e === null || (s !== null && compareMessageIds(e, s) <= 0)) return [];
    return [{ index: 0, start: toOffset(s), end: toOffset(e, offsetMessages(end)), ...(schema ? { schema: schema.jsonValue() as Offset } : {}) }];
  }

  createReader(partition: InputPartition): PartitionReader {
    const s = offsetId(partition.start as Offset);
    const e = offsetId(partition.end as Offset);
    const reader = partition.schema === undefined ? this.readerFor(this.schema) : this.readerFor(parseJsonSchema(partition.schema) as StructType);
    return this.read(s, e, reader);
  }

  async commit(end: Offset): Promise<void> {
    const e = offsetId(end);
    if (e !== null) this.ackThrough(e);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    const c = this.consumer ?? (await this.opening?.catch(() => undefined));
    this.consumer = undefined;
    this.pending = [];
    await c?.close();
  }

  metrics(): Record<string, number> {
    return {
      bufferedMessages: this.pending.length + (this.consumer?.buffered ?? 0),
      ackedMessages: this.acked,
      reconnects: this.consumer?.reconnects ?? 0,
      duplicatesDropped: this.consumer?.duplicatesDropped ?? 0,
      ...this.scopedMetrics.totals,
    };
  }

  // ---- internals ----

  /** The decoder and row layout of one schema (the initial one, or one a batch was planned with). */
  private readerFor(schema: StructType): SchemaReader {
    const key = JSON.stringify(schema.jsonValue());
    let r = this.readers.get(key);
    if (!r) {
      r = createSchemaReader(schema, this.o, this.scopedMetrics);
      this.readers.set(key, r);
    }
    return r;
  }

  /**
   * addNewColumns: the current schema with the batch's new top-level fields appended.
   * failOnNewColumns: the current schema, or a failure naming the new fields and the first message
   * carrying one (thrown before offsets/N is written: nothing of the batch is planned or acked).
   */
  private async schemaForBatch(start: Offset, end: Offset, current: StructType): Promise<StructType> {
    const s = offsetId(start);
    const e = offsetId(end);
    if (e === null) return current;
    this.drain();
    const payloads: { text: string; origin: string }[] = [];
    for (let i = this.firstAfter(s); i < this.pending.length; i++) {
      const m = this.pending[i]!;
      if (compareMessageIds(m.messageId, e) > 0) break;
      payloads.push({ text: messageText(m), origin: formatMessageId(m.messageId) });
    }
    const reserved = [...metadataColumns(this.o), this.o.columnNameOfCorruptRecord, ...(this.o.rescuedDataColumn ? [this.o.rescuedDataColumn] : [])];
    const found = findNewFields(current, payloads, reserved);
    if (found.fields.length === 0) return current;
    const names = found.fields.map((f) => f.name);
    if (this.o.schemaEvolutionMode === "failOnNewColumns") {
      const first = found.firstSeen.get(names[0]!)!;
      throw streamError("STREAM_NEW_COLUMNS", { stream: this.o.topic.topic, messageId: first, fields: names.join(", ") }, { context: { stream: this.o.topic.topic, messageId: first, option: "schemaEvolutionMode" } });
    }
    this.ctx.metrics.add("addedColumns", names.length);
    this.ctx.logger.info("stream source: new fields become columns (schemaEvolutionMode addNewColumns)", { stream: this.o.topic.topic, columns: found.fields.map((f) => `${f.name} ${f.dataType.simpleString()}`) });
    return appendFields(current, found.fields);
  }

  private async *read(s: string | null, e: string | null, reader: SchemaReader): AsyncGenerator<RowBatch> {
    if (e === null) return;
    const consumer = await this.ensureConsumer();
    const deadline = Date.now() + this.o.batchReplayTimeoutMs;
    const signal = this.ctx.signal ? AbortSignal.any([this.ctx.signal, this.stopping.signal]) : this.stopping.signal;
    // Wait until the batch's last message (or anything after it) is here; after a restart the
    // subscription is still redelivering it.
    for (;;) {
      // Never end a batch short: a batch read as empty would be committed, and its messages acked
      // unread. A stop ends the read as a failure, so the batch stays uncommitted and is replayed.
      if (this.stopped || signal.aborted) throw new AbortedError(`stream ${this.o.topic.topic}: stopped while reading a batch`);
      this.drain();
      const last = this.pending[this.pending.length - 1];
      if (last && compareMessageIds(last.messageId, e) >= 0) break;
      if (this.pending.length >= this.queueSize) {
        // The server pushes no more until something is acked, and nothing is acked before the
        // batch commits: waiting cannot help.
        throw streamError(
          "STREAM_BATCH_TOO_LARGE",
          { stream: this.o.topic.topic, start: s === null ? "start" : formatMessageId(s), end: formatMessageId(e), queueSize: this.queueSize },
          { context: { stream: this.o.topic.topic, option: "receiverQueueSize" } },
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw streamError(
          "STREAM_BATCH_INCOMPLETE",
          {
            stream: this.o.topic.topic,
            start: s === null ? "start" : formatMessageId(s),
            end: formatMessageId(e),
            timeoutMs: this.o.batchReplayTimeoutMs,
            subscription: this.subscriptionName,
          },
          { context: { stream: this.o.topic.topic, option: "batchReplayTimeoutMs" } },
        );
      }
      await consumer.waitForMessage(Math.min(left, 1000), signal);
    }
    // A snapshot of the batch: `pending` may change (commit, stop) while rows are handed out.
    const from = this.firstAfter(s);
    let to = from;
    while (to < this.pending.length && compareMessageIds(this.pending[to]!.messageId, e) <= 0) to++;
    const batch = this.pending.slice(from, to);
    const sawEnd = batch.length > 0 && compareMessageIds(batch[batch.length - 1]!.messageId, e) === 0;
    let chunk: Row[] = [];
    let read = 0;
    for (const m of batch) {
      const row = this.decode(m, reader);
      read++;
      if (row) chunk.push(row);
      if (chunk.length >= ROWS_PER_CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
    if (!sawEnd) {
      this.ctx.metrics.add("missingBatchEndMessages");
      this.ctx.logger.warn("stream source: the batch's last message is gone from the stream (retention?); the batch ends before it", {
        stream: this.o.topic.topic,
        end: formatMessageId(e),
      });
    }
    this.ctx.metrics.add("messagesRead", read);
    if (chunk.length > 0) yield chunk;
  }

  private decode(m: StreamMessage, r: SchemaReader): Row | undefined {
    this.scopedMetrics.current = m.messageId;
    let row: Row | undefined;
    const text = messageText(m);
    try {
      row = r.rescuing ? r.rescuing.decodeWithLocator(text, formatMessageId(m.messageId)) : r.decoder.decode(text);
      if (this.o.schemaEvolutionMode === "none") this.countDropped(text, r, m.messageId);
    } catch (err) {
      if (hasErrorCode(err, "MALFORMED_RECORD")) {
        throw new MalformedRecordError(`stream ${this.o.topic.topic} message ${formatMessageId(m.messageId)}: ${errorMessage(err)}`, { stream: this.o.topic.topic, messageId: m.messageId }, err);
      }
      throw err;
    }
    if (!row) return undefined;
    if (r.deleteIndex >= 0 && (row[r.deleteIndex] === null || row[r.deleteIndex] === undefined)) row[r.deleteIndex] = false;
    if (r.keyIndex >= 0 && (row[r.keyIndex] === null || row[r.keyIndex] === undefined) && m.key !== undefined) row[r.keyIndex] = m.key;
    if (r.layout.length === row.length) return row;
    return r.layout.map((c) => ("payload" in c ? row[c.payload] : metaValue(m, c.meta)));
  }

  /** schemaEvolutionMode none: fields outside the schema are dropped as before, but counted. */
  private countDropped(text: string, r: SchemaReader, messageId: string): void {
    const n = droppedFieldCount(text, r.payloadNames);
    if (n === 0) return;
    this.scopedMetrics.add(DROPPED_FIELDS_METRIC, n);
    if (!this.droppedWarned) {
      this.droppedWarned = true;
      this.ctx.logger.warn("stream source: fields not in the schema are dropped (schemaEvolutionMode none); counted as droppedFields", { stream: this.o.topic.topic, messageId: formatMessageId(messageId) });
    }
  }

  private ensureConsumer(): Promise<StreamConsumer> {
    if (this.consumer) {
      if (this.consumer.failure) return Promise.reject(this.consumer.failure);
      return Promise.resolve(this.consumer);
    }
    if (this.stopped) return Promise.reject(streamError("STREAM_CLOSED"));
    this.opening ??= StreamConsumer.subscribe({
      wsBase: this.o.wsBase,
      apiKey: this.o.apiKey,
      auth: this.o.auth,
      topic: this.o.topic,
      subscription: this.subscriptionName,
      subscriptionType: this.o.subscriptionType,
      receiverQueueSize: this.queueSize,
      subscriptionInitialPosition: this.o.startingPosition === "earliest" ? "Earliest" : "Latest",
      idleTimeoutMs: this.o.idleTimeoutMs,
      logger: this.ctx.logger,
    }).then(
      (c) => {
        this.consumer = c;
        this.opening = undefined;
        return c;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  /** Moves everything the consumer has into `pending`, acking what is already committed. */
  private drain(): void {
    const c = this.consumer;
    if (!c) return;
    for (let m = c.tryReceive(); m; m = c.tryReceive()) {
      const partition = messageIdPartition(m.messageId);
      if (partition >= 0) {
        throw streamError(
          "STREAM_PARTITIONED",
          { stream: this.o.topic.topic, messageId: formatMessageId(m.messageId), partition },
          { context: { stream: this.o.topic.topic } },
        );
      }
      if (this.committed !== null && compareMessageIds(m.messageId, this.committed) <= 0) {
        c.ack(m.messageId); // redelivered after its ack was lost: committed already
        this.acked++;
        continue;
      }
      const p = this.pending;
      const last = p[p.length - 1];
      if (!last || compareMessageIds(m.messageId, last.messageId) > 0) {
        p.push(m);
        continue;
      }
      // Out of order (only with Shared-type subscriptions): insert in place, once.
      let lo = 0;
      let hi = p.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareMessageIds(p[mid]!.messageId, m.messageId) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo < p.length && p[lo]!.messageId === m.messageId) continue;
      p.splice(lo, 0, m);
    }
  }

  /**
   * A replayed batch is re-read whole before any of it is acked, and the server sends at most
   * receiverQueueSize unacknowledged messages: open the consumer with a queue at least the batch's
   * recorded size (it had one that large when the batch was planned). Once the consumer is open,
   * its queue is what it is; read() then fails at once if the batch cannot fill.
   */
  private sizeQueueFor(end: Offset): void {
    const need = offsetMessages(end);
    if (need === undefined || need <= this.queueSize || this.consumer || this.opening) return;
    this.ctx.logger.warn("stream source: a replayed batch is larger than receiverQueueSize; the queue is raised to the batch's size for this run", {
      stream: this.o.topic.topic,
      receiverQueueSize: this.queueSize,
      batchMessages: need,
    });
    this.queueSize = need;
  }

  /** Acks every pending message ≤ id and remembers id as committed. */
  private ackThrough(id: string): void {
    this.drain();
    if (this.committed === null || compareMessageIds(id, this.committed) > 0) this.committed = id;
    let k = 0;
    while (k < this.pending.length && compareMessageIds(this.pending[k]!.messageId, id) <= 0) k++;
    if (k === 0) return;
    const ids = new Array<string>(k);
    for (let j = 0; j < k; j++) ids[j] = this.pending[j]!.messageId;
    this.consumer?.ackMany(ids);
    this.acked += k;
    this.pending = this.pending.slice(k);
  }

  /** Index of the first pending message after `s` (null = the beginning). */
  private firstAfter(s: string | null): number {
    if (s === null) return 0;
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareMessageIds(this.pending[mid]!.messageId, s) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
