/**
 * A thin Databricks Jobs API 2.2 client over undici: runs/submit (with an idempotency token),
 * runs/get polling, cancel, jobs create/run-now/get, and workspace import for the generated task.
 *
 * Retries: 429 is always safe (the request was not processed) and honours Retry-After; 5xx and
 * connection resets are retried only for reads, cancels, and submits carrying an idempotency token.
 * @packageDocumentation
 */
import { setTimeout as delay } from "node:timers/promises";
import { Agent, request, type Dispatcher } from "undici";
import { backoffDelayMs, defaultRetryPolicy, redactSecrets, silentLogger, withRetry, type Logger, type RetryPolicy } from "@macrometa-spark/core";
import { isLoopbackHost } from "@macrometa-spark/macrometa-client";
import { JobsApiError } from "./errors.js";

export interface JobsClientOptions {
  /** Workspace host (`https://` is added when no scheme is given). */
  host: string;
  /** Personal access token or OAuth token; sent as `Bearer`, never logged. */
  token: string;
  /** Per-request timeout. Default: 30000 (ms). */
  requestTimeoutMs?: number;
  /** Retry budget for calls safe to repeat. Default: core's defaultRetryPolicy with 6 attempts. */
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** API version path segment. Default: "2.2". */
  apiVersion?: string;
  dispatcher?: Dispatcher;
}

export type LifeCycleState =
  | "QUEUED"
  | "PENDING"
  | "RUNNING"
  | "TERMINATING"
  | "TERMINATED"
  | "SKIPPED"
  | "INTERNAL_ERROR"
  | "BLOCKED"
  | "WAITING_FOR_RETRY";

export const TERMINAL_STATES: ReadonlySet<string> = new Set(["TERMINATED", "SKIPPED", "INTERNAL_ERROR"]);

export interface RunState {
  life_cycle_state: LifeCycleState;
  result_state?: string;
  state_message?: string;
}

export interface Run {
  run_id: number;
  job_id?: number;
  run_name?: string;
  state: RunState;
  run_page_url?: string;
  tasks?: { run_id: number; task_key: string; state: RunState }[];
  [key: string]: unknown;
}

export interface SubmitRunRequest {
  run_name: string;
  tasks: Record<string, unknown>[];
  timeout_seconds?: number;
  idempotency_token?: string;
  [key: string]: unknown;
}

export interface WaitOptions {
  /** First poll interval. Default: 1000 (ms). */
  initialPollMs?: number;
  /** Longest poll interval. Default: 30000 (ms). */
  maxPollMs?: number;
  /** Give up waiting (the run continues) after this long. Default: none. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onState?: (run: Run) => void;
}

export class DatabricksJobsClient {
  private readonly base: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly version: string;

  constructor(private readonly options: JobsClientOptions) {
    if (!options.host) throw new JobsApiError("host is required", { retryable: false });
    if (!options.token) throw new JobsApiError("token is required", { retryable: false });
    this.base = (/^[a-z]+:\/\//i.test(options.host) ? options.host : `https://${options.host}`).replace(/\/+$/, "");
    // The token travels in every request: plain HTTP only to this machine (a stand-in).
    if (/^http:/i.test(this.base) && !isLoopbackHost(new URL(this.base).hostname)) {
      throw new JobsApiError("host: plain http would send the token in clear to a remote workspace; use https (plain http is for localhost only)", { retryable: false });
    }
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
    this.logger = options.logger ?? silentLogger;
    this.policy = { ...defaultRetryPolicy(), maxAttempts: 6, ...options.retry };
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.version = options.apiVersion ?? "2.2";
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  submitRun(body: SubmitRunRequest): Promise<{ run_id: number }> {
    return this.call("POST", `/api/${this.version}/jobs/runs/submit`, body, body.idempotency_token !== undefined);
  }
  getRun(runId: number): Promise<Run> {
    return this.call("GET", `/api/${this.version}/jobs/runs/get?run_id=${encodeURIComponent(String(runId))}`, undefined, true);
  }
  cancelRun(runId: number): Promise<Record<string, never>> {
    return this.call("POST", `/api/${this.version}/jobs/runs/cancel`, { run_id: runId }, true);
  }
  createJob(settings: Record<string, unknown>): Promise<{ job_id: number }> {
    return this.call("POST", `/api/${this.version}/jobs/create`, settings, false);
  }
  runNow(jobId: number, extra: Record<string, unknown> = {}): Promise<{ run_id: number; number_in_job?: number }> {
    return this.call("POST", `/api/${this.version}/jobs/run-now`, { job_id: jobId, ...extra }, extra["idempotency_token"] !== undefined);
  }
  getJob(jobId: number): Promise<Record<string, unknown>> {
    return this.call("GET", `/api/${this.version}/jobs/get?job_id=${encodeURIComponent(String(jobId))}`, undefined, true);
  }
  /** Uploads a source file to the workspace (overwrite is idempotent, so it is retried). */
  importWorkspaceFile(path: string, content: string, language: "PYTHON" = "PYTHON"): Promise<Record<string, never>> {
    return this.call(
      "POST",
      "/api/2.0/workspace/import",
      { path, format: "SOURCE", language, overwrite: true, content: Buffer.from(content, "utf8").toString("base64") },
      true,
    );
  }

  /** Polls runs/get with growing intervals (a 429's Retry-After is the floor) until a terminal state. */
  async waitForRun(runId: number, options: WaitOptions = {}): Promise<Run> {
    const initial = options.initialPollMs ?? 1000;
    const max = options.maxPollMs ?? 30_000;
    const started = Date.now();
    let lastState = "";
    for (let poll = 1; ; poll++) {
      const run = await this.getRun(runId);
      const state = `${run.state.life_cycle_state}/${run.state.result_state ?? ""}`;
      if (state !== lastState) {
        lastState = state;
        options.onState?.(run);
      }
      if (TERMINAL_STATES.has(run.state.life_cycle_state)) return run;
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new JobsApiError(`run ${runId} still ${run.state.life_cycle_state} after ${options.timeoutMs} ms`, {
          retryable: false,
          context: { runId },
        });
      }
      const wait = backoffDelayMs({ ...this.policy, initialDelayMs: initial, maxDelayMs: max, factor: 1.5, jitter: false }, poll);
      await delay(wait, undefined, { signal: options.signal });
    }
  }

  private async call<T>(method: "GET" | "POST", path: string, body: unknown, safeToRepeat: boolean): Promise<T> {
    const route = `${method} ${path.split("?")[0]}`;
    return withRetry(
      async () => {
        let res: Dispatcher.ResponseData;
        try {
          res = await request(this.base + path, {
            method,
            dispatcher: this.dispatcher,
            headers: {
              authorization: `Bearer ${this.options.token}`,
              "content-type": "application/json",
              "user-agent": "mmspark/0.1",
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
          });
        } catch (err) {
          throw new JobsApiError(redactSecrets(`${route} failed: ${(err as Error).message}`, [this.options.token]), { retryable: safeToRepeat, context: { route } });
        }
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) return (text ? JSON.parse(text) : {}) as T;
        let envelope: { error_code?: string; message?: string } = {};
        try {
          envelope = JSON.parse(text);
        } catch {
          // not JSON (a proxy page): the status says enough
        }
        const retryAfter = parseRetryAfter(res.headers["retry-after"]);
        const retryable = res.statusCode === 429 || (safeToRepeat && res.statusCode >= 500 && res.statusCode !== 501);
        const what = envelope.error_code ? `${envelope.error_code}: ${envelope.message ?? ""}` : `HTTP ${res.statusCode}`;
        // The workspace may echo the token back (e.g. "Token … is not allowed"): never pass it on.
        throw new JobsApiError(redactSecrets(`${route} → ${res.statusCode} ${what}`.trim(), [this.options.token]), {
          status: res.statusCode,
          errorCode: envelope.error_code,
          retryable,
          retryAfterMs: retryAfter,
          context: { route },
        });
      },
      {
        policy: this.policy,
        onRetry: (err, attempt, ms) => this.logger.warn("databricks jobs call retried", { route, attempt, delayMs: ms, error: (err as Error).message }),
      },
    );
  }
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
