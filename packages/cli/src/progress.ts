/**
 * Feedback while a job runs: a progress bar for batch jobs (rows, rows/s, ETA when a total is
 * known), a one-line live status for streams, plain lines when stderr is not a terminal, and
 * JSON events (one per line on stdout) with `--json`.
 * @packageDocumentation
 */
import type { Io } from "./usage.js";

export type ProgressMode = "tty" | "plain" | "json";

export interface StreamStatus {
  batchId: number;
  numInputRows: number;
  inputRowsPerSecond: number;
  processedRowsPerSecond: number;
  batchDurationMs: number;
  /** Messages waiting in the source (backlog), when the source reports it. */
  lag?: number;
}

export class Progress {
  private lastDraw = 0;
  private started = Date.now();
  private drewTty = false;
  constructor(
    private readonly io: Io,
    readonly mode: ProgressMode,
    private readonly minIntervalMs = 200,
  ) {}

  static for(io: Io, json: boolean): Progress {
    return new Progress(io, json ? "json" : io.isTTY ? "tty" : "plain", io.isTTY ? 100 : 2000);
  }

  event(type: string, fields: Record<string, unknown>): void {
    if (this.mode === "json") this.io.out(JSON.stringify({ type, at: new Date().toISOString(), ...fields }) + "\n");
  }

  /** Batch job progress; `total` when a count is known (then an ETA is shown). */
  rows(phase: string, done: number, total?: number, force = false): void {
    // Piped output (a log file, CI) gets the final line only, not a bar every few seconds.
    if (this.mode === "plain" && !force) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = done / secs;
    if (this.mode === "json") return this.event("progress", { phase, rows: done, total, rowsPerSecond: Math.round(rate) });
    let line = `${phase}: ${done.toLocaleString("en-US")} rows, ${Math.round(rate).toLocaleString("en-US")} rows/s`;
    if (total !== undefined && total > 0) {
      const frac = Math.min(1, done / total);
      const width = 24;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, "-");
      const eta = rate > 0 ? Math.max(0, (total - done) / rate) : NaN;
      line = `${phase} [${bar}] ${(frac * 100).toFixed(0)}% ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} rows, ${Math.round(rate).toLocaleString("en-US")} rows/s${Number.isFinite(eta) ? `, ETA ${eta.toFixed(1)} s` : ""}`;
    }
    this.draw(line);
  }

  stream(s: StreamStatus): void {
    if (this.mode === "json") return this.event("stream-progress", { ...s });
    const lag = s.lag === undefined ? "" : `, lag ${s.lag} msgs`;
    this.draw(
      `batch ${s.batchId}: ${s.numInputRows} rows, in ${s.inputRowsPerSecond.toFixed(0)} rows/s, processed ${s.processedRowsPerSecond.toFixed(0)} rows/s, ${s.batchDurationMs} ms${lag}`,
      true,
    );
  }

  /** Ends a live line so later output starts clean. */
  done(): void {
    if (this.mode === "tty" && this.drewTty) this.io.err("\n");
    this.drewTty = false;
    this.started = Date.now();
  }

  private draw(line: string, always = false): void {
    if (this.mode === "tty") {
      this.io.err(`\r\x1b[2K${line}`);
      this.drewTty = true;
    } else if (this.mode === "plain" || always) {
      this.io.err(line + "\n");
    }
  }
}
