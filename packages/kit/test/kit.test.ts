import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { epochDay, isCalendarDay, isDateText } from "../src/calendar.js";
import { isDecimalLexeme, plainDecimalText, scaledDecimalText } from "../src/decimal.js";
import { backoffDelayMs, defaultRetryPolicy } from "../src/retry.js";

/** Tables shared with other packages' tests (local-warehouse checks its own copy against the same rows). */
function table<T>(name: string): T[] {
  return (JSON.parse(readFileSync(new URL(`../../../test/tables/${name}`, import.meta.url), "utf8")) as { cases: T[] }).cases;
}

describe("exact decimals", () => {
  const cases = table<{ input: string; expected: string | null }>("plain-decimal.json");

  it.each(cases)("plainDecimalText($input)", ({ input, expected }) => {
    expect(plainDecimalText(input) ?? null).toBe(expected);
  });

  it("accepts as a lexeme exactly what it can make plain (exponent range aside)", () => {
    for (const { input, expected } of cases) {
      if (expected !== null) expect(isDecimalLexeme(input)).toBe(true);
    }
    for (const bad of [".", "e5", "1e", "1.2.3", "0x10", "NaN", "", " 1"]) expect(isDecimalLexeme(bad)).toBe(false);
  });

  it("fits a lexeme into decimal(p,s) with exactly s fraction digits, or refuses what would round", () => {
    expect(scaledDecimalText("1.5e-3", 10, 4)).toBe("0.0015");
    expect(scaledDecimalText("1.5e-3", 10, 3)).toBeUndefined();
    expect(scaledDecimalText("-12.3", 5, 2)).toBe("-12.30");
    expect(scaledDecimalText("1234", 5, 2)).toBeUndefined();
    expect(scaledDecimalText("0e999999999999", 5, 2)).toBe("0.00");
  });
});

describe("calendar days", () => {
  // Spark's calendar is java.time's proleptic Gregorian (LocalDate): year 0 exists and is leap.
  it.each(table<{ text: string; valid: boolean }>("calendar-days.json"))("isDateText($text) is $valid", ({ text, valid }) => {
    expect(isDateText(text)).toBe(valid);
  });

  it("counts epoch days as java.time's LocalDate.toEpochDay does, years below 100 included", () => {
    expect(epochDay(1970, 1, 1)).toBe(0);
    expect(epochDay(1969, 12, 31)).toBe(-1);
    expect(epochDay(2000, 3, 1)).toBe(11017);
    expect(epochDay(1, 1, 1)).toBe(-719162);
    expect(epochDay(9999, 12, 31)).toBe(2932896);
  });

  it("refuses months and days outside their range, fractional ones included", () => {
    expect(isCalendarDay(2024, 2, 29)).toBe(true);
    expect(isCalendarDay(2024, 2, 29.5)).toBe(false);
    expect(isCalendarDay(2024, 0, 1)).toBe(false);
  });
});

describe("retry backoff", () => {
  const policy = { ...defaultRetryPolicy(), initialDelayMs: 100, factor: 2, maxDelayMs: 1000 };

  it("draws full jitter: anywhere from 0 to the capped exponential delay", () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelayMs(policy, 3, () => 0.999999)).toBe(400);
    expect(backoffDelayMs(policy, 10, () => 0.999999)).toBe(1000);
  });

  it("gives the capped exponential delay itself without jitter", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs({ ...policy, jitter: false }, a))).toEqual([100, 200, 400, 800, 1000]);
  });
});
