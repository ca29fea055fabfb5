/**
 * `createSession()`: the entry point of a job script, shaped like SparkSession. A session has its
 * own logger and registry (the default registry unless one is injected) and gives each action a
 * fresh `JobMetrics`. Readers resolve the schema when `load()` is called (inferring it when none is
 * given, as Spark's `load` does), so `load()` is async and the DataFrame's schema is known after it.
 * @packageDocumentation
 */
import { FormatOptionsBuilder } from "./format-options.js";
import type { ProviderContext, Row, Table, TableProvider } from "./contracts.js";
import { resolve } from "node:path";
import { objectToRow } from "./codec/index.js";
import { DataFrame } from "./dataframe.js";
import { OptionError, UnsupportedOperationError, type Logger, createConsoleLogger } from "@macrometa-spark/kit";
import { type ExecContext, LocalPlan, ScanPlan, StreamingSourcePlan } from "./execution.js";
import { JobMetrics } from "./metrics.js";
import { CaseInsensitiveOptions } from "./options.js";
import { type FormatRegistry, defaultRegistry } from "./registry.js";
import { SparkRow } from "./row.js";
import { toStructType } from "./type-parsers.js";
import { StructType } from "./types.js";
import type { StreamingQuery } from "./streaming/query.js";

export interface SessionOptions {
  /** Where formats are looked up. Default: the default registry (what imported packages register with). */
  registry?: FormatRegistry;
  /**
   * Default: warnings and errors to stderr (rejected records among them, so none vanish unseen);
   * pass `silentLogger` for silence.
   */
  logger?: Logger;
  /** Shown in logs. Default: "macrometa-spark". */
  appName?: string;
  /** Where `show()`, `printSchema()` print. Default: process.stdout. */
  print?: (text: string) => void;
  /** Session configuration (Spark's `spark.conf`). */
  conf?: SessionConf;
}

export interface SessionConf {
  /** Partitions read or written at once; a read's `parallelism` option overrides it. Default: 4. */
  parallelism?: number;
  /** Row batches a partition reader may run ahead of the consumer. Default: 2. */
  maxBufferedBatches?: number;
}

export class SparkSession {
  readonly registry: FormatRegistry;
  readonly logger: Logger;
  readonly appName: string;
  readonly conf: Required<SessionConf>;
  private readonly printer: (text: string) => void;
  private readonly tables = new Set<Table>();
  private readonly queries = new Set<StreamingQuery>();
  private readonly checkpoints = new Map<string, string>();
  private readonly stopController = new AbortController();
  private stopped = false;

  constructor(options: SessionOptions = {}) {
    this.registry = options.registry ?? defaultRegistry();
    this.logger = options.logger ?? createConsoleLogger("warn");
    this.appName = options.appName ?? "macrometa-spark";
    this.printer = options.print ?? ((t) => void process.stdout.write(t));
    this.conf = { parallelism: options.conf?.parallelism ?? 4, maxBufferedBatches: options.conf?.maxBufferedBatches ?? 2 };
  }

  /** A batch reader (`session.read.format(...).options(...).load()`). */
  get read(): DataFrameReader {
    this.assertActive();
    return new DataFrameReader(this, false);
  }
  /** A streaming reader; its `load()` returns a streaming DataFrame for `writeStream`. */
  get readStream(): DataStreamReader {
    this.assertActive();
    return new DataFrameReader(this, true);
  }

  /** A DataFrame from plain objects (by field name) or positional rows, and a schema (StructType or DDL). */
  createDataFrame(rows: readonly (Record<string, unknown> | Row | SparkRow)[], schema: StructType | string): DataFrame {
    const st = schema instanceof StructType ? schema : toStructType(schema);
    const positional = rows.map((r): Row => {
      if (r instanceof SparkRow) return [...r.values];
      if (Array.isArray(r)) {
        if (r.length !== st.length) throw new OptionError("rows", `a positional row has ${r.length} values, the schema ${st.length} fields`);
        return r;
      }
      return objectToRow(st, r);
    });
    return new DataFrame(this, new LocalPlan(st, positional));
  }

  /** Streaming queries started from this session and still running. */
  get activeQueries(): StreamingQuery[] {
    return [...this.queries].filter((q) => q.isActive);
  }

  /**
   * Stops running queries (each after committing its micro-batch in progress), interrupts running
   * batch writes at their next batch boundary (they abort: see `DataFrameWriter.save`), and closes
   * tables opened by reads.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([...this.queries].map((q) => q.stop()));
    this.stopController.abort(new Error("session stopped"));
    await Promise.allSettled([...this.tables].map((t) => t.close?.()));
    this.tables.clear();
  }

  /** @internal */
  print(text: string): void {
    this.printer(text);
  }
  /**
   * @internal A context for one action (fresh metrics). Its signal fires when the session stops or
   * when `signal` (the action's own, e.g. `save({ signal })`) does.
   */
  newExecContext(overrides: Partial<SessionConf> = {}, signal?: AbortSignal): ExecContext {
    const provider = this.providerContext(new JobMetrics());
    if (signal) provider.signal = AbortSignal.any([this.stopController.signal, signal]);
    return {
      provider,
      parallelism: overrides.parallelism ?? this.conf.parallelism,
      maxBufferedBatches: overrides.maxBufferedBatches ?? this.conf.maxBufferedBatches,
    };
  }
  /** @internal */
  providerContext(metrics: JobMetrics): ProviderContext {
    return { logger: this.logger, metrics, signal: this.stopController.signal };
  }
  /** @internal Tables opened by reads are closed by `stop()`. */
  trackTable(table: Table): void {
    this.tables.add(table);
  }
  /** @internal */
  trackQuery(query: StreamingQuery): void {
    this.queries.add(query);
  }
  /** @internal Two running queries on one checkpoint would interleave its log; the second is refused. */
  claimCheckpoint(dir: string, queryName: string): () => void {
    const key = resolve(dir);
    const holder = this.checkpoints.get(key);
    if (holder !== undefined) {
      throw new UnsupportedOperationError(`checkpoint ${dir} is in use by running query ${holder}; stop it first`, { option: "checkpointLocation" });
    }
    this.checkpoints.set(key, queryName);
    return () => void this.checkpoints.delete(key);
  }
  private assertActive(): void {
    if (this.stopped) throw new UnsupportedOperationError("the session is stopped");
  }
}

/** Creates a session (Spark's `SparkSession.builder.getOrCreate()`, one per call here). */
export function createSession(options: SessionOptions = {}): SparkSession {
  return new SparkSession(options);
}

/** `session.read` / `session.readStream`: Spark's DataFrameReader / DataStreamReader. */
export class DataFrameReader extends FormatOptionsBuilder {
  private userSchema: StructType | undefined;

  constructor(
    private readonly session: SparkSession,
    private readonly streaming: boolean,
  ) {
    super();
  }

  /** The schema to read with (skips inference): a StructType or DDL such as `"a BIGINT, b STRING"`. */
  schema(schema: StructType | string): this {
    this.userSchema = schema instanceof StructType ? schema : toStructType(schema);
    return this;
  }

  /** Resolves the table and its schema; the rows are read by actions later. */
  async load(path?: string): Promise<DataFrame> {
    if (!this.formatName) throw new OptionError("format", "no format given; call .format(name) before load()");
    const provider: TableProvider = this.session.registry.lookup(this.formatName);
    // `parallelism` is read by both sides, as in Spark: the engine reads that many partitions at once,
    // and the provider may plan its partitions from it (the collection reader's key ranges).
    const providerOpts = this.opts;
    const all = new CaseInsensitiveOptions(this.opts);
    const parallelism = all.getInt("parallelism", undefined, { min: 1 });
    const options = new CaseInsensitiveOptions(path === undefined ? providerOpts : { ...providerOpts, path }, this.formatName);
    // The table keeps this context; its `metrics` follows whichever action is running the scan.
    const metricsTarget = { current: new JobMetrics() };
    const base = this.session.providerContext(metricsTarget.current);
    const ctx: ProviderContext = {
      logger: base.logger,
      ...(base.signal ? { signal: base.signal } : {}),
      get metrics() {
        return metricsTarget.current;
      },
    };
    const schema = this.userSchema ?? (await provider.inferSchema(options, ctx));
    const table = await provider.getTable(schema, options, ctx);
    this.session.trackTable(table);
    const needed = this.streaming ? "MICRO_BATCH_READ" : "BATCH_READ";
    if (!table.capabilities.has(needed) || !table.newScanBuilder) {
      throw new UnsupportedOperationError(
        `format '${this.formatName}' does not support ${this.streaming ? "streaming" : "batch"} reads`,
        { format: this.formatName },
      );
    }
    const scan = table.newScanBuilder(options).build();
    const plan = this.streaming ? new StreamingSourcePlan(table, scan, this.formatName, options) : new ScanPlan(table, scan, this.formatName, parallelism, metricsTarget);
    return new DataFrame(this.session, plan);
  }

  /** `format("json").load(path)`. */
  json(path: string): Promise<DataFrame> {
    return this.format("json").load(path);
  }
}

/** The streaming reader has the batch reader's shape. */
export type DataStreamReader = DataFrameReader;
