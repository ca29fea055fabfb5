/**
 * The change-feed source's option parsing and batch planning, as Delta defines them:
 * option names from DeltaOptions.scala (readChangeFeed, startingVersion, startingTimestamp,
 * endingVersion, endingTimestamp, maxFilesPerTrigger — default 1000 —, maxBytesPerTrigger,
 * skipChangeCommits); a commit admitted whole, the first one whatever the limits
 * (DeltaSourceCDCSupport.scala, DeltaSource.scala); DELTA_SOURCE_TABLE_IGNORE_CHANGES on a data
 * update without the change feed (delta-error-classes.json).
 */
import { describe, expect, it } from "vitest";
import { CaseInsensitiveOptions, isOptionError } from "@macrometa-spark/core";
import { parseReadOptions } from "../src/index.js";
import { commitFromHistoryRow, type Commit } from "../src/change-feed/history.js";
import { appendRuns, nextEnd } from "../src/change-feed/plan.js";
import { parseChangeFeedOptions, type ChangeFeedOptions } from "../src/change-feed/options.js";

const conn = { host: "localhost", httpPath: "/sql/1.0/warehouses/x", token: "t", table: "main.s.t" };

function cf(o: Record<string, unknown>): ChangeFeedOptions {
  return parseChangeFeedOptions(new CaseInsensitiveOptions(o as never, "databricks"));
}

function failure(o: Record<string, unknown>): Error {
  try {
    parseReadOptions(new CaseInsensitiveOptions({ ...conn, ...o } as never, "databricks"));
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the options to be refused");
}

function commit(version: number, files = 1, extra: Partial<Commit> = {}): Commit {
  return { version, timestamp: new Date(Date.UTC(2026, 0, 1, 0, version)).toISOString(), operation: "WRITE", changesRows: false, files, bytes: files * 100, ...extra };
}

describe("change feed options", () => {
  it("reads Delta's names and defaults, case-insensitively", () => {
    expect(cf({})).toEqual({ readChangeFeed: false, maxFilesPerTrigger: 1000, skipChangeCommits: false });
    expect(cf({ readchangefeed: "true", STARTINGVERSION: "3", endingVersion: 7, maxBytesPerTrigger: 1024 })).toEqual({
      readChangeFeed: true,
      starting: { version: 3 },
      ending: { version: 7 },
      maxFilesPerTrigger: 1000,
      maxBytesPerTrigger: 1024,
      skipChangeCommits: false,
    });
    expect(cf({ readChangeData: true, startingVersion: "latest" })).toMatchObject({ readChangeFeed: true, starting: "latest" });
    expect(cf({ startingTimestamp: "2026-01-02 03:04:05" }).starting).toEqual({ timestamp: "2026-01-02T03:04:05Z" });
    expect(cf({ startingTimestamp: "2026-01-02" }).starting).toEqual({ timestamp: "2026-01-02T00:00:00.000Z" });
  });

  it("refuses what Delta refuses, naming the option", () => {
    expect(failure({ startingVersion: 1, startingTimestamp: "2026-01-01" }).message).toMatch(/startingTimestamp/);
    expect(failure({ startingVersion: 5, endingVersion: 2 }).message).toMatch(/DELTA_INVALID_CDC_RANGE/);
    expect(failure({ startingVersion: -1 }).message).toMatch(/startingVersion/);
    expect(failure({ startingTimestamp: "yesterday" }).message).toMatch(/startingTimestamp.*yyyy-MM-dd/);
    expect(failure({ maxFilesPerTrigger: 0 }).message).toMatch(/maxFilesPerTrigger/);
    const q = failure({ table: undefined, query: "SELECT 1", readChangeFeed: true });
    expect(isOptionError(q)).toBe(true);
    expect(q.message).toMatch(/readChangeFeed/);
  });
});

describe("history rows", () => {
  it("tells appends from data updates and sizes commits from operationMetrics", () => {
    const write = commitFromHistoryRow({ version: 1n, timestamp: "2026-01-01 00:00:01", operation: "WRITE", operationParameters: { mode: "Append" }, operationMetrics: { numFiles: "2", numOutputBytes: "900", numOutputRows: "10" } });
    expect(write).toEqual({ version: 1, timestamp: "2026-01-01T00:00:01.000Z", operation: "WRITE", changesRows: false, files: 2, bytes: 900 });
    const overwrite = commitFromHistoryRow({ version: 2, timestamp: new Date(0), operation: "WRITE", operationParameters: { mode: "Overwrite" }, operationMetrics: {} });
    expect(overwrite.changesRows).toBe(true);
    const noopDelete = commitFromHistoryRow({ version: 3, timestamp: new Date(0), operation: "DELETE", operationMetrics: new Map([["numRemovedFiles", "0"], ["numDeletedRows", "0"]]) });
    expect(noopDelete.changesRows).toBe(false);
    expect(commitFromHistoryRow({ version: 4, timestamp: new Date(0), operation: "MERGE", operationMetrics: '{"numTargetRowsUpdated":"1"}' }).changesRows).toBe(true);
    expect(commitFromHistoryRow({ version: 5, timestamp: new Date(0), operation: "UPDATE" }).changesRows).toBe(true);
    expect(commitFromHistoryRow({ version: 6, timestamp: new Date(0), operation: "SET TBLPROPERTIES" }).files).toBe(0);
  });
});

describe("batch planning", () => {
  const feed = cf({ readChangeFeed: true, startingVersion: 0 });

  it("admits whole commits up to the file limit, the first one whatever its size", () => {
    const commits = [commit(1, 3), commit(2, 3), commit(3, 5), commit(4, 1)];
    expect(nextEnd(0, commits, { maxFiles: 6 }, feed, "t")).toBe(2);
    expect(nextEnd(2, commits, { maxFiles: 2 }, feed, "t")).toBe(3);
    expect(nextEnd(3, commits, { maxFiles: 1000 }, feed, "t")).toBe(4);
    expect(nextEnd(4, commits, { maxFiles: 1000 }, feed, "t")).toBe(4);
    expect(nextEnd(0, commits, { maxFiles: 1000, maxBytes: 650 }, feed, "t")).toBe(2);
    expect(nextEnd(0, commits, { maxFiles: 1000 }, feed, "t", 3)).toBe(3);
  });

  it("without the change feed, fails on a data update once the appends before it are delivered", () => {
    const plain = cf({});
    const commits = [commit(1), commit(2), commit(3, 1, { changesRows: true, operation: "UPDATE" }), commit(4)];
    expect(nextEnd(0, commits, { maxFiles: 1000 }, plain, "main.s.t")).toBe(2);
    expect(() => nextEnd(2, commits, { maxFiles: 1000 }, plain, "main.s.t")).toThrow(/DELTA_SOURCE_TABLE_IGNORE_CHANGES.*version 3/);
    const skip = cf({ skipChangeCommits: true });
    expect(nextEnd(2, commits, { maxFiles: 1000 }, skip, "main.s.t")).toBe(4);
    // The skipped commit's rows are not read: the appends around it are read as separate runs.
    expect(appendRuns(commits, 0, 4)).toEqual([
      [1, 2],
      [4, 4],
    ]);
    expect(appendRuns([commit(1), commit(2, 0, { operation: "SET TBLPROPERTIES" }), commit(3)], 0, 3)).toEqual([[1, 3]]);
  });
});
