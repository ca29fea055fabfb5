/**
 * Job specs: parsed and validated against schema/job.schema.json (the single source of truth,
 * also the source of the generated option types). Errors list every violation with its path.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MacrometaSparkError } from "@macrometa-spark/core";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { MmsparkJob } from "../generated/job-types.js";
import { CLI_ERROR_CODES } from "../error-codes.js";

const require = createRequire(import.meta.url);
// ajv ships CommonJS; its default export is the class.
const Ajv = require("ajv") as typeof import("ajv").default;

let validator: ValidateFunction | undefined;

export function jobSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../schema/job.schema.json", import.meta.url), "utf8"));
}

function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
    validator = ajv.compile(jobSchema());
  }
  return validator;
}

export class JobSpecValidationError extends MacrometaSparkError {
  constructor(readonly problems: string[], source: string) {
    super(`invalid job spec ${source}:\n  - ${problems.join("\n  - ")}`, { code: "INVALID_JOB_SPEC", retryable: CLI_ERROR_CODES.INVALID_JOB_SPEC.retryable, context: { source } });
  }
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || "(root)";
  if (e.keyword === "additionalProperties") return `${at}: unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === "enum") return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

/** Validates a parsed spec; returns it typed or throws with every problem listed. */
export function validateJobSpec(spec: unknown, source = "(inline)"): MmsparkJob {
  const validate = getValidator();
  if (validate(spec)) return spec as MmsparkJob;
  // `if/then` wrappers repeat the inner error; keep the informative ones, once.
  const problems = [...new Set((validate.errors ?? []).filter((e) => e.keyword !== "if").map(describe))];
  throw new JobSpecValidationError(problems, source);
}

/** Reads and validates a job spec file. */
export function loadJobSpec(path: string): MmsparkJob {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new JobSpecValidationError([`cannot read: ${(err as Error).message}`], path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new JobSpecValidationError([`not JSON: ${(err as Error).message}`], path);
  }
  return validateJobSpec(parsed, path);
}
