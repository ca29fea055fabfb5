/**
 * Benchmark results: each suite writes `.bench-results/<suite>.json`; `scripts/bench-table.mjs`
 * turns them into the README's table. A ratio is always against a baseline measured in the same run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface BenchRow {
  /** What was measured, e.g. "cursor read, 100k docs". */
  metric: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run, in the same unit. */
  baseline?: { name: string; value: number };
  /** value / baseline (or baseline / value for lower-is-better units), filled in by `ratio()`. */
  ratio?: number;
  note?: string;
}

export function ratio(value: number, baseline: number, lowerIsBetter = false): number {
  const r = lowerIsBetter ? baseline / value : value / baseline;
  // Two decimals, but never round a small ratio (a client vs a server-side bulk insert) down to 0.
  return r >= 0.1 ? Math.round(r * 100) / 100 : Number(r.toPrecision(2));
}

/** Rows recorded so far in this run, per suite: a suite's tests each add theirs to one file. */
const recorded = new Map<string, BenchRow[]>();

export function recordBench(suite: string, rows: BenchRow[]): void {
  const dir = fileURLToPath(new URL("../../.bench-results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const all = [...(recorded.get(suite) ?? []), ...rows];
  recorded.set(suite, all);
  writeFileSync(`${dir}${suite}.json`, JSON.stringify({ suite, measuredAt: new Date().toISOString(), rows: all }, null, 2));
  for (const r of rows) {
    const base = r.baseline ? ` (baseline ${r.baseline.name}: ${r.baseline.value} ${r.unit}, ratio ${r.ratio})` : "";
    console.log(`[bench ${suite}] ${r.metric}: ${r.value} ${r.unit}${base}`);
  }
}
