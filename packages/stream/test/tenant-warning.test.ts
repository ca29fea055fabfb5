/**
 * The stream format names topics under the `tenant` option when given (else the API key's tenant,
 * `<tenant>.<keyid>.<secret>`: wire contract §1). One that disagrees with the key is warned about
 * when the table is built, naming both tenants and the topic, never the key.
 */
import { expect, it } from "vitest";
import { CaseInsensitiveOptions, JobMetrics, StructType, StructField, StringType, createMemoryLogger } from "@macrometa-spark/core";
import { macrometaStreamProvider } from "../src/index.js";

const KEY = "acme.key1.Abcdefghijklmnopqrstuvwx0123";

async function warningsFor(options: Record<string, string>): Promise<string[]> {
  const logger = createMemoryLogger();
  const schema = new StructType([new StructField("v", StringType)]);
  const table = await macrometaStreamProvider.getTable(schema, new CaseInsensitiveOptions({ regionUrl: "http://127.0.0.1:1", apiKey: KEY, stream: "clicks", ...options }, "com.macrometa.spark.stream"), { logger, metrics: new JobMetrics() });
  await table.close?.();
  return logger.events.filter((e) => e.level === "warn").map((e) => e.message);
}

it("warns when tenant disagrees with the API key's tenant, and not otherwise", async () => {
  const wrong = await warningsFor({ tenant: "other" });
  expect(wrong).toEqual([
    "option 'tenant' is 'other' but the API key is for tenant 'acme'; the stream is addressed under 'other' (persistent://other/c8global._system/c8globals.clicks), where this key is likely refused; leave 'tenant' out to use the key's",
  ]);
  expect(wrong[0]).not.toContain("Abcdefghij");
  expect(await warningsFor({ tenant: "acme" })).toEqual([]);
  expect(await warningsFor({})).toEqual([]);
});
