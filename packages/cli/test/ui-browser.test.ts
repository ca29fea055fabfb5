/**
 * The monitoring page in a real browser: Debian's headless Chromium driven by playwright-core loads
 * `mmspark run JOB.json --ui 0` while a stream job runs against local-gdn and local-warehouse,
 * sees the charts get a point per batch as batches commit (server-sent events), shows the same
 * numbers as `GET /api/queries` (rates, rows, lag, rejected counts with the refused messages' ids),
 * and stops with the job. A second test opens `mmspark demo --ui 0 --keep-running` for the batch
 * progress card and a phone-sized screenshot. Screenshots go to test-artifacts/ui/.
 *
 * Chromium must be installed (.ci/run installs Debian's `chromium`); without it this test fails.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import type { MmsparkJob } from "../src/index.js";
import { waitFor } from "../src/runner/watch.js";
import { capture } from "./support/capture.js";
import { usePeers } from "./support/peers.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/ui/", import.meta.url));

const peers = usePeers({ schema: "ui", dir: "mmspark-ui-" });
let browser: Browser | undefined;

/**
 * The browser, started by the first test that needs it: a missing Chromium then fails each test
 * (a failing beforeAll would only mark them skipped).
 */
async function theBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  // Root in a container: Chromium's sandbox needs user namespaces it may not get.
  browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  return browser;
}

beforeAll(() => {
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});


/** A page that records console errors and uncaught exceptions (a CSP violation shows up there). */
async function openPage(url: string, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await (await theBrowser()).newPage({ viewport });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(url);
  return { page, problems };
}

// Page-side callbacks get their elements from playwright (tests are type-checked without the DOM library).
/** Waits until the page's "rows (shown batches)" figure reads `n`. */
const totalShown = (page: Page, n: number) => page.waitForSelector(`[data-kpi="total"]:text-is("${n}")`, { timeout: 30_000 });

it("shows a running stream job live, with the numbers of /api/queries, and stops with the job", async () => {
  await theBrowser();
  const topic = await peers.http.createStream("ui_clicks", false);
  const publish = async (from: number, n: number, bad: string[]) => {
    for (let i = from; i < from + n; i++) await peers.http.publish(topic, JSON.stringify({ id: i, v: `v${i}` }), false);
    for (const b of bad) await peers.http.publish(topic, b, false);
  };
  const file = join(peers.dir, "stream.json");
  const job: MmsparkJob = {
    name: "clicks-to-delta",
    kind: "stream",
    source: {
      format: "com.macrometa.spark.stream",
      // schemaEvolutionMode none keeps the parse mode in charge of retyped values: with a rescued-data
      // column, a value of another type is rescued, not dropped (Databricks' JSON reader, "Rescued data column").
      options: { regionUrl: peers.gdn.url, apiKey: peers.gdn.apiKey, stream: "ui_clicks", replication: "local", subscriptionName: "ui-test", mode: "DROPMALFORMED", schemaEvolutionMode: "none" },
      schema: "id BIGINT, v STRING",
    },
    sink: { format: "databricks", options: { ...peers.dbx, table: "clicks", mergeKeys: "id" } },
    trigger: { processingTime: 50 },
    checkpointLocation: join(peers.dir, "clicks-cp"),
  };
  writeFileSync(file, JSON.stringify(job));
  await publish(1, 10, ["not json at all"]);

  const c = capture();
  const ctl = new AbortController();
  const done = main(["run", file, "--ui", "0"], c.io, ctl.signal);
  await waitFor(() => /UI: http:\/\/127\.0\.0\.1:\d+\/\n/.test(c.err()) || c.err().includes("mmspark run:"), "the UI line", 30_000);
  const url = /UI: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(c.err())?.[1];
  expect(url, c.err()).toBeDefined();

  const { page, problems } = await openPage(url!, { width: 1280, height: 900 });
  try {
    await page.waitForSelector("[data-query-id]");
    // Three waves, each waited for on the page itself: at least three batches, drawn as they commit.
    await totalShown(page, 10);
    await publish(11, 15, ['{"id":"eleven","v":1}']);
    await totalShown(page, 25);
    await publish(26, 5, []);
    await totalShown(page, 30);
    await expect.poll(() => page.$eval(".query .pill.status", (e) => e.textContent), { timeout: 10_000 }).toBe("active");
    // Rejections come with the progress report of their batch; both refused messages are counted by now.
    await expect.poll(() => page.$$eval("[data-counter] td.num", (els) => els.reduce((n, e) => n + Number(e.textContent), 0)), { timeout: 30_000 }).toBe(2);

    const api = (await (await fetch(url + "api/queries")).json()) as {
      id: string;
      runId: string;
      name: string | null;
      status: { isActive: boolean };
      trigger: string;
      source: string;
      sink: string;
      rejections: { counter: string; count: number; keys: string[] }[];
      recentProgress: { batchId: number; numInputRows: number; inputRowsPerSecond: number; processedRowsPerSecond: number; durationMs: { triggerExecution: number }; sources: { metrics: Record<string, number> }[] }[];
    }[];
    expect(api).toHaveLength(1);
    const q = api[0]!;
    const rp = q.recentProgress;
    expect(rp.length).toBeGreaterThanOrEqual(3);
    expect(rp.reduce((n, p) => n + p.numInputRows, 0)).toBe(30);
    expect(q).toMatchObject({ status: { isActive: true }, trigger: "ProcessingTime(50 ms)", sink: "databricks[main.ui.clicks]" });
    expect(q.source).toContain("ui_clicks");

    // The page shows what the API says.
    const shown = await page.$eval(`[data-query-id="${q.id}"]`, (card) => {
      const kpi = (k: string) => card.querySelector(`[data-kpi="${k}"]`)!.textContent!;
      const field = (k: string) => card.querySelector(`[data-field="${k}"]`)!.textContent!;
      const charts = [...card.querySelectorAll("[data-chart]")].map((b: typeof card) => ({
        key: b.dataset["chart"]!,
        points: Number(b.dataset["points"]),
        canvas: b.querySelector("canvas")?.width ?? 0,
      }));
      const rejections = [...card.querySelectorAll("[data-counter]")].map((r: typeof card) => ({
        counter: r.dataset["counter"]!,
        count: Number(r.querySelector("td.num")!.textContent),
        keys: r.querySelector("td.keys")!.textContent!,
      }));
      return {
        batch: kpi("batch"), rows: kpi("rows"), input: kpi("input"), processed: kpi("processed"), duration: kpi("duration"), lag: kpi("lag"), total: kpi("total"),
        id: field("id"), runId: field("runId"), trigger: field("trigger"), source: field("source"), sink: field("sink"), charts, rejections,
      };
    });
    const last = rp.at(-1)!;
    const one = (x: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(x);
    // Whole numbers as the page groups them (a 1101 ms batch reads "1,101 ms").
    const whole = (x: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(x);
    expect(shown).toMatchObject({
      batch: String(last.batchId),
      rows: whole(last.numInputRows),
      input: one(last.inputRowsPerSecond),
      processed: one(last.processedRowsPerSecond),
      duration: `${whole(last.durationMs.triggerExecution)} ms`,
      lag: whole(Number(last.sources[0]!.metrics["bufferedMessages"])),
      total: "30",
      id: q.id,
      runId: q.runId,
      trigger: q.trigger,
      source: q.source,
      sink: q.sink,
    });
    // Every chart holds one point per batch the API reports, and uPlot drew its canvas.
    expect(shown.charts.map((ch) => ch.key)).toEqual(["input-rate", "process-rate", "duration", "rows", "lag"]);
    for (const ch of shown.charts) {
      expect(ch.points, ch.key).toBe(rp.length);
      expect(ch.canvas, ch.key).toBeGreaterThan(0);
    }
    // Refused messages: the API's counters, with the refused messages' ids as sample keys, on the page.
    expect(q.rejections.reduce((n, r) => n + r.count, 0)).toBe(2);
    expect(shown.rejections.map(({ counter, count }) => ({ counter, count }))).toEqual(q.rejections.map(({ counter, count }) => ({ counter, count })));
    for (const r of q.rejections) {
      expect(r.keys.length, r.counter).toBeGreaterThan(0);
      expect(shown.rejections.find((s) => s.counter === r.counter)!.keys).toBe(r.keys.join(", "));
    }

    expect(await page.$eval("#conn", (e) => e.textContent)).toBe("live");
    await page.screenshot({ path: join(ARTIFACTS, "stream-job.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, "stream-job-phone.png") }); // the first screen a phone shows
    expect(problems).toEqual([]);
  } finally {
    ctl.abort();
  }
  expect(await done).toBe(0);
  expect(c.out()).toContain("clicks-to-delta (stream): 30 rows");
  // The server stopped with the job: the page loses its event stream and the port is closed.
  await expect(fetch(url! + "api/queries")).rejects.toThrow();
  await expect.poll(() => page.$eval("#conn", (e) => e.textContent), { timeout: 10_000 }).not.toBe("live");
  await page.close();
});

it("shows the demo's batch progress and both of its queries, readable on a phone", async () => {
  await theBrowser();
  const c = capture();
  const ctl = new AbortController();
  const done = main(["demo", "--ui", "0", "--keep-running"], c.io, ctl.signal);
  try {
    await waitFor(() => c.err().includes("local peers still up") || c.err().includes("mmspark demo:"), "the demo to finish its jobs", 120_000);
    const url = /UI: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(c.err())?.[1];
    expect(url, c.err()).toBeDefined();
    const { page, problems } = await openPage(url!, { width: 390, height: 844 });
    await page.waitForSelector("[data-query-id]");
    const state = (await (await fetch(url + "api/state")).json()) as { job: { name: string }; batches: { phase: string; rows: number; total: number | null; fraction: number | null; finished: boolean }[]; queries: { name: string | null; status: { isActive: boolean }; recentProgress: unknown[] }[] };
    expect(state.job.name).toBe("demo");
    // Step 1 of the demo is a batch write of a 64-document collection, with its count known.
    expect(state.batches).toEqual([expect.objectContaining({ phase: "customers -> main.demo.customers", rows: 64, total: 64, fraction: 1, finished: true })]);
    expect(state.queries).toHaveLength(2);
    for (const q of state.queries) expect(q.status.isActive).toBe(false);
    const card = await page.$eval('[data-phase="customers -> main.demo.customers"] .nums', (e) => e.textContent);
    expect(card).toBe(`64 / 64 rows · 100% · ${card!.split(" · ")[2]} · done`);
    const pages = await page.$$eval("[data-query-id]", (cards) => cards.map((e) => ({ status: e.querySelector(".pill.status")!.textContent, points: Number(e.querySelector('[data-chart="rows"]').dataset["points"]) })));
    expect(pages).toEqual(state.queries.map((q) => ({ status: "stopped", points: q.recentProgress.length })));
    // Phone width: nothing wider than the screen.
    expect(await page.$eval("html", (e) => e.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "demo-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  } finally {
    ctl.abort();
  }
  expect(await done).toBe(0);
});
