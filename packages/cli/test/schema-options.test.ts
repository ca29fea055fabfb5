import { readFileSync } from "node:fs";
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

/** Option names in the README tables that start at the given headings (`| option |` tables under them). */
function readmeOptions(file: string, headings: readonly string[]): string[] {
  const lines = readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8").split("\n");
  const names = new Set<string>();
  for (const heading of headings) {
    const start = lines.findIndex((l) => l.startsWith("#") && l.includes(heading));
    expect(start, `heading '${heading}' in ${file}`).toBeGreaterThanOrEqual(0);
    const table = lines.findIndex((l, i) => i > start && l.startsWith("| option |"));
    for (let i = table + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
      const cell = lines[i]!.split("|")[1] ?? "";
      for (const m of cell.matchAll(/`([A-Za-z]+)`/g)) names.add(m[1]!.toLowerCase());
    }
  }
  return [...names].filter((n) => !ENGINE_OPTIONS.has(n)).sort();
}

describe("the package READMEs document exactly the options each provider accepts", () => {
  it("collection (package README and the top-level README)", () => {
    expect(readmeOptions("packages/collection/README.md", ["Options"])).toEqual(providerOptions(COLLECTION_OPTIONS));
    expect(readmeOptions("README.md", ["`com.macrometa.spark.collection`"])).toEqual(providerOptions(COLLECTION_OPTIONS));
  });
  it("stream (package README and the top-level README)", () => {
    expect(readmeOptions("packages/stream/README.md", ["Options"])).toEqual(providerOptions(STREAM_OPTIONS));
    expect(readmeOptions("README.md", ["`com.macrometa.spark.stream`"])).toEqual(providerOptions(STREAM_OPTIONS));
  });
});
