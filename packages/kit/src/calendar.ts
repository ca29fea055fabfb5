/**
 * The one calendar-validation module: which year-month-day triples are real days of the
 * proleptic Gregorian calendar (Spark's and Java's `LocalDate`, year 0 included). `Date.parse`
 * and `Date.UTC` would roll `2023-02-29` over to March 1st, and `Date.UTC` maps years 0-99 to
 * 1900-1999, so the rule is written out here.
 * @packageDocumentation
 */

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Whether year-month-day (month 1-12) is a real day. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  return Number.isInteger(month) && month >= 1 && month <= 12 && Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar (the epoch day of
 * Spark's DATE and Parquet's INT32 DATE). Written out because `Date.UTC` maps years 0-99 to 1900-1999.
 */
export function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is `yyyy-MM-dd` naming a real day. */
export function isDateText(text: string): boolean {
  const m = DATE_TEXT.exec(text);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
