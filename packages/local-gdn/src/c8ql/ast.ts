/**
 * The C8QL syntax tree local-gdn runs, and the refusal every unsupported construct gets.
 * @packageDocumentation
 */
import { queryError } from "../errors.js";
import type { LosslessNumber } from "../json.js";

export const EXPANSION_ITEM = "\u0000item";

export type Expr =
  | { k: "lit"; v: null | boolean | number | string | LosslessNumber }
  | { k: "var"; name: string }
  /** An identifier no variable declares: a collection in a FOR source, an error elsewhere. */
  | { k: "name"; name: string; pos: number }
  | { k: "bind"; name: string }
  | { k: "collbind"; name: string }
  | { k: "attr"; obj: Expr; name: string }
  | { k: "index"; obj: Expr; idx: Expr }
  | { k: "arr"; items: Expr[] }
  | { k: "obj"; entries: [string, Expr][] }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "range"; l: Expr; r: Expr }
  | { k: "call"; name: string; args: Expr[] }
  /** `c ? t : f`; `c ?: f` has `t` undefined (the condition's value is the result). */
  | { k: "cond"; c: Expr; t?: Expr; f: Expr }
  /** `obj[* FILTER … LIMIT … RETURN …]` followed by `then` (a chain on {@link EXPANSION_ITEM}). */
  | { k: "expand"; obj: Expr; filter?: Expr; offset?: Expr; limit?: Expr; ret?: Expr; then: Expr }
  | { k: "subquery"; q: Query };

export type Op =
  | { k: "for"; v: string; src: Expr }
  | { k: "filter"; e: Expr }
  | { k: "let"; v: string; e: Expr }
  | { k: "sort"; keys: { e: Expr; desc: boolean }[] }
  | { k: "limit"; offset: Expr | undefined; count: Expr }
  | {
      k: "collect";
      groups: [string, Expr][];
      aggregates: { v: string; fn: string; arg: Expr }[];
      into?: { v: string; e?: Expr };
      count?: string;
    };

/** A write target: a collection name or a `@@bind`. */
export type CollRef = { name: string; bind: boolean };

export type Write =
  | { k: "insert"; doc: Expr; coll: CollRef; options?: Expr }
  | { k: "update" | "replace"; key: Expr; with?: Expr; coll: CollRef; options?: Expr }
  | { k: "remove"; key: Expr; coll: CollRef; options?: Expr }
  | { k: "upsert"; search: Expr; insert: Expr; update: Expr; replace: boolean; coll: CollRef; options?: Expr };

export interface Query {
  ops: Op[];
  write?: Write;
  ret?: { e: Expr; distinct: boolean };
  valueBinds: Set<string>;
  collBinds: Set<string>;
}

export function unsupported(what: string): Error {
  return queryError(`unsupported C8QL construct: ${what} is not supported by local-gdn`);
}

/** Subqueries directly inside an expression (not those nested in them). */
export function subqueriesOf(e: Expr | undefined, out: Query[] = []): Query[] {
  if (!e) return out;
  switch (e.k) {
    case "subquery":
      out.push(e.q);
      break;
    case "attr":
      subqueriesOf(e.obj, out);
      break;
    case "index":
      subqueriesOf(e.obj, out);
      subqueriesOf(e.idx, out);
      break;
    case "arr":
      for (const x of e.items) subqueriesOf(x, out);
      break;
    case "obj":
      for (const [, x] of e.entries) subqueriesOf(x, out);
      break;
    case "not":
    case "neg":
      subqueriesOf(e.e, out);
      break;
    case "bin":
    case "range":
      subqueriesOf(e.l, out);
      subqueriesOf(e.r, out);
      break;
    case "call":
      for (const x of e.args) subqueriesOf(x, out);
      break;
    case "cond":
      subqueriesOf(e.c, out);
      subqueriesOf(e.t, out);
      subqueriesOf(e.f, out);
      break;
    case "expand":
      for (const x of [e.obj, e.filter, e.offset, e.limit, e.ret, e.then]) subqueriesOf(x, out);
      break;
    default:
      break;
  }
  return out;
}

/** Every expression of a query's own statements (not of its subqueries). */
export function expressionsOf(q: Query): Expr[] {
  const out: Expr[] = [];
  for (const op of q.ops) {
    if (op.k === "for") out.push(op.src);
    else if (op.k === "filter" || op.k === "let") out.push(op.e);
    else if (op.k === "sort") out.push(...op.keys.map((k) => k.e));
    else if (op.k === "limit") out.push(...(op.offset ? [op.offset] : []), op.count);
    else if (op.k === "collect") {
      out.push(...op.groups.map(([, e]) => e), ...op.aggregates.map((a) => a.arg));
      if (op.into?.e) out.push(op.into.e);
    }
  }
  const w = q.write;
  if (w) {
    if (w.k === "insert") out.push(w.doc);
    else if (w.k === "upsert") out.push(w.search, w.insert, w.update);
    else out.push(w.key, ...(w.k !== "remove" && w.with ? [w.with] : []));
    if (w.options) out.push(w.options);
  }
  if (q.ret) out.push(q.ret.e);
  return out;
}
