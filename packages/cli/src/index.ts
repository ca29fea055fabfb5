/** @packageDocumentation The mmspark command: job specs, run, infer, demo, local peers, Databricks Jobs. */
export {};
