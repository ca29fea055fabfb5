/**
 * Options of a Delta table read as a stream or as its change data feed, under Delta's own names
 * (DeltaOptions.scala: `readChangeFeed`, `startingVersion`, `startingTimestamp`, `endingVersion`,
 * `endingTimestamp`, `maxFilesPerTrigger`, `maxBytesPerTrigger`, `skipChangeCommits`).
 * @packageDocumentation
 */
import { TableOptions, acceptedOptionNames, type CaseInsensitiveOptions } from "@macrometa-spark/core";
import { CHANGE_FEED_OPTIONS } from "../option-table.js";

/** Where a change read starts: a version, the first commit at or after a time, or only new commits. */
export type StartingPoint = { version: number } | { timestamp: string } | "latest";

/** Where a change read ends (inclusive). */
export type EndingPoint = { version: number } | { timestamp: string };

/** The change-feed part of a `databricks` read. */
export interface ChangeFeedOptions {
  /**
   * Rows are the table's changes (`_change_type`, `_commit_version`, `_commit_timestamp` added);
   * without it a stream reads appended rows only (a batch read reads the table). `readChangeData`
   * is Delta's legacy name. Default: `false`.
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
   * Stream: data files per micro-batch, counted from each commit's `operationMetrics` in `DESCRIBE
   * HISTORY` (a commit without file counts counts as one); a commit is never split, and the first
   * commit of a batch is admitted whatever its size (Delta's rules and default). At least 1.
   * Default: `1000`.
   */
  maxFilesPerTrigger: number;
  /**
   * Stream: bytes per micro-batch from the same metrics (commits without byte counts count 0), same
   * rules. At least 1.
   */
  maxBytesPerTrigger?: number;
  /**
   * Stream without `readChangeFeed`: commits that update, delete or overwrite rows are skipped
   * (their rows are not read) instead of failing with `DELTA_SOURCE_TABLE_IGNORE_CHANGES`. Default:
   * `false`.
   */
  skipChangeCommits: boolean;
}

/** Every spelling of the change-feed options (Delta's legacy `readChangeData` too). */
const CHANGE_FEED_OPTION_NAMES: readonly string[] = acceptedOptionNames(CHANGE_FEED_OPTIONS);

/** Delta's timestamp option text: `yyyy-MM-dd[ HH:mm:ss[.SSS]]`; an ISO `T…Z` form is also accepted. */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?)?$/;

/** Whether the options ask for anything of this module. */
export function hasChangeFeedOptions(o: CaseInsensitiveOptions): boolean {
  return CHANGE_FEED_OPTION_NAMES.some((n) => o.has(n));
}

/** The change-feed options of `o` (the caller checks the whole set: a read's). */
export function parseChangeFeedOptions(o: CaseInsensitiveOptions): ChangeFeedOptions {
  const t = new TableOptions(o, CHANGE_FEED_OPTIONS, false);
  const out: ChangeFeedOptions = {
    readChangeFeed: t.boolean("readChangeFeed"),
    maxFilesPerTrigger: t.int("maxFilesPerTrigger"),
    skipChangeCommits: t.boolean("skipChangeCommits"),
  };
  if (t.has("startingVersion") && t.has("startingTimestamp")) throw t.error("startingTimestamp", "give either 'startingVersion' or 'startingTimestamp', not both");
  if (t.has("endingVersion") && t.has("endingTimestamp")) throw t.error("endingTimestamp", "give either 'endingVersion' or 'endingTimestamp', not both");
  if (t.has("startingVersion")) {
    const raw = o.get(t.given("startingVersion")!);
    // `latest` is the one word Delta takes here; any other value is a version number.
    out.starting = typeof raw === "string" && raw.trim().toLowerCase() === "latest" ? "latest" : { version: t.int("startingVersion")! };
  } else if (t.has("startingTimestamp")) {
    out.starting = { timestamp: timestampOption(t, "startingTimestamp") };
  }
  const endingVersion = t.int("endingVersion");
  if (endingVersion !== undefined) out.ending = { version: endingVersion };
  else if (t.has("endingTimestamp")) out.ending = { timestamp: timestampOption(t, "endingTimestamp") };
  if (out.starting && typeof out.starting === "object" && "version" in out.starting && out.ending && "version" in out.ending && out.ending.version < out.starting.version) {
    // Delta: DELTA_INVALID_CDC_RANGE (22003).
    throw t.error("endingVersion", `[DELTA_INVALID_CDC_RANGE] CDC range from start ${out.starting.version} to end ${out.ending.version} was invalid. End cannot be before start.`);
  }
  const maxBytes = t.int("maxBytesPerTrigger");
  if (maxBytes !== undefined) out.maxBytesPerTrigger = maxBytes;
  return out;
}

function timestampOption(t: TableOptions<typeof CHANGE_FEED_OPTIONS>, name: "startingTimestamp" | "endingTimestamp"): string {
  const raw = (t.string(name) ?? "").trim();
  if (!TIMESTAMP_TEXT.test(raw) || Number.isNaN(Date.parse(isoTimestamp(raw)))) throw t.error(name, `expected a timestamp as yyyy-MM-dd[ HH:mm:ss[.SSS]], got ${JSON.stringify(raw)}`);
  return isoTimestamp(raw);
}

/** Delta reads a timestamp option in the session time zone, UTC on a SQL warehouse. */
function isoTimestamp(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00.000Z`;
  const t = text.replace(" ", "T");
  return t.endsWith("Z") ? t : `${t}Z`;
}
