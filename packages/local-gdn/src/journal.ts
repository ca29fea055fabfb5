/**
 * On-disk persistence for `dataDir`: `meta.json` (fabrics, collections, counters), `snapshot.log`
 * (every document) and `journal.log` (changes since the snapshot), one record per line:
 * `P<TAB>fabric<TAB>collection<TAB>docJSON`, `D<TAB>fabric<TAB>collection<TAB>key`,
 * `T<TAB>fabric<TAB>collection` (truncate), `X<TAB>fabric<TAB>collection` (drop).
 *
 * fsync policy: each request's records reach the kernel (`writeSync`) before the response is sent,
 * so a process crash loses nothing acknowledged; the journal is fsynced every second, on
 * `waitForSync=true` writes, at snapshot and at close, so a power loss can lose up to ~1 s.
 * @packageDocumentation
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseJson, type JsonObject, type JsonValue } from "./json.js";
import { type Change, type CollectionMeta, type Store, textOf } from "./store.js";

interface MetaFile {
  version: 1;
  counters: { key: number; id: number };
  fabrics: { name: string; metadata: unknown; collections: CollectionMeta[] }[];
}

/** Records since the last snapshot before a new snapshot is taken. */
const SNAPSHOT_EVERY = 200_000;
const FSYNC_INTERVAL_MS = 1000;

export class Journal {
  private fd: number;
  private pending: string[] = [];
  private sinceSnapshot = 0;
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly store: Store,
  ) {
    this.dir = join(dataDir, "gdn");
    mkdirSync(this.dir, { recursive: true });
    this.load();
    this.fd = openSync(join(this.dir, "journal.log"), "a");
    this.timer = setInterval(() => this.sync(), FSYNC_INTERVAL_MS);
    this.timer.unref();
  }

  private load(): void {
    const metaPath = join(this.dir, "meta.json");
    if (!existsSync(metaPath)) return;
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as MetaFile;
    for (const f of meta.fabrics) {
      this.store.restoreFabric(f.name).metadata = f.metadata as JsonValue;
      for (const c of f.collections) this.store.restoreCollection(f.name, c);
    }
    this.store.restoreCounters(meta.counters);
    for (const file of ["snapshot.log", "journal.log"]) {
      const p = join(this.dir, file);
      if (existsSync(p)) this.replay(readFileSync(p, "utf8"));
    }
    for (const f of this.store.fabrics.values()) for (const c of f.collections.values()) c.indexes.rebuild();
  }

  private replay(text: string): void {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf("\n", start);
      // A torn last line (crash mid-write) has no newline: it was never acknowledged.
      if (nl < 0) break;
      const line = text.slice(start, nl);
      start = nl + 1;
      const t1 = line.indexOf("\t");
      const t2 = line.indexOf("\t", t1 + 1);
      const op = line.slice(0, t1);
      const fabric = line.slice(t1 + 1, t2);
      const t3 = line.indexOf("\t", t2 + 1);
      const collection = t3 < 0 ? line.slice(t2 + 1) : line.slice(t2 + 1, t3);
      const c = this.store.fabrics.get(fabric)?.collections.get(collection);
      if (!c) continue;
      const rest = line.slice(t3 + 1);
      if (op === "P") {
        const { value, lossless } = parseJson(rest);
        c.restore(value as JsonObject, rest, lossless);
      } else if (op === "D") c.docs.delete(rest);
      else if (op === "T" || op === "X") c.docs.clear();
    }
  }

  record(change: Change): void {
    const head = `${change.fabric}\t${change.collection}`;
    switch (change.op) {
      case "put":
        this.pending.push(`P\t${head}\t${change.text}\n`);
        break;
      case "delete":
        this.pending.push(`D\t${head}\t${change.key}\n`);
        break;
      case "truncate":
        this.pending.push(`T\t${head}\n`);
        break;
      case "drop":
        this.pending.push(`X\t${head}\n`);
        break;
    }
  }

  writeMeta(): void {
    const meta: MetaFile = {
      version: 1,
      counters: this.store.counters(),
      fabrics: [...this.store.fabrics.values()].map((f) => ({
        name: f.name,
        metadata: f.metadata,
        collections: [...f.collections.values()].map((c) => c.meta),
      })),
    };
    const tmp = join(this.dir, "meta.json.tmp");
    writeFileSync(tmp, JSON.stringify(meta));
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, "meta.json"));
  }

  /** Hands buffered records to the kernel; `durable` also fsyncs (waitForSync). */
  flush(durable = false): void {
    if (this.pending.length) {
      const data = this.pending.join("");
      this.sinceSnapshot += this.pending.length;
      this.pending = [];
      writeSync(this.fd, data);
      this.dirty = true;
    }
    if (durable) this.sync();
    if (this.sinceSnapshot >= SNAPSHOT_EVERY) this.snapshot();
  }

  private sync(): void {
    if (!this.dirty) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  /** Writes every document to a fresh snapshot, then starts an empty journal. */
  snapshot(): void {
    const tmp = join(this.dir, "snapshot.log.tmp");
    const fd = openSync(tmp, "w");
    let buf: string[] = [];
    let size = 0;
    for (const f of this.store.fabrics.values())
      for (const c of f.collections.values())
        for (const doc of c.docs.values()) {
          const line = `P\t${f.name}\t${c.name}\t${textOfDoc(doc)}\n`;
          buf.push(line);
          size += line.length;
          if (size > 4 << 20) {
            writeSync(fd, buf.join(""));
            buf = [];
            size = 0;
          }
        }
    if (buf.length) writeSync(fd, buf.join(""));
    fsyncSync(fd);
    closeSync(fd);
    this.writeMeta();
    renameSync(tmp, join(this.dir, "snapshot.log"));
    closeSync(this.fd);
    this.fd = openSync(join(this.dir, "journal.log"), "w");
    fsyncSync(this.fd);
    this.sinceSnapshot = 0;
    this.dirty = false;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.snapshot();
    closeSync(this.fd);
  }
}

function textOfDoc(doc: JsonObject): string {
  return textOf(doc) ?? JSON.stringify(doc);
}
