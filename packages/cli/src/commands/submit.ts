/**
 * `mmspark submit job.json` and `mmspark jobs create|run-now|get|cancel`: the Databricks side.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { createConsoleLogger } from "@macrometa-spark/core";
import { DatabricksJobsClient, submitJob, type Run } from "../jobs/index.js";
import { loadJobSpec } from "../spec/validate.js";
import { EXIT_FAILURE, EXIT_OK, UsageError, parse, type Command, type Io } from "../usage.js";

const CONNECTION_HELP = `  --host HOST            Workspace host (or DATABRICKS_HOST)
  --token TOKEN          Personal access token (or DATABRICKS_TOKEN; prefer the env var: flags show in ps)`;

function connect(values: { host?: string; token?: string }, io: Io, help: string): DatabricksJobsClient {
  const host = values.host ?? io.env["DATABRICKS_HOST"];
  const token = values.token ?? io.env["DATABRICKS_TOKEN"];
  if (!host) throw new UsageError("--host (or DATABRICKS_HOST) is required", help);
  if (!token) throw new UsageError("--token (or DATABRICKS_TOKEN) is required", help);
  return new DatabricksJobsClient({ host, token, logger: createConsoleLogger("warn", (l) => io.err(l + "\n")) });
}

function printRun(io: Io, run: Run, json: boolean): void {
  if (json) io.out(JSON.stringify({ type: "run", run_id: run.run_id, state: run.state, run_page_url: run.run_page_url }) + "\n");
  else io.out(`run ${run.run_id}: ${run.state.life_cycle_state}${run.state.result_state ? ` ${run.state.result_state}` : ""}${run.run_page_url ? `  ${run.run_page_url}` : ""}\n`);
}

const SUBMIT_HELP = `Usage: mmspark submit job.json [options]

Runs the job on Databricks (Spark) through the Jobs API 2.2: uploads a generated PySpark task that
uses the official Macrometa connector with the job's options, submits it with runs/submit (with an
idempotency token), polls runs/get until it ends (Ctrl-C cancels the run) and prints the run page.

${CONNECTION_HELP}
  --cluster-id ID        Run on an existing cluster (default: a new single-node job cluster)
  --spark-version V      New cluster's Spark version (default 13.3.x-scala2.12)
  --node-type T          New cluster's node type (default i3.xlarge)
  --connector-jar PATH   Connector JAR library (default dbfs:/FileStore/jars/macrometa-connector-databricks.jar)
  --workspace-dir DIR    Where the task file goes (default /Shared/mmspark)
  --idempotency-token T  Reuse a token to make a re-submission return the same run
  --allow-plaintext-secrets  Permit literal API keys/tokens in the uploaded task (default: refuse)
  --no-wait              Print the run id and return
  --json                 JSON events on stdout
`;

export const submitCommand: Command = {
  name: "submit",
  summary: "run a job spec on Databricks through the Jobs API",
  help: SUBMIT_HELP,
  async run(argv, io, signal) {
    const { values, positionals } = parse(
      argv,
      {
        host: { type: "string" },
        token: { type: "string" },
        "cluster-id": { type: "string" },
        "spark-version": { type: "string" },
        "node-type": { type: "string" },
        "connector-jar": { type: "string" },
        "workspace-dir": { type: "string" },
        "idempotency-token": { type: "string" },
        "allow-plaintext-secrets": { type: "boolean" },
        "no-wait": { type: "boolean" },
        json: { type: "boolean" },
      },
      SUBMIT_HELP,
    );
    if (positionals.length !== 1) throw new UsageError("expected exactly one job spec file", SUBMIT_HELP);
    const job = loadJobSpec(positionals[0]!, { env: io.env });
    const client = connect(values, io, SUBMIT_HELP);
    try {
      const run = await submitJob({
        client,
        job,
        connectorJar: values["connector-jar"],
        existingClusterId: values["cluster-id"],
        newCluster: values["cluster-id"]
          ? undefined
          : { spark_version: values["spark-version"] ?? "13.3.x-scala2.12", node_type_id: values["node-type"] ?? "i3.xlarge", num_workers: 1 },
        workspaceDir: values["workspace-dir"],
        idempotencyToken: values["idempotency-token"],
        allowPlaintextSecrets: values["allow-plaintext-secrets"],
        noWait: values["no-wait"],
        signal,
        logger: createConsoleLogger("warn", (l) => io.err(l + "\n")),
        onState: (r) => printRun(io, r, !!values.json),
      });
      if (!("state" in run)) {
        io.out(values.json ? JSON.stringify({ type: "submitted", run_id: run.run_id }) + "\n" : `submitted run ${run.run_id}\n`);
        return EXIT_OK;
      }
      return run.state.result_state === "SUCCESS" ? EXIT_OK : EXIT_FAILURE;
    } finally {
      await client.close();
    }
  },
};

const JOBS_HELP = `Usage: mmspark jobs <create|run-now|get|cancel> [options]

  jobs create SETTINGS.json   POST /api/2.2/jobs/create with the file's job settings; prints job_id
  jobs run-now JOB_ID         POST /api/2.2/jobs/run-now; prints run_id
  jobs get RUN_ID             GET  /api/2.2/jobs/runs/get; prints the run state and page
  jobs cancel RUN_ID          POST /api/2.2/jobs/runs/cancel

${CONNECTION_HELP}
  --idempotency-token T  (run-now) one run per token
  --json                 JSON output
`;

function idArg(v: string | undefined, what: string): number {
  const n = Number(v);
  if (!v || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what} must be a positive integer`, JOBS_HELP);
  return n;
}

export const jobsCommand: Command = {
  name: "jobs",
  summary: "thin Databricks Jobs API verbs: create, run-now, get, cancel",
  help: JOBS_HELP,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { host: { type: "string" }, token: { type: "string" }, "idempotency-token": { type: "string" }, json: { type: "boolean" } },
      JOBS_HELP,
    );
    const [verb, arg] = positionals;
    if (!verb || !["create", "run-now", "get", "cancel"].includes(verb)) throw new UsageError(`unknown jobs verb '${verb ?? ""}'`, JOBS_HELP);
    const client = connect(values, io, JOBS_HELP);
    const emit = (obj: Record<string, unknown>, text: string) => io.out((values.json ? JSON.stringify(obj) : text) + "\n");
    try {
      if (verb === "create") {
        if (!arg) throw new UsageError("jobs create needs a settings file", JOBS_HELP);
        const settings = JSON.parse(readFileSync(arg, "utf8")) as Record<string, unknown>;
        const { job_id } = await client.createJob(settings);
        emit({ job_id }, `job ${job_id}`);
      } else if (verb === "run-now") {
        const extra = values["idempotency-token"] ? { idempotency_token: values["idempotency-token"] } : {};
        const { run_id } = await client.runNow(idArg(arg, "JOB_ID"), extra);
        emit({ run_id }, `run ${run_id}`);
      } else if (verb === "get") {
        printRun(io, await client.getRun(idArg(arg, "RUN_ID")), !!values.json);
      } else {
        const id = idArg(arg, "RUN_ID");
        await client.cancelRun(id);
        emit({ run_id: id, cancelled: true }, `cancel requested for run ${id}`);
      }
      return EXIT_OK;
    } finally {
      await client.close();
    }
  },
};
