/**
 * `StreamingQuery`: the micro-batch loop of design.md, one batch at a time:
 *
 * 1. `end = source.latestOffset(start)`; nothing new → wait for the next trigger.
 * 2. write `offsets/N` = {start, end} to the checkpoint (durably) BEFORE reading anything;
 * 3. read (start, end] and write it to the sink with `(queryId, N)`; the sink commits epoch N;
 * 4. write `commits/N`;
 * 5. `source.commit(end)`: only now may the source acknowledge / release the messages.
 *
 * On start, an `offsets/N` without `commits/N` is replayed with the same range (the sink makes a
 * replayed epoch a no-op), and the last committed batch's end is re-committed to the source in
 * case the process died between 4 and 5.
 * @packageDocumentation
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import type { MicroBatchStream, Offset, ReadLimit, StreamingWrite, Table } from "../contracts.js";
import { errorMessage, type Logger } from "@macrometa-spark/kit";
import { type ExecContext, MicroBatchPlan, type PartitionStream, PlanNode } from "../execution.js";
import { runWrite } from "../partition-runner.js";
import type { StructType } from "../types.js";
import { parseJsonSchema } from "../type-parsers.js";
import { appendFields, sameSchema } from "./schema-evolution.js";
import type { SparkSession } from "../session.js";
import type { DataFrame } from "../dataframe.js";
import type { CheckpointLog } from "./checkpoint.js";
import type { ResolvedTrigger } from "./trigger.js";
import { sameOffset } from "../execution.js";
import { coreError } from "../error-codes.js";

/** A source's part of a progress report (Spark's SourceProgress). */
/** How long the first ask of a once/availableNow run waits for data to arrive (see run()). */
const ONE_TIME_FIRST_WAIT_MS = 2000;

export interface SourceProgress {
  description: string;
  startOffset: Offset | null;
  endOffset: Offset | null;
  numInputRows: number;
  inputRowsPerSecond: number;
  processedRowsPerSecond: number;
  metrics: Record<string, number>;
}

/** One micro-batch's report (Spark's StreamingQueryProgress). */
export interface QueryProgress {
  id: string;
  runId: string;
  name: string | null;
  /** ISO time the trigger started. */
  timestamp: string;
  batchId: number;
  numInputRows: number;
  inputRowsPerSecond: number;
  processedRowsPerSecond: number;
  durationMs: { latestOffset: number; walCommit: number; addBatch: number; commitOffsets: number; commit: number; triggerExecution: number };
  /** True when the batch was a replay of a planned but uncommitted batch (after a crash). */
  replayed: boolean;
  sources: SourceProgress[];
  sink: { description: string; numOutputRows: number };
}

export interface QueryStatus {
  message: string;
  isDataAvailable: boolean;
  isTriggerActive: boolean;
}

/** The user's batch function (`foreachBatch`): gets the batch as a DataFrame and its epoch id. */
export type ForeachBatchFunction = (batch: DataFrame, epochId: number) => Promise<void> | void;

/** @internal What `DataStreamWriter.start()` hands the query. */
export interface QuerySetup {
  session: SparkSession;
  logger: Logger;
  id: string;
  name: string | undefined;
  checkpoint: CheckpointLog;
  /** Deleted on a clean stop (a temporary checkpoint for memory/console sinks). */
  temporaryCheckpoint: boolean;
  trigger: ResolvedTrigger;
  /** The user's plan over the streaming source. */
  plan: PlanNode;
  sourceSchema: StructType;
  sourceDescription: string;
  sourceTable: Table;
  stream: MicroBatchStream;
  limit: ReadLimit;
  sink:
    | { kind: "write"; description: string; write: StreamingWrite; table: Table }
    | { kind: "foreachBatch"; fn: ForeachBatchFunction };
  /** Idle wait handed to latestOffset when there is nothing new (ms). */
  noDataWaitMs: number;
  /** Progress reports kept in `recentProgress`. */
  progressRetention: number;
  makeDataFrame: (plan: PlanNode) => DataFrame;
  removeCheckpoint: () => Promise<void>;
}

/** What the stop signal resolves to (never a source's offset). */
const STOPPED: unique symbol = Symbol("stopped");

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A running streaming query. Events: `"progress"` (QueryProgress after each batch),
 * `"terminated"` ({ id, runId, exception }).
 */
export class StreamingQuery extends EventEmitter {
  readonly id: string;
  readonly runId = randomUUID();
  readonly name: string | null;
  private active = true;
  private stopRequested = false;
  private error: unknown;
  private readonly progress: QueryProgress[] = [];
  private readonly terminated: Promise<void>;
  private wake: (() => void) | undefined;
  /** Set while latestOffset runs: stop() settles that wait with STOPPED. */
  private interruptWait: (() => void) | undefined;
  private waiters: Waiter[] = [];
  private requestSeq = 0;
  private currentStatus: QueryStatus = { message: "Initializing sources", isDataAvailable: false, isTriggerActive: false };
  private lastTriggerStartMs: number | undefined;
  /** The schema the source's last batch was read with (schema evolution; see streaming/schema-evolution). */
  private sourceSchema: StructType;
  /** The output schema the sink was last given. */
  private sinkSchema: StructType;

  /** @internal Use `df.writeStream....start()`. */
  constructor(private readonly setup: QuerySetup) {
    super();
    this.id = setup.id;
    this.name = setup.name ?? null;
    this.sourceSchema = setup.sourceSchema;
    this.sinkSchema = setup.plan.schema;
    this.terminated = this.run();
    // awaitTermination surfaces the error; an unobserved `terminated` must not crash the process.
    this.terminated.catch(() => {});
  }

  get isActive(): boolean {
    return this.active;
  }
  /** The error that stopped the query, if any. */
  get exception(): unknown {
    return this.error;
  }
  get lastProgress(): QueryProgress | undefined {
    return this.progress.at(-1);
  }
  get recentProgress(): readonly QueryProgress[] {
    return [...this.progress];
  }
  get status(): QueryStatus {
    return { ...this.currentStatus };
  }

  /**
   * Resolves true once the query has stopped (rejects with its exception if it failed), or false
   * after `timeoutMs` when given.
   */
  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) {
      await this.terminated;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    try {
      return await Promise.race([this.terminated.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Finishes (and commits) the batch in progress, then stops the source and the sink. A wait for
   * new data (`latestOffset`) is not waited out: that batch was not planned yet.
   */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.interruptWait?.();
    this.wake?.();
    try {
      await this.terminated;
    } catch {
      // stop() reports nothing: the failure stays in `exception` and awaitTermination.
    }
  }

  /**
   * Resolves when everything the source had when this was called is in the sink (the source then
   * reports nothing new). Rejects if the query fails or stops first, or after `timeoutMs`.
   */
  processAllAvailable(timeoutMs?: number): Promise<void> {
    if (!this.active) {
      return this.error ? Promise.reject(this.error) : Promise.resolve();
    }
    const p = new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq: ++this.requestSeq, resolve, reject });
    });
    this.wake?.();
    if (timeoutMs === undefined) return p;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(coreError("TIMEOUT", { operation: "processAllAvailable", timeoutMs })),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  // ---- the loop ---------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const s = this.setup;
    const log = s.logger;
    let failed = false;
    try {
      log.info("streaming query started", { id: this.id, runId: this.runId, name: this.name, checkpoint: s.checkpoint.dir });
      let { start, batchId, replayed } = await this.recover();
      // Spark's one-time trigger runs the batch it reconstructs on restart (the replay) and stops.
      const done = replayed && s.trigger.kind === "once";
      let firstAsk = true;
      while (!this.stopRequested && !done) {
        await this.waitForTrigger();
        if (this.stopRequested) break;
        const triggerStart = Date.now();
        this.lastTriggerStartMs ??= triggerStart;
        const seq = this.requestSeq;
        this.currentStatus = { message: "Getting offsets from " + s.sourceDescription, isDataAvailable: false, isTriggerActive: true };
        const hurry = s.trigger.kind !== "processingTime" || this.waiters.length > 0;
        // A one-time run (once/availableNow) asks its source only once before deciding it is done. A
        // freshly connected stream consumer receives its subscription's backlog only after the connect
        // (Spark asks the broker for end offsets instead; the Pulsar WebSocket API has no such call), so
        // the first ask of such a run waits a bounded while for data: without it the run could end with
        // none although messages were waiting.
        const waitMs = hurry ? (firstAsk && s.trigger.kind !== "processingTime" ? Math.max(s.noDataWaitMs, ONE_TIME_FIRST_WAIT_MS) : 0) : s.noDataWaitMs;
        firstAsk = false;
        // stop() does not wait for the source to find data: nothing of this batch is planned yet, so
        // abandoning the call loses nothing (the source is stopped next, which ends its wait).
        const end = await this.unlessStopped(s.stream.latestOffset(start, s.limit, waitMs));
        if (end === STOPPED) break;
        const latestOffsetMs = Date.now() - triggerStart;
        if (sameOffset(end, start)) {
          this.currentStatus = { message: "Waiting for data to arrive", isDataAvailable: false, isTriggerActive: false };
          this.settleWaiters(seq);
          if (s.trigger.kind !== "processingTime") break;
          await this.idle(Math.max(0, s.noDataWaitMs - latestOffsetMs));
          continue;
        }
        await this.runBatch(batchId, start, end, false, triggerStart, latestOffsetMs);
        start = end;
        batchId++;
        if (s.trigger.kind === "once") break;
      }
    } catch (err) {
      failed = true;
      this.error = err;
      log.error("streaming query failed", { id: this.id, runId: this.runId, error: errorMessage(err) });
    } finally {
      await this.cleanup(failed);
      this.active = false;
      this.currentStatus = { message: "Stopped", isDataAvailable: false, isTriggerActive: false };
      for (const w of this.waiters) {
        if (failed) w.reject(this.error);
        else w.resolve();
      }
      this.waiters = [];
      this.emit("terminated", { id: this.id, runId: this.runId, exception: this.error });
    }
    if (failed) throw this.error;
  }

  /** Where to resume: replays a planned but uncommitted batch first. */
  private async recover(): Promise<{ start: Offset; batchId: number; replayed: boolean }> {
    const s = this.setup;
    const latest = await s.checkpoint.latestOffsets();
    if (!latest) return { start: await s.stream.initialOffset(), batchId: 0, replayed: false };
    // New batches continue from this run's schema widened by what earlier runs added; a replay
    // reads with exactly the schema it was planned with (runBatch is given it below).
    const recorded = latest.schema === undefined ? undefined : recordedSchema(latest.schema, s.checkpoint.dir, latest.batchId);
    if (recorded) this.sourceSchema = appendFields(s.sourceSchema, recorded.fields.filter((f) => !s.sourceSchema.fields.some((g) => g.name.toLowerCase() === f.name.toLowerCase())));
    const lastCommit = await s.checkpoint.latestCommit();
    if (lastCommit === latest.batchId) {
      // The process may have died after commits/N but before the source heard of it.
      await s.stream.commit(latest.end);
      return { start: latest.end, batchId: latest.batchId + 1, replayed: false };
    }
    s.logger.warn("replaying a batch planned before a restart", { id: this.id, batchId: latest.batchId, start: latest.start, end: latest.end });
    const t = Date.now();
    await this.runBatch(latest.batchId, latest.start, latest.end, true, t, 0, recorded);
    return { start: latest.end, batchId: latest.batchId + 1, replayed: true };
  }

  private async runBatch(batchId: number, start: Offset, end: Offset, replay: boolean, triggerStart: number, latestOffsetMs: number, recorded?: StructType): Promise<void> {
    const s = this.setup;
    this.currentStatus = { message: `Processing new data (batch ${batchId})`, isDataAvailable: true, isTriggerActive: true };
    const t0 = Date.now();
    const evolving = s.stream.planSchema !== undefined;
    // A replay reads with the schema recorded when it was planned (recover() set it); a new batch
    // asks the source first, and offsets/N records the answer before anything is read.
    const schema = replay ? (recorded ?? this.sourceSchema) : evolving ? await s.stream.planSchema!(start, end, this.sourceSchema) : this.sourceSchema;
    // A schema other than the one the source was built with must reach its readers (and the log).
    const carry = evolving || !sameSchema(schema, s.sourceSchema);
    if (!replay) await s.checkpoint.writeOffsets({ batchId, start, end, timestampMs: t0, ...(carry ? { schema: schema.jsonValue() } : {}) });
    if (!sameSchema(schema, this.sourceSchema)) {
      s.logger.info("streaming query schema widened", { id: this.id, batchId, added: schema.fieldNames.filter((n) => this.sourceSchema.fieldIndex(n) < 0) });
    }
    // After a replay, new batches continue from the widened schema recover() computed.
    if (!replay) this.sourceSchema = schema;
    const walMs = Date.now() - t0;

    const t1 = Date.now();
    const parts = await s.stream.planInputPartitions(start, end, carry ? schema : undefined);
    const source = new MicroBatchPlan(schema, s.stream, parts);
    const counted = new CountingPlan(source);
    const plan = s.plan.replaceStreamingLeaf(counted);
    let numOutputRows = 0;
    if (s.sink.kind === "foreachBatch") {
      await s.sink.fn(s.makeDataFrame(plan), batchId);
    } else {
      const write = s.sink.write;
      if (!sameSchema(plan.schema, this.sinkSchema)) {
        const added = plan.schema.fieldNames.filter((n) => this.sinkSchema.fieldIndex(n) < 0);
        if (!write.evolveSchema) throw coreError("SINK_CANNOT_EVOLVE", { sink: s.sink.description, fields: added.join(", ") });
        await write.evolveSchema(batchId, plan.schema);
        this.sinkSchema = plan.schema;
      }
      const ctx: ExecContext = s.session.newExecContext();
      const outParts: PartitionStream[] = await plan.partitions(ctx);
      numOutputRows = await runWrite(
        outParts,
        ctx,
        (i) => write.createWriter(i, batchId),
        (m) => write.commit(batchId, m),
        (m) => write.abort(batchId, m),
      );
    }
    const addBatchMs = Date.now() - t1;

    const t2 = Date.now();
    await s.checkpoint.writeCommit({ batchId, timestampMs: Date.now() });
    const commitMs = Date.now() - t2;
    const t3 = Date.now();
    await s.stream.commit(end);
    const commitOffsetsMs = Date.now() - t3;
    await s.checkpoint.purge(batchId);

    const now = Date.now();
    const numInputRows = counted.rows();
    const sinceLast = (now - (this.lastTriggerStartMs ?? triggerStart)) / 1000;
    const triggerMs = now - triggerStart;
    const inputRate = sinceLast > 0 ? numInputRows / sinceLast : 0;
    const processedRate = triggerMs > 0 ? numInputRows / (triggerMs / 1000) : 0;
    this.lastTriggerStartMs = now;
    const progress: QueryProgress = {
      id: this.id,
      runId: this.runId,
      name: this.name,
      timestamp: new Date(triggerStart).toISOString(),
      batchId,
      numInputRows,
      inputRowsPerSecond: inputRate,
      processedRowsPerSecond: processedRate,
      durationMs: { latestOffset: latestOffsetMs, walCommit: walMs, addBatch: addBatchMs, commitOffsets: commitOffsetsMs, commit: commitMs, triggerExecution: triggerMs },
      replayed: replay,
      sources: [
        {
          description: s.sourceDescription,
          startOffset: start,
          endOffset: end,
          numInputRows,
          inputRowsPerSecond: inputRate,
          processedRowsPerSecond: processedRate,
          metrics: s.stream.metrics?.(end) ?? {},
        },
      ],
      sink: {
        description: s.sink.kind === "foreachBatch" ? "ForeachBatchSink" : s.sink.description,
        numOutputRows: s.sink.kind === "foreachBatch" ? -1 : numOutputRows,
      },
    };
    this.progress.push(progress);
    if (this.progress.length > s.progressRetention) this.progress.shift();
    s.logger.debug("streaming batch committed", { id: this.id, batchId, numInputRows, replayed: replay });
    this.emit("progress", progress);
  }

  /** `p`, or STOPPED as soon as stop() is called (then `p`'s outcome is ignored). */
  private unlessStopped<T>(p: Promise<T>): Promise<T | typeof STOPPED> {
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      this.interruptWait = () => resolve(STOPPED);
      p.then(resolve, reject);
    }).finally(() => (this.interruptWait = undefined));
  }

  /** processingTime: waits until one interval after the previous trigger began. */
  private async waitForTrigger(): Promise<void> {
    const t = this.setup.trigger;
    if (t.kind !== "processingTime" || t.intervalMs <= 0 || this.lastTriggerStartMs === undefined) return;
    if (this.waiters.length) return;
    await this.idle(this.lastTriggerStartMs + t.intervalMs - Date.now());
  }

  /** A wait that stop() and processAllAvailable() cut short. */
  private async idle(ms: number): Promise<void> {
    if (ms <= 0 || this.stopRequested) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wake = undefined;
  }

  /** Waiters registered before the latestOffset call that found nothing new are done. */
  private settleWaiters(seq: number): void {
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }

  private async cleanup(failed: boolean): Promise<void> {
    const s = this.setup;
    const steps: [string, () => Promise<void> | undefined][] = [
      ["source stop", () => s.stream.stop()],
      ["sink close", () => (s.sink.kind === "write" ? s.sink.write.close?.() : undefined)],
      ["sink table close", () => (s.sink.kind === "write" ? s.sink.table.close?.() : undefined)],
      ["source table close", () => s.sourceTable.close?.()],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (err) {
        s.logger.warn(`streaming query ${what} failed`, { id: this.id, error: errorMessage(err) });
      }
    }
    if (s.temporaryCheckpoint && !failed) await s.removeCheckpoint().catch(() => {});
    s.logger.info("streaming query stopped", { id: this.id, runId: this.runId, failed });
  }
}

/** Counts rows read per partition, keeping the last full read (a foreachBatch may read twice). */
class CountingPlan extends PlanNode {
  readonly isStreaming = false;
  private readonly counts = new Map<number, number>();
  constructor(private readonly inner: MicroBatchPlan) {
    super();
  }
  get schema(): StructType {
    return this.inner.schema;
  }
  rows(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
  async partitions(ctx: ExecContext): Promise<PartitionStream[]> {
    const parts = await this.inner.partitions(ctx);
    const counts = this.counts;
    return parts.map(
      (p, i) =>
        async function* () {
          let n = 0;
          for await (const b of p()) {
            n += b.length;
            yield b;
          }
          counts.set(i, n);
        },
    );
  }
  replaceStreamingLeaf(): PlanNode {
    return this;
  }
  describe(): string[] {
    return this.inner.describe();
  }
}

/** A schema recorded in offsets/N, or a CHECKPOINT_CORRUPT error naming the file. */
function recordedSchema(json: unknown, dir: string, batchId: number): StructType {
  try {
    return parseJsonSchema(json) as StructType;
  } catch (err) {
    throw coreError("CHECKPOINT_CORRUPT", { file: `${dir}/offsets/${batchId}`, reason: `schema: ${errorMessage(err)}` });
  }
}
