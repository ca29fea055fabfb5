/**
 * DATE_NOW, DATE_TIMESTAMP and DATE_ISO8601. Dates are Unix milliseconds or ISO 8601 strings; a
 * string without a zone is UTC (as in AQL, unlike JavaScript's Date.parse). An invalid date gives
 * null and a query warning.
 * @packageDocumentation
 */
import { LosslessNumber } from "../../json.js";
import { toNumber, type Value } from "../values.js";
import type { FunctionContext, FunctionTable } from "./registry.js";

/** AQL's supported range: years 0000 to 9999. */
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;
const ISO = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const INVALID_DATE_WARNING = 10;

function parse(v: Value): number | undefined {
  if (typeof v === "number" || v instanceof LosslessNumber) {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : undefined;
  }
  if (typeof v !== "string") return undefined;
  const m = ISO.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const ms = frac ? Math.trunc(Number(frac) * 1000) : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone.toUpperCase() === "Z") return base;
  const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  return z[1] === "+" ? base - offset : base + offset;
}

/** One date argument, or year, month, day[, hour, minute, second, millisecond]. */
function toMs(args: Value[], ctx: FunctionContext, name: string): number | null {
  let ms: number | undefined;
  if (args.length === 1) ms = parse(args[0]);
  else {
    const [y, mo, d, h, mi, s, milli] = args.map((a) => (a === undefined ? 0 : Math.trunc(toNumber(a))));
    const year = y!;
    const t = new Date(0);
    t.setUTCFullYear(year, mo! - 1, d!);
    t.setUTCHours(h ?? 0, mi ?? 0, s ?? 0, milli ?? 0);
    ms = t.getTime();
  }
  if (ms === undefined || Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) {
    ctx.warn(INVALID_DATE_WARNING, `invalid date value in function '${name}'`);
    return null;
  }
  return ms;
}

export const dateFunctions: FunctionTable = {
  DATE_NOW: { min: 0, max: 0, fn: (_a, ctx) => ctx.now() },
  DATE_TIMESTAMP: { min: 1, max: 7, fn: (args, ctx) => toMs(args, ctx, "DATE_TIMESTAMP") },
  DATE_ISO8601: {
    min: 1,
    max: 7,
    fn: (args, ctx) => {
      const ms = toMs(args, ctx, "DATE_ISO8601");
      return ms === null ? null : new Date(ms).toISOString();
    },
  },
};
