export { DatabricksJobsClient, TERMINAL_STATES, type JobsClientOptions, type Run, type RunState, type LifeCycleState, type SubmitRunRequest, type WaitOptions } from "./client.js";
export { JobsApiError } from "./errors.js";
export { generatePySpark, JobSpecError, type PySparkOptions } from "./pyspark.js";
export { submitJob, buildSubmitRequest, DEFAULT_CONNECTOR_JAR, type SubmitOptions } from "./submit.js";
