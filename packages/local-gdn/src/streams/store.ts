/**
 * On-disk stream state under `<dataDir>/streams/`:
 * - `topics.json`: the stream list and the next ledger id, rewritten atomically (tmp, fsync, rename)
 *   on every create/delete;
 * - `<ledgerId>.ledger`: one line per entry, append-only;
 * - `<ledgerId>.cursors`: subscription records (created, acks, mark-delete, deleted), append-only and
 *   compacted to one record per subscription on load.
 *
 * Fsync policy: appends are written with `writeSync` before a producer is told "ok" (entries) and within
 * the same I/O turn (acks), so a killed process loses nothing it confirmed; the files are fsynced only
 * on close and on topic-list changes, so a power loss may lose the last moments of entries and acks.
 * A torn last line is ignored on load.
 * @packageDocumentation
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { SubscriptionType } from "./subscription.js";
import type { StoredMessage, TopicDescriptor, TopicLog } from "./topic.js";

interface MetaFile {
  nextLedgerId: number;
  ttlSeconds: number;
  topics: TopicDescriptor[];
}

export interface LoadedSubscription {
  type: SubscriptionType;
  markDelete: number;
  acked: number[];
}

export interface LoadedTopic {
  desc: TopicDescriptor;
  entries: StoredMessage[];
  subscriptions: Map<string, LoadedSubscription>;
}

type CursorRecord =
  | { s: string; c: SubscriptionType; p: number }
  | { s: string; d: 1 }
  | { s: string; m: number }
  | { s: string; a: number[] };

class TopicFiles implements TopicLog {
  private ledgerFd: number;
  private cursorFd: number;
  private ledgerBuf = "";
  private cursorBuf = "";
  private readonly acks = new Map<string, number[]>();

  constructor(
    private readonly store: StreamStore,
    readonly ledgerPath: string,
    readonly cursorPath: string,
  ) {
    this.ledgerFd = openSync(ledgerPath, "a");
    this.cursorFd = openSync(cursorPath, "a");
  }

  appendEntry(msg: StoredMessage): void {
    // Tab-separated: base64 and JSON text never hold a raw tab or newline.
    this.ledgerBuf += `${msg.entryId}\t${msg.publishTime}\t${msg.payload}\t${JSON.stringify(msg.properties)}\t${
      msg.key === undefined ? "" : JSON.stringify(msg.key)
    }\t${msg.eventTime === undefined ? "" : JSON.stringify(msg.eventTime)}\n`;
    this.store.dirty(this);
  }

  ack(subscription: string, entryId: number): void {
    let list = this.acks.get(subscription);
    if (!list) this.acks.set(subscription, (list = []));
    list.push(entryId);
    this.store.dirty(this);
  }

  private record(r: CursorRecord): void {
    this.flushAcks();
    this.cursorBuf += JSON.stringify(r) + "\n";
    this.store.dirty(this);
  }

  subscriptionCreated(subscription: string, type: SubscriptionType, position: number): void {
    this.record({ s: subscription, c: type, p: position });
  }
  subscriptionDeleted(subscription: string): void {
    this.record({ s: subscription, d: 1 });
  }
  markDeleted(subscription: string, position: number): void {
    this.record({ s: subscription, m: position });
  }

  private flushAcks(): void {
    for (const [s, a] of this.acks) this.cursorBuf += JSON.stringify({ s, a }) + "\n";
    this.acks.clear();
  }

  flush(): void {
    this.flushAcks();
    if (this.ledgerBuf) {
      writeSync(this.ledgerFd, this.ledgerBuf);
      this.ledgerBuf = "";
    }
    if (this.cursorBuf) {
      writeSync(this.cursorFd, this.cursorBuf);
      this.cursorBuf = "";
    }
  }

  close(sync: boolean): void {
    this.flush();
    if (sync) {
      fsyncSync(this.ledgerFd);
      fsyncSync(this.cursorFd);
    }
    closeSync(this.ledgerFd);
    closeSync(this.cursorFd);
    this.ledgerFd = this.cursorFd = -1;
  }
}

export class StreamStore {
  private readonly dir: string;
  private meta: MetaFile = { nextLedgerId: 0, ttlSeconds: 0, topics: [] };
  private readonly files = new Map<number, TopicFiles>();
  private readonly pending = new Set<TopicFiles>();
  private flushQueued = false;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "streams");
    mkdirSync(this.dir, { recursive: true });
  }

  get nextLedgerId(): number {
    return this.meta.nextLedgerId;
  }
  get ttlSeconds(): number {
    return this.meta.ttlSeconds;
  }

  load(): LoadedTopic[] {
    const metaPath = join(this.dir, "topics.json");
    if (existsSync(metaPath)) this.meta = JSON.parse(readFileSync(metaPath, "utf8")) as MetaFile;
    return this.meta.topics.map((desc) => {
      const loaded: LoadedTopic = {
        desc,
        entries: readLedger(this.ledgerPath(desc.ledgerId)),
        subscriptions: readCursors(this.cursorPath(desc.ledgerId)),
      };
      this.compactCursors(desc.ledgerId, loaded.subscriptions);
      return loaded;
    });
  }

  private ledgerPath(ledgerId: number): string {
    return join(this.dir, `${ledgerId}.ledger`);
  }
  private cursorPath(ledgerId: number): string {
    return join(this.dir, `${ledgerId}.cursors`);
  }

  private compactCursors(ledgerId: number, subs: Map<string, LoadedSubscription>): void {
    let text = "";
    for (const [s, sub] of subs) {
      text += JSON.stringify({ s, c: sub.type, p: sub.markDelete }) + "\n";
      if (sub.acked.length) text += JSON.stringify({ s, a: sub.acked }) + "\n";
    }
    writeAtomically(this.cursorPath(ledgerId), text);
  }

  /** Allocates a ledger id and records the topic. */
  createTopic(desc: Omit<TopicDescriptor, "ledgerId">): TopicDescriptor {
    const full: TopicDescriptor = { ...desc, ledgerId: this.meta.nextLedgerId++ };
    this.meta.topics.push(full);
    this.saveMeta();
    return full;
  }

  dropTopic(ledgerId: number): void {
    this.meta.topics = this.meta.topics.filter((t) => t.ledgerId !== ledgerId);
    this.saveMeta();
    const files = this.files.get(ledgerId);
    if (files) {
      this.pending.delete(files);
      files.close(false);
      this.files.delete(ledgerId);
    }
    rmSync(this.ledgerPath(ledgerId), { force: true });
    rmSync(this.cursorPath(ledgerId), { force: true });
  }

  setTtl(seconds: number): void {
    this.meta.ttlSeconds = seconds;
    this.saveMeta();
  }

  logFor(ledgerId: number): TopicLog {
    let files = this.files.get(ledgerId);
    if (!files) {
      files = new TopicFiles(this, this.ledgerPath(ledgerId), this.cursorPath(ledgerId));
      this.files.set(ledgerId, files);
    }
    return files;
  }

  dirty(files: TopicFiles): void {
    this.pending.add(files);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  /** Writes every buffered record; producers call it before answering "ok". */
  flush(): void {
    this.flushQueued = false;
    for (const files of this.pending) files.flush();
    this.pending.clear();
  }

  close(): void {
    this.flush();
    for (const files of this.files.values()) files.close(true);
    this.files.clear();
  }

  private saveMeta(): void {
    writeAtomically(join(this.dir, "topics.json"), JSON.stringify(this.meta));
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function completeLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  // A torn last write is cut off, or the next append would glue onto it.
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  return end === 0 ? [] : text.slice(0, end - 1).split("\n");
}

/** Keeps the first `count` lines: what follows a damaged line cannot be trusted or appended after. */
function keepLines(path: string, lines: string[], count: number): void {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += Buffer.byteLength(lines[i]!) + 1;
  truncateSync(path, bytes);
}

function readLedger(path: string): StoredMessage[] {
  const out: StoredMessage[] = [];
  const lines = completeLines(path);
  for (const line of lines) {
    const f = line.split("\t");
    if (f.length < 6 || Number(f[0]) !== (out.length ? out[out.length - 1]!.entryId + 1 : Number(f[0]))) {
      keepLines(path, lines, out.length);
      break;
    }
    try {
      const msg: StoredMessage = {
        entryId: Number(f[0]),
        publishTime: Number(f[1]),
        payload: f[2]!,
        properties: JSON.parse(f[3]!) as Record<string, string>,
      };
      if (f[4]) msg.key = JSON.parse(f[4]) as string;
      if (f[5]) msg.eventTime = JSON.parse(f[5]) as string;
      out.push(msg);
    } catch {
      keepLines(path, lines, out.length);
      break;
    }
  }
  return out;
}

function readCursors(path: string): Map<string, LoadedSubscription> {
  const subs = new Map<string, { type: SubscriptionType; markDelete: number; acked: Set<number> }>();
  const lines = completeLines(path);
  for (let i = 0; i < lines.length; i++) {
    let r: CursorRecord;
    try {
      r = JSON.parse(lines[i]!) as CursorRecord;
    } catch {
      keepLines(path, lines, i);
      break;
    }
    if ("c" in r) subs.set(r.s, { type: r.c, markDelete: r.p, acked: new Set() });
    else if ("d" in r) subs.delete(r.s);
    else {
      const sub = subs.get(r.s);
      if (!sub) continue;
      if ("m" in r) {
        sub.markDelete = Math.max(sub.markDelete, r.m);
        for (const id of sub.acked) if (id < sub.markDelete) sub.acked.delete(id);
      } else {
        for (const id of r.a) if (id >= sub.markDelete) sub.acked.add(id);
        while (sub.acked.delete(sub.markDelete)) sub.markDelete++;
      }
    }
  }
  const out = new Map<string, LoadedSubscription>();
  for (const [name, sub] of subs) out.set(name, { type: sub.type, markDelete: sub.markDelete, acked: [...sub.acked] });
  return out;
}
