/**
 * Fabrics, collections and documents in memory. Stored documents are immutable objects whose
 * serialised text is cached ({@link textOf}) so cursor pages are built by concatenation.
 * @packageDocumentation
 */
import { badParameter, notFoundCollection, notFoundDocument, notFoundFabric, uniqueViolation, gdnFail } from "./errors.js";
import { IndexSet, type IndexDef } from "./indexes.js";
import { isJsonObject, LosslessNumber, type JsonObject, type JsonValue, stringifyJson } from "./json.js";

const texts = new WeakMap<object, string>();
/** Stored documents holding at least one lossless number (they need the slow serialiser). */
const losslessDocs = new WeakSet<object>();

/** Cached JSON text of a stored document (undefined for values not stored as documents). */
export function textOf(v: unknown): string | undefined {
  return typeof v === "object" && v !== null ? texts.get(v) : undefined;
}

export interface CollectionMeta {
  id: string;
  name: string;
  type: 2 | 3;
  isLocal: boolean;
  isSpot: boolean;
  hasStream: boolean;
  waitForSync: boolean;
  isSystem: boolean;
  cacheEnabled: boolean;
  keyOptions: { type: string; allowUserKeys: boolean };
  /** "KV" for key-value collections (`_api/kv`). Default: "DOC". */
  collectionModel?: "DOC" | "KV";
  /** KV collections created with `expiration=true`: values expire at their `expireAt` (Unix seconds). */
  expiration?: boolean;
  /** Secondary index definitions (the primary index is implicit). */
  indexes?: IndexDef[];
}

/** What a committed write tells the journal and the change stream. */
export type Change =
  | { op: "put"; fabric: string; collection: string; doc: JsonObject; text: string }
  | { op: "delete"; fabric: string; collection: string; key: string }
  | { op: "truncate"; fabric: string; collection: string }
  | { op: "drop"; fabric: string; collection: string };

export interface StoreListener {
  onChange(change: Change, hasStream: boolean): void;
  onMetadata(): void;
}

const KEY_RE = /^[a-zA-Z0-9_\-:.@()+,=;$!*'%]{1,254}$/;
const NAME_RE = /^[a-zA-Z][a-zA-Z0-9_-]{0,255}$/;

export class Collection {
  readonly docs = new Map<string, JsonObject>();
  readonly indexes: IndexSet;
  constructor(
    readonly fabric: Fabric,
    readonly meta: CollectionMeta,
    private readonly store: Store,
  ) {
    this.indexes = new IndexSet(meta.name, this.docs, () => store.nextId());
    if (meta.indexes?.length) this.indexes.restore(meta.indexes);
  }
  get model(): "DOC" | "KV" {
    return this.meta.collectionModel ?? "DOC";
  }
  /** Records index changes in the metadata (persisted with it). */
  indexesChanged(): void {
    this.meta.indexes = this.indexes.persisted();
    this.store.listener?.onMetadata();
  }
  get name(): string {
    return this.meta.name;
  }

  /** Builds the stored form: `_id`, `_key`, `_rev` first, then the client's attributes in order. */
  private build(key: string, body: JsonObject, lossless: boolean): JsonObject {
    const doc: JsonObject = { _id: `${this.meta.name}/${key}`, _key: key, _rev: this.store.nextRev() };
    for (const k in body) {
      if (k === "_id" || k === "_key" || k === "_rev") continue;
      doc[k] = body[k] as JsonValue;
    }
    if (lossless) losslessDocs.add(doc);
    texts.set(doc, lossless ? stringifyJson(doc) : JSON.stringify(doc));
    return doc;
  }

  private commitPut(doc: JsonObject, old: JsonObject | undefined): void {
    const key = doc._key as string;
    // Unique indexes refuse the write before anything changes.
    this.indexes.check(key, doc);
    this.indexes.onPut(key, doc, old);
    this.docs.set(key, doc);
    this.store.emit({ op: "put", fabric: this.fabric.name, collection: this.meta.name, doc, text: texts.get(doc)! }, this.meta.hasStream);
  }

  keyOf(body: JsonObject): string | undefined {
    const k = body._key;
    if (k === undefined || k === null) return undefined;
    if (typeof k !== "string" || !KEY_RE.test(k)) throw gdnFail("DOCUMENT_KEY_ILLEGAL");
    return k;
  }

  get(key: string): JsonObject | undefined {
    return this.docs.get(key);
  }
  mustGet(key: string): JsonObject {
    const d = this.docs.get(key);
    if (!d) throw notFoundDocument();
    return d;
  }

  /** Inserts; with `overwrite` an existing document is replaced (and returned as `old`). */
  insert(body: JsonValue, opts: { overwrite?: boolean; lossless: boolean }): { doc: JsonObject; old?: JsonObject } {
    if (!isJsonObject(body))
      throw gdnFail("DOCUMENT_TYPE_INVALID");
    let key = this.keyOf(body);
    if (key !== undefined && !this.meta.keyOptions.allowUserKeys)
      throw gdnFail("USER_KEYS_NOT_ALLOWED");
    const old = key === undefined ? undefined : this.docs.get(key);
    if (old && !opts.overwrite) throw uniqueViolation(this.meta.name);
    key ??= this.store.nextKey(this.docs);
    const doc = this.build(key, body, opts.lossless);
    this.commitPut(doc, old);
    return old ? { doc, old } : { doc };
  }

  private checkRev(current: JsonObject, expected: string | undefined): void {
    if (expected !== undefined && expected !== current._rev)
      throw gdnFail("CONFLICT", {}, { extra: { _id: current._id, _key: current._key, _rev: current._rev } });
  }

  replace(key: string, body: JsonValue, opts: { expectRev?: string; lossless: boolean }): { doc: JsonObject; old: JsonObject } {
    if (!isJsonObject(body))
      throw gdnFail("DOCUMENT_TYPE_INVALID");
    const old = this.mustGet(key);
    this.checkRev(old, opts.expectRev);
    const doc = this.build(key, body, opts.lossless);
    this.commitPut(doc, old);
    return { doc, old };
  }

  update(
    key: string,
    patch: JsonValue,
    opts: { expectRev?: string; keepNull?: boolean; mergeObjects?: boolean; lossless: boolean },
  ): { doc: JsonObject; old: JsonObject } {
    if (!isJsonObject(patch))
      throw gdnFail("DOCUMENT_TYPE_INVALID");
    const old = this.mustGet(key);
    this.checkRev(old, opts.expectRev);
    const merged = mergePatch(old, patch, opts.keepNull ?? true, opts.mergeObjects ?? true);
    const doc = this.build(key, merged, opts.lossless || losslessDocs.has(old));
    this.commitPut(doc, old);
    return { doc, old };
  }

  remove(key: string, opts: { expectRev?: string } = {}): JsonObject {
    const old = this.mustGet(key);
    this.checkRev(old, opts.expectRev);
    this.docs.delete(key);
    this.indexes.onDelete(key, old);
    this.store.emit({ op: "delete", fabric: this.fabric.name, collection: this.meta.name, key }, this.meta.hasStream);
    return old;
  }

  truncate(): void {
    this.docs.clear();
    this.indexes.onTruncate();
    this.store.emit({ op: "truncate", fabric: this.fabric.name, collection: this.meta.name }, false);
  }

  /** Keys due to expire at `nowMs`: under a TTL index, or a KV value's `expireAt` (Unix seconds, -1 = never). */
  expiredKeys(nowMs: number): string[] {
    const out = new Set(this.indexes.expired(nowMs));
    if (this.meta.expiration) {
      for (const [key, doc] of this.docs) {
        const at = doc.expireAt;
        const s = typeof at === "number" ? at : at instanceof LosslessNumber ? Number(at.lexeme) : -1;
        if (s > 0 && s * 1000 <= nowMs) out.add(key);
      }
    }
    return [...out];
  }

  /** Loads a document from the journal or snapshot without emitting a change. */
  restore(doc: JsonObject, text: string, lossless: boolean): void {
    texts.set(doc, text);
    if (lossless) losslessDocs.add(doc);
    this.docs.set(doc._key as string, doc);
    this.store.noteKey(doc._key as string);
  }

  listEntry(): Record<string, unknown> {
    const m = this.meta;
    return {
      id: m.id,
      name: m.name,
      status: 3,
      type: m.type,
      collectionModel: this.model,
      isSpot: m.isSpot,
      isLocal: m.isLocal,
      hasStream: m.hasStream,
      waitForSync: m.waitForSync,
      isSystem: m.isSystem,
      globallyUniqueId: `local/${m.id}`,
      searchEnabled: false,
    };
  }
  info(): Record<string, unknown> {
    const m = this.meta;
    return {
      waitForSync: m.waitForSync,
      name: m.name,
      isSystem: m.isSystem,
      isSpot: m.isSpot,
      isLocal: m.isLocal,
      status: 3,
      searchEnabled: false,
      id: m.id,
      type: m.type,
      hasStream: m.hasStream,
      globallyUniqueId: `local/${m.id}`,
      collectionModel: this.model,
    };
  }
  properties(): Record<string, unknown> {
    const m = this.meta;
    return {
      ...this.info(),
      statusString: "loaded",
      cacheEnabled: m.cacheEnabled,
      objectId: m.id,
      keyOptions: { ...m.keyOptions, lastValue: this.store.lastKeyValue() },
    };
  }
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Patch semantics of PATCH / UPDATE: keepNull=false removes null attributes, mergeObjects merges sub-objects. */
export function mergePatch(base: JsonObject, patch: JsonObject, keepNull: boolean, mergeObjects: boolean): JsonObject {
  const out: JsonObject = { ...base };
  for (const k in patch) {
    const v = patch[k] as JsonValue;
    if (v === null && !keepNull) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    out[k] = mergeObjects && isPlainObject(v) && isPlainObject(cur) ? mergePatch(cur, v, keepNull, true) : v;
  }
  return out;
}

export class Fabric {
  readonly collections = new Map<string, Collection>();
  metadata: JsonValue = null;
  constructor(readonly name: string) {}
}

export interface CreateCollectionOptions {
  name: string;
  type?: 2 | 3;
  isLocal?: boolean;
  isSpot?: boolean;
  stream?: boolean;
  waitForSync?: boolean;
  cacheEnabled?: boolean;
  keyOptions?: { type?: string; allowUserKeys?: boolean };
  id?: string;
  collectionModel?: "DOC" | "KV";
  expiration?: boolean;
}

export class Store {
  readonly fabrics = new Map<string, Fabric>();
  private revCounter = 0;
  private keyCounter = 0;
  private idCounter = 100000;
  listener: StoreListener | undefined;

  constructor() {
    this.fabrics.set("_system", new Fabric("_system"));
  }

  emit(change: Change, hasStream: boolean): void {
    this.listener?.onChange(change, hasStream);
  }

  /** Revisions grow with wall time so they stay ordered across restarts. */
  nextRev(): string {
    const now = Date.now() * 1000;
    this.revCounter = Math.max(this.revCounter + 1, now);
    return "_" + encodeRev(this.revCounter);
  }
  nextKey(existing: Map<string, unknown>): string {
    let k: string;
    do k = String(++this.keyCounter);
    while (existing.has(k));
    return k;
  }
  noteKey(key: string): void {
    if (/^\d{1,15}$/.test(key)) this.keyCounter = Math.max(this.keyCounter, Number(key));
  }
  lastKeyValue(): number {
    return this.keyCounter;
  }
  nextId(): string {
    return String(++this.idCounter);
  }
  counters(): { key: number; id: number } {
    return { key: this.keyCounter, id: this.idCounter };
  }
  /** Removes every expired document (emitting its change-stream delete); returns how many. */
  sweepExpired(nowMs: number): number {
    let n = 0;
    for (const f of this.fabrics.values())
      for (const c of f.collections.values())
        for (const key of c.expiredKeys(nowMs)) {
          c.remove(key);
          n++;
        }
    return n;
  }

  restoreCounters(c: { key?: number; id?: number }): void {
    this.keyCounter = Math.max(this.keyCounter, c.key ?? 0);
    this.idCounter = Math.max(this.idCounter, c.id ?? 0);
  }

  fabric(name: string): Fabric {
    const f = this.fabrics.get(name);
    if (!f) throw notFoundFabric();
    return f;
  }
  createFabric(name: string): Fabric {
    if (!NAME_RE.test(name)) throw gdnFail("ILLEGAL_NAME");
    if (this.fabrics.has(name)) throw gdnFail("DUPLICATE_NAME");
    const f = new Fabric(name);
    this.fabrics.set(name, f);
    this.listener?.onMetadata();
    return f;
  }
  dropFabric(name: string): void {
    if (name === "_system") throw gdnFail("FORBIDDEN");
    const f = this.fabric(name);
    for (const c of [...f.collections.keys()]) this.dropCollection(name, c);
    this.fabrics.delete(name);
    this.listener?.onMetadata();
  }

  collection(fabric: string, name: string): Collection {
    const c = this.fabric(fabric).collections.get(name);
    if (!c) throw notFoundCollection(name);
    return c;
  }
  createCollection(fabric: string, o: CreateCollectionOptions): Collection {
    const f = this.fabric(fabric);
    if (typeof o.name !== "string" || !NAME_RE.test(o.name)) throw gdnFail("ILLEGAL_NAME");
    if (f.collections.has(o.name)) throw gdnFail("DUPLICATE_NAME");
    if (o.type !== undefined && o.type !== 2 && o.type !== 3) throw badParameter("invalid collection type");
    const meta: CollectionMeta = {
      id: o.id ?? this.nextId(),
      name: o.name,
      type: o.type ?? 2,
      isLocal: !!o.isLocal,
      isSpot: !!o.isSpot,
      hasStream: !!o.stream,
      waitForSync: !!o.waitForSync,
      isSystem: o.name.startsWith("_"),
      cacheEnabled: !!o.cacheEnabled,
      keyOptions: { type: o.keyOptions?.type ?? "traditional", allowUserKeys: o.keyOptions?.allowUserKeys ?? true },
    };
    if (o.collectionModel === "KV") {
      meta.collectionModel = "KV";
      meta.expiration = !!o.expiration;
    }
    const c = new Collection(f, meta, this);
    f.collections.set(o.name, c);
    this.listener?.onMetadata();
    return c;
  }
  dropCollection(fabric: string, name: string): Collection {
    const c = this.collection(fabric, name);
    this.fabric(fabric).collections.delete(name);
    this.emit({ op: "drop", fabric, collection: name }, false);
    this.listener?.onMetadata();
    return c;
  }
  restoreFabric(name: string): Fabric {
    const f = this.fabrics.get(name) ?? new Fabric(name);
    this.fabrics.set(name, f);
    return f;
  }
  /** Adopts a collection loaded from disk. */
  restoreCollection(fabric: string, meta: CollectionMeta): Collection {
    const f = this.restoreFabric(fabric);
    const c = new Collection(f, meta, this);
    f.collections.set(meta.name, c);
    this.idCounter = Math.max(this.idCounter, Number(meta.id) || 0);
    return c;
  }
}

const REV_ALPHABET = "-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** ArangoDB-style revision text: an ordered base64 form of a hybrid-clock value. */
function encodeRev(n: number): string {
  let s = "";
  let v = n;
  while (v > 0) {
    s = REV_ALPHABET[v % 64] + s;
    v = Math.floor(v / 64);
  }
  return s.padStart(10, "-");
}
