/**
 * COLLECT: groups rows by the values of its group expressions and emits one row per group, in
 * ascending order of the group values (C8QL's default "sorted" method), with the aggregates, the
 * INTO array and the WITH COUNT value. Without group expressions there is exactly one group, even
 * for no input (`COLLECT WITH COUNT INTO n` over nothing gives n = 0).
 * @packageDocumentation
 */
import { equalityKey, type JsonValue } from "../json.js";
import { FUNCTIONS, length } from "./functions/index.js";
import type { FunctionContext } from "./functions/index.js";
import type { Expr, Op } from "./parser.js";
import { compare, type Value } from "./values.js";

type Row = Record<string, Value>;
type CollectOp = Extract<Op, { k: "collect" }>;

function aggregate(fn: string, values: Value[], ctx: FunctionContext): Value {
  if (fn === "LENGTH" || fn === "COUNT") return values.length;
  if (fn === "PUSH") return values.map((v) => (v ?? null) as JsonValue);
  return FUNCTIONS[fn]!.fn([values.map((v) => (v ?? null) as JsonValue)], ctx);
}

export function collectRows(op: CollectOp, rows: Row[], base: Row, evaluate: (e: Expr, r: Row) => Value, ctx: FunctionContext): Row[] {
  const groups = new Map<string, { values: Value[]; rows: Row[] }>();
  for (const r of rows) {
    const values = op.groups.map(([, e]) => evaluate(e, r) ?? null);
    const key = equalityKey(values as JsonValue[]);
    const g = groups.get(key);
    if (g) g.rows.push(r);
    else groups.set(key, { values, rows: [r] });
  }
  if (op.groups.length === 0 && groups.size === 0) groups.set("[]", { values: [], rows: [] });
  const ordered = [...groups.values()].sort((a, b) => compare(a.values as JsonValue[], b.values as JsonValue[]));
  const baseKeys = new Set(Object.keys(base));
  return ordered.map((g) => {
    const out: Row = { ...base };
    op.groups.forEach(([v], i) => (out[v] = g.values[i]));
    for (const a of op.aggregates) out[a.v] = aggregate(a.fn, g.rows.map((r) => evaluate(a.arg, r)), ctx);
    if (op.into) {
      const into = op.into;
      out[into.v] = g.rows.map((r) => {
        if (into.e) return (evaluate(into.e, r) ?? null) as JsonValue;
        // Without a projection each member holds the variables of this query level.
        const vars: Record<string, JsonValue> = {};
        for (const k of Object.keys(r)) if (!baseKeys.has(k) && !k.startsWith("\u0000")) vars[k] = (r[k] ?? null) as JsonValue;
        return vars;
      });
    }
    if (op.count) out[op.count] = length(g.rows as unknown as JsonValue[]);
    return out;
  });
}
