/**
 * Options of `com.macrometa.spark.stream`: the Scala connector's names (so a job moves between
 * engines unchanged) plus ours. All parsed and validated up front; errors name the option.
 * @packageDocumentation
 */
import { PARSE_MODES, SCHEMA_EVOLUTION_MODES, type CaseInsensitiveOptions, type ParseMode, type SchemaEvolutionMode } from "@macrometa-spark/core";
import {
  SUBSCRIPTION_TYPES,
  resolveTopic,
  resolveWsBase,
  tenantOfApiKey,
  type ResolvedTopic,
  type StreamReplication,
  type SubscriptionType,
} from "@macrometa-spark/macrometa-client";

export const FORMAT_NAMES = ["com.macrometa.spark.stream.MacrometaTableProvider", "com.macrometa.spark.stream"] as const;

/** Every option this format accepts (compared case-insensitively); any other is an error naming it. */
export const KNOWN_OPTIONS = [
  // the connector's
  "regionUrl",
  "apiKey",
  "apikey",
  "fabric",
  "tenant",
  "stream",
  "replication",
  "subscriptionName",
  "isCollectionStream",
  "port",
  // ours
  "subscriptionType",
  "startingPosition",
  "maxMessagesPerTrigger",
  "schemaSampleSize",
  "schemaInferenceTimeoutMs",
  "mode",
  "matching",
  "columnNameOfCorruptRecord",
  "schemaEvolutionMode",
  "rescuedDataColumn",
  "includeMetadata",
  "receiverQueueSize",
  "auth",
  "idleTimeoutMs",
  "batchReplayTimeoutMs",
  "maxPendingMessages",
  "keyColumn",
  // passed by the session to every format
  "path",
  "checkpointLocation",
  "queryName",
] as const;

export interface StreamFormatOptions {
  /** The region, as the connector takes it (`play.paas.macrometa.io`) or a full URL (`http://127.0.0.1:port` locally). */
  regionUrl: string;
  wsBase: string;
  /** Raw API key (without `apikey `), or undefined for a server with auth off. Never log. */
  apiKey: string | undefined;
  auth: "header" | "otp";
  fabric: string;
  tenant: string;
  stream: string;
  replication: StreamReplication;
  isCollectionStream: boolean;
  topic: ResolvedTopic;
  /** Undefined = derived from the checkpoint location (stable across restarts of one query). */
  subscriptionName: string | undefined;
  subscriptionType: SubscriptionType;
  startingPosition: "earliest" | "latest";
  maxMessagesPerTrigger: number | undefined;
  schemaSampleSize: number;
  schemaInferenceTimeoutMs: number;
  mode: ParseMode;
  /** `spark`: missing fields are null, unknown ignored (Spark's reader); `shape`: the connector's exact-shape rule. */
  matching: "spark" | "shape";
  columnNameOfCorruptRecord: string;
  /**
   * What a payload with fields the schema lacks does (Auto Loader's modes; see the README):
   * `addNewColumns` widens the query's schema between micro-batches, `rescue` keeps the schema and
   * puts them in the rescued-data column, `failOnNewColumns` fails the query naming them, `none`
   * drops them (counted as `droppedFields`). Undefined here = the default, resolved by the provider:
   * `addNewColumns` for an inferred schema, `rescue` for the user's.
   */
  schemaEvolutionMode: SchemaEvolutionMode | undefined;
  /**
   * The rescued-data column (a string column of JSON): fields not in the schema and values that
   * do not fit their column, with `_messageId`. Undefined here = the default, resolved by the
   * provider: `_rescued_data` under addNewColumns and rescue, none under failOnNewColumns and none.
   */
  rescuedDataColumn: string | undefined;
  includeMetadata: boolean;
  receiverQueueSize: number;
  idleTimeoutMs: number;
  batchReplayTimeoutMs: number;
  maxPendingMessages: number;
  keyColumn: string | undefined;
}

export function parseStreamOptions(o: CaseInsensitiveOptions): StreamFormatOptions {
  // A misspelt option (`subscriptionNmae`) would otherwise silently fall back to a default: fail
  // before anything connects, as every other format does.
  o.rejectUnknown(KNOWN_OPTIONS);
  const regionUrl = o.requireString("regionUrl");
  let wsBase: string;
  try {
    wsBase = resolveWsBase(regionUrl);
  } catch (err) {
    throw o.error("regionUrl", err instanceof Error ? err.message : String(err));
  }
  const keyName = o.firstOf("apiKey", "apikey");
  const rawKey = keyName ? o.getString(keyName)?.replace(/^apikey\s+/i, "").trim() : undefined;
  const apiKey = rawKey === "" ? undefined : rawKey;
  const tenant = o.getString("tenant") || (apiKey ? tenantOfApiKey(apiKey) : undefined);
  if (!tenant) {
    throw o.error("tenant", apiKey ? "could not be derived from the API key (expected <tenant>.<keyid>.<secret>); set it" : "is required when no apiKey is given");
  }
  const fabric = o.getString("fabric", "_system");
  const stream = o.requireString("stream");
  const isCollectionStream = o.getBoolean("isCollectionStream", false);
  const replicationGiven = o.getEnum("replication", ["global", "local"] as const);
  if (isCollectionStream && replicationGiven === "global") {
    throw o.error("replication", "a collection stream is always local (isCollectionStream is true); use 'local' or leave replication out");
  }
  const replication: StreamReplication = isCollectionStream ? "local" : (replicationGiven ?? "global");
  o.getInt("port", undefined, { min: 1, max: 65535 }); // accepted for the connector's sake; WebSockets use the HTTPS port
  let topic: ResolvedTopic;
  try {
    topic = resolveTopic({ tenant, fabric, name: stream, replication, isCollectionStream });
  } catch (err) {
    throw o.error("stream", err instanceof Error ? err.message : String(err));
  }
  const subscriptionName = o.getString("subscriptionName");
  if (subscriptionName !== undefined && !/^[A-Za-z0-9._\-:]+$/.test(subscriptionName)) {
    throw o.error("subscriptionName", "may contain letters, digits, '.', '_', '-', ':' only");
  }
  const maxMessagesPerTrigger = o.getInt("maxMessagesPerTrigger", undefined, { min: 1 });
  // Twice the batch by default: the next batch arrives while the current one is written (the
  // server sends at most receiverQueueSize unacknowledged messages, and a batch is acked only
  // after its commit).
  const receiverQueueSize = o.getInt("receiverQueueSize", Math.max(1000, 2 * (maxMessagesPerTrigger ?? 0)), { min: 1, max: 1_000_000 });
  if (maxMessagesPerTrigger !== undefined && maxMessagesPerTrigger > receiverQueueSize) {
    // A batch is held unacknowledged until the sink commits it, and the server sends at most
    // receiverQueueSize unacknowledged messages: a larger batch could never fill.
    throw o.error("maxMessagesPerTrigger", `must be <= receiverQueueSize (${receiverQueueSize})`);
  }
  return {
    regionUrl,
    wsBase,
    apiKey,
    auth: o.getEnum("auth", ["header", "otp"] as const, "header"),
    fabric,
    tenant,
    stream,
    replication,
    isCollectionStream,
    topic,
    subscriptionName,
    subscriptionType: o.getEnum("subscriptionType", SUBSCRIPTION_TYPES, "Exclusive"),
    startingPosition: o.getEnum("startingPosition", ["earliest", "latest"] as const, "earliest"),
    maxMessagesPerTrigger,
    schemaSampleSize: o.getInt("schemaSampleSize", 1, { min: 1, max: 100_000 }),
    schemaInferenceTimeoutMs: o.getInt("schemaInferenceTimeoutMs", 10_000, { min: 0 }),
    mode: o.getEnum("mode", PARSE_MODES, "PERMISSIVE"),
    // A change stream's delete event carries only `_key` and `_delete`: under the shape rule every
    // delete would be malformed, so Spark's rule is the default here.
    matching: o.getEnum("matching", ["spark", "shape"] as const, "spark"),
    columnNameOfCorruptRecord: o.getString("columnNameOfCorruptRecord", "_corrupt_record"),
    schemaEvolutionMode: o.getEnum("schemaEvolutionMode", SCHEMA_EVOLUTION_MODES),
    rescuedDataColumn: rescuedColumnOption(o),
    includeMetadata: o.getBoolean("includeMetadata", false),
    receiverQueueSize,
    idleTimeoutMs: o.getInt("idleTimeoutMs", 30_000, { min: 0 }),
    batchReplayTimeoutMs: o.getInt("batchReplayTimeoutMs", 30_000, { min: 1 }),
    maxPendingMessages: o.getInt("maxPendingMessages", 1000, { min: 1, max: 1_000_000 }),
    keyColumn: o.getString("keyColumn"),
  };
}

/** `rescuedDataColumn`: a non-empty column name. */
function rescuedColumnOption(o: CaseInsensitiveOptions): string | undefined {
  const name = o.getString("rescuedDataColumn");
  if (name !== undefined && name.trim() === "") throw o.error("rescuedDataColumn", "must name a column");
  return name;
}
