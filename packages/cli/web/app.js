// The monitoring page: keeps the job's state from server-sent events (api/events: the whole state,
// then one event per change) and draws each streaming query's charts with uPlot.
/* global uPlot */
"use strict";

/** Points kept per query in the page (more than the server's recentProgress, so charts cover longer). */
const MAX_POINTS = 600;
const PHASES = ["latestOffset", "walCommit", "addBatch", "commitOffsets", "commit"];
const PALETTE = { input: "#2f6fdf", processed: "#1a9c6b", rows: "#7a55c7", lag: "#d9822b", phases: ["#8fb3f0", "#f2c14e", "#2f6fdf", "#a4d49b", "#1a9c6b", "#c9c9c9"] };

const state = { job: null, queries: new Map(), batches: new Map(), warnings: [] };
const views = new Map();
const nf = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// ---- state -------------------------------------------------------------------------------------

function upsertQuery(meta) {
  const q = state.queries.get(meta.id) ?? { meta, progress: [] };
  q.meta = meta;
  state.queries.set(meta.id, q);
  return q;
}

function addProgress(q, p) {
  const last = q.progress[q.progress.length - 1];
  if (last && last.runId === p.runId && last.batchId >= p.batchId) return; // already have it (state + event overlap)
  q.progress.push(p);
  if (q.progress.length > MAX_POINTS) q.progress.splice(0, q.progress.length - MAX_POINTS);
}

function applyState(s) {
  state.job = s.job;
  for (const v of s.queries) {
    const { recentProgress, ...meta } = v;
    const q = upsertQuery(meta);
    for (const p of recentProgress) addProgress(q, p);
  }
  state.batches = new Map(s.batches.map((b) => [b.phase, b]));
  state.warnings = s.warnings;
}

// ---- rendering ---------------------------------------------------------------------------------

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

function render() {
  if (state.job) {
    $("#job-name").textContent = state.job.name;
    $("#job-kind").textContent = `${state.job.kind} job`;
    $("#job-started").textContent = `· started ${new Date(state.job.startedAt).toLocaleTimeString()}`;
    document.title = `${state.job.name} · mmspark`;
  }
  renderBatches();
  for (const q of state.queries.values()) renderQuery(q);
  $("#empty").hidden = state.queries.size > 0 || state.batches.size > 0;
  renderWarnings();
}

function renderBatches() {
  const box = $("#batches");
  for (const b of state.batches.values()) {
    let card = box.querySelector(`[data-phase="${CSS.escape(b.phase)}"]`);
    if (!card) {
      card = el("article", { class: "card batch", "data-phase": b.phase },
        el("h2", { text: b.phase }),
        el("div", { class: "bar" }, el("div", { class: "fill" })),
        el("p", { class: "nums" }));
      box.append(card);
    }
    const pct = b.fraction == null ? null : Math.round(b.fraction * 100);
    card.querySelector(".fill").style.width = pct == null ? "100%" : `${pct}%`;
    card.querySelector(".bar").classList.toggle("unknown", pct == null && !b.finished);
    const parts = [
      `${nf.format(b.rows)}${b.total != null ? ` / ${nf.format(b.total)}` : ""} rows`,
      pct != null ? `${pct}%` : null,
      `${nf.format(b.rowsPerSecond)} rows/s`,
      b.finished ? "done" : b.etaSeconds != null ? `ETA ${nf1.format(b.etaSeconds)} s` : null,
    ].filter(Boolean);
    card.querySelector(".nums").textContent = parts.join(" · ");
    card.dataset.rows = String(b.rows);
  }
}

function kpi(name, label) {
  return el("div", { class: "kpi" }, el("span", { class: "label", text: label }), el("span", { class: "value", "data-kpi": name, text: "–" }));
}

function createQueryView(q) {
  const id = q.meta.id;
  const charts = el("div", { class: "charts" });
  const card = el("article", { class: "card query", "data-query-id": id },
    el("div", { class: "qhead" },
      el("h2", { class: "qname" }),
      el("span", { class: "pill status" })),
    el("p", { class: "status-msg muted" }),
    el("dl", { class: "meta" }),
    el("div", { class: "kpis" },
      kpi("batch", "Last batch"), kpi("rows", "Rows, last batch"), kpi("input", "Input rows/s"), kpi("processed", "Processed rows/s"),
      kpi("duration", "Batch duration"), kpi("lag", "Lag (messages)"), kpi("total", "Rows (shown batches)")),
    el("div", { class: "error", hidden: "" }),
    charts,
    el("h3", { text: "Rejected and malformed input" }),
    el("div", { class: "rejections" }));
  $("#queries").append(card);
  const v = { card, charts: [], id };
  const spec = [
    ["input-rate", "Input rate (rows/s)", [{ label: "input rows/s", stroke: PALETTE.input, fill: PALETTE.input + "22" }], (p) => [p.inputRowsPerSecond]],
    ["process-rate", "Processing rate (rows/s)", [{ label: "processed rows/s", stroke: PALETTE.processed, fill: PALETTE.processed + "22" }], (p) => [p.processedRowsPerSecond]],
    ["duration", "Batch duration by phase (ms)", null, null],
    ["rows", "Rows per batch", [{ label: "input rows", stroke: PALETTE.rows, fill: PALETTE.rows + "55", paths: uPlot.paths.bars({ size: [0.6, 24] }), points: { show: false } }], (p) => [p.numInputRows]],
    ["lag", "Lag: messages waiting in the source", [{ label: "buffered", stroke: PALETTE.lag, fill: PALETTE.lag + "22" }], (p) => [lagOf(p)]],
  ];
  for (const [key, title, series, pick] of spec) {
    const box = el("div", { class: "chart", "data-chart": key, "data-points": "0" }, el("h4", { text: title }));
    charts.append(box);
    const isStack = key === "duration";
    const plot = isStack ? makeStackPlot(box) : makePlot(box, series);
    v.charts.push({ key, box, plot, pick, isStack });
  }
  new ResizeObserver(() => {
    for (const c of v.charts) c.plot.setSize(sizeOf(c.box));
  }).observe(charts);
  views.set(id, v);
  return v;
}

function lagOf(p) {
  let has = false;
  let n = 0;
  for (const s of p.sources) {
    const b = s.metrics && s.metrics.bufferedMessages;
    if (typeof b === "number") {
      has = true;
      n += b;
    }
  }
  return has ? n : null;
}

function sizeOf(box) {
  return { width: Math.max(200, box.clientWidth - 2), height: 170 };
}

function axisColors() {
  const cs = getComputedStyle(document.documentElement);
  return { fg: cs.getPropertyValue("--muted").trim() || "#666", grid: cs.getPropertyValue("--grid").trim() || "#e5e5e5" };
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
function axes() {
  const c = axisColors();
  const a = { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  return [
    // Wall-clock seconds: batches are seconds apart, and the date is on the page header already.
    { ...a, space: 70, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600], values: (u, vals) => vals.map((t) => clock.format(t * 1000)) },
    { ...a, size: 52, values: (u, vals) => vals.map((x) => (Math.abs(x) >= 10000 ? nf.format(x / 1000) + "k" : nf1.format(x))) },
  ];
}

/** Room on both sides of the first and last batch, so edge points and bars are not cut. */
function xRange(u, min, max) {
  if (min == null || max == null) return [0, 1];
  const pad = Math.max((max - min) * 0.04, 0.5);
  return [min - pad, max + pad];
}

function makePlot(box, series) {
  const opts = {
    ...sizeOf(box),
    // One series: the chart's title names it; the values are in the figures above.
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: xRange }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: axes(),
    series: [{}, ...series.map((s) => ({ width: 2, points: { show: true, size: 4 }, value: (u, v) => (v == null ? "–" : nf1.format(v)), ...s }))],
  };
  return new uPlot(opts, [[], ...series.map(() => [])], box);
}

// Stacked areas: each phase's series holds the running sum up to it, drawn top (total) first so the
// smaller sums paint over it.
const STACK = [...PHASES, "other"];
function makeStackPlot(box) {
  const order = [...STACK].reverse();
  const opts = {
    ...sizeOf(box),
    // A colour key (values would only show under the cursor, which a phone does not have).
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: xRange }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: axes(),
    series: [
      {},
      ...order.map((name) => ({
        label: name,
        stroke: PALETTE.phases[STACK.indexOf(name)],
        fill: PALETTE.phases[STACK.indexOf(name)],
        width: 1,
        points: { show: false },
      })),
    ],
  };
  return new uPlot(opts, [[], ...order.map(() => [])], box);
}

function stackData(progress) {
  const raw = STACK.map(() => []);
  for (const p of progress) {
    const d = p.durationMs;
    let sum = 0;
    PHASES.forEach((ph, i) => {
      raw[i].push(d[ph] ?? 0);
      sum += d[ph] ?? 0;
    });
    raw[PHASES.length].push(Math.max(0, (d.triggerExecution ?? 0) - sum)); // time outside the named phases
  }
  const cum = [];
  let acc = progress.map(() => 0);
  for (const r of raw) {
    acc = acc.map((a, i) => a + r[i]);
    cum.push(acc);
  }
  return { cumTopFirst: [...cum].reverse() };
}

function renderQuery(q) {
  const v = views.get(q.meta.id) ?? createQueryView(q);
  const m = q.meta;
  const c = v.card;
  $(".qname", c).textContent = m.name ?? "(unnamed query)";
  const st = $(".status", c);
  const failed = !!m.exception;
  st.textContent = failed ? "failed" : m.status.isActive ? "active" : "stopped";
  st.className = `pill status ${failed ? "bad" : m.status.isActive ? "ok" : "wait"}`;
  $(".status-msg", c).textContent = m.status.message;
  const meta = $(".meta", c);
  meta.replaceChildren(
    ...[
      ["id", m.id],
      ["runId", m.runId],
      ["trigger", m.trigger ?? "–"],
      ["source", m.source ?? "–"],
      ["sink", m.sink ?? "–"],
    ].flatMap(([k, val]) => [el("dt", { text: k }), el("dd", { text: val, "data-field": k })]),
  );

  const last = q.progress[q.progress.length - 1];
  const set = (k, text) => ($(`[data-kpi="${k}"]`, c).textContent = text);
  set("batch", last ? String(last.batchId) : "–");
  set("rows", last ? nf.format(last.numInputRows) : "–");
  set("input", last ? nf1.format(last.inputRowsPerSecond) : "–");
  set("processed", last ? nf1.format(last.processedRowsPerSecond) : "–");
  set("duration", last ? `${nf.format(last.durationMs.triggerExecution)} ms` : "–");
  const lag = last ? lagOf(last) : null;
  set("lag", lag == null ? "–" : nf.format(lag));
  set("total", nf.format(q.progress.reduce((n, p) => n + p.numInputRows, 0)));

  const err = $(".error", c);
  err.hidden = !m.exception;
  err.textContent = m.exception ? `Last error: ${m.exception}` : "";

  const rej = $(".rejections", c);
  if (!m.rejections.length) rej.replaceChildren(el("p", { class: "muted", text: "none so far" }));
  else
    rej.replaceChildren(
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", { text: "counter" }), el("th", { text: "count" }), el("th", { text: "sample keys" }), el("th", { text: "reason" }))),
        el("tbody", {}, ...m.rejections.map((r) =>
          el("tr", { "data-counter": r.counter }, el("td", { text: r.counter }), el("td", { class: "num", text: nf.format(r.count) }), el("td", { class: "keys", text: r.keys.join(", ") || "–" }), el("td", { text: r.reason ?? "" }))))),
    );

  const xs = q.progress.map((p) => Date.parse(p.timestamp) / 1000);
  for (const ch of v.charts) {
    if (ch.isStack) {
      const { cumTopFirst } = stackData(q.progress);
      ch.plot.setData([xs, ...cumTopFirst]);
    } else {
      const cols = [];
      for (const p of q.progress) ch.pick(p).forEach((val, i) => (cols[i] ??= []).push(val));
      ch.plot.setData([xs, ...(cols.length ? cols : ch.plot.series.slice(1).map(() => []))]);
    }
    ch.box.dataset.points = String(ch.plot.data[0].length); // what uPlot holds, for the browser test
  }
}

function renderWarnings() {
  const box = $("#warnings-box");
  box.hidden = state.warnings.length === 0;
  $("#warnings").replaceChildren(
    ...state.warnings
      .slice()
      .reverse()
      .map((w) => el("li", { class: w.level }, el("time", { text: new Date(w.at).toLocaleTimeString() }), ` ${w.message}`, w.key ? el("code", { text: w.key }) : null)),
  );
}

// ---- live updates ------------------------------------------------------------------------------

function connect() {
  const conn = $("#conn");
  const es = new EventSource("api/events");
  const on = (type, fn) => es.addEventListener(type, (e) => {
    fn(JSON.parse(e.data));
    scheduleRender();
  });
  on("state", applyState);
  on("progress", (c) => addProgress(upsertQuery(c.query), c.progress));
  on("query", (c) => upsertQuery(c.query));
  on("batch", (c) => state.batches.set(c.batch.phase, c.batch));
  on("warning", (c) => {
    state.warnings.push(c.warning);
    if (state.warnings.length > 20) state.warnings.shift();
  });
  es.onopen = () => {
    conn.textContent = "live";
    conn.className = "pill ok";
  };
  es.onerror = () => {
    conn.textContent = es.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting";
    conn.className = "pill wait";
  };
}

connect();
