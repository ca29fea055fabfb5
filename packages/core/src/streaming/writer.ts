/**
 * `df.writeStream`: Spark's DataStreamWriter. `start()` opens the checkpoint (creating the query id
 * on first start), binds the source's micro-batch stream to `<checkpoint>/sources/0` and the sink's
 * StreamingWrite to the query id, and starts the loop.
 * @packageDocumentation
 */
import { FormatOptionsBuilder } from "../format-options.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MicroBatchStream, Table } from "../contracts.js";
import { DataFrame } from "../dataframe.js";
import { OptionError, UnsupportedOperationError } from "@macrometa-spark/kit";
import { findStreamingLeaf } from "../execution.js";
import { JobMetrics } from "../metrics.js";
import { CaseInsensitiveOptions, type OptionValue } from "../options.js";
import { CheckpointLog } from "./checkpoint.js";
import { type ForeachBatchFunction, type QuerySetup, StreamingQuery } from "./query.js";
import { type Trigger, resolveTrigger } from "./trigger.js";

/** Options the engine reads itself; they are not passed to the sink. */
export interface StreamingEngineOptions {
  /** Folder of the checkpoint log. Required except for the memory and console sinks (which use a temporary one). */
  checkpointLocation?: string;
  /** Batches whose offsets/commits files are kept. Default: 100. */
  minBatchesToRetain?: number;
  /** How long one trigger may wait in the source for new data before the loop checks again (ms). Default: 100. */
  noDataWaitMs?: number;
  /** Progress reports kept in `recentProgress`. Default: 100. */
  progressRetention?: number;
}

const ENGINE_KEYS = ["checkpointLocation", "minBatchesToRetain", "noDataWaitMs", "progressRetention"];
/** Sinks Spark lets run without a checkpoint location (a temporary one is used and deleted on stop). */
const TEMP_CHECKPOINT_SINKS = new Set(["memory", "console"]);

export class DataStreamWriter extends FormatOptionsBuilder {
  private mode = "append";
  private triggerValue: Trigger | undefined;
  private name: string | undefined;
  private batchFn: ForeachBatchFunction | undefined;

  constructor(private readonly df: DataFrame) {
    super();
  }

  /** `append` (and `update`, the same for queries without aggregation). */
  outputMode(mode: "append" | "update" | "complete"): this {
    const m = mode.toLowerCase();
    if (m === "complete") throw new UnsupportedOperationError("outputMode 'complete' needs an aggregation, which this engine does not run; use append");
    if (m !== "append" && m !== "update") throw new OptionError("outputMode", `expected append or update, got "${mode}"`);
    this.mode = m;
    return this;
  }
  trigger(trigger: Trigger): this {
    resolveTrigger(trigger);
    this.triggerValue = trigger;
    return this;
  }
  queryName(name: string): this {
    this.name = name;
    return this;
  }
  /** Hands each micro-batch to `fn` as a DataFrame, with its epoch id (stable across replays). */
  foreachBatch(fn: ForeachBatchFunction): this {
    this.batchFn = fn;
    return this;
  }

  /** Starts the query; resolves once the checkpoint, source and sink are open. */
  async start(path?: string): Promise<StreamingQuery> {
    const df = this.df;
    const session = df.session;
    const leaf = findStreamingLeaf(df.plan);
    if (!leaf) throw new UnsupportedOperationError("writeStream needs a streaming DataFrame (session.readStream...load())");
    const all = new CaseInsensitiveOptions(path === undefined ? this.opts : { ...this.opts, path });
    const sinkFormat = this.batchFn ? "foreachBatch" : this.formatName;
    if (!sinkFormat) throw new OptionError("format", "no sink: call .format(name) or .foreachBatch(fn) before start()");

    const sinkRecord: Record<string, OptionValue> = {};
    const engineKeys = new Set(ENGINE_KEYS.map((k) => k.toLowerCase()));
    for (const k of all.keys()) if (!engineKeys.has(k.toLowerCase())) sinkRecord[k] = all.get(k);
    if (this.name !== undefined && !all.has("queryName")) sinkRecord.queryName = this.name;
    const sinkOptions = new CaseInsensitiveOptions(sinkRecord, sinkFormat);
    if (sinkFormat.toLowerCase() === "memory" && !sinkOptions.firstOf("queryName", "name", "path")) {
      throw new OptionError("queryName", "is required for the memory sink (it names the table)");
    }

    let dir = all.getString("checkpointLocation");
    let temporary = false;
    if (!dir) {
      if (!TEMP_CHECKPOINT_SINKS.has(sinkFormat.toLowerCase())) {
        throw new OptionError("checkpointLocation", `is required for sink '${sinkFormat}' (only memory and console may run without one)`);
      }
      dir = await mkdtemp(join(tmpdir(), "mmspark-checkpoint-"));
      temporary = true;
    }
    const checkpoint = new CheckpointLog(dir, { minBatchesToRetain: all.getInt("minBatchesToRetain", 100, { min: 1 }) });
    const release = session.claimCheckpoint(dir, this.name ?? dir);
    let id: string;
    try {
      id = await checkpoint.queryId();
    } catch (err) {
      release();
      throw err;
    }
    const ctx = session.providerContext(new JobMetrics());

    if (!leaf.scan.toMicroBatchStream) throw new UnsupportedOperationError(`format '${leaf.format}' cannot be read as a stream`, { format: leaf.format });
    let stream: MicroBatchStream | undefined;
    let sinkTable: Table | undefined;
    try {
      stream = leaf.scan.toMicroBatchStream(checkpoint.sourceDir(0));
      let sink: QuerySetup["sink"];
      if (this.batchFn) {
        sink = { kind: "foreachBatch", fn: this.batchFn };
      } else {
        const provider = session.registry.lookup(sinkFormat);
        sinkTable = await provider.getTable(undefined, sinkOptions, ctx);
        if (!sinkTable.capabilities.has("STREAMING_WRITE") || !sinkTable.newWriteBuilder) {
          throw new UnsupportedOperationError(`format '${sinkFormat}' does not support streaming writes`, { format: sinkFormat });
        }
        const builder = sinkTable.newWriteBuilder({ queryId: id, schema: df.schema, options: sinkOptions, mode: "append" });
        if (!builder.buildForStreaming) throw new UnsupportedOperationError(`format '${sinkFormat}' does not support streaming writes`, { format: sinkFormat });
        const write = await builder.buildForStreaming();
        sink = { kind: "write", description: `${sinkFormat}${sinkTable.name ? `[${sinkTable.name}]` : ""}`, write, table: sinkTable };
      }
      const maxRows = leaf.options.getInt("maxMessagesPerTrigger", undefined, { min: 1 });
      const setup: QuerySetup = {
        session,
        logger: session.logger,
        id,
        name: this.name,
        checkpoint,
        temporaryCheckpoint: temporary,
        trigger: resolveTrigger(this.triggerValue),
        plan: df.plan,
        sourceSchema: leaf.schema,
        sourceDescription: leaf.scan.description?.() ?? `${leaf.format}[${leaf.table.name}]`,
        sourceTable: leaf.table,
        stream,
        limit: maxRows === undefined ? {} : { maxRows },
        sink,
        noDataWaitMs: all.getInt("noDataWaitMs", 100, { min: 0 }),
        progressRetention: all.getInt("progressRetention", 100, { min: 1 }),
        makeDataFrame: (plan) => new DataFrame(session, plan),
        removeCheckpoint: () => rm(checkpoint.dir, { recursive: true, force: true }),
      };
      session.logger.debug("starting streaming query", { id, outputMode: this.mode, sink: sinkFormat });
      const query = new StreamingQuery(setup);
      query.once("terminated", release);
      session.trackQuery(query);
      return query;
    } catch (err) {
      release();
      await stream?.stop().catch(() => {});
      await sinkTable?.close?.().catch(() => {});
      throw err;
    }
  }
}
