import { describe, expect, it } from "vitest";
import { JsonNumber, parseJsonLossless, parseJsonLosslessWithDuplicates, stringifyJson } from "../src/json-text.js";

/** The value with every JsonNumber replaced by `#lexeme`, to compare lexemes structurally. */
const lexemes = (v: unknown): unknown => {
  if (v instanceof JsonNumber) return `#${v.lexeme}`;
  if (Array.isArray(v)) return v.map(lexemes);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lexemes(x)]));
  return v;
};

describe("parseJsonLossless", () => {
  it("keeps number lexemes: 1 vs 1.0 vs 20 digits vs exponent", () => {
    const v = parseJsonLossless('{"a":1,"b":1.0,"c":12345678901234567890,"d":-2.5E+3,"e":-0}');
    expect(lexemes(v)).toEqual({ a: "#1", b: "#1.0", c: "#12345678901234567890", d: "#-2.5E+3", e: "#-0" });
    const c = (v as Record<string, JsonNumber>)["c"]!;
    expect(c.isIntegerToken).toBe(true);
    expect((v as Record<string, JsonNumber>)["b"]!.isIntegerToken).toBe(false);
  });

  it("parses nested structures, escapes and unicode like JSON.parse", () => {
    const text = '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","arr":[true,false,null,[],{}],"o":{"x":{"y":[1]}}}';
    expect(lexemes(parseJsonLossless(text))).toEqual(lexemes(JSON.parse(text.replace(/1\]/, '"#1"]'))));
  });

  it("accepts Jackson's extensions Spark enables: single quotes, NaN and infinities", () => {
    expect(parseJsonLossless("{'a':'it\\'s'}")).toEqual({ a: "it's" });
    expect(parseJsonLossless('{"q":"say \\\'hi\\\'"}')).toEqual({ q: "say 'hi'" });
    const v = parseJsonLossless("[NaN,Infinity,-Infinity,+Infinity,+INF,-INF]") as JsonNumber[];
    expect(v.map((n) => n.lexeme)).toEqual(["NaN", "Infinity", "-Infinity", "Infinity", "Infinity", "-Infinity"]);
    expect(v.map(Number)).toEqual([NaN, Infinity, -Infinity, Infinity, Infinity, -Infinity]);
  });

  it.each([
    ['{"a":1 /* c */}', "comment"],
    ["{a:1}", "unquoted name"],
    ['{"a":01}', "leading zero"],
    ['{"a":-01}', "leading zero after minus"],
    ['{"a":+1}', "leading plus"],
    ['{"a":.5}', "leading dot"],
    ['{"a":1.}', "dangling dot"],
    ['{"a":1e}', "empty exponent"],
    ['{"a":1,}', "trailing comma in object"],
    ["[1,]", "trailing comma in array"],
    ['{"a":tru}', "bad literal"],
    ['{"a":truex}', "literal with a tail"],
    ['{"a":"x\ny"}', "raw control character"],
    ['{"a":"\\x"}', "unknown escape"],
    ['{"a":"\\u12G4"}', "bad unicode escape"],
    ['{"a":"open', "unterminated string"],
    ['{"a":1', "unterminated object"],
    ["123abc", "root number followed by letters"],
    ["1,2", "root number followed by a comma"],
    ["nul", "partial null"],
  ])("rejects %s (%s) with a positioned SyntaxError", (text) => {
    expect(() => parseJsonLossless(text)).toThrow(/at position \d+/);
    expect(() => parseJsonLossless(text)).toThrow(SyntaxError);
  });

  it("reads only the first value; the rest of the line is ignored", () => {
    expect(parseJsonLossless('{"a":1} trailing {"b":2}')).toEqual({ a: new JsonNumber("1") });
    expect(parseJsonLossless("[1]]]")).toEqual([new JsonNumber("1")]);
    expect(parseJsonLossless("true,false")).toBe(true);
    expect(parseJsonLossless("12 34")).toEqual(new JsonNumber("12"));
  });

  it("reads a blank text (or a BOM and spaces) as null", () => {
    expect(parseJsonLossless("")).toBeNull();
    expect(parseJsonLossless(" \t\r\n")).toBeNull();
    expect(parseJsonLossless("\uFEFF {}")).toEqual({});
  });

  it("keeps a __proto__ key as data, never as the prototype", () => {
    const v = parseJsonLossless('{"__proto__":{"polluted":true},"a":"x"}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("keeps the last of repeated keys and reports the others on request", () => {
    const { value, duplicates } = parseJsonLosslessWithDuplicates('{"a":1,"a":"x","a":true}');
    expect(value).toEqual({ a: new JsonNumber("1") });
    expect(duplicates.get(value as object)).toEqual([
      ["a", "x"],
      ["a", true],
    ]);
    expect(parseJsonLossless('{"a":1,"a":"x"}')).toEqual({ a: "x" });
  });
});

describe("stringifyJson", () => {
  it("writes bigint and JsonNumber exactly, Date as ISO, bytes as base64", () => {
    const text = stringifyJson({
      big: 2n ** 64n + 1n,
      lex: new JsonNumber("1.50"),
      when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      bytes: new Uint8Array([0, 1, 2, 253, 254, 255]),
      nested: [{ a: null, b: undefined }, undefined, "é\n"],
      n: -0.5,
    });
    expect(text).toBe(
      '{"big":18446744073709551617,"lex":1.50,"when":"2024-01-02T03:04:05.006Z","bytes":"AAEC/f7/","nested":[{"a":null},null,"é\\n"],"n":-0.5}',
    );
  });

  it("writes non-finite numbers as Jackson's quoted names, and round-trips through the lossless parser", () => {
    expect(stringifyJson([NaN, Infinity, -Infinity, new JsonNumber("NaN")])).toBe('["NaN","Infinity","-Infinity","NaN"]');
    const original = '{"a":[1,1.0,12345678901234567890123,{"b":"x\\"y"}],"c":{}}';
    expect(stringifyJson(parseJsonLossless(original))).toBe(original);
  });
});
