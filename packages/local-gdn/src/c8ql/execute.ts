/**
 * Runs a parsed C8QL query against the store: a pipeline of rows (variable bindings) through
 * FOR/FILTER/LET/SORT/LIMIT, then an optional write, then RETURN. Results come back as JSON texts;
 * stored documents reuse their cached text.
 * @packageDocumentation
 */
import { GdnHttpError, notFoundCollection, queryError, gdnFail } from "../errors.js";
import { LosslessNumber, stringifyJson, type JsonObject, type JsonValue } from "../json.js";
import { position } from "./lexer.js";
import { textOf, type Collection, type Store } from "../store.js";
import { collectRows } from "./collect.js";
import { checkArity, FUNCTIONS, type FunctionContext } from "./functions/index.js";
import { expressionsOf, subqueriesOf } from "./ast.js";
import { EXPANSION_ITEM, parseQuery, unsupported, type CollRef, type Expr, type Op, type Query, type Write } from "./parser.js";
import { compare, finite, like, toNumber, truthy, type Value } from "./values.js";

type Row = Record<string, Value>;

export interface QueryStats {
  writesExecuted: number;
  writesIgnored: number;
  scannedFull: number;
  scannedIndex: number;
  filtered: number;
  httpRequests: number;
  fullCount?: number;
  executionTime: number;
  peakMemoryUsage: number;
}

export interface QueryResult {
  texts: string[];
  stats: QueryStats;
  warnings: { code: number; message: string }[];
}

/** Checks binds against the declared parameters, as the server does before running anything. */
function checkBinds(q: Query, bindVars: Record<string, JsonValue>): void {
  for (const name of q.valueBinds)
    if (!(name in bindVars)) throw gdnFail("QUERY_BIND_PARAMETER_MISSING", { name });
  for (const name of q.collBinds) {
    const v = bindVars[`@${name}`];
    if (v === undefined) throw gdnFail("QUERY_BIND_PARAMETER_MISSING", { name: `@${name}` });
    if (typeof v !== "string") throw gdnFail("QUERY_BIND_PARAMETER_TYPE", { name });
  }
  for (const key of Object.keys(bindVars)) {
    const declared = key.startsWith("@") ? q.collBinds.has(key.slice(1)) : q.valueBinds.has(key);
    if (!declared) throw gdnFail("QUERY_BIND_PARAMETER_UNDECLARED", { name: key });
  }
}

/** Collections a query names (FOR sources and write targets, subqueries included), after resolving `@@` binds. */
export function queryCollections(q: Query, bindVars: Record<string, JsonValue>, out = new Set<string>()): string[] {
  for (const op of q.ops)
    if (op.k === "for") {
      if (op.src.k === "name") out.add(op.src.name);
      else if (op.src.k === "collbind" && typeof bindVars[`@${op.src.name}`] === "string") out.add(bindVars[`@${op.src.name}`] as string);
    }
  if (q.write) out.add(q.write.coll.bind ? String(bindVars[`@${q.write.coll.name}`]) : q.write.coll.name);
  // A subquery's collections must exist even when no outer row ever runs it, as on the server.
  for (const e of expressionsOf(q)) for (const sub of subqueriesOf(e)) queryCollections(sub, bindVars, out);
  return [...out];
}

export function validateQuery(src: string): { query: Query; collections: string[]; bindVars: string[] } {
  const query = parseQuery(src);
  const names = [...query.valueBinds, ...[...query.collBinds].map((b) => `@${b}`)];
  return { query, collections: queryCollections(query, {}).filter((c) => c !== "undefined"), bindVars: names };
}

export interface ExecuteOptions {
  fullCount?: boolean;
  /** Milliseconds since the epoch for DATE_NOW(). Default: Date.now. */
  now?: () => number;
}

export function executeQuery(store: Store, fabric: string, src: string, bindVars: Record<string, JsonValue>, opts: ExecuteOptions = {}): QueryResult {
  const started = performance.now();
  const q = parseQuery(src);
  checkBinds(q, bindVars);
  const f = store.fabric(fabric);
  for (const name of queryCollections(q, bindVars)) if (!f.collections.has(name)) throw notFoundCollection(name);
  const ex = new Executor(store, fabric, src, bindVars, opts.now ?? Date.now);
  const texts = ex.run(q, opts);
  ex.stats.executionTime = (performance.now() - started) / 1000;
  return { texts, stats: ex.stats, warnings: ex.warnings };
}

class Executor {
  readonly stats: QueryStats = { writesExecuted: 0, writesIgnored: 0, scannedFull: 0, scannedIndex: 0, filtered: 0, httpRequests: 0, executionTime: 0, peakMemoryUsage: 0 };
  readonly warnings: { code: number; message: string }[] = [];
  private readonly fnCtx: FunctionContext;
  constructor(
    private readonly store: Store,
    private readonly fabric: string,
    private readonly src: string,
    private readonly binds: Record<string, JsonValue>,
    now: () => number,
  ) {
    this.fnCtx = { store, fabric, now, warn: (code, message) => void (this.warnings.length < 10 && this.warnings.push({ code, message })) };
  }

  private coll(ref: CollRef): Collection {
    return this.store.collection(this.fabric, ref.bind ? (this.binds[`@${ref.name}`] as string) : ref.name);
  }

  run(q: Query, opts: ExecuteOptions): string[] {
    // The connector's default read (`FOR d IN c RETURN d`) serves cached texts without building rows.
    const only = q.ops[0];
    if (q.ops.length === 1 && only?.k === "for" && (only.src.k === "name" || only.src.k === "collbind") && !q.write && q.ret && !q.ret.distinct && q.ret.e.k === "var" && q.ret.e.name === only.v) {
      const docs = this.source(only.src, {});
      if (opts.fullCount) this.stats.fullCount = docs.length;
      return docs.map((d) => textOf(d)!);
    }
    const rows = this.pipeline(q.ops, {}, opts.fullCount === true);
    if (opts.fullCount && this.stats.fullCount === undefined) this.stats.fullCount = rows.length;
    let results: Value[];
    if (q.write) {
      const written = rows.map((r) => this.write(q.write!, r));
      if (!q.ret) return [];
      results = written.map((r) => this.eval(q.ret!.e, r));
    } else if (q.ret) results = rows.map((r) => this.eval(q.ret!.e, r));
    else results = [];
    let texts = results.map((v) => textOf(v) ?? stringifyJson(v === undefined ? null : v));
    if (q.ret?.distinct) texts = [...new Set(texts)];
    return texts;
  }

  /** Runs FOR/FILTER/LET/SORT/LIMIT/COLLECT from one starting row (the enclosing row of a subquery). */
  private pipeline(ops: Op[], start: Row, fullCount = false): Row[] {
    let rows: Row[] = [start];
    const lastLimit = fullCount ? ops.map((o) => o.k).lastIndexOf("limit") : -1;
    for (let i = 0; i < ops.length; i++) {
      if (i === lastLimit) this.stats.fullCount = rows.length;
      rows = this.step(ops[i]!, rows, start);
    }
    return rows;
  }

  private step(op: Op, rows: Row[], base: Row): Row[] {
    switch (op.k) {
      case "collect":
        return collectRows(op, rows, base, (e, r) => this.eval(e, r), this.fnCtx);
      case "for": {
        const out: Row[] = [];
        for (const r of rows) {
          const items = this.source(op.src, r);
          for (const v of items) out.push({ ...r, [op.v]: v });
        }
        return out;
      }
      case "filter": {
        const out = rows.filter((r) => truthy(this.eval(op.e, r)));
        this.stats.filtered += rows.length - out.length;
        return out;
      }
      case "let":
        return rows.map((r) => ({ ...r, [op.v]: this.eval(op.e, r) }));
      case "sort": {
        const keyed = rows.map((r) => ({ r, k: op.keys.map((s) => this.eval(s.e, r)) }));
        keyed.sort((a, b) => {
          for (let i = 0; i < op.keys.length; i++) {
            const c = compare(a.k[i], b.k[i]);
            if (c) return op.keys[i]!.desc ? -c : c;
          }
          return 0;
        });
        return keyed.map((x) => x.r);
      }
      case "limit": {
        const offset = op.offset ? this.limitValue(op.offset, rows[0]) : 0;
        const count = this.limitValue(op.count, rows[0]);
        return rows.slice(offset, offset + count);
      }
    }
  }

  private limitValue(e: Expr, r: Row | undefined): number {
    const v = this.eval(e, r ?? {});
    const n = typeof v === "number" ? v : v instanceof LosslessNumber ? Number(v.lexeme) : NaN;
    if (!Number.isInteger(n) || n < 0) throw queryError("LIMIT value is not a non-negative integer");
    return n;
  }

  private source(e: Expr, r: Row): Value[] {
    if (e.k === "name") {
      const c = this.store.collection(this.fabric, e.name);
      this.stats.scannedFull += c.docs.size;
      return [...c.docs.values()];
    }
    if (e.k === "collbind") {
      const c = this.store.collection(this.fabric, this.binds[`@${e.name}`] as string);
      this.stats.scannedFull += c.docs.size;
      return [...c.docs.values()];
    }
    const v = this.eval(e, r);
    if (Array.isArray(v)) return v;
    if (v === null || v === undefined) return [];
    throw gdnFail("QUERY_ARRAY_EXPECTED");
  }

  eval(e: Expr, r: Row): Value {
    switch (e.k) {
      case "lit":
        return e.v;
      case "var":
        return r[e.name] ?? null;
      case "call":
        return this.call(e, r);
      case "cond": {
        const c = this.eval(e.c, r);
        if (truthy(c)) return e.t ? this.eval(e.t, r) : c;
        return this.eval(e.f, r);
      }
      case "expand":
        return this.expand(e, r);
      case "subquery": {
        const q = e.q;
        const rows = this.pipeline(q.ops, r);
        const out = rows.map((x) => nn(this.eval(q.ret!.e, x)));
        if (!q.ret!.distinct) return out;
        const seen = new Set<string>();
        return out.filter((v) => {
          const k = stringifyJson(v);
          return !seen.has(k) && !!seen.add(k);
        });
      }
      case "name": {
        const isColl = this.isCollection(e.name);
        if (isColl) throw unsupported(`using the collection '${e.name}' as an expression`);
        throw gdnFail("QUERY_VARIABLE_UNKNOWN", { name: e.name, position: position(this.src, e.pos) });
      }
      case "bind":
        return this.binds[e.name];
      case "collbind":
        throw unsupported("a collection bind parameter as an expression");
      case "attr": {
        const o = this.eval(e.obj, r);
        if (typeof o !== "object" || o === null || Array.isArray(o) || o instanceof LosslessNumber) return null;
        const v = (o as JsonObject)[e.name];
        return v === undefined ? null : v;
      }
      case "index": {
        const o = this.eval(e.obj, r);
        const i = this.eval(e.idx, r);
        if (Array.isArray(o)) {
          const n = Math.trunc(toNumber(i));
          const v = o[n < 0 ? o.length + n : n];
          return v === undefined ? null : v;
        }
        if (typeof o === "object" && o !== null && !(o instanceof LosslessNumber) && typeof i === "string") {
          const v = (o as JsonObject)[i];
          return v === undefined ? null : v;
        }
        return null;
      }
      case "arr":
        return e.items.map((x) => nn(this.eval(x, r)));
      case "obj": {
        const out: JsonObject = {};
        for (const [k, x] of e.entries) out[k] = nn(this.eval(x, r));
        return out;
      }
      case "not":
        return !truthy(this.eval(e.e, r));
      case "neg": {
        const v = this.eval(e.e, r);
        if (v instanceof LosslessNumber) return new LosslessNumber(v.lexeme.startsWith("-") ? v.lexeme.slice(1) : `-${v.lexeme}`);
        return finite(-toNumber(v));
      }
      case "range": {
        const lo = Math.trunc(toNumber(this.eval(e.l, r)));
        const hi = Math.trunc(toNumber(this.eval(e.r, r)));
        if (Math.abs(hi - lo) > 10_000_000) throw queryError("range too large for local-gdn");
        const out: number[] = [];
        if (lo <= hi) for (let i = lo; i <= hi; i++) out.push(i);
        else for (let i = lo; i >= hi; i--) out.push(i);
        return out;
      }
      case "bin":
        return this.binary(e.op, e.l, e.r, r);
    }
  }

  private isCollection(name: string): boolean {
    return this.store.fabrics.get(this.fabric)?.collections.has(name) ?? false;
  }

  private call(e: Extract<Expr, { k: "call" }>, r: Row): Value {
    const def = FUNCTIONS[e.name]!;
    checkArity(e.name, def, e.args.length);
    const first = e.args[0];
    // Documented collection-name arguments: LENGTH(coll)/COUNT(coll) and DOCUMENT(coll, key).
    if (first?.k === "name" && this.isCollection(first.name)) {
      if (e.name === "LENGTH" || e.name === "COUNT") {
        const c = this.store.collection(this.fabric, first.name);
        this.stats.scannedFull += c.docs.size;
        return c.docs.size;
      }
      if (e.name === "DOCUMENT" && e.args.length === 2) return def.fn([first.name, this.eval(e.args[1]!, r)], this.fnCtx);
    }
    return def.fn(e.args.map((a) => this.eval(a, r)), this.fnCtx);
  }

  /** `a[* FILTER … LIMIT … RETURN …]…`: a non-array expands to an empty array. */
  private expand(e: Extract<Expr, { k: "expand" }>, r: Row): Value {
    const o = this.eval(e.obj, r);
    if (!Array.isArray(o)) return [];
    let items: Value[] = o;
    if (e.filter) items = items.filter((x) => truthy(this.eval(e.filter!, { ...r, CURRENT: x })));
    if (e.limit) {
      const offset = e.offset ? this.limitValue(e.offset, r) : 0;
      items = items.slice(offset, offset + this.limitValue(e.limit, r));
    }
    if (e.ret) items = items.map((x) => this.eval(e.ret!, { ...r, CURRENT: x }));
    const then = e.then;
    if (!(then.k === "var" && then.name === EXPANSION_ITEM)) items = items.map((x) => this.eval(then, { ...r, [EXPANSION_ITEM]: x }));
    return items.map(nn);
  }

  private binary(op: string, le: Expr, re: Expr, r: Row): Value {
    if (op === "AND") {
      const l = this.eval(le, r);
      return truthy(l) ? this.eval(re, r) : l;
    }
    if (op === "OR") {
      const l = this.eval(le, r);
      return truthy(l) ? l : this.eval(re, r);
    }
    const l = this.eval(le, r);
    const rv = this.eval(re, r);
    switch (op) {
      case "==":
        return compare(l, rv) === 0;
      case "!=":
        return compare(l, rv) !== 0;
      case "<":
        return compare(l, rv) < 0;
      case "<=":
        return compare(l, rv) <= 0;
      case ">":
        return compare(l, rv) > 0;
      case ">=":
        return compare(l, rv) >= 0;
      case "IN":
        return Array.isArray(rv) ? rv.some((x) => compare(l, x) === 0) : false;
      case "LIKE":
        return like(l, rv);
      case "+":
        return finite(toNumber(l) + toNumber(rv));
      case "-":
        return finite(toNumber(l) - toNumber(rv));
      case "*":
        return finite(toNumber(l) * toNumber(rv));
      case "/":
        return toNumber(rv) === 0 ? null : finite(toNumber(l) / toNumber(rv));
      case "%":
        return toNumber(rv) === 0 ? null : finite(toNumber(l) % toNumber(rv));
      default:
        throw unsupported(`the operator ${op}`);
    }
  }

  private options(w: Write, r: Row): { ignoreErrors: boolean; keepNull: boolean; mergeObjects: boolean; overwrite: boolean } {
    const o = { ignoreErrors: false, keepNull: true, mergeObjects: true, overwrite: false };
    if (!w.options) return o;
    const v = this.eval(w.options, r);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw queryError("OPTIONS must be an object");
    for (const [k, x] of Object.entries(v as JsonObject)) {
      if (k === "ignoreErrors" || k === "keepNull" || k === "mergeObjects" || k === "overwrite") o[k] = truthy(x);
      else if (k === "waitForSync" || k === "ignoreRevs" || k === "exclusive") continue;
      else throw unsupported(`the write option '${k}'`);
    }
    return o;
  }

  private keyOf(v: Value): string {
    if (typeof v === "string") return v.includes("/") ? v.slice(v.indexOf("/") + 1) : v;
    if (typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as JsonObject)._key === "string") return (v as JsonObject)._key as string;
    throw gdnFail("DOCUMENT_KEY_INVALID");
  }

  /** Applies one row's write; returns the row extended with NEW and OLD. */
  private write(w: Write, r: Row): Row {
    const c = this.coll(w.coll);
    const o = this.options(w, r);
    try {
      let NEW: Value = null;
      let OLD: Value = null;
      switch (w.k) {
        case "insert": {
          const res = c.insert(this.eval(w.doc, r) as JsonValue, { overwrite: o.overwrite, lossless: true });
          NEW = res.doc;
          OLD = res.old ?? null;
          break;
        }
        case "update":
        case "replace": {
          const keyV = this.eval(w.key, r);
          const key = this.keyOf(keyV);
          const body = (w.with ? this.eval(w.with, r) : keyV) as JsonValue;
          const res = w.k === "update" ? c.update(key, body, { lossless: true, keepNull: o.keepNull, mergeObjects: o.mergeObjects }) : c.replace(key, body, { lossless: true });
          NEW = res.doc;
          OLD = res.old;
          break;
        }
        case "remove":
          OLD = c.remove(this.keyOf(this.eval(w.key, r)));
          break;
        case "upsert": {
          const search = this.eval(w.search, r);
          if (typeof search !== "object" || search === null || Array.isArray(search)) throw queryError("UPSERT search must be an object");
          const found = findMatch(c, search as JsonObject);
          if (!found) NEW = c.insert(this.eval(w.insert, r) as JsonValue, { lossless: true }).doc;
          else {
            const body = this.eval(w.update, { ...r, OLD: found }) as JsonValue;
            const res = w.replace ? c.replace(found._key as string, body, { lossless: true }) : c.update(found._key as string, body, { lossless: true, keepNull: o.keepNull, mergeObjects: o.mergeObjects });
            NEW = res.doc;
            OLD = res.old;
          }
          break;
        }
      }
      this.stats.writesExecuted++;
      return { ...r, NEW, OLD };
    } catch (e) {
      if (o.ignoreErrors && e instanceof GdnHttpError) {
        this.stats.writesIgnored++;
        return { ...r, NEW: null, OLD: null };
      }
      throw e;
    }
  }
}

function findMatch(c: Collection, search: JsonObject): JsonObject | undefined {
  if (typeof search._key === "string" && Object.keys(search).length === 1) return c.get(search._key);
  const entries = Object.entries(search);
  for (const d of c.docs.values()) if (entries.every(([k, v]) => compare(d[k] ?? null, v) === 0)) return d;
  return undefined;
}

function nn(v: Value): JsonValue {
  return v === undefined ? null : v;
}

