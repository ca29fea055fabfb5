/**
 * The README's main command, in-process: `mmspark demo` starts its own local peers, runs
 * collection → Delta, stream → Delta and a CDC sync, and reports what it did. Asserted from the
 * text output (what a user reads) and from the `--json` summary event.
 */
import { describe, expect, it } from "vitest";
import "../src/commands/register.js";
import { main } from "../src/main.js";
import { capture } from "./support/capture.js";


describe("mmspark demo", () => {
  it("runs the main job on local peers and prints schemas, counts, rejections and rows read back", async () => {
    const c = capture();
    const code = await main(["demo"], c.io, new AbortController().signal);
    expect(c.err()).not.toMatch(/mmspark demo:/);
    expect(code).toBe(0);
    const text = c.out();
    // 1. collection → Delta: the 30-document shape wins; 20 + 10 + 4 odd are rejected, with keys.
    expect(text).toContain("seeded collection 'customers': 64 documents");
    expect(text).toMatch(/inferred schema: struct<_id:string,_key:string,_rev:string,accountId:bigint,address:struct<city:string,zip:string>,name:string,orders:array<struct<qty:bigint,sku:string>>,tags:array<string>,tier:string>/);
    expect(text).toContain(" |-- address: struct (nullable = true)");
    expect(text).toContain("wrote 30 rows to main.demo.customers");
    expect(text).toMatch(/rejected 34 \(rejectedRecords; first keys: c004, c005, c006/);
    expect(text).toContain(`c013.accountId = 9007199254740993 (exact)`);
    expect(text).toMatch(/\|_key\|\s*name\|accountId\|/);
    // 2. stream → Delta: every event once.
    expect(text).toMatch(/applied 60 events in \d+ micro-batches; main\.demo\.clicks has 60 rows/);
    expect(c.err()).toMatch(/batch \d+: \d+ rows, in \d+ rows\/s, processed \d+ rows\/s, \d+ ms/);
    // ... and the field the last events gained became a column while the query ran.
    expect(text).toContain("the table grew while the query ran: +referrer");
    expect(text).toMatch(/\|\s*46\|\s*u4\|\s*\/docs\|https:\/\/ref1\.example\|\s*null\|/);
    // 3. CDC sync: the table equals the collection after changes during and after the snapshot.
    expect(text).toMatch(/7 changes \(insert\/update\/delete\) applied from the change stream; collection has 25 documents, main\.demo\.orders has 25 rows: identical/);
    // 4. Delta → collection: 4 statuses; the refresh is one update (pre + post image) and one delete.
    expect(text).toContain("computed main.demo.status_totals in Delta (orders per status, change data feed on): 4 rows");
    expect(text).toContain("reverse sync: 4 changes -> collection 'status_totals'");
    expect(text).toContain("the same query's next run moved only those: 3 changes");
    expect(text).toMatch(/collection 'status_totals' \(3 documents\) equals main\.demo\.status_totals:\n  new: \d+ orders/);
  });

  it("--json prints one JSON event per line ending with a summary", async () => {
    const c = capture();
    expect(await main(["demo", "--json"], c.io, new AbortController().signal)).toBe(0);
    const events = c.out().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = events.find((e) => e["type"] === "summary") as Record<string, Record<string, unknown>> | undefined;
    expect(summary).toBeDefined();
    expect(summary!["collectionToDelta"]).toMatchObject({ seeded: 64, written: 30, rejected: 34, deltaCount: 30, bigintExact: true });
    expect(summary!["streamToDelta"]).toMatchObject({ published: 60, deltaCount: 60, addedColumns: ["referrer"] });
    expect(summary!["cdcSync"]).toMatchObject({ snapshotRows: 25, collectionCount: 25, deltaCount: 25, matches: true });
    expect(summary!["reverseSync"]).toEqual({ aggregateRows: 4, firstRunChanges: 4, secondRunChanges: 3, collectionCount: 3, matches: true });
    expect(events.some((e) => e["type"] === "stream-progress")).toBe(true);
  });
});
