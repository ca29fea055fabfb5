/**
 * Job metrics: counters (rows read, rejected, written...) and a few examples of rejected
 * records, so a rejection is never silent. Providers add to the metrics in their context.
 * @packageDocumentation
 */

import type { Logger } from "@macrometa-spark/kit";

export interface RejectionSample {
  /** The document `_key` or message id, when there is one. */
  key?: string;
  /** Why it was rejected (field and expected type, parse error...). */
  reason: string;
}

export class JobMetrics {
  private readonly counters = new Map<string, number>();
  private readonly samples = new Map<string, RejectionSample[]>();
  constructor(private readonly maxSamples = 5) {}

  add(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }
  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }
  /** Counts a rejection under `name` and keeps the first few examples. */
  reject(name: string, sample: RejectionSample): void {
    this.add(name);
    const list = this.samples.get(name) ?? [];
    if (list.length < this.maxSamples) list.push(sample);
    this.samples.set(name, list);
  }
  samplesOf(name: string): readonly RejectionSample[] {
    return this.samples.get(name) ?? [];
  }
  /** Folds another metrics object into this one (partition → job). */
  merge(other: JobMetrics): void {
    for (const [k, v] of other.counters) this.add(k, v);
    for (const [k, list] of other.samples) for (const s of list) {
      const mine = this.samples.get(k) ?? [];
      if (mine.length < this.maxSamples) mine.push(s);
      this.samples.set(k, mine);
    }
  }
  toJSON(): { counters: Record<string, number>; samples: Record<string, RejectionSample[]> } {
    return { counters: Object.fromEntries(this.counters), samples: Object.fromEntries(this.samples) };
  }
}

/**
 * Counters of input that reached no row or a row with nulls: documents rejected (DROPMALFORMED,
 * or refused by a server) and malformed ones PERMISSIVE kept. Blank records are not counted here.
 */
const REJECTION_COUNTER = /reject|malformed/i;

/**
 * One warning line for an action whose metrics count rejected or malformed records: each counter
 * with its count, first keys and first reason; undefined when there were none.
 */
export function rejectionWarning(metrics: JobMetrics): string | undefined {
  const { counters, samples } = metrics.toJSON();
  const parts: string[] = [];
  for (const [name, count] of Object.entries(counters)) {
    if (count === 0 || !REJECTION_COUNTER.test(name)) continue;
    const list = samples[name] ?? [];
    const keys = list.map((x) => x.key).filter((k): k is string => k !== undefined);
    const detail = [keys.length ? `first keys: ${keys.join(", ")}` : "", list[0] ? `e.g. ${list[0].reason}` : ""].filter(Boolean).join("; ");
    parts.push(`${count} ${name}${detail ? ` (${detail})` : ""}`);
  }
  if (parts.length === 0) return undefined;
  return `records did not match the schema: ${parts.join(", ")}; counts in df.metrics, see the parse mode to keep or fail on them`;
}

/** Logs {@link rejectionWarning} as a warning when there is one. */
export function warnRejections(logger: Logger, metrics: JobMetrics): void {
  const text = rejectionWarning(metrics);
  if (text !== undefined) logger.warn(text);
}
