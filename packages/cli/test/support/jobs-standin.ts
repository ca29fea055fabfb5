/**
 * A Databricks Jobs API 2.2 stand-in for tests (no workspace is reachable here). It follows the
 * documented contract: Bearer auth, `{error_code, message}` envelopes, the run life cycle
 * PENDING → RUNNING → TERMINATING → TERMINATED with result states, idempotency tokens (one run per
 * token), runs/cancel, workspace import, and 429 with Retry-After when told to throttle.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinRun {
  run_id: number;
  run_name: string;
  tasks: Record<string, unknown>[];
  polls: number;
  cancelled: boolean;
  life: string;
  result?: string;
}

export interface JobsStandin {
  url: string;
  token: string;
  runs: Map<number, StandinRun>;
  files: Map<string, string>;
  jobs: Map<number, Record<string, unknown>>;
  requests: { method: string; path: string; at: number }[];
  /** Answer the next `n` requests with 429 and this Retry-After (seconds). */
  throttleNext(n: number, retryAfterSeconds: number): void;
  /** Polls a run stays in each state before moving on. */
  pollsPerState: number;
  /** Result of runs that finish on their own. */
  finalResult: string;
  close(): Promise<void>;
}

export async function startJobsStandin(token = "dapi-standin-token"): Promise<JobsStandin> {
  const runs = new Map<number, StandinRun>();
  const files = new Map<string, string>();
  const jobs = new Map<number, Record<string, unknown>>();
  const tokens = new Map<string, number>();
  const requests: { method: string; path: string; at: number }[] = [];
  let throttle = { n: 0, retryAfter: 1 };
  let nextId = 1000;

  const state: Omit<JobsStandin, "url" | "close"> = {
    token,
    runs,
    files,
    jobs,
    requests,
    throttleNext: (n, s) => void (throttle = { n, retryAfter: s }),
    pollsPerState: 1,
    finalResult: "SUCCESS",
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error_code: code, message }, status === 429 ? { "retry-after": String(throttle.retryAfter) } : {});

  const advance = (run: StandinRun) => {
    run.polls++;
    if (run.polls % state.pollsPerState !== 0) return;
    const order = run.cancelled ? ["TERMINATING", "TERMINATED"] : ["PENDING", "RUNNING", "TERMINATING", "TERMINATED"];
    const i = order.indexOf(run.life);
    if (run.cancelled && i === -1) run.life = "TERMINATING";
    else if (i >= 0 && i < order.length - 1) run.life = order[i + 1]!;
    if (run.life === "TERMINATED") run.result ??= run.cancelled ? "CANCELED" : state.finalResult;
  };
  const view = (run: StandinRun) => ({
    run_id: run.run_id,
    run_name: run.run_name,
    state: { life_cycle_state: run.life, ...(run.result ? { result_state: run.result } : {}), state_message: "" },
    run_page_url: `https://standin.example/#job/run/${run.run_id}`,
    tasks: run.tasks.map((t, i) => ({ run_id: run.run_id * 10 + i, task_key: t["task_key"], state: { life_cycle_state: run.life } })),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push({ method: req.method ?? "", path: url.pathname, at: Date.now() });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, "UNAUTHENTICATED", "Invalid access token.");
    if (throttle.n > 0) {
      throttle.n--;
      return fail(res, 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.");
    }
    let body: Record<string, unknown> = {};
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return fail(res, 400, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request");
      }
    }
    const p = url.pathname.replace(/^\/api\/2\.[12]\//, "/");
    if (req.method === "POST" && url.pathname === "/api/2.0/workspace/import") {
      if (typeof body["path"] !== "string" || typeof body["content"] !== "string") return fail(res, 400, "INVALID_PARAMETER_VALUE", "path and content are required");
      files.set(body["path"] as string, Buffer.from(body["content"] as string, "base64").toString("utf8"));
      return send(res, 200, {});
    }
    if (req.method === "POST" && p === "/jobs/runs/submit") {
      const tasks = body["tasks"];
      if (!Array.isArray(tasks) || tasks.length === 0) return fail(res, 400, "INVALID_PARAMETER_VALUE", "At least one task is required.");
      for (const t of tasks as Record<string, unknown>[]) {
        const py = (t["spark_python_task"] as Record<string, unknown> | undefined)?.["python_file"];
        if (typeof py === "string" && py.startsWith("/") && !files.has(py)) return fail(res, 400, "RESOURCE_DOES_NOT_EXIST", `File ${py} does not exist.`);
      }
      const tok = body["idempotency_token"];
      if (typeof tok === "string") {
        if (tok.length > 64) return fail(res, 400, "INVALID_PARAMETER_VALUE", "idempotency_token is longer than 64 characters");
        const existing = tokens.get(tok);
        if (existing !== undefined) return send(res, 200, { run_id: existing });
      }
      const run: StandinRun = { run_id: ++nextId, run_name: String(body["run_name"] ?? ""), tasks: tasks as Record<string, unknown>[], polls: 0, cancelled: false, life: "PENDING" };
      runs.set(run.run_id, run);
      if (typeof tok === "string") tokens.set(tok, run.run_id);
      return send(res, 200, { run_id: run.run_id });
    }
    if (req.method === "GET" && p === "/jobs/runs/get") {
      const run = runs.get(Number(url.searchParams.get("run_id")));
      if (!run) return fail(res, 400, "INVALID_PARAMETER_VALUE", `Run ${url.searchParams.get("run_id")} does not exist.`);
      const out = view(run);
      advance(run);
      return send(res, 200, out);
    }
    if (req.method === "POST" && p === "/jobs/runs/cancel") {
      const run = runs.get(Number(body["run_id"]));
      if (!run) return fail(res, 400, "INVALID_PARAMETER_VALUE", `Run ${String(body["run_id"])} does not exist.`);
      if (run.life !== "TERMINATED") run.cancelled = true;
      return send(res, 200, {});
    }
    if (req.method === "POST" && p === "/jobs/create") {
      if (typeof body["name"] !== "string") return fail(res, 400, "INVALID_PARAMETER_VALUE", "name is required");
      const id = ++nextId;
      jobs.set(id, body);
      return send(res, 200, { job_id: id });
    }
    if (req.method === "GET" && p === "/jobs/get") {
      const id = Number(url.searchParams.get("job_id"));
      const job = jobs.get(id);
      if (!job) return fail(res, 400, "INVALID_PARAMETER_VALUE", `Job ${id} does not exist.`);
      return send(res, 200, { job_id: id, settings: job });
    }
    if (req.method === "POST" && p === "/jobs/run-now") {
      const job = jobs.get(Number(body["job_id"]));
      if (!job) return fail(res, 400, "INVALID_PARAMETER_VALUE", `Job ${String(body["job_id"])} does not exist.`);
      const run: StandinRun = { run_id: ++nextId, run_name: String(job["name"]), tasks: (job["tasks"] as Record<string, unknown>[]) ?? [], polls: 0, cancelled: false, life: "PENDING" };
      runs.set(run.run_id, run);
      return send(res, 200, { run_id: run.run_id, number_in_job: run.run_id });
    }
    return fail(res, 404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${url.pathname}'`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => fail(res, 500, "INTERNAL_ERROR", String(err)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as JobsStandin;
}
