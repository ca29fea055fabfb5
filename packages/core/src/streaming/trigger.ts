/**
 * Triggers, as Spark's: `processingTime` (a batch starts every interval; 0 = as soon as the previous
 * one ends), `once` (one batch, then stop) and `availableNow` (batches until the source has nothing
 * new, then stop).
 * @packageDocumentation
 */
import { OptionError } from "@macrometa-spark/kit";

export type Trigger = { processingTime: string | number } | { once: true } | { availableNow: true };

export type ResolvedTrigger = { kind: "processingTime"; intervalMs: number } | { kind: "once" } | { kind: "availableNow" };

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

/** `"250 ms"`, `"1 second"`, `"interval 2 seconds"`, or a number of ms → ms. */
export function parseInterval(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new OptionError("trigger.processingTime", `expected a non-negative number of ms, got ${value}`);
    return value;
  }
  const m = /^\s*(?:interval\s+)?(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m?.[2]?.toLowerCase() || "ms";
  const factor = UNIT_MS[unit];
  if (!m || factor === undefined) throw new OptionError("trigger.processingTime", `expected e.g. "250 ms" or "5 seconds", got "${value}"`);
  return Math.round(Number(m[1]) * factor);
}

export function resolveTrigger(t: Trigger | undefined): ResolvedTrigger {
  if (!t) return { kind: "processingTime", intervalMs: 0 };
  if ("once" in t && t.once) return { kind: "once" };
  if ("availableNow" in t && t.availableNow) return { kind: "availableNow" };
  if ("processingTime" in t) return { kind: "processingTime", intervalMs: parseInterval(t.processingTime) };
  throw new OptionError("trigger", "expected { processingTime }, { once: true } or { availableNow: true }");
}
