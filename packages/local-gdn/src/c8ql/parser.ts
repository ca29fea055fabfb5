/**
 * Recursive-descent parser for the C8QL subset's statements (FOR, FILTER, LET, SORT, LIMIT,
 * COLLECT, data modification, RETURN); expressions are in expressions.ts. Everything else is refused
 * with 400/1501 naming the construct, so a query we cannot run never gets a wrong answer.
 * @packageDocumentation
 */
import { queryError } from "../errors.js";
import { unsupported, type CollRef, type Expr, type Op, type Query, type Write } from "./ast.js";
import { ExpressionParser } from "./expressions.js";
import { AGGREGATES } from "./functions/index.js";
import { tokenize } from "./lexer.js";

export { EXPANSION_ITEM, unsupported, type CollRef, type Expr, type Op, type Query, type Write } from "./ast.js";

export function parseQuery(src: string): Query {
  if (src.trim() === "") throw queryError("query is empty");
  return new QueryParser(src, tokenize(src)).query();
}

class QueryParser extends ExpressionParser {
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
}
