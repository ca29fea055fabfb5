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
