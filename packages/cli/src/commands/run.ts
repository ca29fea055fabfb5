/**
 * `mmspark run job.json`: runs a job spec in this process (batch, stream or sync) with a progress
 * bar or live status line, and prints what was written and what was rejected.
 * @packageDocumentation
 */
import { createConsoleLogger, createSession } from "@macrometa-spark/core";
import { Progress } from "../progress.js";
import { loadJobSpec } from "../spec/validate.js";
import { EXIT_FAILURE, EXIT_OK, UsageError, parse, type Command } from "../usage.js";
import { formatRejections, rejectionFailure, totalRejected } from "../runner/report.js";
import type { MmsparkJob } from "../generated/job-types.js";
import { checkpointOf, runJob } from "../runner/job.js";
import { UI_FLAGS, UI_HELP, queryInfoOf, startJobUi } from "../ui/index.js";

const HELP = `Usage: mmspark run JOB.json [--trigger T] [--json] [--verbose] [--ui PORT [--ui-host HOST]]

Runs a job spec (see schema/job.schema.json) in this process:
  kind batch   read the source once and write it to the sink with its save mode; a progress bar
               shows rows, rows/s and an ETA when the source's size is known
  kind stream  micro-batches from source to sink with checkpointLocation (default: under
               $XDG_STATE_HOME/mmspark or ~/.local/state/mmspark) and trigger; a live line
               shows each batch's rows, input and processed rates, duration and lag
  kind sync    a collection's snapshot then its change stream, merged by _key into a Delta table
  kind reverse a Delta table's change data feed applied to a collection: upserts and deletes by
               _key, offsets are table versions (a second run picks up only new commits)
Ctrl-C (or SIGTERM) stops a stream, sync or reverse sync once the micro-batch in progress commits
(exit 0); a sync's snapshot in progress is aborted like a batch write (the next run takes it again). A
batch job stops at its next row batch and aborts its write (exit 130): a Delta sink applies nothing
(the table keeps its rows) and removes what it staged; a collection sink cannot take back the
documents already imported and prints how many stay. A second Ctrl-C exits at once (130); what it
leaves staged the next run into the same table removes (volume run folders and __mm_stage_* tables
older than the sink option staleStagingAfterMs; a stream's own at its next start). At the end the rows written and rejected (with the first keys) are printed.
The run fails (exit 1) when every document was rejected, or when the rejected share exceeds the
collection option maxRejectedFraction (default 1).
Strings in the spec may hold \${env:NAME} (an environment variable) and {{secrets/<scope>/<key>}}
(read here from MMSPARK_SECRET_<SCOPE>_<KEY>; Databricks resolves it after mmspark submit).

  --trigger T  Override the spec's trigger (stream, sync): availableNow, once, or an interval
               such as "10 seconds" or "500 ms"

  --json     One JSON event per line on stdout (progress, stream-progress, result)
  --verbose  Log the runtime's info messages to stderr
${UI_HELP}

Exit codes: 0 ok, 1 failure (including an invalid job spec and too many rejections), 2 usage.
`;

export const runCommand: Command = {
  name: "run",
  summary: "run a job spec (batch, stream, sync or reverse) in this process",
  help: HELP,
  async run(argv, io, signal) {
    const { values, positionals } = parse(argv, { json: { type: "boolean" }, verbose: { type: "boolean" }, trigger: { type: "string" }, ...UI_FLAGS }, HELP);
    if (positionals.length !== 1) throw new UsageError("expected exactly one job spec file", HELP);
    const spec = loadJobSpec(positionals[0]!, { env: io.env, secrets: true });
    if (values.trigger !== undefined) spec.trigger = triggerFlag(values.trigger);
    const ui = await startJobUi(values, io, { name: spec.name, kind: spec.kind ?? "batch" }, HELP);
    const progress = ui ? ui.monitor.progressFor(io, !!values.json) : Progress.for(io, !!values.json);
    const logger = createConsoleLogger(values.verbose ? "info" : "warn", (l) => io.err(l + "\n"));
    const session = createSession({ logger: ui ? ui.monitor.tapLogger(logger) : logger, print: io.out });
    const onInterrupt = () => io.err(`${spec.name}: ${interruptPlan(spec)} (Ctrl-C again to exit at once)\n`);
    signal.addEventListener("abort", onInterrupt, { once: true });
    try {
      if (spec.kind && spec.kind !== "batch" && !spec.checkpointLocation && !values.json) io.err(`checkpoint: ${checkpointOf(spec, { env: io.env })}\n`);
      const r = await runJob(spec, { session, progress, signal, env: io.env, ...(ui ? { onQuery: (q) => ui.monitor.trackQuery(q, queryInfoOf(spec)) } : {}) });
      const failure = rejectionFailure(r.rows + (r.snapshotRows ?? 0), r.rejected, maxRejectedFraction(spec));
      if (values.json) {
        progress.event("result", { job: spec.name, ...r, rejectedTotal: totalRejected(r.rejected), ...(failure ? { failed: failure } : {}) });
      } else {
        const what =
          r.kind === "batch"
            ? `wrote ${r.rows} rows`
            : r.kind === "sync"
              ? `${r.snapshotRows ? `snapshot ${r.snapshotRows} rows, ` : ""}${r.rows} change events in ${r.batches} micro-batches`
              : r.kind === "reverse"
                ? `${r.rows} changes in ${r.batches} micro-batches`
                : `${r.rows} rows in ${r.batches} micro-batches`;
        io.out(`${spec.name} (${r.kind}): ${what}${r.stoppedBySignal ? " (stopped after committing the current batch)" : ""}\n${formatRejections(r.rejected)}`);
      }
      if (failure) {
        io.err(`mmspark run: ${spec.name} failed: ${failure}\n`);
        return EXIT_FAILURE;
      }
      return EXIT_OK;
    } finally {
      signal.removeEventListener("abort", onInterrupt);
      await session.stop();
      await ui?.close();
    }
  },
};

/** What the first Ctrl-C does to this job, said before it happens. */
function interruptPlan(spec: MmsparkJob): string {
  if (spec.kind === "stream") return "stopping once the current micro-batch commits";
  if (spec.kind === "sync") return "a snapshot in progress is aborted (the table keeps its rows; the next run takes it again), a change stream stops once its current micro-batch commits";
  const sink = spec.sink?.format ?? "";
  const what = /databricks|delta/i.test(sink)
    ? "the Delta table gets no row of this run and what was staged is removed"
    : /collection/i.test(sink)
      ? "documents already imported stay in the collection (imports are not transactional; the count follows)"
      : "nothing is committed";
  return `aborting the write at its next row batch: ${what}`;
}

/** The source collection's `maxRejectedFraction` (validated by the collection's option parser). Default: 1. */
function maxRejectedFraction(spec: MmsparkJob): number {
  const options: object | undefined = spec.kind === "sync" ? spec.sync?.collection : spec.source?.options;
  const entry = Object.entries(options ?? {}).find(([k]) => k.toLowerCase() === "maxrejectedfraction");
  const v: unknown = entry?.[1];
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return n >= 0 && n <= 1 ? n : 1;
}

/** `--trigger`: the spec's Trigger object for availableNow, once or a processing-time interval. */
function triggerFlag(v: string): NonNullable<MmsparkJob["trigger"]> {
  const t = v.trim();
  if (t.toLowerCase() === "availablenow") return { availableNow: true };
  if (t.toLowerCase() === "once") return { once: true };
  if (/^\d+\s*(ms|millisecond|milliseconds|s|second|seconds|min|minute|minutes)?$/.test(t)) return { processingTime: t };
  throw new UsageError(`--trigger expects availableNow, once or an interval such as "10 seconds", got '${v}'`, HELP);
}
