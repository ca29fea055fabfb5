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
import { resolveReferences } from "./references.js";
import { didYouMean } from "../suggest.js";

const require = createRequire(import.meta.url);
// ajv ships CommonJS; its default export is the class.
const Ajv = require("ajv") as typeof import("ajv").default;

let validator: ValidateFunction | undefined;

export function jobSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../schema/job.schema.json", import.meta.url), "utf8"));
}

function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false, verbose: true });
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
  if (e.keyword === "additionalProperties") {
    const name = (e.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `${at}: unknown property '${name}'${didYouMean(name, known)}`;
  }
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

/** Where a spec file's references come from (see references.ts). */
export interface LoadJobSpecOptions {
  /** Variables for `${env:NAME}` (and secrets when `secrets` is on). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Resolve `{{secrets/<scope>/<key>}}` from MMSPARK_SECRET_<SCOPE>_<KEY> (as `mmspark run` does). Default: false. */
  secrets?: boolean;
}

/** "line L, column C" of a character offset, as an editor counts them (1-based). */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/** JSON.parse's message with where the problem is; V8 gives only a character offset. */
function jsonProblem(text: string, err: Error): string {
  const at = /at position (\d+)/.exec(err.message);
  const message = err.message.replace(/\s*\(line \d+ column \d+\)$/, "");
  if (at) return `not JSON at ${lineColumn(text, Number(at[1]))}: ${message}`;
  if (/Unexpected end of JSON input/.test(err.message)) return `not JSON at ${lineColumn(text, text.length)}: ${message}`;
  return `not JSON: ${message}`;
}

/** Reads a job spec file, resolves its `${env:…}` (and optionally secret) references and validates it. */
export function loadJobSpec(path: string, o: LoadJobSpecOptions = {}): MmsparkJob {
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
    throw new JobSpecValidationError([jsonProblem(text, err as Error)], path);
  }
  return validateJobSpec(resolveReferences(parsed, { env: o.env ?? process.env, secrets: o.secrets ?? false, source: path }), path);
}
