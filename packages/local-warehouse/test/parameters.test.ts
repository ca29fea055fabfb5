import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SqlError } from "../src/errors.js";
import { plainDecimal } from "../src/sql/parameters.js";

// The warehouse reads DECIMAL parameters with its own code, on purpose: it is the peer the client's
// exact-decimal code (core's kit/decimal.ts) is checked against, so both answer the same table.
const cases = (JSON.parse(readFileSync(new URL("../../../test/tables/plain-decimal.json", import.meta.url), "utf8")) as {
  cases: { input: string; expected: string | null }[];
}).cases;

describe("DECIMAL parameter text", () => {
  it.each(cases)("plainDecimal($input)", ({ input, expected }) => {
    if (expected === null) {
      expect(() => plainDecimal(input)).toThrow(SqlError);
      expect(() => plainDecimal(input)).toThrow(/CAST_INVALID_INPUT|cannot be cast to DECIMAL/);
    } else {
      expect(plainDecimal(input)).toBe(expected);
    }
  });
});
