/**
 * The `json` format: JSON-lines files, as Spark's `spark.read.json` / `df.write.json`.
 *
 * - Read: a file or a folder of part files (names starting with `_` or `.` are skipped, as Spark
 *   does), one partition per file, streamed line by line (memory holds one chunk and one batch).
 *   The schema is inferred from the first `schemaSampleSize` lines.
 * - Batch write: part files written under `_temporary/<job>` and renamed into place on commit,
 *   then `_SUCCESS`; save modes as Spark's.
 * - Streaming sink, exactly once per epoch: epoch N's part files get names fixed by
 *   (query, epoch, partition) and are renamed into place, then `_spark_metadata/<query>/<N>` is
 *   written. A replayed epoch whose metadata exists is skipped; one without metadata (the crash
 *   came between the renames and the metadata) first deletes that epoch's files, then writes
 *   them again, so no row is ever twice.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type {
  BatchWrite,
  DataWriter,
  InputPartition,
  LogicalWriteInfo,
  ProviderContext,
  Row,
  RowBatch,
  ScanBuilder,
  StreamingWrite,
  Table,
  TableCapability,
  TableProvider,
  WriteBuilder,
  WriterCommitMessage,
} from "../contracts.js";
import { type ParseMode, createDocumentDecoder, rowToJson } from "../codec/index.js";
import { MacrometaSparkError, SchemaError, type Logger } from "@macrometa-spark/kit";
import { type InferenceStrategy, inferSchema } from "../infer.js";
import type { CaseInsensitiveOptions } from "../options.js";
import { TableOptions } from "../option-table.js";
import { JSON_OPTIONS } from "./option-tables.js";
import type { StructType } from "../types.js";
import { fsyncDir, writeAtomic } from "../streaming/checkpoint.js";
import { coreError } from "../error-codes.js";

/** Options of the `json` format (names are case-insensitive, as all options). */
export interface JsonFormatOptions {
  /** A JSON-lines file or a folder of them (or `load(path)` / `save(path)`). Required. */
  path: string;
  /** Lines read to infer the schema. Default: 1000. */
  schemaSampleSize?: number;
  /** `merge` (Spark's spark.read.json: every sampled line folded) or `mostCommon` (the connector's rule). Default: "merge". */
  schemaInference?: InferenceStrategy;
  /** PERMISSIVE, DROPMALFORMED or FAILFAST (see the codec's parse modes). Default: "PERMISSIVE". */
  mode?: ParseMode;
  /** Column that receives malformed lines under PERMISSIVE. Default: "_corrupt_record". */
  columnNameOfCorruptRecord?: string;
  /** Rows per batch handed downstream. Default: 1000. */
  batchSize?: number;
  /** Write: leave null fields out of the documents, as Spark does. Default: true. */
  ignoreNullFields?: boolean;
}

const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>(["BATCH_READ", "BATCH_WRITE", "STREAMING_WRITE", "TRUNCATE", "OVERWRITE"]);
const SINK_LOG = "_spark_metadata";
/** Epoch logs kept per query in the sink (a replay only ever concerns the latest epoch). */
const SINK_LOG_RETAIN = 100;

export class JsonProvider implements TableProvider {
  readonly formats = ["json", "org.apache.spark.sql.execution.datasources.json.JsonFileFormat"];

  async inferSchema(options: CaseInsensitiveOptions): Promise<StructType> {
    const t = new TableOptions(options, JSON_OPTIONS);
    const path = t.string("path");
    const sampleSize = t.int("schemaSampleSize");
    const strategy = t.enum("schemaInference");
    const mode = t.enum("mode");
    const files = await listInputFiles(path);
    const sample: string[] = [];
    outer: for (const f of files) {
      for await (const line of readLines(f)) {
        if (line.trim() === "") continue;
        sample.push(line);
        if (sample.length >= sampleSize) break outer;
      }
    }
    return inferSchema(sample, {
      strategy,
      sampleSize,
      columnNameOfCorruptRecord: t.string("columnNameOfCorruptRecord"),
      mode,
    });
  }

  async getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table> {
    const path = new TableOptions(options, JSON_OPTIONS).string("path");
    return new JsonTable(path, schema, ctx);
  }
}

class JsonTable implements Table {
  readonly capabilities = CAPABILITIES;
  constructor(
    readonly name: string,
    private readonly givenSchema: StructType | undefined,
    private readonly ctx: ProviderContext,
  ) {}
  get schema(): StructType {
    if (!this.givenSchema) throw new SchemaError("json table has no schema (write-only handle)");
    return this.givenSchema;
  }

  newScanBuilder(options: CaseInsensitiveOptions): ScanBuilder {
    const schema = this.schema;
    const path = this.name;
    const t = new TableOptions(options, JSON_OPTIONS, false);
    const mode = t.enum("mode");
    const corrupt = t.string("columnNameOfCorruptRecord");
    const batchSize = t.int("batchSize");
    // Spark's reader semantics go with Spark's merge inference; the connector's rule with mostCommon.
    const matching = t.enum("schemaInference") === "merge" ? "spark" : "shape";
    const ctx = this.ctx;
    return {
      build: () => ({
        readSchema: () => schema,
        description: () => `json ${path}`,
        toBatch: () => ({
          async planInputPartitions(): Promise<InputPartition[]> {
            return (await listInputFiles(path)).map((file, index) => ({ index, file }));
          },
          createReader: (p: InputPartition) =>
            readJsonFile(p.file as string, batchSize, (metricsCtx) =>
              createDocumentDecoder(schema, { mode, columnNameOfCorruptRecord: corrupt, metrics: metricsCtx, matching }),
            ctx),
        }),
      }),
    };
  }

  newWriteBuilder(info: LogicalWriteInfo): WriteBuilder {
    const ignoreNulls = new TableOptions(info.options, JSON_OPTIONS, false).boolean("ignoreNullFields");
    return {
      buildForBatch: () => batchWrite(this.name, info, ignoreNulls, this.ctx.logger),
      buildForStreaming: () => streamingWrite(this.name, info, ignoreNulls, this.ctx.logger),
    };
  }
}

async function* readJsonFile(
  file: string,
  batchSize: number,
  makeDecoder: (m: ProviderContext["metrics"]) => ReturnType<typeof createDocumentDecoder>,
  ctx: ProviderContext,
): AsyncGenerator<RowBatch> {
  const decoder = makeDecoder(ctx.metrics);
  let batch: Row[] = [];
  for await (const line of readLines(file)) {
    if (line.trim() === "") continue;
    for (const row of decoder.decodeAll(line)) batch.push(row);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Lines of a UTF-8 file, pulled chunk by chunk; `return()` closes the file. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 });
  let rest = "";
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = rest + chunk;
      let nl: number;
      let from = 0;
      while ((nl = text.indexOf("\n", from)) >= 0) {
        const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield text.slice(from, end);
        from = nl + 1;
      }
      text = text.slice(from);
      rest = text;
    }
    if (rest.length) yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
  } finally {
    stream.destroy();
  }
}

/** A file, or the data files of a folder in name order (`_…` and `.…` are metadata, as in Spark). */
async function listInputFiles(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw coreError("PATH_NOT_FOUND", { path }, { context: { option: "path", format: "json" } });
    }
    throw err;
  }
  if (st.isFile()) return [path];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((d) => d.isFile() && !d.name.startsWith("_") && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort();
  return names.map((n) => join(path, n));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** Writes one part file lazily (no file for an empty partition) with backpressure on the file. */
class PartFileWriter implements DataWriter {
  private fh: FileHandle | undefined;
  private rows = 0;
  constructor(
    private readonly tempFile: string,
    private readonly schema: StructType,
    private readonly ignoreNulls: boolean,
    private readonly extra: WriterCommitMessage,
  ) {}
  async write(batch: RowBatch): Promise<void> {
    if (!batch.length) return;
    if (!this.fh) {
      await mkdir(join(this.tempFile, ".."), { recursive: true });
      this.fh = await open(this.tempFile, "w");
    }
    let text = "";
    for (const r of batch) text += rowToJson(this.schema, r, { ignoreNullFields: this.ignoreNulls }) + "\n";
    await this.fh.write(text);
    this.rows += batch.length;
  }
  async commit(): Promise<WriterCommitMessage> {
    if (this.fh) {
      await this.fh.sync();
      await this.fh.close();
      this.fh = undefined;
      return { ...this.extra, file: this.tempFile, rows: this.rows };
    }
    return { ...this.extra, file: null, rows: 0 };
  }
  async abort(): Promise<void> {
    await this.fh?.close().catch(() => {});
    this.fh = undefined;
    await rm(this.tempFile, { force: true });
  }
}

function pathExistsError(path: string): MacrometaSparkError {
  return coreError("PATH_EXISTS", { path }, { context: { format: "json", option: "path" } });
}

async function batchWrite(path: string, info: LogicalWriteInfo, ignoreNulls: boolean, logger: Logger): Promise<BatchWrite> {
  const present = await exists(path);
  if (present && info.mode === "errorifexists") throw pathExistsError(path);
  const skip = present && info.mode === "ignore";
  const job = randomUUID();
  const tempDir = join(path, "_temporary", job);
  return {
    createWriter: (partitionId) => {
      if (skip) return { write: async () => {}, commit: async () => ({ file: null, rows: 0 }), abort: async () => {} };
      const name = `part-${String(partitionId).padStart(5, "0")}-${job}.json`;
      return new PartFileWriter(join(tempDir, name), info.schema, ignoreNulls, { name });
    },
    async commit(messages) {
      if (skip) {
        logger.info("json path exists; save mode ignore wrote nothing", { path });
        return;
      }
      await mkdir(path, { recursive: true });
      if (info.mode === "overwrite") {
        for (const entry of await readdir(path)) {
          if (entry !== "_temporary") await rm(join(path, entry), { recursive: true, force: true });
        }
      }
      for (const m of messages) if (m.file) await rename(m.file as string, join(path, m.name as string));
      await writeAtomic(join(path, "_SUCCESS"), "");
      await rm(tempDir, { recursive: true, force: true });
      await removeIfEmpty(join(path, "_temporary"));
      await fsyncDir(path);
    },
    async abort() {
      await rm(tempDir, { recursive: true, force: true });
      await removeIfEmpty(join(path, "_temporary"));
    },
  };
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  } catch {
    // Already gone, or another job is using it: either way nothing to clean.
  }
}

async function streamingWrite(path: string, info: LogicalWriteInfo, ignoreNulls: boolean, logger: Logger): Promise<StreamingWrite> {
  const q = info.queryId;
  const logDir = join(path, SINK_LOG, q);
  await mkdir(logDir, { recursive: true });
  const prefix = (epoch: number) => `part-${String(epoch).padStart(10, "0")}-`;
  const suffix = `-${q.slice(0, 8)}.json`;
  const tempDir = (epoch: number) => join(path, "_temporary", `${q}-epoch-${epoch}`);
  let schema = info.schema;
  return {
    // JSON lines carry their field names: rows of a widened schema simply have more of them.
    async evolveSchema(_epochId, widened) {
      schema = widened;
    },
    createWriter: (partitionId, epochId) => {
      const name = `${prefix(epochId)}${String(partitionId).padStart(5, "0")}${suffix}`;
      return new PartFileWriter(join(tempDir(epochId), `${name}.${randomUUID()}`), schema, ignoreNulls, { name });
    },
    async commit(epochId, messages) {
      if (await exists(join(logDir, String(epochId)))) {
        logger.info("json sink: epoch already committed, replay ignored", { path, queryId: q, epochId });
        await rm(tempDir(epochId), { recursive: true, force: true });
        return;
      }
      // Files of an earlier attempt at this epoch (renamed before a crash, never logged) go first.
      for (const f of await readdir(path)) {
        if (f.startsWith(prefix(epochId)) && f.endsWith(suffix)) await rm(join(path, f), { force: true });
      }
      const files: string[] = [];
      for (const m of messages) {
        if (!m.file) continue;
        await rename(m.file as string, join(path, m.name as string));
        files.push(m.name as string);
      }
      await fsyncDir(path);
      await writeAtomic(join(logDir, String(epochId)), JSON.stringify({ queryId: q, epochId, files }) + "\n");
      await rm(tempDir(epochId), { recursive: true, force: true });
      await removeIfEmpty(join(path, "_temporary"));
      for (const f of await readdir(logDir)) {
        if (/^\d+$/.test(f) && Number(f) <= epochId - SINK_LOG_RETAIN) await rm(join(logDir, f), { force: true });
      }
    },
    async abort(epochId) {
      await rm(tempDir(epochId), { recursive: true, force: true });
    },
  };
}

/** The data files a json path holds (for tests and tools): part files in name order. */
export async function jsonDataFiles(path: string): Promise<string[]> {
  return (await listInputFiles(path)).map((f) => basename(f));
}
