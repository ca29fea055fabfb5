/**
 * `mmspark submit`: upload the generated PySpark task, `runs/submit` it with the connector JAR as
 * a library and an idempotency token (so a retried submit never starts a second run), then poll
 * until the run ends; an abort (Ctrl-C) cancels the run.
 * @packageDocumentation
 */
import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "@macrometa-spark/core";
import type { MmsparkJob } from "../generated/job-types.js";
import { DatabricksJobsClient, type Run } from "./client.js";
import { generatePySpark } from "./pyspark.js";

export interface SubmitOptions {
  client: DatabricksJobsClient;
  job: MmsparkJob;
  /** Where the connector JAR lives. Default: "dbfs:/FileStore/jars/macrometa-connector-databricks.jar". */
  connectorJar?: string;
  /** Run on this cluster; otherwise a new job cluster is described by `newCluster`. */
  existingClusterId?: string;
  newCluster?: Record<string, unknown>;
  /** Workspace folder for the generated task. Default: "/Shared/mmspark". */
  workspaceDir?: string;
  /** Reused on retries of this submission. Default: a fresh UUID. */
  idempotencyToken?: string;
  allowPlaintextSecrets?: boolean;
  /** Return after submitting, without polling. Default: false. */
  noWait?: boolean;
  signal?: AbortSignal;
  logger: Logger;
  onState?: (run: Run) => void;
  pollMs?: { initial?: number; max?: number };
}

export const DEFAULT_CONNECTOR_JAR = "dbfs:/FileStore/jars/macrometa-connector-databricks.jar";

export function buildSubmitRequest(job: MmsparkJob, pythonFile: string, o: Pick<SubmitOptions, "connectorJar" | "existingClusterId" | "newCluster">, token: string) {
  const cluster = o.existingClusterId
    ? { existing_cluster_id: o.existingClusterId }
    : { new_cluster: o.newCluster ?? { spark_version: "13.3.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 } };
  return {
    run_name: `mmspark: ${job.name}`,
    idempotency_token: token,
    tasks: [
      {
        task_key: "mmspark",
        ...cluster,
        libraries: [{ jar: o.connectorJar ?? DEFAULT_CONNECTOR_JAR }],
        spark_python_task: { python_file: pythonFile, parameters: [] as string[] },
      },
    ],
  };
}

export async function submitJob(o: SubmitOptions): Promise<Run | { run_id: number }> {
  const source = generatePySpark(o.job, { allowPlaintextSecrets: o.allowPlaintextSecrets });
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 12);
  const safeName = o.job.name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
  const pythonFile = `${(o.workspaceDir ?? "/Shared/mmspark").replace(/\/+$/, "")}/${safeName}-${digest}.py`;
  await o.client.importWorkspaceFile(pythonFile, source);
  const token = (o.idempotencyToken ?? randomUUID()).slice(0, 64);
  const { run_id } = await o.client.submitRun(buildSubmitRequest(o.job, pythonFile, o, token));
  o.logger.info("databricks run submitted", { runId: run_id, pythonFile });
  if (o.noWait) return { run_id };
  const onAbort = () => {
    o.logger.warn("cancelling databricks run", { runId: run_id });
    o.client.cancelRun(run_id).catch((err) => o.logger.error("cancel failed", { runId: run_id, error: (err as Error).message }));
  };
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await o.client.waitForRun(run_id, {
      signal: o.signal,
      onState: o.onState,
      initialPollMs: o.pollMs?.initial,
      maxPollMs: o.pollMs?.max,
    });
  } catch (err) {
    if (o.signal?.aborted) {
      // Let the cancel land and report the run's final state rather than a bare abort.
      return await o.client.waitForRun(run_id, { initialPollMs: o.pollMs?.initial ?? 500, maxPollMs: o.pollMs?.max ?? 5000, timeoutMs: 60_000 });
    }
    throw err;
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
}
