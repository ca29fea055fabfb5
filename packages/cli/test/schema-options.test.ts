import { describe, expect, it } from "vitest";
import { KNOWN_OPTIONS as COLLECTION_OPTIONS } from "@macrometa-spark/collection";
import { READ_OPTION_NAMES, WRITE_OPTION_NAMES } from "@macrometa-spark/databricks";
import { KNOWN_OPTIONS as STREAM_OPTIONS } from "@macrometa-spark/stream";
import { jobSchema } from "../src/index.js";

// Options every format receives from the session or the engine, not from a job spec's options object.
const ENGINE_OPTIONS = new Set(["path", "checkpointlocation", "queryname"]);

function schemaOptions(definition: string): string[] {
  const defs = (jobSchema() as { definitions: Record<string, { properties: Record<string, unknown> }> }).definitions;
  return [...new Set(Object.keys(defs[definition]!.properties).map((k) => k.toLowerCase()))].sort();
}
function providerOptions(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase()).filter((n) => !ENGINE_OPTIONS.has(n)))].sort();
}

describe("the job-spec schema names exactly the options each provider accepts", () => {
  it("collection", () => {
    expect(schemaOptions("CollectionOptions")).toEqual(providerOptions(COLLECTION_OPTIONS));
  });
  it("stream", () => {
    expect(schemaOptions("StreamOptions")).toEqual(providerOptions(STREAM_OPTIONS));
  });
  it("databricks (read and write)", () => {
    expect(schemaOptions("DatabricksOptions")).toEqual(providerOptions([...READ_OPTION_NAMES, ...WRITE_OPTION_NAMES]).filter((n) => n !== "parallelism"));
  });
});
