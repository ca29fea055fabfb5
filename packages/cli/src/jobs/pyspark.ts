/**
 * Turns a job spec into a PySpark task that runs the same job on Databricks with the official
 * Macrometa connector: same format names, same options (secrets resolved at run time from a
 * Databricks secret scope), Delta as the sink for our `databricks` format.
 * @packageDocumentation
 */
import { MacrometaSparkError } from "@macrometa-spark/core";
import type { MmsparkJob } from "../generated/job-types.js";
import { CLI_ERROR_CODES } from "../error-codes.js";

/** `{{secrets/<scope>/<key>}}`: resolved with dbutils.secrets.get on the cluster. */
const SECRET_REF = /^\{\{secrets\/([^/{}]+)\/([^/{}]+)\}\}$/;
const SECRET_OPTION = /^(api[-_]?key|token|jwt|clientsecret|password)$/i;

/** The official connector registers full class names; our short names map onto them. */
const CONNECTOR_FORMAT: Record<string, string> = {
  "com.macrometa.spark.collection": "com.macrometa.spark.collection.MacrometaTableProvider",
  "com.macrometa.spark.stream": "com.macrometa.spark.stream.MacrometaTableProvider",
};

export interface PySparkOptions {
  /** Allow literal secrets in the generated file (they would be stored in the workspace). Default: false. */
  allowPlaintextSecrets?: boolean;
}

export class JobSpecError extends MacrometaSparkError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: "INVALID_JOB_SPEC", retryable: CLI_ERROR_CODES.INVALID_JOB_SPEC.retryable, context });
  }
}

/** A Python expression for a JSON-like value; JSON string escapes are valid Python string escapes. */
function py(value: unknown, path: string, opts: PySparkOptions): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new JobSpecError(`${path}: non-finite number`);
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") {
    const m = SECRET_REF.exec(value);
    if (m) return `dbutils.secrets.get(scope=${JSON.stringify(m[1])}, key=${JSON.stringify(m[2])})`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => py(v, `${path}[${i}]`, opts)).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v, `${path}.${k}`, opts)}`);
    return `{${entries.join(", ")}}`;
  }
  throw new JobSpecError(`${path}: unsupported value`);
}

function optionsLiteral(options: Record<string, unknown> | undefined, path: string, opts: PySparkOptions): string {
  const o = options ?? {};
  for (const [k, v] of Object.entries(o)) {
    if (SECRET_OPTION.test(k) && typeof v === "string" && !SECRET_REF.test(v) && !opts.allowPlaintextSecrets) {
      throw new JobSpecError(
        `${path}.${k} holds a literal secret; use {{secrets/<scope>/<key>}} so the generated task reads it from a Databricks secret scope`,
        { option: k },
      );
    }
  }
  return py(o, path, opts);
}

function deltaTableName(options: Record<string, unknown> | undefined): string {
  const o = Object.fromEntries(Object.entries(options ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const table = o["table"];
  if (typeof table !== "string" || !table) throw new JobSpecError("sink.options.table is required for format databricks");
  const parts = splitTableName(table);
  const catalog = typeof o["catalog"] === "string" ? (o["catalog"] as string) : undefined;
  const schema = typeof o["schema"] === "string" ? (o["schema"] as string) : undefined;
  const full = parts.length === 3 ? parts : parts.length === 2 ? [catalog, ...parts] : [catalog, schema, ...parts];
  return full
    .filter((p): p is string => !!p)
    .map((p) => "`" + p.replace(/`/g, "``") + "`")
    .join(".");
}

/** `a.b.c` with backtick-quoted parts (`` `my.odd`.t ``, doubled backticks inside) into its parts. */
function splitTableName(name: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= name.length) {
    let part = "";
    if (name[i] === "`") {
      for (i++; ; i++) {
        if (i >= name.length) throw new JobSpecError(`sink.options.table: unterminated backtick in ${JSON.stringify(name)}`);
        if (name[i] === "`") {
          if (name[i + 1] === "`") {
            part += "`";
            i++;
            continue;
          }
          i++;
          break;
        }
        part += name[i];
      }
    } else {
      while (i < name.length && name[i] !== ".") part += name[i++];
    }
    if (part === "") throw new JobSpecError(`sink.options.table: empty name part in ${JSON.stringify(name)}`);
    parts.push(part);
    if (i >= name.length) break;
    if (name[i] !== ".") throw new JobSpecError(`sink.options.table: expected '.' after a quoted part in ${JSON.stringify(name)}`);
    i++;
  }
  if (parts.length > 3) throw new JobSpecError(`sink.options.table: at most catalog.schema.table, got ${JSON.stringify(name)}`);
  return parts;
}

function mergeKeysOf(options: Record<string, unknown> | undefined): string[] {
  const v = Object.entries(options ?? {}).find(([k]) => k.toLowerCase() === "mergekeys")?.[1];
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : String(v).split(",").map((s) => s.trim()).filter(Boolean);
}

function deleteFlagOf(options: Record<string, unknown> | undefined): string | undefined {
  const v = Object.entries(options ?? {}).find(([k]) => k.toLowerCase() === "deleteflagcolumn")?.[1];
  return typeof v === "string" && v ? v : undefined;
}

function triggerArgs(trigger: MmsparkJob["trigger"]): string {
  if (!trigger) return `processingTime="10 seconds"`;
  if (trigger.once) return "once=True";
  if (trigger.availableNow) return "availableNow=True";
  if (trigger.processingTime !== undefined) {
    const t = typeof trigger.processingTime === "number" ? `${trigger.processingTime} milliseconds` : trigger.processingTime;
    return `processingTime=${JSON.stringify(t)}`;
  }
  return `processingTime="10 seconds"`;
}

/** Python source of the task. The options appear exactly as in the spec (secrets as scope lookups). */
export function generatePySpark(job: MmsparkJob, opts: PySparkOptions = {}): string {
  const kind = job.kind ?? "batch";
  if (kind === "sync") {
    throw new JobSpecError("kind 'sync' runs with `mmspark run`; on Databricks, submit the snapshot (batch) and the change stream (stream) as two jobs");
  }
  if (kind === "reverse") {
    throw new JobSpecError("kind 'reverse' runs with `mmspark run` (it reads the table's change feed through a SQL warehouse); on Databricks, a stream job reading format delta with readChangeFeed does the same");
  }
  if (!job.source || !job.sink) throw new JobSpecError("source and sink are required");
  const srcFormat = CONNECTOR_FORMAT[job.source.format] ?? job.source.format;
  const sinkIsDelta = job.sink.format === "databricks";
  const sinkFormat = CONNECTOR_FORMAT[job.sink.format] ?? job.sink.format;
  const mergeKeys = sinkIsDelta ? mergeKeysOf(job.sink.options) : [];
  const deleteFlag = sinkIsDelta ? deleteFlagOf(job.sink.options) : undefined;
  const lines: string[] = [
    "# Generated by mmspark submit from a job spec. The options are the spec's, unchanged.",
    `# Job: ${job.name.replace(/[\r\n]/g, " ")}`,
    "import json",
    "from pyspark.sql import SparkSession",
    "",
    "spark = SparkSession.builder.getOrCreate()",
    "",
    "",
    "def spark_options(options):",
    "    # Spark options are strings; objects (bindVars) travel as JSON text.",
    "    return {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in options.items()}",
    "",
    "",
    `SOURCE_FORMAT = ${JSON.stringify(srcFormat)}`,
    `SOURCE_OPTIONS = ${optionsLiteral(job.source.options as Record<string, unknown>, "source.options", opts)}`,
    `SINK_FORMAT = ${JSON.stringify(sinkFormat)}`,
    `SINK_OPTIONS = ${optionsLiteral(job.sink.options as Record<string, unknown>, "sink.options", opts)}`,
    `SINK_MODE = ${JSON.stringify(job.sink.mode ?? "errorifexists")}`,
    `SOURCE_SCHEMA = ${job.source.schema === undefined ? "None" : JSON.stringify(job.source.schema)}`,
  ];
  if (sinkIsDelta) lines.push(`TARGET_TABLE = ${JSON.stringify(deltaTableName(job.sink.options as Record<string, unknown>))}`);
  lines.push(`MERGE_KEYS = ${py(mergeKeys, "mergeKeys", opts)}`, `DELETE_FLAG = ${deleteFlag === undefined ? "None" : JSON.stringify(deleteFlag)}`, "");
  if (mergeKeys.length > 0) {
    lines.push(
      "",
      "def q(name):",
      "    # Backtick-quoted identifier, backticks doubled (names are data, never SQL).",
      "    return '`' + name.replace('`', '``') + '`'",
      "",
      "",
      "def merge_batch(batch_df, batch_id=None):",
      "    from delta.tables import DeltaTable",
      "    from pyspark.sql import Window, functions as F",
      "    # Last occurrence of a key in the batch wins, as in mmspark's own sink.",
      "    w = Window.partitionBy(*[F.col(q(k)) for k in MERGE_KEYS]).orderBy(F.col('_mm_seq').desc())",
      "    src = (batch_df.withColumn('_mm_seq', F.monotonically_increasing_id())",
      "           .withColumn('_mm_rank', F.row_number().over(w)).filter('_mm_rank = 1').drop('_mm_rank', '_mm_seq'))",
      "    # The delete flag steers the merge; it is not a column of the table.",
      "    data_cols = [c for c in src.columns if c != DELETE_FLAG]",
      "    try:",
      "        spark.table(TARGET_TABLE)",
      "    except Exception:",
      "        src.select(*[F.col(q(c)) for c in data_cols]).limit(0).write.format('delta').saveAsTable(TARGET_TABLE)",
      "    cond = ' AND '.join(f't.{q(k)} = s.{q(k)}' for k in MERGE_KEYS)",
      "    assign = {q(c): f's.{q(c)}' for c in data_cols}",
      "    m = DeltaTable.forName(spark, TARGET_TABLE).alias('t').merge(src.alias('s'), cond)",
      "    if DELETE_FLAG:",
      "        m = m.whenMatchedDelete(condition=f's.{q(DELETE_FLAG)} = true')",
      "        m = m.whenMatchedUpdate(set=assign).whenNotMatchedInsert(condition=f'NOT coalesce(s.{q(DELETE_FLAG)}, false)', values=assign)",
      "    else:",
      "        m = m.whenMatchedUpdate(set=assign).whenNotMatchedInsert(values=assign)",
      "    m.execute()",
      "",
    );
  }
  if (kind === "batch") {
    lines.push(
      "",
      "reader = spark.read.format(SOURCE_FORMAT).options(**spark_options(SOURCE_OPTIONS))",
      "if SOURCE_SCHEMA:",
      "    reader = reader.schema(SOURCE_SCHEMA)",
      "df = reader.load()",
    );
    if (mergeKeys.length > 0) lines.push("merge_batch(df)");
    else if (sinkIsDelta) lines.push("df.write.format('delta').mode(SINK_MODE).saveAsTable(TARGET_TABLE)");
    else lines.push("df.write.format(SINK_FORMAT).options(**spark_options(SINK_OPTIONS)).mode(SINK_MODE).save()");
  } else {
    // The local default (the user's state directory) means nothing on a cluster.
    if (!job.checkpointLocation) throw new JobSpecError("checkpointLocation is required to submit a stream job (e.g. a /Volumes/… folder)");
    lines.push(
      "",
      `CHECKPOINT = ${JSON.stringify(job.checkpointLocation)}`,
      "reader = spark.readStream.format(SOURCE_FORMAT).options(**spark_options(SOURCE_OPTIONS))",
      "if SOURCE_SCHEMA:",
      "    reader = reader.schema(SOURCE_SCHEMA)",
      "df = reader.load()",
      `writer = df.writeStream.option("checkpointLocation", CHECKPOINT).trigger(${triggerArgs(job.trigger)})`,
    );
    if (mergeKeys.length > 0) lines.push("query = writer.foreachBatch(merge_batch).start()");
    else if (sinkIsDelta) lines.push("query = writer.format('delta').outputMode('append').toTable(TARGET_TABLE)");
    else lines.push("query = writer.format(SINK_FORMAT).options(**spark_options(SINK_OPTIONS)).start()");
    lines.push("query.awaitTermination()");
  }
  return lines.join("\n") + "\n";
}
