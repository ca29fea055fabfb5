import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JobSpecValidationError, validateJobSpec } from "../src/index.js";

describe("job spec schema", () => {
  it("accepts a batch job and a sync job", () => {
    expect(
      validateJobSpec({
        name: "a",
        source: { format: "com.macrometa.spark.collection", options: { regionUrl: "http://127.0.0.1:1", collection: "c", batchSize: 500 } },
        sink: { format: "databricks", options: { table: "main.s.t", mergeKeys: ["_key"] }, mode: "append" },
      }).name,
    ).toBe("a");
    expect(
      validateJobSpec({
        name: "s",
        kind: "sync",
        checkpointLocation: "/tmp/cp",
        sync: { collection: { regionUrl: "r", collection: "c" }, delta: { table: "t" } },
      }).kind,
    ).toBe("sync");
  });

  it("names every problem: unknown option, out-of-range batchSize, missing checkpoint", () => {
    let err: JobSpecValidationError | undefined;
    try {
      validateJobSpec({
        name: "b",
        kind: "stream",
        source: { format: "com.macrometa.spark.collection", options: { regionUrl: "r", collection: "c", batchSize: 20000, colection: "typo" } },
        sink: { format: "memory", options: { name: "x" } },
      });
    } catch (e) {
      err = e as JobSpecValidationError;
    }
    expect(err).toBeInstanceOf(JobSpecValidationError);
    const text = err!.problems.join("\n");
    expect(text).toContain("unknown property 'colection'");
    expect(text).toMatch(/batchSize: must be <= 10000/);
    expect(text).not.toMatch(/checkpointLocation/); // optional: mmspark run defaults it under the state dir
  });

  it("the committed generated option types match the schema (json-schema-to-typescript)", () => {
    const script = fileURLToPath(new URL("../codegen/generate-types.mjs", import.meta.url));
    expect(() => execFileSync(process.execPath, [script, "--check"], { stdio: "pipe" })).not.toThrow();
  });
});
