/**
 * Property: a document always matches the schema inferred from it (issue 12), and its row holds
 * Spark's values. The expected values come from `sparkValue` below, a separate reading of Spark's
 * JacksonParser (sql/catalyst/.../json/JacksonParser.scala, `makeConverter`): StringType keeps a
 * VALUE_STRING's text and the JSON text of any other token; LongType reads VALUE_NUMBER_INT;
 * DoubleType reads any number with getDoubleValue; DecimalType(p,0) the integer; missing → null.
 */
import { describe, expect, it } from "vitest";
import { JsonNumber, parseJsonLossless } from "@macrometa-spark/kit";
import { createDocumentDecoder } from "../src/codec/index.js";
import { inferSchema, schemaFingerprint, vanishesInSchema } from "../src/infer.js";
import { JobMetrics } from "../src/metrics.js";
import { ArrayType, DataType, DecimalType, StructType } from "../src/types.js";

/** mulberry32: a seeded generator, so a failure names the seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ["a", "b", "c", "A", "tags", "_key", "Z", "ü", ""];
const STRINGS = ["x", "", "hé", "1", "true", 'q"uote', "line\nbreak", "{}"];
const NUMBERS = ["0", "1", "-7", "1.0", "2.50", "1e2", "-3.5E-3", "9007199254740993", "-9223372036854775808", "12345678901234567890", "123456789012345678901234567890123456789012"];

/** A random JSON text (with lexemes Jackson reads differently from JSON.parse). */
function jsonText(r: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const roll = r();
  if (depth > 0 && roll < 0.25) {
    const n = Math.floor(r() * 4);
    const used = new Set<string>();
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = pick(KEYS);
      // Duplicate keys give duplicate fields in Spark and the last value in JSON.parse: left out.
      if (used.has(k)) continue;
      used.add(k);
      parts.push(`${JSON.stringify(k)}:${jsonText(r, depth - 1)}`);
    }
    return `{${parts.join(",")}}`;
  }
  if (depth > 0 && roll < 0.45) {
    const n = Math.floor(r() * 4);
    return `[${Array.from({ length: n }, () => jsonText(r, depth - 1)).join(",")}]`;
  }
  if (roll < 0.6) return JSON.stringify(pick(STRINGS));
  if (roll < 0.85) return pick(NUMBERS);
  if (roll < 0.95) return pick(["true", "false"]);
  return "null";
}

function documentText(r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  const used = new Set<string>();
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = KEYS[Math.floor(r() * KEYS.length)]!;
    if (used.has(k)) continue;
    used.add(k);
    parts.push(`${JSON.stringify(k)}:${jsonText(r, 3)}`);
  }
  return `{${parts.join(",")}}`;
}

/** Jackson's copyCurrentStructure of a lossless value: compact JSON, number lexemes as written. */
function jsonOf(v: unknown): string {
  if (v instanceof JsonNumber) return v.lexeme;
  if (Array.isArray(v)) return `[${v.map(jsonOf).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}:${jsonOf(x)}`).join(",")}}`;
  return JSON.stringify(v);
}

/** What Spark's JacksonParser puts in a row for `v` read as type `t` (positional structs). */
function sparkValue(t: DataType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  // Inference typed "" as null, so any field takes it as null (the connector's choice; Spark 3 refuses it).
  if (v === "" && t.kind !== "string") return null;
  if (t instanceof StructType) {
    const obj = v as Record<string, unknown>;
    return t.fields.map((f) => {
      const own =
        Object.keys(obj).find((k) => k === f.name) ??
        Object.keys(obj).find((k) => k.toLowerCase() === f.name.toLowerCase() && !t.fields.some((g) => g.name === k) && !vanishesInSchema(obj[k]));
      return sparkValue(f.dataType, own === undefined ? undefined : obj[own]);
    });
  }
  if (t instanceof ArrayType) return (v as unknown[]).map((x) => sparkValue(t.elementType, x));
  if (t instanceof DecimalType) return (v as JsonNumber).lexeme;
  switch (t.kind) {
    case "string":
      return typeof v === "string" ? v : jsonOf(v);
    case "boolean":
      return v;
    case "double":
      return Number((v as JsonNumber).lexeme);
    case "long": {
      const b = BigInt((v as JsonNumber).lexeme);
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    default:
      throw new Error(`inference gave an unexpected type ${t.simpleString()}`);
  }
}

describe("a document always matches the schema inferred from it", () => {
  it("keeps every random document under its own schema, with Spark's values", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const text = documentText(rng(seed));
      const schema = inferSchema([text]);
      const metrics = new JobMetrics();
      const row = createDocumentDecoder(schema, { mode: "DROPMALFORMED", metrics }).decode(text);
      expect(metrics.samplesOf("rejectedRecords"), `seed ${seed}: ${text} as ${schema.simpleString()}`).toEqual([]);
      expect(row, `seed ${seed}: ${text}`).toEqual(sparkValue(schema, parseJsonLossless(text)));
    }
  });

  it("keeps every document of a batch whose own schema is the chosen one", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed * 7919);
      // A few shapes repeated, so several documents share the winning schema.
      const shapes = Array.from({ length: 3 }, () => documentText(r));
      const docs = Array.from({ length: 20 }, () => shapes[Math.floor(r() * shapes.length)]!);
      const chosen = inferSchema(docs);
      const decoder = createDocumentDecoder(chosen, { mode: "DROPMALFORMED", metrics: new JobMetrics() });
      const fingerprint = schemaFingerprint(chosen);
      for (const doc of docs) {
        if (schemaFingerprint(inferSchema([doc])) !== fingerprint) continue;
        expect(decoder.decode(doc), `seed ${seed}: ${doc}`).toEqual(sparkValue(chosen, parseJsonLossless(doc)));
      }
    }
  });

  it("keeps documents merged into one schema when their values were widened to string or double", () => {
    const docs = ['{"v":[1,"x"]}', '{"v":[true,2.5]}', '{"v":[{"a":1},[1]]}', '{"w":[1,1.5,12345678901234567890123]}'];
    const schema = inferSchema(docs, { strategy: "merge" });
    expect(schema.simpleString()).toBe("struct<v:array<string>,w:array<double>>");
    const decoder = createDocumentDecoder(schema, { mode: "DROPMALFORMED", matching: "spark" });
    expect(docs.map((d) => decoder.decode(d))).toEqual([
      [["1", "x"], null],
      [["true", "2.5"], null],
      [['{"a":1}', "[1]"], null],
      [null, [1, 1.5, 1.2345678901234568e22]],
    ]);
  });
});
