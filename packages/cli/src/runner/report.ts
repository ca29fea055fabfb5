/**
 * Turning a job's metrics into what the user reads at the end: rejected counts with the first keys,
 * so a dropped document is never silent.
 * @packageDocumentation
 */
import type { JobMetrics } from "@macrometa-spark/core";

export interface RejectionReport {
  /** The metrics counter, e.g. `rejectedRecords` or `collection.writeRejected`. */
  counter: string;
  count: number;
  /** The first few keys (document `_key` or message id) that were rejected. */
  keys: string[];
  /** The first reason given. */
  reason?: string;
}

/**
 * Names of counters that count input which did not become a row: rejected, malformed, empty
 * (blank payloads), missing (a replayed batch's lost messages). Summaries show every one of them.
 */
export const NOT_A_ROW_COUNTER = /reject|malformed|empty|missing/i;

/** Counters that count records refused somewhere (see {@link NOT_A_ROW_COUNTER}), with their samples. */
export function rejections(metrics: JobMetrics | undefined): RejectionReport[] {
  if (!metrics) return [];
  const { counters, samples } = metrics.toJSON();
  return Object.entries(counters)
    .filter(([name, n]) => n > 0 && NOT_A_ROW_COUNTER.test(name))
    .map(([counter, count]) => {
      const s = samples[counter] ?? [];
      const keys = s.map((x) => x.key).filter((k): k is string => typeof k === "string");
      return { counter, count, keys, ...(s[0]?.reason ? { reason: s[0].reason } : {}) };
    });
}

/** `rejected 10 (rejectedRecords; first keys: a, b, c)` lines, or `rejected 0`. */
export function formatRejections(list: RejectionReport[]): string {
  if (list.length === 0) return "rejected 0\n";
  return list
    .map((r) => `rejected ${r.count} (${r.counter}${r.keys.length ? `; first keys: ${r.keys.join(", ")}` : ""}${r.reason ? `; e.g. ${r.reason}` : ""})\n`)
    .join("");
}

export function totalRejected(list: RejectionReport[]): number {
  return list.reduce((n, r) => n + r.count, 0);
}

/** Counters of records dropped (not malformed rows PERMISSIVE kept, not blank payloads). */
const DROPPED_COUNTER = /reject/i;

/**
 * Why a finished job counts as failed because of its rejections, or undefined: every record was
 * rejected (no row came through), or the rejected share of all records exceeds `maxFraction`.
 */
export function rejectionFailure(rows: number, list: RejectionReport[], maxFraction: number): string | undefined {
  const rejected = list.filter((r) => DROPPED_COUNTER.test(r.counter)).reduce((n, r) => n + r.count, 0);
  if (rejected === 0) return undefined;
  if (rows === 0) return `every record was rejected (${rejected}); the schema or parse mode does not fit the data`;
  const share = rejected / (rows + rejected);
  if (share > maxFraction) {
    return `${rejected} of ${rows + rejected} records were rejected (${(share * 100).toFixed(1)}%), more than maxRejectedFraction ${maxFraction}`;
  }
  return undefined;
}
