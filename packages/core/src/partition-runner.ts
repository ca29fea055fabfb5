/**
 * Running partitions with bounded memory: `orderedMerge` reads partitions in order with a small
 * look-ahead each (the read side of every action), `runWrite` writes each partition through its
 * own DataWriter and commits or aborts on the driver side (batch and streaming writes).
 * @packageDocumentation
 */
import { AbortedError, errorMessage } from "@macrometa-spark/kit";
import type { BatchWrite, DataWriter, RowBatch, WriterCommitMessage } from "./contracts.js";
import type { ExecContext, PartitionStream } from "./execution.js";

/**
 * Reads partitions in order while up to `parallelism - 1` later ones fill small buffers.
 * Output order is partition order, so results are deterministic whatever the timing.
 */
export async function* orderedMerge(parts: readonly PartitionStream[], parallelism: number, maxBuffered: number): AsyncGenerator<RowBatch> {
  if (parts.length === 0) return;
  if (parallelism <= 1 || parts.length === 1) {
    for (const p of parts) yield* p();
    return;
  }
  const pumps: Pump[] = [];
  let next = 0;
  const startMore = (): void => {
    while (next < parts.length && pumps.filter((p) => !p.finishedConsuming).length < parallelism) {
      pumps.push(new Pump(parts[next]!(), maxBuffered));
      next++;
    }
  };
  try {
    startMore();
    for (let i = 0; i < parts.length; i++) {
      const pump = pumps[i]!;
      for (;;) {
        const batch = await pump.take();
        if (batch === undefined) break;
        yield batch;
      }
      pump.finishedConsuming = true;
      startMore();
    }
  } finally {
    await Promise.all(pumps.map((p) => p.close()));
  }
}

/** Pulls one partition into a bounded buffer; pauses when the buffer is full. */
class Pump {
  private readonly buffer: RowBatch[] = [];
  private done = false;
  private error: unknown;
  private failed = false;
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private readonly iterator: AsyncIterator<RowBatch>;
  private readonly running: Promise<void>;
  finishedConsuming = false;

  constructor(
    source: AsyncIterable<RowBatch>,
    private readonly capacity: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    this.running = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.buffer.length >= this.capacity) {
          await new Promise<void>((r) => (this.wakeProducer = r));
          continue;
        }
        const r = await this.iterator.next();
        if (r.done) break;
        this.buffer.push(r.value);
        this.wakeConsumer?.();
      }
    } catch (err) {
      this.failed = true;
      this.error = err;
    } finally {
      this.done = true;
      this.wakeConsumer?.();
    }
  }

  async take(): Promise<RowBatch | undefined> {
    for (;;) {
      if (this.buffer.length) {
        const b = this.buffer.shift()!;
        this.wakeProducer?.();
        return b;
      }
      if (this.failed) throw this.error;
      if (this.done) return undefined;
      await new Promise<void>((r) => (this.wakeConsumer = r));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeProducer?.();
    if (!this.done) {
      // Wait for the in-flight next() so return() does not race it, then release the reader.
      await this.running;
    }
    if (!this.failed) {
      try {
        await this.iterator.return?.();
      } catch {
        // The reader's cleanup failing must not mask the consumer's own outcome.
      }
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; all settle before the first error is thrown. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The error an interrupted write rejects with (its cause: the signal's reason). */
export function interruptedError(signal: AbortSignal): AbortedError {
  return new AbortedError("interrupted: the write stopped at a batch boundary and was aborted before its commit", signal.reason);
}

/**
 * Writes each partition through its own DataWriter, then commits all messages on the driver
 * side, or aborts everything when any partition failed. Returns rows written.
 *
 * The context's signal interrupts the write at the next row batch of every partition (partitions
 * not started yet never start); the write is then aborted like a failed one and rejects with an
 * {@link AbortedError}. A signal that fires once the commit has begun does not stop it: a commit
 * cut short is exactly what aborting avoids.
 */
export async function runWrite(
  parts: readonly PartitionStream[],
  ctx: ExecContext,
  createWriter: (partitionId: number) => DataWriter | Promise<DataWriter>,
  commit: (messages: WriterCommitMessage[]) => Promise<void>,
  abort: (messages: WriterCommitMessage[]) => Promise<void>,
): Promise<number> {
  const { signal } = ctx.provider;
  let rows = 0;
  const settled = await mapBounded(parts, ctx.parallelism, async (part, i) => {
    if (signal?.aborted) throw interruptedError(signal);
    const writer = await createWriter(i);
    try {
      for await (const batch of part()) {
        if (signal?.aborted) throw interruptedError(signal);
        await writer.write(batch);
        rows += batch.length;
      }
      if (signal?.aborted) throw interruptedError(signal);
      return await writer.commit();
    } catch (err) {
      try {
        await writer.abort();
      } catch (abortErr) {
        ctx.provider.logger.warn("data writer abort failed", { partition: i, error: errorMessage(abortErr) });
      }
      throw err;
    }
  });
  const messages = settled.filter((s): s is PromiseFulfilledResult<WriterCommitMessage> => s.status === "fulfilled").map((s) => s.value);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason as unknown);
  const interrupted = signal?.aborted === true;
  if (failures.length > 0 || interrupted) {
    // Interrupted with every partition staged: still abort, nothing is applied yet.
    try {
      await abort(messages);
    } catch (abortErr) {
      ctx.provider.logger.warn("write abort failed", { error: errorMessage(abortErr) });
    }
    // A reader the signal cut short fails with its own error; the write still ends as interrupted.
    if (interrupted) throw interruptedError(signal);
    throw failures[0];
  }
  await commit(messages);
  ctx.provider.metrics.add("rowsWritten", rows);
  return rows;
}

/** Batch write through a BatchWrite. */
export function runBatchWrite(parts: readonly PartitionStream[], ctx: ExecContext, write: BatchWrite): Promise<number> {
  return runWrite(
    parts,
    ctx,
    (i) => write.createWriter(i),
    (m) => write.commit(m),
    (m) => write.abort(m),
  );
}
