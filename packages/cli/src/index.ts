/**
 * @packageDocumentation The `mmspark` command and its library: job specs (JSON Schema + generated
 * option types), the Databricks Jobs client, PySpark generation, and the job runner.
 */
export * from "./generated/job-types.js";
export * from "./jobs/index.js";
export { validateJobSpec, loadJobSpec, jobSchema, JobSpecValidationError } from "./spec/validate.js";
export * from "./runner/index.js";
