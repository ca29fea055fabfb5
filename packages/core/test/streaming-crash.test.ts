import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { jsonDataFiles } from "../src/index.js";

const child = fileURLToPath(new URL("./streaming-crash-child.ts", import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function runChild(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("streaming crash (SIGKILL)", () => {
  it("a process killed after the json sink committed epoch N but before commits/N; the restart leaves every row once, in order", async () => {
    const base = await mkdtemp(join(tmpdir(), "mmspark-crash-"));
    dirs.push(base);
    const out = join(base, "out");
    const ckpt = join(base, "ckpt");
    const killed = await runChild(["--out", out, "--checkpoint", ckpt, "--kill-after-epoch", "2"]);
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    expect((await readdir(join(ckpt, "offsets"))).sort()).toEqual(["0", "1", "2"]);
    expect((await readdir(join(ckpt, "commits"))).sort()).toEqual(["0", "1"]);

    const resumed = await runChild(["--out", out, "--checkpoint", ckpt, "--until", "200"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const { total } = JSON.parse(resumed.stdout.trim()) as { total: number };
    expect(total).toBeGreaterThanOrEqual(200);

    const values: number[] = [];
    for (const f of await jsonDataFiles(out)) {
      for (const line of (await readFile(join(out, f), "utf8")).split("\n")) if (line) values.push((JSON.parse(line) as { value: number }).value);
    }
    expect(values).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});
