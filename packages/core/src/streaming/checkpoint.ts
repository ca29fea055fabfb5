/**
 * The checkpoint log of a streaming query, on disk:
 *
 * ```
 * <checkpointLocation>/
 *   metadata        {"id": "<query id>"}           written once; the id survives restarts
 *   offsets/<N>     {"batchId", "start", "end", …}  written BEFORE batch N is read (with the
 *                                                   batch's schema when the source evolves it)
 *   commits/<N>     {"batchId", …}                  written AFTER batch N is in the sink
 *   sources/0/      the source's own state (handed to toMicroBatchStream)
 * ```
 *
 * Every file is written to a temporary name, fsynced, renamed over the final name, and the folder
 * fsynced: a crash leaves either the old state or the new one, never a torn file. A batch whose
 * `offsets/N` has no `commits/N` is replayed with the same range on restart.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Offset } from "../contracts.js";
import { MacrometaSparkError } from "@macrometa-spark/kit";
import { coreError } from "../error-codes.js";

export interface OffsetEntry {
  batchId: number;
  start: Offset;
  end: Offset;
  /** When the batch was planned (ms since epoch). */
  timestampMs: number;
  /**
   * The schema the batch was planned with (Spark's JSON form), when the source evolves its schema:
   * a replay reads with it, and a restart continues from the latest one.
   */
  schema?: unknown;
}

export interface CommitEntry {
  batchId: number;
  timestampMs: number;
}

export interface CheckpointOptions {
  /** Batches whose offsets and commits are kept; older files are deleted. Default: 100. */
  minBatchesToRetain?: number;
}

export class CheckpointLog {
  private readonly retain: number;
  constructor(
    readonly dir: string,
    options: CheckpointOptions = {},
  ) {
    this.retain = Math.max(1, options.minBatchesToRetain ?? 100);
  }

  get offsetsDir(): string {
    return join(this.dir, "offsets");
  }
  get commitsDir(): string {
    return join(this.dir, "commits");
  }
  /** The folder of source `i` (Spark's `sources/0`). */
  sourceDir(i = 0): string {
    return join(this.dir, "sources", String(i));
  }

  /** The query id kept in `metadata`, created on first start. */
  async queryId(): Promise<string> {
    await mkdir(this.offsetsDir, { recursive: true });
    await mkdir(this.commitsDir, { recursive: true });
    await mkdir(this.sourceDir(0), { recursive: true });
    const file = join(this.dir, "metadata");
    const existing = await readJson<{ id?: unknown }>(file);
    if (existing) {
      if (typeof existing.id !== "string") throw corrupt(file, "no query id");
      return existing.id;
    }
    const id = randomUUID();
    await writeAtomic(file, JSON.stringify({ id }) + "\n");
    return id;
  }

  async writeOffsets(entry: OffsetEntry): Promise<void> {
    await writeAtomic(join(this.offsetsDir, String(entry.batchId)), JSON.stringify(entry) + "\n");
  }
  async writeCommit(entry: CommitEntry): Promise<void> {
    await writeAtomic(join(this.commitsDir, String(entry.batchId)), JSON.stringify(entry) + "\n");
  }

  async latestOffsets(): Promise<OffsetEntry | undefined> {
    const id = (await batchIds(this.offsetsDir)).at(-1);
    if (id === undefined) return undefined;
    const file = join(this.offsetsDir, String(id));
    const e = await readJson<OffsetEntry>(file);
    if (!e || e.batchId !== id || !("end" in e)) throw corrupt(file, "not an offsets entry");
    return e;
  }
  async latestCommit(): Promise<number | undefined> {
    return (await batchIds(this.commitsDir)).at(-1);
  }
  async offsets(batchId: number): Promise<OffsetEntry | undefined> {
    return readJson<OffsetEntry>(join(this.offsetsDir, String(batchId)));
  }

  /** Deletes offsets and commits older than the last `minBatchesToRetain` batches. */
  async purge(latestBatchId: number): Promise<void> {
    const keepFrom = latestBatchId - this.retain + 1;
    for (const d of [this.offsetsDir, this.commitsDir]) {
      for (const id of await batchIds(d)) {
        if (id >= keepFrom) break;
        await rm(join(d, String(id)), { force: true });
      }
    }
  }
}

async function batchIds(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  // Temporary files start with "." and never count as entries.
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw corrupt(file, (err as Error).message);
  }
}

function corrupt(file: string, why: string): MacrometaSparkError {
  return coreError("CHECKPOINT_CORRUPT", { file, reason: why }, { context: { file } });
}

/** Writes `text` to `file` so a crash leaves the old file or the whole new one (temp + fsync + rename + dir fsync). */
export async function writeAtomic(file: string, text: string | Uint8Array): Promise<void> {
  const dir = join(file, "..");
  const tmp = join(dir, `.${file.slice(dir.length + 1)}.${randomUUID()}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

/** Makes a rename in `dir` durable (no-op where directories cannot be opened, e.g. Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Directory fsync is unsupported on some platforms; the rename itself is still atomic.
  } finally {
    await fh?.close();
  }
}
