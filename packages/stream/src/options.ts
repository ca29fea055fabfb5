/**
 * Options of `com.macrometa.spark.stream`: the Scala connector's names (so a job moves between
 * engines unchanged) plus ours. All parsed and validated up front; errors name the option.
 * @packageDocumentation
 */
import { TableOptions, acceptedOptionNames, type CaseInsensitiveOptions, type ParseMode, type SchemaEvolutionMode } from "@macrometa-spark/core";
import {
  resolveTopic,
  resolveWsBase,
  tenantOfApiKey,
  type ResolvedTopic,
  type StreamReplication,
  type SubscriptionType,
} from "@macrometa-spark/macrometa-client";
import { FORMAT_NAMES, STREAM_OPTIONS } from "./option-table.js";

export { FORMAT_NAMES };

/** Every spelling this format accepts (compared case-insensitively): its table's names and aliases. */
export const KNOWN_OPTIONS: readonly string[] = acceptedOptionNames(STREAM_OPTIONS);

export interface StreamFormatOptions {
  /**
   * Region host (`play.paas.macrometa.io` → `wss://api-play.paas.macrometa.io`) or a full URL
   * (`http://127.0.0.1:port` for local-gdn → `ws://`). TLS unless the URL says `http`/`ws`, which
   * is accepted for localhost only (the key would travel in clear). Required.
   */
  regionUrl: string;
  wsBase: string;
  /**
   * API key, bare or as `apikey <key>`; sent as `Authorization: apikey` on the WebSocket upgrade
   * (or exchanged for an OTP, see `auth`). Without one, the server must have auth off. Never logged
   * or echoed in errors.
   */
  apiKey: string | undefined;
  /**
   * `header`: `Authorization: apikey` on the upgrade; `otp`: a fresh one-time password per socket
   * (the GDN's `apid/otp` route), passed as `?otp=`. Default: `header`.
   */
  auth: "header" | "otp";
  /** GDN fabric. Default: `_system`. */
  fabric: string;
  /**
   * Tenant of the topic; derived from `<tenant>.<keyid>.<secret>` (the tenant may contain dots).
   * Required without a key. Default: from the key.
   */
  tenant: string;
  /**
   * Stream name, with or without `c8globals.`/`c8locals.`; for a change stream, the collection
   * name. Required.
   */
  stream: string;
  /**
   * `global` or `local`. A collection stream is always local: `global` with `isCollectionStream` is
   * an error. Default: `global`.
   */
  replication: StreamReplication;
  /** Read a collection's change stream: rows get `_key` and `_delete`. Default: `false`. */
  isCollectionStream: boolean;
  topic: ResolvedTopic;
  /**
   * Durable subscription the source consumes; honoured as given (letters, digits, `.`, `_`, `-`,
   * `:`). The default is stable per checkpoint, so a restart resumes. Default: `mmspark-<hash of
   * checkpoint>`.
   */
  subscriptionName: string | undefined;
  /**
   * Exclusive/Failover deliver in order; with `Shared`/`Key_Shared` and several consumers, a
   * replayed batch is the same batch only while this query is the sole consumer (a warning says
   * so). Default: `Exclusive`.
   */
  subscriptionType: SubscriptionType;
  /**
   * Where a **new** subscription starts (sent as `subscriptionInitialPosition`); an existing
   * subscription keeps its position. `latest` is anchored when the query's first trigger
   * subscribes. Default: `earliest`.
   */
  startingPosition: "earliest" | "latest";
  /** Messages per micro-batch (at most `receiverQueueSize`). At least 1. Default: unlimited. */
  maxMessagesPerTrigger: number | undefined;
  /**
   * Messages peeked to infer the schema (with a *reader*: nothing is consumed or acked). Range:
   * 1..100000. Default: `1`.
   */
  schemaSampleSize: number;
  /**
   * How long inference waits for a first message before failing with "give a schema". At least 0.
   * Default: `10000` (ms).
   */
  schemaInferenceTimeoutMs: number;
  /**
   * `PERMISSIVE` (nulls, and the raw text in `columnNameOfCorruptRecord` when the schema has it),
   * `DROPMALFORMED` (row dropped, counted), `FAILFAST` (query fails naming the message id; nothing
   * of the batch is acked). Default: `PERMISSIVE`.
   */
  mode: ParseMode;
  /**
   * `spark`: missing fields are null, unknown fields ignored (a change stream's delete carries only
   * `_key`/`_delete`, so the shape rule would make every delete malformed); `shape`: the
   * connector's exact-shape rule. Default: `spark`.
   */
  matching: "spark" | "shape";
  /**
   * Column for malformed payloads under PERMISSIVE (used when present in the schema). Default:
   * `_corrupt_record`.
   */
  columnNameOfCorruptRecord: string;
  /**
   * What a payload with fields the schema lacks does (Auto Loader's modes): `addNewColumns` widens
   * the query's schema between micro-batches (recorded in `offsets/N`; the Delta sink adds the
   * columns), `rescue` keeps the schema and puts them in the rescued-data column,
   * `failOnNewColumns` fails the query naming them and the message id (nothing of the batch is
   * acked), `none` drops them (counted as `droppedFields`). See *Schema drift* in the root README.
   * Default: `addNewColumns` for an inferred schema, `rescue` for a given one.
   */
  schemaEvolutionMode: SchemaEvolutionMode | undefined;
  /**
   * The rescued-data column (a string column of JSON): fields not in the schema and values that do
   * not fit their column, with `_messageId`; counted as `rescuedMessages`. Default: `_rescued_data`
   * under `addNewColumns` and `rescue`; none otherwise.
   */
  rescuedDataColumn: string | undefined;
  /**
   * Adds `_messageId` (string), `_publishTime` (timestamp), `_key` (message key; omitted for change
   * streams, whose `_key` is the document's), `_properties` (map<string,string>). Default: `false`.
   */
  includeMetadata: boolean;
  /**
   * Unacknowledged messages the server may push, and the client buffer bound. A batch stays
   * unacknowledged until its commit, so twice the batch lets the next batch arrive while one is
   * written. A batch replayed after a restart is re-read with a queue at least its recorded size (a
   * warning says when that raises it); a batch that still cannot fill (an offset without a size)
   * fails at once, naming this option. Range: 1..1000000. Default: `max(1000, 2 ×
   * maxMessagesPerTrigger)`.
   */
  receiverQueueSize: number;
  /**
   * No frame (message or pong; pings every half) for this long → the socket is replaced. `0` = off.
   * At least 0. Default: `30000` (ms).
   */
  idleTimeoutMs: number;
  /**
   * How long a (re)read batch waits for its last message to be redelivered before failing. Stopping
   * the source ends the wait at once (the batch stays uncommitted). At least 1. Default: `30000`
   * (ms).
   */
  batchReplayTimeoutMs: number;
  /**
   * Sink: unacknowledged sends in flight; `send` waits for room. Range: 1..1000000. Default:
   * `1000`.
   */
  maxPendingMessages: number;
  /** Sink: column whose value becomes the message key (Key_Shared routing, compaction). */
  keyColumn: string | undefined;
}

export function parseStreamOptions(o: CaseInsensitiveOptions): StreamFormatOptions {
  // A misspelt option (`subscriptionNmae`) would otherwise silently fall back to a default: fail
  // before anything connects, as every other format does.
  const t = new TableOptions(o, STREAM_OPTIONS);
  const regionUrl = t.string("regionUrl");
  let wsBase: string;
  try {
    wsBase = resolveWsBase(regionUrl);
  } catch (err) {
    throw o.error("regionUrl", err instanceof Error ? err.message : String(err));
  }
  const rawKey = t.string("apiKey")?.replace(/^apikey\s+/i, "").trim();
  const apiKey = rawKey === "" ? undefined : rawKey;
  const tenant = t.string("tenant") || (apiKey ? tenantOfApiKey(apiKey) : undefined);
  if (!tenant) {
    throw o.error("tenant", apiKey ? "could not be derived from the API key (expected <tenant>.<keyid>.<secret>); set it" : "is required when no apiKey is given");
  }
  const fabric = t.string("fabric");
  const stream = t.string("stream");
  const isCollectionStream = t.boolean("isCollectionStream");
  // Not t.enum: its default would hide whether the user said `global` next to isCollectionStream.
  const replicationGiven = o.getEnum("replication", STREAM_OPTIONS.replication.values);
  if (isCollectionStream && replicationGiven === "global") {
    throw o.error("replication", "a collection stream is always local (isCollectionStream is true); use 'local' or leave replication out");
  }
  const replication: StreamReplication = isCollectionStream ? "local" : (replicationGiven ?? STREAM_OPTIONS.replication.default);
  t.int("port"); // accepted for the connector's sake; WebSockets use the HTTPS port
  let topic: ResolvedTopic;
  try {
    topic = resolveTopic({ tenant, fabric, name: stream, replication, isCollectionStream });
  } catch (err) {
    throw o.error("stream", err instanceof Error ? err.message : String(err));
  }
  const subscriptionName = t.string("subscriptionName");
  if (subscriptionName !== undefined && !/^[A-Za-z0-9._\-:]+$/.test(subscriptionName)) {
    throw o.error("subscriptionName", "may contain letters, digits, '.', '_', '-', ':' only");
  }
  const maxMessagesPerTrigger = t.int("maxMessagesPerTrigger");
  // Twice the batch by default: the next batch arrives while the current one is written (the
  // server sends at most receiverQueueSize unacknowledged messages, and a batch is acked only
  // after its commit).
  const receiverQueueSize = t.int("receiverQueueSize", Math.max(1000, 2 * (maxMessagesPerTrigger ?? 0)));
  if (maxMessagesPerTrigger !== undefined && maxMessagesPerTrigger > receiverQueueSize) {
    // A batch is held unacknowledged until the sink commits it, and the server sends at most
    // receiverQueueSize unacknowledged messages: a larger batch could never fill.
    throw o.error("maxMessagesPerTrigger", `must be <= receiverQueueSize (${receiverQueueSize})`);
  }
  return {
    regionUrl,
    wsBase,
    apiKey,
    auth: t.enum("auth"),
    fabric,
    tenant,
    stream,
    replication,
    isCollectionStream,
    topic,
    subscriptionName,
    subscriptionType: t.enum("subscriptionType"),
    startingPosition: t.enum("startingPosition"),
    maxMessagesPerTrigger,
    schemaSampleSize: t.int("schemaSampleSize"),
    schemaInferenceTimeoutMs: t.int("schemaInferenceTimeoutMs"),
    mode: t.enum("mode"),
    matching: t.enum("matching"),
    columnNameOfCorruptRecord: t.string("columnNameOfCorruptRecord"),
    // Undefined = the default, which depends on whether the schema was given: the provider resolves it.
    schemaEvolutionMode: t.enum("schemaEvolutionMode"),
    rescuedDataColumn: rescuedColumnOption(t),
    includeMetadata: t.boolean("includeMetadata"),
    receiverQueueSize,
    idleTimeoutMs: t.int("idleTimeoutMs"),
    batchReplayTimeoutMs: t.int("batchReplayTimeoutMs"),
    maxPendingMessages: t.int("maxPendingMessages"),
    keyColumn: t.string("keyColumn"),
  };
}

/** `rescuedDataColumn`: a non-empty column name. */
function rescuedColumnOption(t: TableOptions<typeof STREAM_OPTIONS>): string | undefined {
  const name = t.string("rescuedDataColumn");
  if (name !== undefined && name.trim() === "") throw t.error("rescuedDataColumn", "must name a column");
  return name;
}
