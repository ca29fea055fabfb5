/**
 * Expressions of the C8QL subset: operators by precedence, the ternary, attribute/index access,
 * `[*]` expansion, function calls, literals and subqueries (whose statements the query parser
 * supplies). Anything else is refused with 400/1501 naming it.
 * @packageDocumentation
 */
import { queryError } from "../errors.js";
import { EXPANSION_ITEM, unsupported, type Expr, type Query } from "./ast.js";
import { FUNCTIONS } from "./functions/index.js";
import { position, type Token } from "./lexer.js";

/** Keywords of constructs we refuse, and the name the refusal gives them. */
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

/** Token cursor, variable scopes and bind names shared by the statement and expression parsers. */
export abstract class ExpressionParser {
  protected i = 0;
  /** Variable scopes, innermost last: a subquery pushes one, COLLECT replaces its level's. */
  protected readonly scope: Set<string>[] = [new Set()];
  protected readonly valueBinds = new Set<string>();
  protected readonly collBinds = new Set<string>();
  /** In `INSERT x IN c` and friends a top-level IN names the collection, not the operator. */
  protected noIn = false;
  constructor(
    protected readonly src: string,
    protected readonly toks: Token[],
  ) {}

  protected peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  protected next(): Token {
    return this.toks[this.i++]!;
  }
  protected isKw(t: Token, kw: string): boolean {
    return t.kind === "keyword" && t.text === kw;
  }
  protected isOp(t: Token, op: string): boolean {
    return t.kind === "op" && t.text === op;
  }
  protected fail(t: Token): never {
    if (t.kind === "keyword" && REFUSED[t.text]) throw unsupported(REFUSED[t.text]!);
    const what =
      t.kind === "eof" ? "end of query" : t.kind === "ident" ? "identifier" : t.kind === "keyword" ? `${t.text} keyword` : t.kind === "number" ? "integer number" : t.kind === "string" ? "quoted string" : `'${t.text}'`;
    throw queryError(`syntax error, unexpected ${what} near '${this.src.slice(t.pos, t.pos + 40)}' at position ${position(this.src, t.pos)}`);
  }
  protected expectKw(kw: string): void {
    const t = this.next();
    if (!this.isKw(t, kw)) this.fail(t);
  }
  protected expectOp(op: string): void {
    const t = this.next();
    if (!this.isOp(t, op)) this.fail(t);
  }
  protected declare(name: string): void {
    this.scope[this.scope.length - 1]!.add(name);
  }
  protected visible(name: string): boolean {
    return this.scope.some((s) => s.has(name));
  }
  protected ident(): string {
    const t = this.next();
    if (t.kind !== "ident") this.fail(t);
    return t.text;
  }


  /** Statements up to RETURN (a subquery's when `nested`). */
  abstract query(nested?: boolean): Query;

  protected nested<T>(f: () => T): T {
    const saved = this.noIn;
    this.noIn = false;
    try {
      return f();
    } finally {
      this.noIn = saved;
    }
  }

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
  protected or(): Expr {
    let l = this.and();
    while (this.isKw(this.peek(), "OR") || this.isOp(this.peek(), "||")) {
      this.next();
      l = { k: "bin", op: "OR", l, r: this.and() };
    }
    return l;
  }
  protected and(): Expr {
    let l = this.not();
    while (this.isKw(this.peek(), "AND") || this.isOp(this.peek(), "&&")) {
      this.next();
      l = { k: "bin", op: "AND", l, r: this.not() };
    }
    return l;
  }
  protected not(): Expr {
    if (this.isKw(this.peek(), "NOT") || this.isOp(this.peek(), "!")) {
      this.next();
      return { k: "not", e: this.not() };
    }
    return this.comparison();
  }
  protected comparison(): Expr {
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
  protected range(): Expr {
    const l = this.additive();
    if (this.isOp(this.peek(), "..")) {
      this.next();
      return { k: "range", l, r: this.additive() };
    }
    return l;
  }
  protected additive(): Expr {
    let l = this.multiplicative();
    while (this.isOp(this.peek(), "+") || this.isOp(this.peek(), "-")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.multiplicative() };
    }
    return l;
  }
  protected multiplicative(): Expr {
    let l = this.unary();
    while (this.isOp(this.peek(), "*") || this.isOp(this.peek(), "/") || this.isOp(this.peek(), "%")) {
      const op = this.next().text;
      l = { k: "bin", op, l, r: this.unary() };
    }
    return l;
  }
  protected unary(): Expr {
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
  protected postfix(): Expr {
    return this.chain(this.primary());
  }

  /** Attribute and index accesses after `e`; an expansion `[*…]` takes the rest of the chain per item. */
  protected chain(start: Expr): Expr {
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
  protected expansion(obj: Expr): Expr {
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

  protected call(name: Token): Expr {
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
  protected subquery(): Expr {
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

  protected primary(): Expr {
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
