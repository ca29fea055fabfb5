import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogger } from "@macrometa-spark/core";
import { DatabricksJobsClient, JobsApiError, generatePySpark, submitJob, JobSpecError, type MmsparkJob } from "../src/index.js";
import { startJobsStandin, type JobsStandin } from "./support/jobs-standin.js";

const fastRetry = { initialDelayMs: 5, maxDelayMs: 50, maxElapsedMs: 10_000 };

const batchJob: MmsparkJob = {
  name: "orders to delta",
  source: {
    format: "com.macrometa.spark.collection",
    options: { regionUrl: "play.paas.macrometa.io", apiKey: "{{secrets/mm/apikey}}", fabric: "_system", collection: "orders", batchSize: 1000, bindVars: { min: 3 } },
  },
  sink: { format: "databricks", options: { catalog: "main", schema: "sales", table: "orders", mergeKeys: ["_key"], deleteFlagColumn: "_delete" }, mode: "append" },
};

describe("Databricks Jobs client against the documented contract", () => {
  let standin: JobsStandin;
  beforeAll(async () => {
    standin = await startJobsStandin();
  });
  afterAll(async () => {
    await standin.close();
  });

  it("submits once per idempotency token, polls to TERMINATED and reports the result state", async () => {
    const client = new DatabricksJobsClient({ host: standin.url, token: standin.token, retry: fastRetry });
    const states: string[] = [];
    const run = await submitJob({
      client,
      job: batchJob,
      logger: createMemoryLogger(),
      idempotencyToken: "tok-1",
      pollMs: { initial: 1, max: 5 },
      onState: (r) => states.push(r.state.life_cycle_state),
    });
    expect("state" in run && run.state.result_state).toBe("SUCCESS");
    expect(states).toEqual(["PENDING", "RUNNING", "TERMINATING", "TERMINATED"]);
    const again = await client.submitRun({ run_name: "x", tasks: [{ task_key: "t" }], idempotency_token: "tok-1" });
    expect(again.run_id).toBe(run.run_id);
    const submitted = standin.runs.get(run.run_id)!;
    const task = submitted.tasks[0] as { libraries: { jar: string }[]; spark_python_task: { python_file: string } };
    expect(task.libraries[0]!.jar).toMatch(/\.jar$/);
    const source = standin.files.get(task.spark_python_task.python_file);
    expect(source).toContain("com.macrometa.spark.collection.MacrometaTableProvider");
    await client.close();
  });

  it("honours 429 Retry-After as the floor of the next attempt", async () => {
    const client = new DatabricksJobsClient({ host: standin.url, token: standin.token, retry: fastRetry });
    standin.throttleNext(2, 1);
    const before = standin.requests.length;
    const started = Date.now();
    const { job_id } = await client.createJob({ name: "throttled", tasks: [] });
    const attempts = standin.requests.slice(before).filter((r) => r.path.endsWith("/jobs/create"));
    expect(attempts).toHaveLength(3);
    // Two waits of at least Retry-After (1 s) each between the three attempts.
    expect(attempts[2]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect((await client.getJob(job_id))["job_id"]).toBe(job_id);
    await client.close();
  });

  it("surfaces error envelopes with error_code, and never the token", async () => {
    const client = new DatabricksJobsClient({ host: standin.url, token: standin.token, retry: fastRetry });
    const err = await client.getRun(424242).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobsApiError);
    expect((err as JobsApiError).errorCode).toBe("INVALID_PARAMETER_VALUE");
    expect((err as JobsApiError).status).toBe(400);
    const bad = new DatabricksJobsClient({ host: standin.url, token: "dapi-wrong-secret-value", retry: fastRetry });
    const authErr = (await bad.getRun(1).catch((e: unknown) => e)) as JobsApiError;
    expect(authErr.errorCode).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(authErr.toJSON()) + authErr.message + String(authErr.stack)).not.toContain("dapi-wrong-secret-value");
    await client.close();
    await bad.close();
  });

  it("cancels the run when aborted (Ctrl-C) and reports CANCELED", async () => {
    const client = new DatabricksJobsClient({ host: standin.url, token: standin.token, retry: fastRetry });
    standin.pollsPerState = 1000;
    const ac = new AbortController();
    const seen = submitJob({
      client,
      job: batchJob,
      logger: createMemoryLogger(),
      signal: ac.signal,
      pollMs: { initial: 1, max: 5 },
      onState: (r) => {
        if (r.state.life_cycle_state === "PENDING") {
          ac.abort();
          standin.pollsPerState = 1;
        }
      },
    });
    const run = await seen;
    standin.pollsPerState = 1;
    expect("state" in run && run.state.result_state).toBe("CANCELED");
    await client.close();
  });
});

describe("generated PySpark", () => {
  it("compiles with python3 -m py_compile and carries exactly the job's options", () => {
    const source = generatePySpark(batchJob);
    const dir = mkdtempSync(join(tmpdir(), "mmspark-py-"));
    const file = join(dir, "task.py");
    writeFileSync(file, source);
    execFileSync("python3", ["-m", "py_compile", file]);
    // Evaluate the option literals in Python (dbutils stubbed) and compare with the spec.
    const probe = `
import json, sys, types
class _S:
    def get(self, scope, key): return "{{secrets/%s/%s}}" % (scope, key)
dbutils = types.SimpleNamespace(secrets=_S())
ns = {"dbutils": dbutils}
body = open(sys.argv[1]).read()
start = body.index("SOURCE_FORMAT =")
end = body.index("MERGE_KEYS =")
exec(body[start:end], ns)
print(json.dumps({"source": ns["SOURCE_OPTIONS"], "sink": ns["SINK_OPTIONS"], "format": ns["SOURCE_FORMAT"], "mode": ns["SINK_MODE"]}))
`;
    const out = JSON.parse(execFileSync("python3", ["-c", probe, file], { encoding: "utf8" }));
    expect(out.source).toEqual(batchJob.source!.options);
    expect(out.sink).toEqual(batchJob.sink!.options);
    expect(out.format).toBe("com.macrometa.spark.collection.MacrometaTableProvider");
    expect(out.mode).toBe("append");
  });

  it("refuses literal secrets unless explicitly allowed, and quotes hostile strings safely", () => {
    const job: MmsparkJob = {
      name: "x",
      source: { format: "com.macrometa.spark.collection", options: { regionUrl: "r", collection: "c", apiKey: "tenant.key.secret" } },
      sink: { format: "json", options: { path: "/tmp/out" } },
    };
    expect(() => generatePySpark(job)).toThrow(JobSpecError);
    const hostile: MmsparkJob = {
      name: 'evil"""\nimport os',
      source: { format: "com.macrometa.spark.collection", options: { regionUrl: "r", collection: "c", query: "FOR d IN c FILTER d.x == \"'''\\n\" RETURN d" } },
      sink: { format: "json", options: { path: "/tmp/out" } },
    };
    const source = generatePySpark(hostile);
    const dir = mkdtempSync(join(tmpdir(), "mmspark-py-"));
    writeFileSync(join(dir, "t.py"), source);
    execFileSync("python3", ["-m", "py_compile", join(dir, "t.py")]);
    expect(source).not.toMatch(/^import os/m);
  });
});

describe("Jobs client transport", () => {
  it("refuses plain http to a remote workspace (the token would travel in clear)", () => {
    expect(() => new DatabricksJobsClient({ host: "http://dbc-1.cloud.databricks.com", token: "t" })).toThrow(/plain http would send the token in clear/);
    expect(() => new DatabricksJobsClient({ host: "http://127.0.0.1:9", token: "t" })).not.toThrow();
  });
});

describe("Jobs client and a workspace that echoes the token", () => {
  it("masks the token in the error", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error_code: "PERMISSION_DENIED", message: `Token ${String(req.headers.authorization).slice(7)} is not allowed` }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const client = new DatabricksJobsClient({ host: `http://127.0.0.1:${port}`, token: "plain-token-without-pattern", retry: fastRetry });
    try {
      const err = (await client.getRun(1).catch((e: unknown) => e)) as JobsApiError;
      expect(err.errorCode).toBe("PERMISSION_DENIED");
      expect(err.message).toContain("is not allowed");
      expect(`${err.message}${JSON.stringify(err.toJSON())}${String(err.stack)}`).not.toContain("plain-token-without-pattern");
    } finally {
      await client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("generated PySpark with hostile names", () => {
  it("quotes merge keys, the delete flag and table parts as identifiers, and compiles", () => {
    const job: MmsparkJob = {
      name: "odd names",
      source: { format: "com.macrometa.spark.collection", options: { regionUrl: "r", collection: "c" } },
      sink: { format: "databricks", options: { table: "main.`we.ird`.`t``x`", mergeKeys: ["a`b", "c.d"], deleteFlagColumn: "del`" }, mode: "append" },
    };
    const source = generatePySpark(job);
    expect(source).toContain('TARGET_TABLE = "`main`.`we.ird`.`t``x`"');
    expect(source).toContain('MERGE_KEYS = ["a`b", "c.d"]');
    expect(source).toContain("return '`' + name.replace('`', '``') + '`'");
    expect(source).not.toMatch(/f't\.`\{k\}`/);
    const dir = mkdtempSync(join(tmpdir(), "mmspark-py-"));
    writeFileSync(join(dir, "odd.py"), source);
    execFileSync("python3", ["-m", "py_compile", join(dir, "odd.py")]);
    // q() as generated, run in Python: a backtick in a name cannot close the quoting.
    const out = execFileSync("python3", ["-c", "def q(name):\n    return '`' + name.replace('`', '``') + '`'\nprint(q('a`b'))"], { encoding: "utf8" }).trim();
    expect(out).toBe("`a``b`");
  });
});
