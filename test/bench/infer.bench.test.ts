/**
 * Inference and document → row codec speed, each against a baseline measured in the same run:
 * - inference: 50 documents of 30 mixed fields (the connector's sample), mostCommon and merge;
 * - codec: rows/s of `createDocumentDecoder(...).decode(text)` vs `JSON.parse(text)` alone on the
 *   same texts (the ratio is codec / JSON.parse, so 1 would be "free"); also the lossless parser
 *   alone, which inference and decimal schemas use.
 */
import { expect, it } from "vitest";
import { createDocumentDecoder, inferSchema, parseJsonLossless, type Row } from "@macrometa-spark/core";
import { type BenchRow, ratio, recordBench } from "./report.js";

/** A Macrometa-like document of 30 fields: strings, integers, doubles, booleans, nulls, nested object and arrays. */
function doc(i: number): string {
  return JSON.stringify({
    _key: `k${i}`,
    _id: `orders/k${i}`,
    _rev: `_h${(i * 7919).toString(36)}`,
    customer: `customer-${i % 977}`,
    email: `user${i}@example.com`,
    country: ["DE", "US", "IN", "BR"][i % 4],
    city: `city ${i % 113}`,
    street: `${i} Main Street`,
    zip: String(10000 + (i % 89999)),
    quantity: i % 17,
    unitPrice: (i % 1000) / 8 + 0.5,
    discount: (i % 7) / 10 + 0.01,
    total: i * 3.25 + 0.5,
    paid: i % 2 === 0,
    shipped: i % 3 === 0,
    priority: i % 5,
    createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    note: i % 4 === 0 ? null : `note ${i}`,
    tags: ["a", "b", `t${i % 9}`],
    scores: [i % 10, (i % 10) + 1, (i % 10) + 2],
    sku: `SKU-${i % 5000}`,
    warehouse: `W${i % 12}`,
    weightKg: (i % 50) / 3 + 0.25,
    rating: (i % 5) + 0.5,
    version: 1 + (i % 3),
    source: "web",
    channel: ["app", "web", "store"][i % 3],
    coupon: i % 6 === 0 ? null : `C${i % 40}`,
    address: { line1: `${i} Main Street`, floor: i % 9, geo: { lat: 48.1 + i / 1e6, lon: 11.5 + i / 1e6 } },
    items: [{ sku: `SKU-${i % 5000}`, qty: (i % 4) + 1 }],
  });
}

/** Best of `rounds` timings of `fn` (ms), after one warm-up run. */
function bestMs(rounds: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

it("measures inference of 50 documents and the document → row codec against JSON.parse", () => {
  const rows: BenchRow[] = [];
  const sample = Array.from({ length: 50 }, (_, i) => doc(i));
  const schema = inferSchema(sample);
  expect(schema.length).toBe(30);

  const REPEAT = 40;
  for (const strategy of ["mostCommon", "merge"] as const) {
    const ms = bestMs(5, () => {
      for (let r = 0; r < REPEAT; r++) inferSchema(sample, { strategy });
    }) / REPEAT;
    rows.push({ metric: `infer 50 docs × 30 fields (${strategy})`, value: round(ms, 3), unit: "ms" });
    rows.push({ metric: `infer throughput (${strategy})`, value: Math.round(50 / (ms / 1000)), unit: "docs/s" });
  }

  const N = 20_000;
  const texts = Array.from({ length: N }, (_, i) => doc(i));
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  let sink = 0;
  const parseMs = bestMs(5, () => {
    for (const t of texts) sink += (JSON.parse(t) as { quantity: number }).quantity;
  });
  const decoder = createDocumentDecoder(schema, { mode: "DROPMALFORMED" });
  let decoded: Row | undefined;
  const codecMs = bestMs(5, () => {
    for (const t of texts) decoded = decoder.decode(t);
  });
  expect(decoded).toBeDefined();
  expect(decoder.decodeAll(texts[5]!)).toHaveLength(1);
  const losslessMs = bestMs(3, () => {
    for (const t of texts) parseJsonLossless(t);
  });
  expect(sink).toBeGreaterThan(0);

  const jsonParseRate = Math.round(N / (parseMs / 1000));
  const codecRate = Math.round(N / (codecMs / 1000));
  const losslessRate = Math.round(N / (losslessMs / 1000));
  rows.push({
    metric: `document → row codec (${N} docs, ${Math.round(bytes / N)} B each)`,
    value: codecRate,
    unit: "rows/s",
    baseline: { name: "JSON.parse alone", value: jsonParseRate },
    ratio: ratio(codecRate, jsonParseRate),
  });
  rows.push({
    metric: "lossless JSON parser (inference, decimal schemas)",
    value: losslessRate,
    unit: "docs/s",
    baseline: { name: "JSON.parse alone", value: jsonParseRate },
    ratio: ratio(losslessRate, jsonParseRate),
  });
  recordBench("infer", rows);
  expect(codecRate).toBeGreaterThan(0);
});
