// Generates src/generated/job-types.ts from schema/job.schema.json with json-schema-to-typescript.
// The schema itself is written by `npm run options` (scripts/options) from the option tables;
// a test checks both committed files are up to date.
// Usage: node codegen/generate-types.mjs [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = new URL("../", import.meta.url);
const schemaPath = fileURLToPath(new URL("schema/job.schema.json", root));
export const outPath = fileURLToPath(new URL("src/generated/job-types.ts", root));

/** The TypeScript of `schema` (default: the committed schema file). */
export async function generate(schema = JSON.parse(readFileSync(schemaPath, "utf8"))) {
  const ts = await compile(schema, "MmsparkJob", {
    bannerComment: "/* Generated from schema/job.schema.json by codegen/generate-types.mjs. Do not edit. */",
    unreachableDefinitions: true,
    additionalProperties: false,
    strictIndexSignatures: false,
    format: true,
    cwd: fileURLToPath(new URL("schema/", root)),
  });
  return ts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ts = await generate();
  if (process.argv.includes("--check")) {
    const current = readFileSync(outPath, "utf8");
    if (current !== ts) {
      console.error("src/generated/job-types.ts is stale: run npm run options");
      process.exit(1);
    }
  } else {
    writeFileSync(outPath, ts);
    console.log(`wrote ${outPath}`);
  }
}
