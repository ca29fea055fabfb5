/**
 * Writes everything derived from the option tables: packages/cli/schema/job.schema.json, the job
 * types generated from it, the README option tables (between `<!-- options:… -->` markers) and the
 * TSDoc of the typed option objects. `npm run options` runs it; `--check` only reports stale files,
 * as packages/cli/test/options-generated.test.ts does.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { OptionRow, OptionTable } from "../../packages/core/src/option-table.ts";
import { CONSOLE_OPTIONS, JSON_OPTIONS, MEMORY_OPTIONS, RATE_OPTIONS } from "../../packages/core/src/formats/option-tables.ts";
import { COLLECTION_OPTIONS, FORMAT_NAMES as COLLECTION_FORMATS } from "../../packages/collection/src/option-table.ts";
import { FORMAT_NAMES as STREAM_FORMATS, STREAM_OPTIONS } from "../../packages/stream/src/option-table.ts";
import { CHANGE_FEED_OPTIONS, DATABRICKS_FORMATS, DATABRICKS_OPTIONS } from "../../packages/databricks/src/option-table.ts";
import { JOB_FIELDS, REVERSE_FIELDS, SYNC_FIELDS, TRIGGER_FIELDS } from "../../packages/cli/src/spec/job-table.ts";
import { generate as generateTypes } from "../../packages/cli/codegen/generate-types.mjs";
import { markdownTable, schemaObject, tsdoc } from "./render.ts";

const root = new URL("../../", import.meta.url);
const file = (path: string): string => fileURLToPath(new URL(path, root));
const SCHEMA_PATH = "packages/cli/schema/job.schema.json";
const TYPES_PATH = "packages/cli/src/generated/job-types.ts";

/** `if format is one of these names then options follow that definition`, for Source and Sink. */
function dispatch(formats: readonly string[], definition: string): Record<string, unknown> {
  const format = formats.length === 1 ? { const: formats[0] } : { enum: [...formats] };
  return { if: { properties: { format } }, then: { properties: { options: { $ref: `#/definitions/${definition}` } } } };
}

function endpoint(title: string, extra: Record<string, unknown>, formats: [readonly string[], string][]): Record<string, unknown> {
  return {
    title,
    type: "object",
    required: ["format"],
    additionalProperties: false,
    properties: { format: { type: "string", minLength: 1 }, options: { type: "object" }, ...extra },
    allOf: formats.map(([names, def]) => dispatch(names, def)),
  };
}

export function jobSchema(): Record<string, unknown> {
  const top = schemaObject(JOB_FIELDS, "MmsparkJob", "A macrometa-spark job: a source read into a sink (batch or streaming), a collection-to-Delta CDC sync, or a Delta-to-collection reverse sync. Generated from the option tables by `npm run options`.");
  const shared: [readonly string[], string][] = [
    [COLLECTION_FORMATS, "CollectionOptions"],
    [STREAM_FORMATS, "StreamOptions"],
    [DATABRICKS_FORMATS, "DatabricksOptions"],
    [["json"], "JsonOptions"],
  ];
  const { title, description, ...rest } = top;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://macrometa-spark.dev/schema/job.schema.json",
    title,
    description,
    ...rest,
    allOf: [
      {
        if: { properties: { kind: { const: "sync" } }, required: ["kind"] },
        then: { required: ["sync"] },
        else: { if: { properties: { kind: { const: "reverse" } }, required: ["kind"] }, then: { required: ["reverse"] }, else: { required: ["source", "sink"] } },
      },
    ],
    definitions: {
      Trigger: schemaObject(TRIGGER_FIELDS, "Trigger", "Spark trigger: exactly one of processingTime, once, availableNow."),
      Source: endpoint("Source", { schema: { type: "string", description: 'A user schema as Spark DDL ("a BIGINT, b ARRAY<STRING>").' } }, [...shared, [["rate"], "RateOptions"]]),
      Sink: endpoint(
        "Sink",
        {
          mode: {
            type: "string",
            enum: ["append", "overwrite", "errorifexists", "ignore"],
            default: "errorifexists",
            description: "Save mode of a batch write (Spark's default: errorifexists).",
          },
        },
        [...shared, [["memory"], "MemoryOptions"]],
      ),
      SyncSpec: schemaObject(SYNC_FIELDS, "SyncSpec", "Collection snapshot + change stream merged into a Delta table by _key (subscribe first, then snapshot, then reconcile)."),
      ReverseSpec: schemaObject(
        REVERSE_FIELDS,
        "ReverseSpec",
        "A Delta table's change data feed into a collection (created when missing): inserts and post-images upsert by _key (or the collection's primaryKey), deletes remove, pre-images are skipped; a replayed micro-batch is harmless. Offsets are table versions kept in checkpointLocation.",
      ),
      GdnConnectionOptions: {
        ...schemaObject(COLLECTION_OPTIONS, "GdnConnectionOptions", "How a job reaches the GDN (the connection rows of the collection format).", (r) => r.group === "connection"),
        additionalProperties: undefined,
        required: undefined,
      },
      CollectionOptions: schemaObject(COLLECTION_OPTIONS, "CollectionOptions", "Options of format com.macrometa.spark.collection (names as the official connector's, plus ours)."),
      StreamOptions: schemaObject(STREAM_OPTIONS, "StreamOptions", "Options of format com.macrometa.spark.stream (names as the Scala connector's, plus ours)."),
      DatabricksOptions: schemaObject(DATABRICKS_OPTIONS, "DatabricksOptions", "Options of format databricks (Delta tables over Databricks SQL)."),
      JsonOptions: schemaObject(JSON_OPTIONS, "JsonOptions", "Options of the built-in format json (JSON-lines files)."),
      MemoryOptions: schemaObject(MEMORY_OPTIONS, "MemoryOptions", "Options of the built-in format memory (named in-process tables)."),
      RateOptions: schemaObject(RATE_OPTIONS, "RateOptions", "Options of the built-in format rate (generated rows)."),
    },
  };
}

interface ReadmeTable {
  /** Marker name: the table stands between `<!-- options:NAME -->` and `<!-- /options:NAME -->`. */
  marker: string;
  table: OptionTable;
  connectorHeading?: string;
  group?: string;
}

const README_TABLES: ReadmeTable[] = [
  { marker: "collection", table: COLLECTION_OPTIONS, connectorHeading: "official connector" },
  { marker: "stream", table: STREAM_OPTIONS, connectorHeading: "Scala connector" },
  { marker: "databricks:connection", table: DATABRICKS_OPTIONS, group: "connection" },
  { marker: "databricks:write", table: DATABRICKS_OPTIONS, group: "write" },
  { marker: "databricks:read", table: DATABRICKS_OPTIONS, group: "read" },
  { marker: "json", table: JSON_OPTIONS },
  { marker: "memory", table: MEMORY_OPTIONS },
  { marker: "console", table: CONSOLE_OPTIONS },
  { marker: "rate", table: RATE_OPTIONS },
];
const READMES = ["README.md", "packages/core/README.md", "packages/collection/README.md", "packages/stream/README.md", "packages/databricks/README.md"];

/** The README with each marked table replaced by its rendering. */
export function renderReadme(text: string, path: string): string {
  return text.replace(/(<!-- options:([\w:-]+) -->\n)[\s\S]*?(\n<!-- \/options:\2 -->)/g, (_all, open: string, marker: string, close: string) => {
    const spec = README_TABLES.find((t) => t.marker === marker);
    if (!spec) throw new Error(`${path}: no option table for marker '${marker}'`);
    return open + markdownTable(spec.table, spec.connectorHeading, spec.group) + close;
  });
}

interface TsdocTarget {
  path: string;
  interfaceName: string;
  table: OptionTable;
  /** The rows this interface holds (default: every documented one). */
  rows?: (name: string, row: OptionRow) => boolean;
}
const TSDOC_TARGETS: TsdocTarget[] = [
  { path: "packages/collection/src/options.ts", interfaceName: "CollectionOptions", table: COLLECTION_OPTIONS },
  { path: "packages/stream/src/options.ts", interfaceName: "StreamFormatOptions", table: STREAM_OPTIONS },
  { path: "packages/databricks/src/options.ts", interfaceName: "ConnectionOptions", table: DATABRICKS_OPTIONS, rows: (name, row) => row.group === "connection" && name !== "table" },
  { path: "packages/databricks/src/options.ts", interfaceName: "WriteOptions", table: DATABRICKS_OPTIONS, rows: (name, row) => row.group === "write" || name === "table" },
  {
    path: "packages/databricks/src/options.ts",
    interfaceName: "ReadOptions",
    table: DATABRICKS_OPTIONS,
    rows: (name, row) => (row.group === "read" && !(name in CHANGE_FEED_OPTIONS)) || name === "table",
  },
  // `starting` and `ending` each hold one of two options (a version or a time): their TSDoc is written by hand.
  { path: "packages/databricks/src/change-feed/options.ts", interfaceName: "ChangeFeedOptions", table: CHANGE_FEED_OPTIONS, rows: (name) => !/^(starting|ending)/.test(name) },
];

/** The source with the TSDoc of every interface property that a table row documents replaced by the row's rendering. */
export function renderTsdoc(text: string, target: TsdocTarget): string {
  const sf = ts.createSourceFile(target.path, text, ts.ScriptTarget.Latest, true);
  const rows = new Map(Object.entries(target.table).filter(([name, r]) => !r.engine && r.field !== false && (target.rows?.(name, r) ?? true)).map(([name, r]) => [(r.field as string | undefined) ?? name, { name, row: r }]));
  const edits: { start: number; end: number; text: string }[] = [];
  const found = new Set<string>();
  sf.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== target.interfaceName) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
      const hit = rows.get(member.name.text);
      if (!hit) continue;
      found.add(member.name.text);
      const start = member.getStart(sf);
      const indent = text.slice(text.lastIndexOf("\n", start - 1) + 1, start);
      const rendered = tsdoc(hit.name, hit.row, indent);
      const doc = [...(ts.getLeadingCommentRanges(text, member.getFullStart()) ?? [])].reverse().find((r) => text.startsWith("/**", r.pos));
      edits.push(doc ? { start: doc.pos, end: doc.end, text: rendered } : { start, end: start, text: `${rendered}\n${indent}` });
    }
  });
  const missing = [...rows.keys()].filter((f) => !found.has(f));
  if (missing.length) throw new Error(`${target.path}: ${target.interfaceName} has no property for option rows ${missing.join(", ")} (set the row's field)`);
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Every generated file: path (from the repository root) → the content it must have. */
export async function renderAll(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const schema = jobSchema();
  out.set(SCHEMA_PATH, JSON.stringify(schema, null, 2) + "\n");
  out.set(TYPES_PATH, await generateTypes(JSON.parse(out.get(SCHEMA_PATH)!) as Record<string, unknown>));
  for (const path of READMES) out.set(path, renderReadme(readFileSync(file(path), "utf8"), path));
  for (const target of TSDOC_TARGETS) out.set(target.path, renderTsdoc(out.get(target.path) ?? readFileSync(file(target.path), "utf8"), target));
  return out;
}

/** Paths whose committed content differs from what the tables generate. */
export async function staleFiles(): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, content] of await renderAll()) if (readFileSync(file(path), "utf8") !== content) stale.push(path);
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const stale = await staleFiles();
    if (stale.length) {
      console.error(`stale (run npm run options): ${stale.join(", ")}`);
      process.exit(1);
    }
  } else {
    for (const [path, content] of await renderAll()) {
      if (readFileSync(file(path), "utf8") === content) continue;
      writeFileSync(file(path), content);
      console.log(`wrote ${path}`);
    }
  }
}
