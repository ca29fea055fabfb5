/**
 * Secondary indexes of a collection: persistent/hash/skiplist, ttl, fulltext and geo definitions,
 * stored and listed as the live server does. Two kinds change behaviour here: `unique` indexes
 * refuse a second document with the same indexed values (1210), and a TTL index makes documents
 * expire. The others only describe the collection (every FILTER is still a scan).
 * @packageDocumentation
 */
import { badParameter, GdnHttpError, gdnFail } from "./errors.js";
import { equalityKey, isJsonObject, LosslessNumber, type JsonObject, type JsonValue } from "./json.js";

export type IndexType = "primary" | "persistent" | "hash" | "skiplist" | "ttl" | "fulltext" | "geo";

/** What `meta.json` keeps per index; the listing adds the `<collection>/` prefix to `id`. */
export interface IndexDef {
  /** The numeric part of the index handle (`<collection>/<id>`); "0" is the primary index. */
  id: string;
  name: string;
  type: IndexType;
  fields: string[];
  unique: boolean;
  sparse: boolean;
  /** TTL indexes: seconds after the indexed time at which a document expires. */
  expireAfter?: number;
  /** Fulltext indexes: shortest word indexed. */
  minLength?: number;
  /** Geo indexes. */
  geoJson?: boolean;
  deduplicate?: boolean;
}

const CREATABLE: ReadonlySet<string> = new Set(["persistent", "hash", "skiplist", "ttl", "fulltext", "geo"]);
const NAME_RE = /^[a-zA-Z][a-zA-Z0-9_-]{0,255}$/;

const PRIMARY: IndexDef = { id: "0", name: "primary", type: "primary", fields: ["_key"], unique: true, sparse: false };

export const indexNotFound = (): GdnHttpError => gdnFail("INDEX_NOT_FOUND");

/** Value of a dotted attribute path (`a.b.c`); undefined when any step is missing. */
function pathValue(doc: JsonObject, path: string): JsonValue | undefined {
  let v: JsonValue | undefined = doc;
  for (const part of path.split(".")) {
    if (!isJsonObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

/**
 * Expiry time (ms since epoch) of a document under a TTL index: the indexed attribute holds a
 * Unix timestamp in seconds or an ISO 8601 date string; anything else never expires (AQL TTL docs).
 */
function expiresAt(doc: JsonObject, def: IndexDef): number | undefined {
  const v = pathValue(doc, def.fields[0]!);
  let seconds: number | undefined;
  if (typeof v === "number" || v instanceof LosslessNumber) seconds = Number(v);
  else if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) seconds = ms / 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return (seconds + (def.expireAfter ?? 0)) * 1000;
}

class UniqueTable {
  readonly owners = new Map<string, string>();
  constructor(readonly def: IndexDef) {}
  /** The entry of a document, or undefined when a sparse index leaves it out. */
  entry(doc: JsonObject): string | undefined {
    const values = this.def.fields.map((f) => pathValue(doc, f));
    if (this.def.sparse && values.some((v) => v === undefined || v === null)) return undefined;
    return values.map(equalityKey).join("\u0000");
  }
}

export class IndexSet {
  private readonly defs: IndexDef[] = [PRIMARY];
  private readonly unique = new Map<string, UniqueTable>();

  constructor(
    private readonly collection: string,
    private readonly docs: Map<string, JsonObject>,
    private readonly nextId: () => string,
  ) {}

  /** Definitions to persist (not the primary index). */
  persisted(): IndexDef[] {
    return this.defs.filter((d) => d.type !== "primary");
  }

  /** Re-adopts definitions from `meta.json`; unique tables are rebuilt by {@link rebuild}. */
  restore(defs: IndexDef[]): void {
    for (const d of defs) this.defs.push(d);
  }

  /** Rebuilds unique tables from the documents (after loading them from disk). */
  rebuild(): void {
    this.unique.clear();
    for (const d of this.defs) if (d.unique && d.type !== "primary") this.unique.set(d.id, this.table(d));
  }

  count(): number {
    return this.defs.length;
  }

  ttl(): IndexDef | undefined {
    return this.defs.find((d) => d.type === "ttl");
  }

  describe(d: IndexDef): Record<string, unknown> {
    const out: Record<string, unknown> = { id: `${this.collection}/${d.id}`, name: d.name, type: d.type, fields: d.fields, unique: d.unique, sparse: d.sparse };
    if (d.type === "primary" || d.type === "persistent" || d.type === "hash" || d.type === "skiplist") out.selectivityEstimate = 1;
    if (d.deduplicate !== undefined) out.deduplicate = d.deduplicate;
    if (d.expireAfter !== undefined) out.expireAfter = d.expireAfter;
    if (d.minLength !== undefined) out.minLength = d.minLength;
    if (d.geoJson !== undefined) out.geoJson = d.geoJson;
    return out;
  }

  list(): Record<string, unknown>[] {
    return this.defs.map((d) => this.describe(d));
  }

  find(idOrName: string): IndexDef | undefined {
    const id = idOrName.startsWith(`${this.collection}/`) ? idOrName.slice(this.collection.length + 1) : idOrName;
    return this.defs.find((d) => d.id === id || d.name === id);
  }

  /** Creates an index, or returns the identical one that exists (`created: false`). */
  create(body: JsonValue | undefined, typeHint?: string): { def: IndexDef; created: boolean } {
    if (!isJsonObject(body)) throw badParameter("expecting a JSON object describing the index");
    const type = String(body.type ?? typeHint ?? "");
    if (!CREATABLE.has(type)) throw badParameter(`invalid index type '${type}'`);
    const fields = body.fields;
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === "string" && f !== ""))
      throw badParameter("'fields' must be a non-empty array of attribute paths");
    const fs = fields as string[];
    if (fs.includes("_id")) throw badParameter("cannot create an index on _id");
    const unique = body.unique === true;
    const sparse = body.sparse === true;
    const def: IndexDef = { id: "", name: "", type: type as IndexType, fields: fs, unique, sparse };
    if (type === "ttl") {
      if (fs.length !== 1) throw badParameter("a ttl index takes exactly one attribute");
      if (unique) throw badParameter("a ttl index cannot be unique");
      const after = Number(body.expireAfter);
      if (body.expireAfter === undefined || !Number.isFinite(after) || after < 0) throw badParameter("expireAfter must be a non-negative number of seconds");
      def.expireAfter = after;
      def.sparse = true;
    } else if (type === "fulltext") {
      if (fs.length !== 1 || unique) throw badParameter("a fulltext index takes exactly one attribute and cannot be unique");
      def.minLength = Number.isInteger(Number(body.minLength)) && Number(body.minLength) > 0 ? Number(body.minLength) : 2;
      def.sparse = true;
    } else if (type === "geo") {
      if (unique || fs.length > 2) throw badParameter("a geo index takes one or two attributes and cannot be unique");
      def.geoJson = body.geoJson === true;
      def.sparse = true;
    } else def.deduplicate = body.deduplicate !== false;

    const same = this.defs.find((d) => d.type === def.type && d.unique === def.unique && d.sparse === def.sparse && d.expireAfter === def.expireAfter && d.fields.join("\u0000") === fs.join("\u0000"));
    if (same && (body.name === undefined || body.name === same.name)) return { def: same, created: false };
    if (type === "ttl" && this.ttl()) throw badParameter("there can only be one ttl index per collection");
    if (body.name !== undefined) {
      if (typeof body.name !== "string" || !NAME_RE.test(body.name)) throw badParameter("illegal index name");
      if (this.defs.some((d) => d.name === body.name)) throw gdnFail("INDEX_NAME_DUPLICATE");
    }
    def.id = this.nextId();
    def.name = typeof body.name === "string" ? body.name : `idx_${def.id}`;
    // A unique index over data that already repeats a value cannot be built.
    if (unique) this.unique.set(def.id, this.table(def));
    this.defs.push(def);
    return { def, created: true };
  }

  drop(idOrName: string): IndexDef {
    const d = this.find(idOrName);
    if (!d) throw indexNotFound();
    if (d.type === "primary") throw gdnFail("PRIMARY_INDEX_UNDROPPABLE");
    this.defs.splice(this.defs.indexOf(d), 1);
    this.unique.delete(d.id);
    return d;
  }

  private table(def: IndexDef): UniqueTable {
    const t = new UniqueTable(def);
    for (const [key, doc] of this.docs) {
      const e = t.entry(doc);
      if (e === undefined) continue;
      if (t.owners.has(e)) throw this.violation(def, t.owners.get(e)!, 400);
      t.owners.set(e, key);
    }
    return t;
  }

  private violation(def: IndexDef, conflicting: string, status = 409): GdnHttpError {
    return gdnFail("UNIQUE_INDEX_VIOLATED", { index: def.name, type: def.type, fields: def.fields.join(", "), key: conflicting }, { status });
  }

  /** Throws 1210 when `doc` (about to be stored under `key`) repeats a unique index entry. */
  check(key: string, doc: JsonObject): void {
    for (const t of this.unique.values()) {
      const e = t.entry(doc);
      if (e === undefined) continue;
      const owner = t.owners.get(e);
      if (owner !== undefined && owner !== key) throw this.violation(t.def, owner);
    }
  }

  /** Keeps unique tables in step with a committed put (old is the document it replaced). */
  onPut(key: string, doc: JsonObject, old: JsonObject | undefined): void {
    for (const t of this.unique.values()) {
      if (old) {
        const e = t.entry(old);
        if (e !== undefined && t.owners.get(e) === key) t.owners.delete(e);
      }
      const e = t.entry(doc);
      if (e !== undefined) t.owners.set(e, key);
    }
  }

  onDelete(key: string, old: JsonObject): void {
    for (const t of this.unique.values()) {
      const e = t.entry(old);
      if (e !== undefined && t.owners.get(e) === key) t.owners.delete(e);
    }
  }

  onTruncate(): void {
    for (const t of this.unique.values()) t.owners.clear();
  }

  /** Keys of documents the TTL index says have expired at `nowMs`. */
  expired(nowMs: number): string[] {
    const def = this.ttl();
    if (!def) return [];
    const out: string[] = [];
    for (const [key, doc] of this.docs) {
      const at = expiresAt(doc, def);
      if (at !== undefined && at <= nowMs) out.push(key);
    }
    return out;
  }
}
