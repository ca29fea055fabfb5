/**
 * Job metrics: counters (rows read, rejected, written...) and a few examples of rejected
 * records, so a rejection is never silent. Providers add to the metrics in their context.
 * @packageDocumentation
 */

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
