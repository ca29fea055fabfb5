/**
 * Date and timestamp text as the decoders read it: Spark-style ISO-8601, real calendar days only.
 * @packageDocumentation
 */
import { isCalendarDay } from "@macrometa-spark/kit";

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch for Spark-style ISO text, or a reason it is not one. */
export function parseTimestampText(text: string): number | string {
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (!m) return `'${text}' is not an ISO-8601 timestamp`;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (!isCalendarDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return `'${text}' is not a valid timestamp`;
  const frac = m[7] ?? "";
  if (/[1-9]/.test(frac.slice(3))) return `'${text}' has digits below the millisecond, which a Date would lose`;
  const ms = Number(frac.slice(0, 3).padEnd(3, "0"));
  let offset = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi - offset, s, ms);
  return date.getTime();
}
