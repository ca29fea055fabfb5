/**
 * Options of a Delta table read as a stream or as its change data feed, under Delta's own names
 * (DeltaOptions.scala: `readChangeFeed`, `startingVersion`, `startingTimestamp`, `endingVersion`,
 * `endingTimestamp`, `maxFilesPerTrigger`, `maxBytesPerTrigger`, `skipChangeCommits`).
 * @packageDocumentation
 */
import type { CaseInsensitiveOptions } from "@macrometa-spark/core";

/** Where a change read starts: a version, the first commit at or after a time, or only new commits. */
export type StartingPoint = { version: number } | { timestamp: string } | "latest";

/** Where a change read ends (inclusive). */
export type EndingPoint = { version: number } | { timestamp: string };

/** The change-feed part of a `databricks` read. */
export interface ChangeFeedOptions {
  /**
   * Rows are the table's changes (`_change_type`, `_commit_version`, `_commit_timestamp` added);
   * without it a stream emits appended rows only. Legacy name: `readChangeData`. Default: false.
   */
  readChangeFeed: boolean;
  /**
   * First version read (inclusive), `latest` for commits after the one current at start. Unset on
   * a stream: the table as of its latest version first (as `insert` rows), then its commits.
   * A batch change read needs it or `startingTimestamp` (Delta's DELTA_NO_START_FOR_CDC_READ).
   */
  starting?: StartingPoint;
  /** Last version read (inclusive); a stream stops planning past it. Default: unset (no end). */
  ending?: EndingPoint;
  /**
   * Soft cap of data files per micro-batch, counted from each commit's operationMetrics (a commit
   * without metrics counts as one file). A commit is never split; the first commit of a batch is
   * admitted whatever its size. Default: 1000 (Delta's).
   */
  maxFilesPerTrigger: number;
  /** Soft cap of bytes per micro-batch from operationMetrics, same rules. Default: unset. */
  maxBytesPerTrigger?: number;
  /**
   * Without `readChangeFeed`: commits that update or delete rows are skipped instead of failing
   * the stream (Delta's DELTA_SOURCE_TABLE_IGNORE_CHANGES). Their rows are then not read at all.
   * Default: false.
   */
  skipChangeCommits: boolean;
}

export const CHANGE_FEED_OPTION_NAMES = [
  "readChangeFeed",
  "readChangeData",
  "startingVersion",
  "startingTimestamp",
  "endingVersion",
  "endingTimestamp",
  "maxFilesPerTrigger",
  "maxBytesPerTrigger",
  "skipChangeCommits",
] as const;

/** Delta's timestamp option text: `yyyy-MM-dd[ HH:mm:ss[.SSS]]`; an ISO `T…Z` form is also accepted. */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?)?$/;

/** Whether the options ask for anything of this module. */
export function hasChangeFeedOptions(o: CaseInsensitiveOptions): boolean {
  return CHANGE_FEED_OPTION_NAMES.some((n) => o.has(n));
}

export function parseChangeFeedOptions(o: CaseInsensitiveOptions): ChangeFeedOptions {
  const flag = o.firstOf("readChangeFeed", "readChangeData");
  const out: ChangeFeedOptions = {
    readChangeFeed: flag === undefined ? false : o.getBoolean(flag, false),
    maxFilesPerTrigger: o.getInt("maxFilesPerTrigger", 1000, { min: 1 }),
    skipChangeCommits: o.getBoolean("skipChangeCommits", false),
  };
  if (o.has("startingVersion") && o.has("startingTimestamp")) throw o.error("startingTimestamp", "give either 'startingVersion' or 'startingTimestamp', not both");
  if (o.has("endingVersion") && o.has("endingTimestamp")) throw o.error("endingTimestamp", "give either 'endingVersion' or 'endingTimestamp', not both");
  if (o.has("startingVersion")) {
    const raw = o.get("startingVersion");
    out.starting = typeof raw === "string" && raw.trim().toLowerCase() === "latest" ? "latest" : { version: o.getInt("startingVersion", undefined, { min: 0 })! };
  } else if (o.has("startingTimestamp")) {
    out.starting = { timestamp: timestampOption(o, "startingTimestamp") };
  }
  if (o.has("endingVersion")) out.ending = { version: o.getInt("endingVersion", undefined, { min: 0 })! };
  else if (o.has("endingTimestamp")) out.ending = { timestamp: timestampOption(o, "endingTimestamp") };
  if (out.starting && typeof out.starting === "object" && "version" in out.starting && out.ending && "version" in out.ending && out.ending.version < out.starting.version) {
    // Delta: DELTA_INVALID_CDC_RANGE (22003).
    throw o.error("endingVersion", `[DELTA_INVALID_CDC_RANGE] CDC range from start ${out.starting.version} to end ${out.ending.version} was invalid. End cannot be before start.`);
  }
  const maxBytes = o.getInt("maxBytesPerTrigger", undefined, { min: 1 });
  if (maxBytes !== undefined) out.maxBytesPerTrigger = maxBytes;
  return out;
}

function timestampOption(o: CaseInsensitiveOptions, name: string): string {
  const raw = o.requireString(name).trim();
  if (!TIMESTAMP_TEXT.test(raw) || Number.isNaN(Date.parse(isoTimestamp(raw)))) throw o.error(name, `expected a timestamp as yyyy-MM-dd[ HH:mm:ss[.SSS]], got ${JSON.stringify(raw)}`);
  return isoTimestamp(raw);
}

/** Delta reads a timestamp option in the session time zone, UTC on a SQL warehouse. */
function isoTimestamp(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00.000Z`;
  const t = text.replace(" ", "T");
  return t.endsWith("Z") ? t : `${t}Z`;
}
