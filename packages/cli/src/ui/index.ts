/**
 * The `--ui PORT` / `--ui-host HOST` flags of `run` and `demo`: a monitoring page for the running
 * job (see server.ts), started before the job and closed with it.
 * @packageDocumentation
 */
import type { Trigger } from "@macrometa-spark/core";
import type { MmsparkJob } from "../generated/job-types.js";
import { UsageError, type Io } from "../usage.js";
import { JobMonitor, type QueryInfo } from "./monitor.js";
import { startUiServer, type UiServer } from "./server.js";

export { JobMonitor, type QueryInfo, type QueryView, type MonitorState, type BatchView } from "./monitor.js";
export { startUiServer, type UiServer, type UiServerOptions } from "./server.js";
export { isLoopbackHost } from "./access.js";

/** parseArgs options for the two flags. */
export const UI_FLAGS = { ui: { type: "string" }, "ui-host": { type: "string" } } as const;

/** The flags' lines for a verb's --help. */
export const UI_HELP = `  --ui PORT         While the job runs, serve a monitoring page (charts of each query's rates,
                    batch durations, rows, lag; rejected counts; errors) and GET /api/queries on
                    http://127.0.0.1:PORT/ (0 picks a free port)
  --ui-host HOST    Bind the page to HOST instead of 127.0.0.1; a non-loopback HOST requires the
                    token printed once at start (the page shows collection names and keys)`;

export interface JobUi {
  monitor: JobMonitor;
  server: UiServer;
  /** Closes the server and stops following the job. */
  close(): Promise<void>;
}

/**
 * Starts the page when `--ui` was given (undefined otherwise) and prints `UI: <url>` on stderr
 * (stdout may carry `--json` events). A token is printed in that line only, once.
 */
export async function startJobUi(values: { ui?: string | undefined; "ui-host"?: string | undefined }, io: Io, job: { name: string; kind: string }, help: string): Promise<JobUi | undefined> {
  if (values.ui === undefined) {
    if (values["ui-host"] !== undefined) throw new UsageError("--ui-host needs --ui PORT", help);
    return undefined;
  }
  if (!/^\d{1,5}$/.test(values.ui) || Number(values.ui) > 65535) throw new UsageError(`--ui expects a port from 0 to 65535 (0 picks a free one), got '${values.ui}'`, help);
  if (values["ui-host"] === "") throw new UsageError("--ui-host expects an address", help);
  const monitor = new JobMonitor(job);
  let server: UiServer;
  try {
    server = await startUiServer({ monitor, port: Number(values.ui), ...(values["ui-host"] !== undefined ? { host: values["ui-host"] } : {}) });
  } catch (err) {
    monitor.close();
    throw err;
  }
  if (server.token === undefined) io.err(`UI: ${server.url}\n`);
  else io.err(`UI: ${server.url}?token=${server.token}\n(token shown only here; the page also accepts it as 'Authorization: Bearer <token>')\n`);
  return {
    monitor,
    server,
    async close() {
      monitor.close();
      await server.close();
    },
  };
}

/** What a job spec says about its streaming query, for the page (no option values: they may hold keys). */
export function queryInfoOf(spec: MmsparkJob): QueryInfo {
  const named = (format: string | undefined, options: object | undefined, keys: string[]) => {
    if (!format) return undefined;
    const o = (options ?? {}) as Record<string, unknown>;
    const what = keys.map((k) => o[k]).find((v) => typeof v === "string");
    return what === undefined ? format : `${format}[${what}]`;
  };
  const source =
    spec.kind === "sync"
      ? named("com.macrometa.spark.collection", spec.sync?.collection, ["collection"])
      : spec.kind === "reverse"
        ? named("databricks", spec.reverse?.delta, ["table"])
        : named(spec.source?.format, spec.source?.options, ["stream", "collection", "table"]);
  const sink =
    spec.kind === "sync"
      ? named("databricks", spec.sync?.delta, ["table"])
      : spec.kind === "reverse"
        ? named("com.macrometa.spark.collection", spec.reverse?.collection, ["collection"])
        : named(spec.sink?.format, spec.sink?.options, ["table"]);
  return { trigger: describeTrigger(spec.trigger as Trigger | undefined), ...(source ? { source } : {}), ...(sink ? { sink } : {}) };
}

/** Spark's wording: `ProcessingTime(100 ms)`, `Once`, `AvailableNow`; none = ProcessingTime(0). */
export function describeTrigger(t: Trigger | undefined): string {
  if (!t) return "ProcessingTime(0 ms)";
  if ("once" in t && t.once) return "Once";
  if ("availableNow" in t && t.availableNow) return "AvailableNow";
  if ("processingTime" in t) return `ProcessingTime(${typeof t.processingTime === "number" ? `${t.processingTime} ms` : t.processingTime})`;
  return "unknown";
}
