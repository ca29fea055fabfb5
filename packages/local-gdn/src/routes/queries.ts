/**
 * `_api/cursor` (create, continue, delete) and `_api/query` (validation).
 *
 * batchSize: default 100; values above the spec's maximum (1000 unless `maxBatchSize` says
 * otherwise) are clamped rather than refused, so clients that ask for more (the Spark connector
 * allows 10000) still work and simply page more often.
 * @packageDocumentation
 */
import { badParameter, gdnFail } from "../errors.js";
import { ok, parseBody, type GdnRequest, type Reply, type ServerContext } from "../http.js";
import { LosslessNumber, type JsonObject, type JsonValue } from "../json.js";
import { executeQuery, validateQuery } from "../c8ql/execute.js";

function num(v: JsonValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (v instanceof LosslessNumber) return Number(v.lexeme);
  return undefined;
}

export function handleCursor(ctx: ServerContext, req: GdnRequest): Reply {
  const id = req.segments[1];
  if (id !== undefined) {
    if (req.method === "PUT" || req.method === "POST") return { status: 200, raw: ctx.cursors.next(id) };
    if (req.method === "DELETE") {
      ctx.cursors.delete(id);
      return { status: 202, body: { id, error: false, code: 202 } };
    }
    throw gdnFail("METHOD_NOT_SUPPORTED");
  }
  if (req.method !== "POST") throw gdnFail("METHOD_NOT_SUPPORTED");
  const body = parseBody(req).value as JsonObject | undefined;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badParameter("expecting a JSON object body");
  if (typeof body.query !== "string") throw badParameter("query attribute is missing or not a string");
  const bindVars = (body.bindVars ?? {}) as Record<string, JsonValue>;
  if (typeof bindVars !== "object" || Array.isArray(bindVars) || bindVars === null) throw badParameter("bindVars must be an object");
  const options = (typeof body.options === "object" && body.options !== null ? body.options : {}) as JsonObject;
  let batchSize = num(body.batchSize) ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw badParameter("batchSize must be a positive integer");
  batchSize = Math.min(batchSize, ctx.maxBatchSize);
  const ttl = num(body.ttl) ?? 30;
  if (!(ttl > 0)) throw badParameter("ttl must be a positive number");
  const profile = options.profile === true || body.profile === true;
  const fullCount = options.fullCount === true || body.fullCount === true;

  const { texts, stats, warnings } = executeQuery(ctx.store, req.fabric, body.query, bindVars, { fullCount, now: () => ctx.clock.now() });
  ctx.journal?.flush();
  const extra: Record<string, unknown> = { stats, warnings };
  if (profile) extra.profile = { initializing: 0, parsing: 0, "optimizing ast": 0, "loading collections": 0, "instantiating plan": 0, "optimizing plan": 0, executing: stats.executionTime, finalizing: 0 };
  // Stream cursors do not know their total up front, so the server omits count for them.
  const stream = options.stream === true;
  return { status: 201, raw: ctx.cursors.create({ texts, batchSize, count: body.count === true && !stream, ttlSeconds: ttl, extra, extraOnlyAtEnd: stream }) };
}

export function handleQueryValidation(ctx: ServerContext, req: GdnRequest): Reply {
  void ctx;
  if (req.method !== "POST") throw gdnFail("METHOD_NOT_SUPPORTED");
  const body = parseBody(req).value as JsonObject | undefined;
  if (!body || typeof body.query !== "string") throw badParameter("query attribute is missing or not a string");
  const { query, collections, bindVars } = validateQuery(body.query);
  const vars = query.ops.flatMap((op) => (op.k === "for" || op.k === "let" ? [op.v] : []));
  const subNodes: unknown[] = query.ops.map((op) =>
    op.k === "for"
      ? { type: "for", subNodes: [{ type: "variable", name: op.v, id: vars.indexOf(op.v) }, op.src.k === "name" ? { type: "collection", name: op.src.name } : { type: "expression" }, { type: "no-op" }] }
      : { type: op.k },
  );
  if (query.write) subNodes.push({ type: query.write.k });
  if (query.ret) subNodes.push({ type: "return", subNodes: [{ type: query.ret.e.k === "var" ? "reference" : "expression", ...(query.ret.e.k === "var" ? { name: query.ret.e.name, id: vars.indexOf(query.ret.e.name) } : {}) }] });
  return ok({ parsed: true, collections, bindVars, ast: [{ type: "root", subNodes }] });
}
