/**
 * What the monitoring page shows, gathered while a job runs: each streaming query (its progress
 * reports, status, rejected counts with sample keys, last error), a batch job's progress-bar data,
 * and recent warnings. Changes are emitted as `"change"` events, which the server relays to the
 * page (server-sent events).
 * @packageDocumentation
 */
import { EventEmitter } from "node:events";
import { errorMessage, redactFields, redactText, type LogFields, type Logger, type QueryProgress, type QueryStatus, type StreamingQuery } from "@macrometa-spark/core";
import { Progress } from "../progress.js";
import { NOT_A_ROW_COUNTER, type RejectionReport } from "../runner/report.js";
import type { Io } from "../usage.js";

/** What the job spec says about a query (shown before its first batch reports descriptions). */
export interface QueryInfo {
  /** e.g. `processingTime 100 ms`, `availableNow`. */
  trigger?: string;
  source?: string;
  sink?: string;
}

/** One query on the page and in `GET /api/queries` (Spark's query fields plus what the page needs). */
export interface QueryView {
  id: string;
  runId: string;
  name: string | null;
  /** Spark's StreamingQueryStatus, plus whether the query still runs. */
  status: QueryStatus & { isActive: boolean };
  trigger: string | null;
  source: string | null;
  sink: string | null;
  /** ISO time the page first saw the query. */
  startedAt: string;
  /** The error that stopped the query (redacted), if any. */
  exception: string | null;
  /** Input that did not become a row: counters from the source's progress metrics, with sample keys from its warnings. */
  rejections: RejectionReport[];
  recentProgress: QueryProgress[];
}

/** A batch job's progress bar, as numbers. */
export interface BatchView {
  phase: string;
  rows: number;
  /** Known row total (then `fraction` and `etaSeconds` are set). */
  total: number | null;
  rowsPerSecond: number;
  fraction: number | null;
  etaSeconds: number | null;
  startedAt: string;
  finished: boolean;
}

export interface WarningView {
  at: string;
  level: "warn" | "error";
  message: string;
  /** The message id / document key the warning is about, when it names one. */
  key: string | null;
  fields: LogFields;
}

export interface JobView {
  name: string;
  kind: string;
  startedAt: string;
}

/** Everything the page needs at once (`GET /api/state`, and the first server-sent event). */
export interface MonitorState {
  job: JobView;
  queries: QueryView[];
  batches: BatchView[];
  warnings: WarningView[];
}

export type MonitorChange =
  | { type: "progress"; queryId: string; progress: QueryProgress; query: Omit<QueryView, "recentProgress"> }
  | { type: "query"; query: Omit<QueryView, "recentProgress"> }
  | { type: "batch"; batch: BatchView }
  | { type: "warning"; warning: WarningView };

interface Tracked {
  query: StreamingQuery;
  info: QueryInfo;
  startedAt: string;
  lastStatus: string;
  unsubscribe: () => void;
}

const WARNINGS_KEPT = 20;
const SAMPLES_PER_COUNTER = 5;
/** How often a running query's status line is re-read (it changes without an event). Unit: ms. */
const STATUS_POLL_MS = 500;

export class JobMonitor extends EventEmitter<{ change: [MonitorChange] }> {
  private readonly queries = new Map<string, Tracked>();
  private readonly batches = new Map<string, BatchView & { startMs: number }>();
  private readonly warnings: WarningView[] = [];
  /** Warnings that name a counter (e.g. `rejectedMessages`) and a key: the counter's sample keys. */
  private readonly samples = new Map<string, WarningView[]>();
  private readonly timer: NodeJS.Timeout;
  readonly job: JobView;

  constructor(job: { name: string; kind: string }) {
    super();
    this.job = { ...job, startedAt: new Date().toISOString() };
    this.timer = setInterval(() => this.pollStatus(), STATUS_POLL_MS);
    this.timer.unref();
  }

  /** Follows a query's progress and end until {@link close}. */
  trackQuery(query: StreamingQuery, info: QueryInfo = {}): void {
    if (this.queries.has(query.id)) this.queries.get(query.id)!.unsubscribe();
    const onProgress = (p: QueryProgress) => this.emit("change", { type: "progress", queryId: query.id, progress: p, query: this.describe(t) });
    const onEnd = () => this.emit("change", { type: "query", query: this.describe(t) });
    query.on("progress", onProgress);
    query.on("terminated", onEnd);
    const t: Tracked = {
      query,
      info,
      startedAt: new Date().toISOString(),
      lastStatus: "",
      unsubscribe: () => {
        query.off("progress", onProgress);
        query.off("terminated", onEnd);
      },
    };
    this.queries.set(query.id, t);
    this.emit("change", { type: "query", query: this.describe(t) });
  }

  /** The page's queries, with their progress reports (oldest first). */
  queryViews(): QueryView[] {
    return [...this.queries.values()].map((t) => ({ ...this.describe(t), recentProgress: [...t.query.recentProgress] }));
  }

  state(): MonitorState {
    return {
      job: this.job,
      queries: this.queryViews(),
      batches: [...this.batches.values()].map(({ startMs: _, ...b }) => b),
      warnings: [...this.warnings],
    };
  }

  /** A Progress that draws as usual and also feeds the page (batch rows; stream lines come from the query). */
  progressFor(io: Io, json: boolean): Progress {
    const onRows = (phase: string, done: number, total: number | undefined, force: boolean) => this.batchRows(phase, done, total, force);
    // Same mode and redraw interval as Progress.for; rows() is called unthrottled, so the page gets every tick.
    return new (class extends Progress {
      override rows(phase: string, done: number, total?: number, force = false): void {
        onRows(phase, done, total, force);
        super.rows(phase, done, total, force);
      }
    })(io, json ? "json" : io.isTTY ? "tty" : "plain", io.isTTY ? 100 : 2000);
  }

  /** A logger that forwards to `inner` and keeps warnings and errors for the page. */
  tapLogger(inner: Logger): Logger {
    return {
      debug: (m, f) => inner.debug(m, f),
      info: (m, f) => inner.info(m, f),
      warn: (m, f) => {
        this.noteWarning("warn", m, f);
        inner.warn(m, f);
      },
      error: (m, f) => {
        this.noteWarning("error", m, f);
        inner.error(m, f);
      },
    };
  }

  /** Stops following the queries. */
  close(): void {
    clearInterval(this.timer);
    for (const t of this.queries.values()) t.unsubscribe();
  }

  // ---- internals ----

  private batchRows(phase: string, rows: number, total: number | undefined, finished: boolean): void {
    const now = Date.now();
    const prev = this.batches.get(phase);
    const startMs = prev?.startMs ?? now;
    const secs = (now - startMs) / 1000;
    const rate = secs > 0 ? rows / secs : 0;
    const known = total !== undefined && total > 0;
    const b = {
      phase,
      rows,
      total: known ? total : null,
      rowsPerSecond: rate,
      fraction: known ? Math.min(1, rows / total) : null,
      etaSeconds: known && rate > 0 ? Math.max(0, (total - rows) / rate) : null,
      startedAt: prev?.startedAt ?? new Date(now).toISOString(),
      finished,
      startMs,
    };
    this.batches.set(phase, b);
    const { startMs: _, ...view } = b;
    this.emit("change", { type: "batch", batch: view });
  }

  private noteWarning(level: "warn" | "error", message: string, fields: LogFields | undefined): void {
    const safe = fields ? redactFields(fields) : {};
    const key = ["messageId", "key", "_key"].map((k) => safe[k]).find((v) => typeof v === "string" || typeof v === "number");
    const w: WarningView = { at: new Date().toISOString(), level, message: redactText(message), key: key === undefined ? null : String(key), fields: safe };
    this.warnings.push(w);
    if (this.warnings.length > WARNINGS_KEPT) this.warnings.shift();
    // A warning about a refused message names its counter, e.g. "(rejectedMessages, mode DROPMALFORMED)".
    const counter = /\b(\w*(?:reject|malformed|empty|missing)\w*)\b/i.exec(message)?.[1];
    if (counter && w.key !== null) {
      const list = this.samples.get(counter) ?? [];
      if (list.length < SAMPLES_PER_COUNTER) list.push(w);
      this.samples.set(counter, list);
    }
    this.emit("change", { type: "warning", warning: w });
  }

  private describe(t: Tracked): Omit<QueryView, "recentProgress"> {
    const q = t.query;
    const last = q.lastProgress;
    const source = last?.sources.map((s) => s.description).join(", ") || t.info.source || null;
    return {
      id: q.id,
      runId: q.runId,
      name: q.name,
      status: { ...q.status, isActive: q.isActive },
      trigger: t.info.trigger ?? null,
      source,
      sink: last?.sink.description ?? t.info.sink ?? null,
      startedAt: t.startedAt,
      exception: q.exception === undefined ? null : redactText(errorMessage(q.exception)),
      rejections: this.rejectionsOf(last, source),
    };
  }

  private rejectionsOf(last: QueryProgress | undefined, source: string | null): RejectionReport[] {
    const out: RejectionReport[] = [];
    for (const s of last?.sources ?? []) {
      for (const [counter, count] of Object.entries(s.metrics)) {
        if (count <= 0 || !NOT_A_ROW_COUNTER.test(counter)) continue;
        // Samples of another query's stream (same counter name) stay with that query.
        const samples = (this.samples.get(counter) ?? []).filter((w) => typeof w.fields["stream"] !== "string" || !source || source.includes(w.fields["stream"]));
        const reason = samples.map((w) => w.fields["reason"]).find((r) => typeof r === "string");
        out.push({ counter, count, keys: samples.map((w) => w.key!), ...(typeof reason === "string" ? { reason } : {}) });
      }
    }
    return out;
  }

  private pollStatus(): void {
    for (const t of this.queries.values()) {
      const s = JSON.stringify([t.query.status, t.query.isActive]);
      if (s === t.lastStatus) continue;
      t.lastStatus = s;
      this.emit("change", { type: "query", query: this.describe(t) });
    }
  }
}
