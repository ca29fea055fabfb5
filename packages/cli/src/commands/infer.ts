/**
 * `mmspark infer`: asks a format for the schema of the data its options point at (the same call
 * `load()` makes without a user schema) and prints it four ways: Spark's simpleString, the
 * printSchema tree, a JSON Schema, and a TypeScript interface generated from that JSON Schema.
 * @packageDocumentation
 */
import "@macrometa-spark/collection";
import "@macrometa-spark/databricks";
import "@macrometa-spark/stream";
import { CaseInsensitiveOptions, JobMetrics, createConsoleLogger, createSession, toJsonSchema, treeString, type StructType } from "@macrometa-spark/core";
import { compile } from "json-schema-to-typescript";
import { EXIT_OK, UsageError, keyValues, parse, type Command } from "../usage.js";

const HELP = `Usage: mmspark infer --format FORMAT --option key=value ... [options]

Infers the schema of the data a format's options point at, as load() does without .schema(...),
and prints it as Spark's simpleString, the printSchema tree, a JSON Schema and a TypeScript
interface (json-schema-to-typescript). A stream's inferred schema ends with the rescued-data column
(_rescued_data) its reads fill under schemaEvolutionMode addNewColumns and rescue; a collection's
has it when --option rescuedDataColumn=NAME is given.

  --format F                com.macrometa.spark.collection, com.macrometa.spark.stream, json, ...
  --option key=value        A format option (repeatable), as .option(key, value)
  --schema-sample-size N    Documents/messages sampled (the format's schemaSampleSize option)
  --name NAME               Name of the TypeScript interface (default: from collection/stream)
  --json                    One JSON object: simpleString, tree, jsonSchema, typescript

Example:
  mmspark infer --format com.macrometa.spark.collection \\
    --option regionUrl=http://127.0.0.1:8529 --option apiKey=... --option collection=customers
`;

export interface InferResult {
  simpleString: string;
  tree: string;
  jsonSchema: Record<string, unknown>;
  typescript: string;
}

function interfaceName(raw: string): string {
  const words = raw.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return /^[A-Za-z]/.test(name) ? name : `Record${name}`;
}

/**
 * A copy of the JSON Schema for the generator, with Spark bigint fields typed `number | bigint`:
 * values beyond ±(2^53−1) arrive as JS bigint (never a rounded number), which plain `number` hides.
 */
function withBigintTsTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withBigintTsTypes);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = withBigintTsTypes(v);
  const type = out["type"];
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("integer") && /bigint/.test(String(out["$comment"] ?? ""))) {
    out["tsType"] = types.includes("null") ? "number | bigint | null" : "number | bigint";
  }
  return out;
}

/** The four renderings of a schema (exported for scripts and tests). */
export async function describeSchema(schema: StructType, name: string): Promise<InferResult> {
  const jsonSchema = toJsonSchema(schema, name);
  // The generator resolves $refs itself and must not fetch anything: the schema has none.
  const typescript = await compile(withBigintTsTypes(jsonSchema) as never, name, { bannerComment: "", additionalProperties: false, format: true });
  return { simpleString: schema.simpleString(), tree: treeString(schema), jsonSchema, typescript };
}

export const inferCommand: Command = {
  name: "infer",
  summary: "infer a source's schema: simpleString, printSchema, JSON Schema, TypeScript",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { format: { type: "string" }, option: { type: "string", multiple: true }, "schema-sample-size": { type: "string" }, name: { type: "string" }, json: { type: "boolean" } },
      HELP,
      false,
    );
    void positionals;
    if (!values.format) throw new UsageError("--format is required", HELP);
    const options: Record<string, string> = keyValues(values.option);
    const sample = values["schema-sample-size"];
    if (sample !== undefined) {
      if (!/^[1-9]\d*$/.test(sample)) throw new UsageError(`--schema-sample-size must be a positive integer, got '${sample}'`, HELP);
      options["schemaSampleSize"] = sample;
    }
    const session = createSession({ logger: createConsoleLogger("warn", (l) => io.err(l + "\n")) });
    try {
      const provider = session.registry.lookup(values.format);
      const schema = await provider.inferSchema(new CaseInsensitiveOptions(options, values.format), session.providerContext(new JobMetrics()));
      const o = new CaseInsensitiveOptions(options);
      const name = interfaceName(values.name ?? o.getString("collection") ?? o.getString("stream") ?? o.getString("table") ?? "Record");
      const r = await describeSchema(schema, name);
      if (values.json) io.out(JSON.stringify(r, null, 2) + "\n");
      else {
        io.out(`-- simpleString\n${r.simpleString}\n\n-- printSchema\n${r.tree}\n-- JSON Schema\n${JSON.stringify(r.jsonSchema, null, 2)}\n\n-- TypeScript\n${r.typescript}`);
      }
      return EXIT_OK;
    } finally {
      await session.stop();
    }
  },
};
