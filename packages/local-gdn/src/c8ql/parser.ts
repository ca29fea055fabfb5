/**
 * Recursive-descent parser for the C8QL subset; everything else is refused with 400/1501 naming
 * the construct, so a query we cannot run never gets a wrong answer.
 * @packageDocumentation
 */
import { queryError } from "../errors.js";
import type { LosslessNumber } from "../json.js";
import { AGGREGATES, FUNCTIONS } from "./functions/index.js";
import { position, tokenize, type Token } from "./lexer.js";

/** The row variable an expansion's projection (`a[*].b` → `.b`) is evaluated on. */
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

const REFUSED: Record<string, string> = {
  WINDOW: "WINDOW",
  GRAPH: "graph traversal",
  OUTBOUND: "graph traversal",
  INBOUND: "graph traversal",
  ANY: "graph traversal / array comparison operators",
  ALL: "array comparison operators",
  NONE: "array comparison operators",
  SHORTEST_PATH: "SHORTEST_PATH",
  K_SHORTEST_PATHS: "K_SHORTEST_PATHS",
  K_PATHS: "K_PATHS",
  PRUNE: "PRUNE",
  SEARCH: "SEARCH",
};

export function unsupported(what: string): Error {
  return queryError(`unsupported C8QL construct: ${what} is not supported by local-gdn`);
}

export function parseQuery(src: string): Query {
  if (src.trim() === "") throw queryError("query is empty");
  return new QueryParser(src, tokenize(src)).query();
}

class QueryParser {
  private i = 0;
  /** Variable scopes, innermost last: a subquery pushes one, COLLECT replaces its level's. */
  private readonly scope: Set<string>[] = [new Set()];
  private readonly valueBinds = new Set<string>();
  private readonly collBinds = new Set<string>();
  /** In `INSERT x IN c` and friends a top-level IN names the collection, not the operator. */
  private noIn = false;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private isKw(t: Token, kw: string): boolean {
    return t.kind === "keyword" && t.text === kw;
  }
  private isOp(t: Token, op: string): boolean {
    return t.kind === "op" && t.text === op;
  }
  private fail(t: Token): never {
    if (t.kind === "keyword" && REFUSED[t.text]) throw unsupported(REFUSED[t.text]!);
    const what =
      t.kind === "eof" ? "end of query" : t.kind === "ident" ? "identifier" : t.kind === "keyword" ? `${t.text} keyword` : t.kind === "number" ? "integer number" : t.kind === "string" ? "quoted string" : `'${t.text}'`;
    throw queryError(`syntax error, unexpected ${what} near '${this.src.slice(t.pos, t.pos + 40)}' at position ${position(this.src, t.pos)}`);
  }
  private expectKw(kw: string): void {
    const t = this.next();
    if (!this.isKw(t, kw)) this.fail(t);
  }
  private expectOp(op: string): void {
    const t = this.next();
    if (!this.isOp(t, op)) this.fail(t);
  }
  private declare(name: string): void {
    this.scope[this.scope.length - 1]!.add(name);
  }
  private visible(name: string): boolean {
    return this.scope.some((s) => s.has(name));
  }
  private ident(): string {
    const t = this.next();
    if (t.kind !== "ident") this.fail(t);
    return t.text;
  }

  query(nested = false): Query {
    const ops: Op[] = [];
    const q: Query = { ops, valueBinds: this.valueBinds, collBinds: this.collBinds };
    for (;;) {
      const t = this.peek();
      if (this.isKw(t, "FOR")) {
        this.next();
        const v = this.ident();
        this.expectKw("IN");
        const src = this.expr();
        this.declare(v);
        ops.push({ k: "for", v, src });
      } else if (this.isKw(t, "FILTER")) {
        this.next();
        ops.push({ k: "filter", e: this.expr() });
      } else if (this.isKw(t, "LET")) {
        this.next();
        const v = this.ident();
        this.expectOp("=");
        const e = this.expr();
        this.declare(v);
        ops.push({ k: "let", v, e });
      } else if (this.isKw(t, "SORT")) {
        this.next();
        const keys: { e: Expr; desc: boolean }[] = [];
        do {
          const e = this.expr();
          let desc = false;
          if (this.isKw(this.peek(), "ASC")) this.next();
          else if (this.isKw(this.peek(), "DESC")) {
            this.next();
            desc = true;
          }
          keys.push({ e, desc });
        } while (this.isOp(this.peek(), ",") && this.next());
        ops.push({ k: "sort", keys });
      } else if (this.isKw(t, "LIMIT")) {
        this.next();
        const a = this.expr();
        if (this.isOp(this.peek(), ",")) {
          this.next();
          ops.push({ k: "limit", offset: a, count: this.expr() });
        } else ops.push({ k: "limit", offset: undefined, count: a });
      } else if (this.isKw(t, "COLLECT")) {
        this.next();
        ops.push(this.collect());
      } else if (this.isKw(t, "INSERT") || this.isKw(t, "UPDATE") || this.isKw(t, "REPLACE") || this.isKw(t, "REMOVE") || this.isKw(t, "UPSERT")) {
        if (nested) throw unsupported("data-modification operations in subqueries");
        q.write = this.write();
        this.declare("NEW");
        this.declare("OLD");
        if (this.isKw(this.peek(), "RETURN")) q.ret = this.ret();
        break;
      } else if (this.isKw(t, "RETURN")) {
        q.ret = this.ret();
        break;
      } else this.fail(t);
    }
    if (nested) return q;
    const end = this.peek();
    if (end.kind !== "eof") {
      if (this.isKw(end, "FOR") || this.isKw(end, "FILTER") || this.isKw(end, "LET")) throw unsupported(`${end.text} after RETURN or a data-modification (subqueries/multiple statements)`);
      this.fail(end);
    }
    return q;
  }

  /** `COLLECT [v = e, …] [AGGREGATE v = FN(e), …] [INTO g [= e] | WITH COUNT INTO n] [OPTIONS {…}]`. */
  private collect(): Op {
    const groups: [string, Expr][] = [];
    const aggregates: { v: string; fn: string; arg: Expr }[] = [];
    const assignment = (): [string, Expr] => {
      const v = this.ident();
      this.expectOp("=");
      return [v, this.expr()];
    };
    if (this.peek().kind === "ident" && this.isOp(this.peek(1), "="))
      do groups.push(assignment());
      while (this.isOp(this.peek(), ",") && this.next());
    if (this.isKw(this.peek(), "AGGREGATE")) {
      this.next();
      do {
        const [v, e] = assignment();
        if (e.k !== "call" || !AGGREGATES.has(e.name) || e.args.length !== 1) throw unsupported("AGGREGATE expressions other than LENGTH/COUNT/SUM/AVERAGE/AVG/MIN/MAX/UNIQUE/SORTED_UNIQUE/COUNT_DISTINCT/COUNT_UNIQUE/PUSH of one value");
        aggregates.push({ v, fn: e.name, arg: e.args[0]! });
      } while (this.isOp(this.peek(), ",") && this.next());
    }
    const op: Op = { k: "collect", groups, aggregates };
    if (this.isKw(this.peek(), "INTO")) {
      this.next();
      const v = this.ident();
      op.into = { v };
      if (this.isOp(this.peek(), "=")) {
        this.next();
        op.into.e = this.expr();
      }
      if (this.peek().kind === "ident" && this.peek().text.toUpperCase() === "KEEP") throw unsupported("COLLECT … INTO … KEEP");
    }
    if (this.isKw(this.peek(), "WITH")) {
      this.next();
      const t = this.next();
      if (t.kind !== "ident" || t.text.toUpperCase() !== "COUNT") this.fail(t);
      if (op.into) throw unsupported("COLLECT with both INTO and WITH COUNT INTO");
      this.expectKw("INTO");
      op.count = this.ident();
    }
    if (!groups.length && !aggregates.length && !op.into && !op.count) this.fail(this.peek());
    // The method (hash/sorted) only changes the order of groups, which no client may rely on.
    if (this.isKw(this.peek(), "OPTIONS")) {
      this.next();
      this.expr();
    }
    // After COLLECT only the variables it introduces are visible at this level.
    const names = [...groups.map(([v]) => v), ...aggregates.map((a) => a.v), ...(op.into ? [op.into.v] : []), ...(op.count ? [op.count] : [])];
    this.scope[this.scope.length - 1] = new Set(names);
    return op;
  }

  private ret(): { e: Expr; distinct: boolean } {
    this.expectKw("RETURN");
    let distinct = false;
    if (this.isKw(this.peek(), "DISTINCT")) {
      this.next();
      distinct = true;
    }
    return { e: this.expr(), distinct };
  }

  private collRef(): CollRef {
    const t = this.peek();
    if (!(this.isKw(t, "IN") || this.isKw(t, "INTO"))) this.fail(t);
    this.next();
    const c = this.next();
    if (c.kind === "ident") return { name: c.text, bind: false };
    if (c.kind === "collbind") {
      this.collBinds.add(c.text);
      return { name: c.text, bind: true };
    }
    return this.fail(c);
  }

  private options(): Expr | undefined {
    if (!this.isKw(this.peek(), "OPTIONS")) return undefined;
    this.next();
    return this.expr();
  }

  private write(): Write {
    this.noIn = true;
    try {
      return this.writeClause();
    } finally {
      this.noIn = false;
    }
  }

  private nested<T>(f: () => T): T {
    const saved = this.noIn;
    this.noIn = false;
    try {
      return f();
    } finally {
      this.noIn = saved;
    }
  }

  private writeClause(): Write {
    const kw = this.next().text;
    if (kw === "INSERT") {
      const doc = this.expr();
      const coll = this.collRef();
      return { k: "insert", doc, coll, options: this.options() };
    }
    if (kw === "UPDATE" || kw === "REPLACE") {
      const key = this.expr();
      let withE: Expr | undefined;
      if (this.isKw(this.peek(), "WITH")) {
        this.next();
        withE = this.expr();
      }
      const coll = this.collRef();
      const w: Write = { k: kw === "UPDATE" ? "update" : "replace", key, coll, options: this.options() };
      if (withE) w.with = withE;
      return w;
    }
    if (kw === "REMOVE") {
      const key = this.expr();
      const coll = this.collRef();
      return { k: "remove", key, coll, options: this.options() };
    }
    // UPSERT search INSERT doc UPDATE|REPLACE doc IN c; OLD is visible in the update expression.
    const search = this.expr();
    this.expectKw("INSERT");
    const insert = this.expr();
    const t = this.next();
    if (!this.isKw(t, "UPDATE") && !this.isKw(t, "REPLACE")) this.fail(t);
    this.declare("OLD");
    const update = this.expr();
    const coll = this.collRef();
    return { k: "upsert", search, insert, update, replace: t.text === "REPLACE", coll, options: this.options() };
  }

  // Precedence, loosest first: OR, AND, NOT, comparison/IN/LIKE, range, additive, multiplicative, unary, postfix.
  expr(): Expr {
    const t = this.peek();
    if (this.isOp(t, "?")) this.fail(t);
    const c = this.or();
    if (!this.isOp(this.peek(), "?")) return c;
    this.next();
    if (this.isOp(this.peek(), ":")) {
      this.next();
      return { k: "cond", c, f: this.expr() };
    }
    const tExpr = this.nested(() => this.expr());
    this.expectOp(":");
    return { k: "cond", c, t: tExpr, f: this.expr() };
  }
  private or(): Expr {
    let l = this.and();
    while (this.isKw(this.peek(), "OR") || this.isOp(this.peek(), "||")) {
      this.next();
      l = { k: "bin", op: "OR", l, r: this.and() };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isKw(this.peek(), "AND") || this.isOp(this.peek(), "&&")) {
      this.next();
      l = { k: "bin", op: "AND", l, r: this.not() };
    }
    return l;
  }
  private not(): Expr {
    if (this.isKw(this.peek(), "NOT") || this.isOp(this.peek(), "!")) {
      this.next();
      return { k: "not", e: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Expr {
    let l = this.range();
    for (;;) {
      const t = this.peek();
      if (t.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(t.text)) {
        this.next();
        l = { k: "bin", op: t.text, l, r: this.range() };
      } else if (this.isKw(t, "IN") && !this.noIn) {
        this.next();
        l = { k: "bin", op: "IN", l, r: this.range() };
      } else if (this.isKw(t, "LIKE")) {
        this.next();
        l = { k: "bin", op: "LIKE", l, r: this.range() };
      } else if (this.isKw(t, "NOT") && ((this.isKw(this.peek(1), "IN") && !this.noIn) || this.isKw(this.peek(1), "LIKE"))) {
        this.next();
        const op = this.next().text;
        l = { k: "not", e: { k: "bin", op, l, r: this.range() } };
      } else if (t.kind === "op" && (t.text === "=~" || t.text === "!~")) {
        throw unsupported(`the regular-expression operator ${t.text}`);
      } else if (this.isKw(t, "ALL") || this.isKw(t, "ANY") || this.isKw(t, "NONE")) {
        throw unsupported("array comparison operators (ALL/ANY/NONE)");
      } else return l;
    }
  }
  private range(): Expr {
    const l = this.additive();
    if (this.isOp(this.peek(), "..")) {
      this.next();
      return { k: "range", l, r: this.additive() };
    }
    return l;
  }
  private additive(): Expr {
    let l = this.multiplicative();
    while (this.isOp(this.peek(), "+") || this.isOp(this.peek(), "-")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.multiplicative() };
    }
    return l;
  }
  private multiplicative(): Expr {
    let l = this.unary();
    while (this.isOp(this.peek(), "*") || this.isOp(this.peek(), "/") || this.isOp(this.peek(), "%")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.unary() };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp(this.peek(), "-")) {
      this.next();
      return { k: "neg", e: this.unary() };
    }
    if (this.isOp(this.peek(), "+")) {
      this.next();
      return this.unary();
    }
    if (this.isOp(this.peek(), "!")) {
      this.next();
      return { k: "not", e: this.unary() };
    }
    return this.postfix();
  }
  private postfix(): Expr {
    return this.chain(this.primary());
  }

  /** Attribute and index accesses after `e`; an expansion `[*…]` takes the rest of the chain per item. */
  private chain(start: Expr): Expr {
    let e = start;
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, ".")) {
        this.next();
        const a = this.next();
        if (a.kind === "ident" || a.kind === "keyword") e = { k: "attr", obj: e, name: a.kind === "keyword" ? this.src.slice(a.pos, a.pos + a.text.length) : a.text };
        else if (a.kind === "bind") {
          this.valueBinds.add(a.text);
          e = { k: "index", obj: e, idx: { k: "bind", name: a.text } };
        } else this.fail(a);
      } else if (this.isOp(t, "[")) {
        this.next();
        if (this.isOp(this.peek(), "*")) return this.expansion(e);
        if (this.isOp(this.peek(), "]")) this.fail(this.peek());
        const idx = this.nested(() => this.expr());
        this.expectOp("]");
        e = { k: "index", obj: e, idx };
      } else return e;
    }
  }

  /** After `obj[`: `* [FILTER c] [LIMIT [o,] n] [RETURN p] ]`, then the projection chain. */
  private expansion(obj: Expr): Expr {
    this.next();
    if (this.isOp(this.peek(), "*")) throw unsupported("the array flattening operator [**]");
    const node: Expr = { k: "expand", obj, then: { k: "var", name: EXPANSION_ITEM } };
    this.scope.push(new Set(["CURRENT"]));
    try {
      this.nested(() => {
        if (this.isKw(this.peek(), "FILTER")) {
          this.next();
          node.filter = this.expr();
        }
        if (this.isKw(this.peek(), "LIMIT")) {
          this.next();
          const a = this.expr();
          if (this.isOp(this.peek(), ",")) {
            this.next();
            node.offset = a;
            node.limit = this.expr();
          } else node.limit = a;
        }
        if (this.isKw(this.peek(), "RETURN")) {
          this.next();
          node.ret = this.expr();
        }
      });
    } finally {
      this.scope.pop();
    }
    this.expectOp("]");
    node.then = this.chain({ k: "var", name: EXPANSION_ITEM });
    return node;
  }

  private call(name: Token): Expr {
    const fn = name.text.toUpperCase();
    if (!FUNCTIONS[fn]) throw unsupported(`the function ${fn}()`);
    this.expectOp("(");
    const args: Expr[] = [];
    if (!this.isOp(this.peek(), ")"))
      do args.push(this.nested(() => this.expr()));
      while (this.isOp(this.peek(), ",") && this.next());
    this.expectOp(")");
    return { k: "call", name: fn, args };
  }

  /** `( FOR … RETURN … )`: its variables stay inside; it may read the enclosing ones. */
  private subquery(): Expr {
    this.scope.push(new Set());
    const savedNoIn = this.noIn;
    this.noIn = false;
    try {
      const q = this.query(true);
      if (!q.ret) this.fail(this.peek());
      this.expectOp(")");
      return { k: "subquery", q };
    } finally {
      this.noIn = savedNoIn;
      this.scope.pop();
    }
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "number":
        return { k: "lit", v: t.num! };
      case "string":
        return { k: "lit", v: t.text };
      case "bind":
        this.valueBinds.add(t.text);
        return { k: "bind", name: t.text };
      case "collbind":
        this.collBinds.add(t.text);
        return { k: "collbind", name: t.text };
      case "keyword":
        if (t.text === "TRUE") return { k: "lit", v: true };
        if (t.text === "FALSE") return { k: "lit", v: false };
        if (t.text === "NULL") return { k: "lit", v: null };
        if (t.text === "FOR") throw unsupported("subqueries");
        return this.fail(t);
      case "ident": {
        if (this.isOp(this.peek(), "(")) return this.call(t);
        if (this.isOp(this.peek(), "::")) throw unsupported("user-defined functions");
        if (this.visible(t.text)) return { k: "var", name: t.text };
        return { k: "name", name: t.text, pos: t.pos };
      }
      case "op":
        if (t.text === "(") {
          if (this.isKw(this.peek(), "FOR") || this.isKw(this.peek(), "LET") || this.isKw(this.peek(), "RETURN") || this.isKw(this.peek(), "COLLECT")) return this.subquery();
          const e = this.nested(() => this.expr());
          this.expectOp(")");
          return e;
        }
        if (t.text === "[") {
          const items: Expr[] = [];
          if (!this.isOp(this.peek(), "]"))
            do {
              if (this.isOp(this.peek(), "]")) break;
              items.push(this.nested(() => this.expr()));
            } while (this.isOp(this.peek(), ",") && this.next());
          this.expectOp("]");
          return { k: "arr", items };
        }
        if (t.text === "{") {
          const entries: [string, Expr][] = [];
          if (!this.isOp(this.peek(), "}"))
            do {
              if (this.isOp(this.peek(), "}")) break;
              const kt = this.next();
              let key: string;
              if (kt.kind === "ident" || kt.kind === "string") key = kt.text;
              else if (kt.kind === "keyword") key = this.src.slice(kt.pos, kt.pos + kt.text.length);
              else if (kt.kind === "number") key = kt.text;
              else if (kt.kind === "op" && kt.text === "[") throw unsupported("computed attribute names");
              else return this.fail(kt);
              if (!this.isOp(this.peek(), ":")) {
                // `{ city, n }` is `{ city: city, n: n }`.
                if (kt.kind !== "ident") this.fail(this.peek());
                entries.push([key, this.visible(key) ? { k: "var", name: key } : { k: "name", name: key, pos: kt.pos }]);
                continue;
              }
              this.next();
              entries.push([key, this.nested(() => this.expr())]);
            } while (this.isOp(this.peek(), ",") && this.next());
          this.expectOp("}");
          return { k: "obj", entries };
        }
        return this.fail(t);
      default:
        return this.fail(t);
    }
  }
}
