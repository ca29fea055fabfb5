/**
 * The fields of a job spec, as option tables: the top level, `trigger` and `sync`. `npm run
 * options` renders them with the formats' tables into schema/job.schema.json (and so the
 * generated job types); the runner reads the spec only after that schema validated it.
 * @packageDocumentation
 */
import { SCHEMA_EVOLUTION_MODES, type OptionTable } from "@macrometa-spark/core";

/** The job kinds `mmspark run` knows. */
export const JOB_KINDS = ["batch", "stream", "sync", "reverse"] as const;

export const JOB_FIELDS = {
  $schema: { kind: "string", allowEmpty: true, doc: "The schema this spec is written against (for editors)." },
  name: { kind: "string", required: true, json: { maxLength: 100 }, doc: "Job name; also the Databricks run name." },
  kind: {
    kind: "enum",
    values: JOB_KINDS,
    default: "batch",
    doc: "batch: read once and write; stream: micro-batches until stopped; sync: a collection's snapshot then its change stream merged into a Delta table; reverse: a Delta table's change data feed applied to a collection by key.",
  },
  source: { kind: "object", json: { $ref: "#/definitions/Source" }, doc: "What is read (kinds batch and stream)." },
  sink: { kind: "object", json: { $ref: "#/definitions/Sink" }, doc: "Where it is written (kinds batch and stream)." },
  sync: { kind: "object", json: { $ref: "#/definitions/SyncSpec" }, doc: "The collection and Delta table of kind sync." },
  reverse: { kind: "object", json: { $ref: "#/definitions/ReverseSpec" }, doc: "The Delta table and collection of kind reverse." },
  trigger: { kind: "object", json: { $ref: "#/definitions/Trigger" }, doc: "When micro-batches start (kinds stream and sync)." },
  checkpointLocation: {
    kind: "string",
    defaultText: "under `mmspark run`: `<state dir>/checkpoints/<name>`, the state dir being `$MMSPARK_STATE_DIR`, else `$XDG_STATE_HOME/mmspark`, else `~/.local/state/mmspark`",
    doc: "Folder of the streaming checkpoint (offsets/N, commits/N) of kind stream, kind sync and kind reverse. Required by `mmspark submit`.",
  },
} as const satisfies OptionTable;

export const TRIGGER_FIELDS = {
  processingTime: {
    kind: "string",
    json: {
      oneOf: [
        { type: "integer", minimum: 0 },
        { type: "string", pattern: "^\\s*\\d+\\s*(ms|millisecond|milliseconds|s|second|seconds|min|minute|minutes)?\\s*$" },
      ],
    },
    doc: 'Interval between batch starts (ms, or text such as "250 ms", "10 seconds").',
  },
  once: { kind: "boolean", json: { type: "boolean" }, doc: "One micro-batch of what is there, then stop." },
  availableNow: { kind: "boolean", json: { type: "boolean" }, doc: "Micro-batches until what was there at the start is read, then stop." },
} as const satisfies OptionTable;

export const SYNC_FIELDS = {
  collection: { kind: "object", required: true, json: { $ref: "#/definitions/CollectionOptions" }, doc: "The collection read (snapshot, then its change stream)." },
  delta: { kind: "object", required: true, json: { $ref: "#/definitions/DatabricksOptions" }, doc: "The Delta table merged into by `_key`." },
  subscriptionName: {
    kind: "string",
    defaultText: "`mmspark-sync-<name>`",
    doc: "Subscription used for the change stream.",
  },
  schemaEvolutionMode: {
    kind: "enum",
    values: SCHEMA_EVOLUTION_MODES,
    defaultText: "`addNewColumns` (the snapshot's schema is inferred)",
    doc: "What a changed document's fields outside the table do: `addNewColumns` adds them as columns of the Delta table between micro-batches, `rescue` puts them in the rescued-data column, `failOnNewColumns` stops the sync naming them, `none` drops them (counted).",
  },
} as const satisfies OptionTable;

export const REVERSE_FIELDS = {
  delta: {
    kind: "object",
    required: true,
    json: { $ref: "#/definitions/DatabricksOptions" },
    doc: "The Delta table whose change data feed is read: connection, `table`, and Delta's change-feed options (`startingVersion`, `maxFilesPerTrigger`, …); `readChangeFeed` is implied.",
  },
  collection: {
    kind: "object",
    required: true,
    json: { $ref: "#/definitions/CollectionOptions" },
    doc: "The collection the changes are applied to (created when missing).",
  },
} as const satisfies OptionTable;
