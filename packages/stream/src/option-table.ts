/**
 * The options of `com.macrometa.spark.stream`, one row each: the parser reads them, and
 * `npm run options` writes them into cli's job.schema.json, the README tables and the TSDoc of
 * {@link StreamFormatOptions}. Adding an option is adding a row here (see the package README).
 * @packageDocumentation
 */
import { PARSE_MODES, SCHEMA_EVOLUTION_MODES, SESSION_STRING_OPTION, type OptionTable } from "@macrometa-spark/core";
import { SUBSCRIPTION_TYPES } from "@macrometa-spark/macrometa-client";

/** The names a job or a session gives this format by. */
export const FORMAT_NAMES = ["com.macrometa.spark.stream.MacrometaTableProvider", "com.macrometa.spark.stream"] as const;

export const STREAM_OPTIONS = {
  regionUrl: {
    kind: "string",
    required: true,
    doc: "Region host (`play.paas.macrometa.io` → `wss://api-play.paas.macrometa.io`) or a full URL (`http://127.0.0.1:port` for local-gdn → `ws://`). TLS unless the URL says `http`/`ws`, which is accepted for localhost only (the key would travel in clear).",
    connector: "same (host only; native Pulsar `pulsar+ssl://api-<host>:<port>`)",
  },
  apiKey: {
    kind: "string",
    secret: true,
    aliases: ["apikey"],
    doc: "API key, bare or as `apikey <key>`; sent as `Authorization: apikey` on the WebSocket upgrade (or exchanged for an OTP, see `auth`). Without one, the server must have auth off.",
    connector: "`apikey` (Pulsar token)",
  },
  fabric: { kind: "string", default: "_system", doc: "GDN fabric.", connector: "same" },
  tenant: {
    kind: "string",
    defaultText: "from the key",
    doc: "Tenant of the topic; derived from `<tenant>.<keyid>.<secret>` (the tenant may contain dots). Required without a key.",
    connector: "`tenant` (required)",
  },
  stream: {
    kind: "string",
    required: true,
    doc: "Stream name, with or without `c8globals.`/`c8locals.`; for a change stream, the collection name.",
    connector: "same",
  },
  replication: {
    kind: "enum",
    values: ["global", "local"],
    default: "global",
    doc: "`global` or `local`. A collection stream is always local: `global` with `isCollectionStream` is an error.",
    connector: "same",
  },
  subscriptionName: {
    kind: "string",
    defaultText: "`mmspark-<hash of checkpoint>`",
    doc: "Durable subscription the source consumes; honoured as given (letters, digits, `.`, `_`, `-`, `:`). The default is stable per checkpoint, so a restart resumes.",
    connector: "`subscriptionName` (read from a lower-cased map, so it falls back to `test-subs`)",
  },
  isCollectionStream: {
    kind: "boolean",
    default: false,
    doc: "Read a collection's change stream: rows get `_key` and `_delete`.",
    connector: "same",
  },
  port: {
    kind: "int",
    min: 1,
    max: 65535,
    field: false,
    json: { type: ["integer", "string"] },
    doc: "Accepted for compatibility and unused: WebSockets go over the HTTPS port.",
    connector: "`6651` (native Pulsar)",
  },
  subscriptionType: {
    kind: "enum",
    values: SUBSCRIPTION_TYPES,
    default: "Exclusive",
    doc: "Exclusive/Failover deliver in order; with `Shared`/`Key_Shared` and several consumers, a replayed batch is the same batch only while this query is the sole consumer (a warning says so).",
    connector: "fixed `Shared`",
  },
  startingPosition: {
    kind: "enum",
    values: ["earliest", "latest"],
    default: "earliest",
    doc: "Where a **new** subscription starts (sent as `subscriptionInitialPosition`); an existing subscription keeps its position. `latest` is anchored when the query's first trigger subscribes.",
    connector: "fixed Earliest",
  },
  maxMessagesPerTrigger: {
    kind: "int",
    min: 1,
    defaultText: "unlimited",
    doc: "Messages per micro-batch (at most `receiverQueueSize`).",
  },
  receiverQueueSize: {
    kind: "int",
    min: 1,
    max: 1_000_000,
    defaultText: "`max(1000, 2 × maxMessagesPerTrigger)`",
    doc: "Unacknowledged messages the server may push, and the client buffer bound. A batch stays unacknowledged until its commit, so twice the batch lets the next batch arrive while one is written. A batch replayed after a restart is re-read with a queue at least its recorded size (a warning says when that raises it); a batch that still cannot fill (an offset without a size) fails at once, naming this option.",
    connector: "— (Pulsar default 1000)",
  },
  schemaSampleSize: {
    kind: "int",
    default: 1,
    min: 1,
    max: 100_000,
    doc: "Messages peeked to infer the schema (with a *reader*: nothing is consumed or acked).",
    connector: "first message, *consumed*",
  },
  schemaInferenceTimeoutMs: {
    kind: "int",
    default: 10_000,
    min: 0,
    unit: "ms",
    doc: 'How long inference waits for a first message before failing with "give a schema".',
    connector: "blocks forever",
  },
  mode: {
    kind: "enum",
    values: PARSE_MODES,
    default: "PERMISSIVE",
    doc: "`PERMISSIVE` (nulls, and the raw text in `columnNameOfCorruptRecord` when the schema has it), `DROPMALFORMED` (row dropped, counted), `FAILFAST` (query fails naming the message id; nothing of the batch is acked).",
    connector: "messages missing fields are acked and dropped",
  },
  matching: {
    kind: "enum",
    values: ["spark", "shape"],
    default: "spark",
    doc: "`spark`: missing fields are null, unknown fields ignored (a change stream's delete carries only `_key`/`_delete`, so the shape rule would make every delete malformed); `shape`: the connector's exact-shape rule.",
    connector: "shape",
  },
  columnNameOfCorruptRecord: {
    kind: "string",
    default: "_corrupt_record",
    doc: "Column for malformed payloads under PERMISSIVE (used when present in the schema).",
  },
  schemaEvolutionMode: {
    kind: "enum",
    values: SCHEMA_EVOLUTION_MODES,
    defaultText: "`addNewColumns` for an inferred schema, `rescue` for a given one",
    doc: "What a payload with fields the schema lacks does (Auto Loader's modes): `addNewColumns` widens the query's schema between micro-batches (recorded in `offsets/N`; the Delta sink adds the columns), `rescue` keeps the schema and puts them in the rescued-data column, `failOnNewColumns` fails the query naming them and the message id (nothing of the batch is acked), `none` drops them (counted as `droppedFields`). See *Schema drift* in the root README.",
    connector: "fields outside the schema dropped",
  },
  rescuedDataColumn: {
    kind: "string",
    defaultText: "`_rescued_data` under `addNewColumns` and `rescue`; none otherwise",
    doc: "The rescued-data column (a string column of JSON): fields not in the schema and values that do not fit their column, with `_messageId`; counted as `rescuedMessages`.",
  },
  includeMetadata: {
    kind: "boolean",
    default: false,
    doc: "Adds `_messageId` (string), `_publishTime` (timestamp), `_key` (message key; omitted for change streams, whose `_key` is the document's), `_properties` (map<string,string>).",
  },
  batchReplayTimeoutMs: {
    kind: "int",
    default: 30_000,
    min: 1,
    unit: "ms",
    doc: "How long a (re)read batch waits for its last message to be redelivered before failing. Stopping the source ends the wait at once (the batch stays uncommitted).",
  },
  idleTimeoutMs: {
    kind: "int",
    default: 30_000,
    min: 0,
    unit: "ms",
    doc: "No frame (message or pong; pings every half) for this long → the socket is replaced. `0` = off.",
  },
  auth: {
    kind: "enum",
    values: ["header", "otp"],
    default: "header",
    doc: "`header`: `Authorization: apikey` on the upgrade; `otp`: a fresh one-time password per socket (the GDN's `apid/otp` route), passed as `?otp=`.",
  },
  maxPendingMessages: {
    kind: "int",
    default: 1000,
    min: 1,
    max: 1_000_000,
    doc: "Sink: unacknowledged sends in flight; `send` waits for room.",
    connector: "blocking send per row",
  },
  keyColumn: { kind: "string", doc: "Sink: column whose value becomes the message key (Key_Shared routing, compaction)." },
  path: SESSION_STRING_OPTION,
  checkpointLocation: SESSION_STRING_OPTION,
  queryName: SESSION_STRING_OPTION,
} as const satisfies OptionTable;
