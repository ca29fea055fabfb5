/**
 * @packageDocumentation
 * MERGE INTO, with Delta's semantics on top of DuckDB's MERGE: `UPDATE SET *` and `INSERT *` match
 * columns by name (DuckDB's match by position), `WITH SCHEMA EVOLUTION` adds the source's new columns
 * first, and several source rows matching one target row is an error, as in Delta, instead of an
 * arbitrary winner.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { Cursor, splitTopLevel } from "../sql/cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import type { Sql } from "../sql/parameters.js";
import type { ResultColumn, ResultSource } from "../wire/results.js";
import { StaticResult } from "../wire/results.js";
import { assertNotAppendOnly } from "./rules.js";
import { enforceWriteRules, writeRules } from "./constraints.js";
import { checkIdentityInsert, checkIdentityUpdate } from "./generated-columns.js";
import { type StatementScope, tableNotFound } from "../sql/scope.js";
import { isOp, isWord, quoteIdent, type Token } from "../sql/tokenizer.js";
import { BIGINT, toDuckDbType } from "../sql/types.js";
import { duckTableName } from "../warehouse.js";
import { commitVersion } from "./versions.js";
import { logMergeChanges, type MergeCounts } from "./merge-changes.js";
import { mergeInfo } from "./operations.js";
import { tokensText } from "./row-changes.js";

type Action =
  | { kind: "delete" }
  | { kind: "updateAll" }
  | { kind: "update"; assignments: { column: string; value: Sql }[] }
  | { kind: "insertAll" }
  | { kind: "insert"; columns: string[]; values: Sql[] };

interface Clause {
  when: "MATCHED" | "NOT MATCHED" | "NOT MATCHED BY SOURCE";
  condition?: Sql;
  action: Action;
}

/** Splits on a top-level keyword, ignoring it inside parentheses and CASE … END. */
function splitOnWord(tokens: Token[], word: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, "(") || isWord(t, "CASE")) depth++;
    else if (isOp(t, ")") || isWord(t, "END")) depth--;
    if (depth === 0 && isWord(t, word)) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

function indexOfWord(tokens: Token[], word: string): number {
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, "(") || isWord(t, "CASE")) depth++;
    else if (isOp(t, ")") || isWord(t, "END")) depth--;
    else if (depth === 0 && isWord(t, word)) return k;
  }
  return -1;
}

const isName = (t: Token | undefined): boolean => t !== undefined && (t.kind === "word" || t.kind === "ident");

const KEYWORDS_AFTER_NAME = ["USING", "ON", "WHEN"];

function optionalAlias(c: Cursor): string | undefined {
  if (c.acceptWords("AS")) return c.identifier();
  const t = c.peek();
  if (isName(t) && !(t!.kind === "word" && KEYWORDS_AFTER_NAME.includes(t!.value.toUpperCase()))) return c.identifier();
  return undefined;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export async function executeMerge(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("MERGE");
  const evolve = c.acceptWords("WITH", "SCHEMA", "EVOLUTION");
  c.expectWords("INTO");
  const ref = scope.tableRef(c.qualifiedName());
  const targetAlias = optionalAlias(c) ?? ref.table;
  c.expectWords("USING");

  // Source, condition and clauses are rewritten in text order so `?` markers bind in order.
  let sourceSql: Sql;
  let sourceName: string;
  if (isOp(c.peek(), "(")) {
    const end = c.matchingParen();
    const inner = c.tokens.slice(c.i + 1, end - 1);
    c.i = end;
    const rewritten = scope.rewrite(inner);
    sourceSql = { text: `(${rewritten.text})`, values: rewritten.values };
    sourceName = "";
  } else {
    const start = c.i;
    const parts = c.qualifiedName();
    sourceSql = scope.rewrite(c.tokens.slice(start, c.i));
    sourceName = parts[parts.length - 1]!;
  }
  const sourceAlias = optionalAlias(c) ?? sourceName;
  if (!sourceAlias) throw syntaxError("a MERGE source subquery needs an alias");
  let sourceColumns = "";
  if (isOp(c.peek(), "(")) {
    const names = c.parenList().map((p) => {
      if (p.length !== 1 || !isName(p[0])) throw syntaxError("expected a column name in the source alias");
      return quoteIdent(p[0]!.value);
    });
    sourceColumns = `(${names.join(", ")})`;
  }
  c.expectWords("ON");
  const [onTokens = [], ...clauseTokens] = splitOnWord(c.rest(), "WHEN");
  if (onTokens.length === 0) throw syntaxError("MERGE needs an ON condition");
  if (clauseTokens.length === 0) throw syntaxError("MERGE needs at least one WHEN clause");
  const on = scope.rewrite(onTokens);
  const clauses = clauseTokens.map((t) => parseClause(scope, t, targetAlias));

  const session = scope.session;
  if ((await scope.relationKind(ref)) !== "table") throw tableNotFound(ref);
  // An append-only table takes MERGE with INSERT clauses only.
  if (clauses.some((cl) => cl.action.kind !== "insertAll" && cl.action.kind !== "insert")) await assertNotAppendOnly(session.warehouse, ref);
  const target = duckTableName(ref);
  const source = `${sourceSql.text} AS ${quoteIdent(sourceAlias)}${sourceColumns}`;
  const srcCols = await scope.columnsOf(source, sourceSql.values);
  const usesStar = clauses.some((cl) => cl.action.kind === "updateAll" || cl.action.kind === "insertAll");
  const rules = await writeRules(scope, ref);
  // Identity columns: no given values (GENERATED ALWAYS) and no updates, whichever clause names them.
  for (const cl of rules ? clauses : []) {
    const a = cl.action;
    const source = srcCols.map((col) => col.name);
    if (a.kind === "update" || a.kind === "updateAll") checkIdentityUpdate(rules!.columns, a.kind === "update" ? a.assignments.map((x) => x.column) : source);
    if (a.kind === "insert" || a.kind === "insertAll") checkIdentityInsert(rules!.columns, a.kind === "insert" ? a.columns : source);
  }

  return commitVersion(scope, ref, async (commit) => {
    let targetCols = await scope.columnsOf(target);
    if (evolve && usesStar) {
      const added = srcCols.filter((s) => !targetCols.some((t) => sameName(t.name, s.name)));
      for (const col of added) await session.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(col.name)} ${toDuckDbType(col.type)}`);
      if (added.length > 0) targetCols = await scope.columnsOf(target);
    }
    const whenSql = clauses.map((cl) => renderClause(cl, targetCols, srcCols, sourceAlias, evolve));
    const values: Record<string, DuckDBValue> = { ...sourceSql.values, ...on.values };
    for (const cl of clauses) Object.assign(values, clauseValues(cl));

    const needsCardinalityCheck = clauses.some((cl) => cl.when === "MATCHED" && !(cl.action.kind === "delete" && !cl.condition));
    if (needsCardinalityCheck) {
      const check = await session.run(
        `SELECT 1 FROM ${target} AS ${quoteIdent(targetAlias)} JOIN ${source} ON ${on.text} GROUP BY ${quoteIdent(targetAlias)}.rowid HAVING count(*) > 1 LIMIT 1`,
        { ...sourceSql.values, ...on.values },
      );
      if ((await check.getRows()).length > 0)
        throw sqlError(
          "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "Cannot perform Merge as multiple source rows matched and attempted to modify the same target row in the Delta table in possibly conflicting ways.",
        );
    }
    // The rules run inside the version's transaction: a violation commits no version and logs no change.
    const plan = {
      targetAlias,
      source,
      on: on.text,
      values,
      joinValues: { ...sourceSql.values, ...on.values },
      clauses: clauses.map((cl, k) => ({ sql: whenSql[k]!, updates: cl.action.kind === "update" || cl.action.kind === "updateAll", bySource: cl.when === "NOT MATCHED BY SOURCE" })),
      generated: (rules?.columns ?? []).filter((col) => col.kind === "generated"),
    };
    let counts: MergeCounts = { updated: 0, deleted: 0, inserted: 0 };
    const result = await logMergeChanges(commit, plan, async (fromCopy) => {
      counts = fromCopy;
      await session.run(`MERGE INTO ${target} AS ${quoteIdent(targetAlias)} USING ${source} ON ${on.text} ${whenSql.join(" ")}`, values);
      // Generated columns follow the merged values (assigned: none), then constraints are checked.
      if (rules) await enforceWriteRules(scope, ref, rules, { assigned: [] });
      const affected = counts.updated + counts.deleted + counts.inserted;
      const columns: ResultColumn[] = ["num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"].map((name) => ({ name, type: BIGINT }));
      return new StaticResult(columns, [[BigInt(affected), BigInt(counts.updated), BigInt(counts.deleted), BigInt(counts.inserted)]]);
    });
    return { result, info: mergeInfo(tokensText(onTokens), counts) };
  });
}

function parseClause(scope: StatementScope, tokens: Token[], targetAlias: string): Clause {
  const thenAt = indexOfWord(tokens, "THEN");
  if (thenAt < 0) throw syntaxError("expected THEN in a WHEN clause");
  const head = new Cursor(tokens.slice(0, thenAt));
  let when: Clause["when"];
  if (head.acceptWords("MATCHED")) when = "MATCHED";
  else {
    head.expectWords("NOT", "MATCHED");
    if (head.acceptWords("BY", "SOURCE")) when = "NOT MATCHED BY SOURCE";
    else {
      head.acceptWords("BY", "TARGET");
      when = "NOT MATCHED";
    }
  }
  const clause: Clause = { when, action: { kind: "delete" } };
  if (head.acceptWords("AND")) clause.condition = scope.rewrite(head.rest());
  head.expectEnd();

  const c = new Cursor(tokens.slice(thenAt + 1));
  if (c.acceptWords("DELETE")) {
    c.expectEnd();
    if (when === "NOT MATCHED") throw syntaxError("WHEN NOT MATCHED can only INSERT");
    return clause;
  }
  if (c.acceptWords("UPDATE", "SET")) {
    if (when === "NOT MATCHED") throw syntaxError("WHEN NOT MATCHED can only INSERT");
    if (c.acceptOp("*")) {
      c.expectEnd();
      if (when !== "MATCHED") throw syntaxError("UPDATE SET * is only allowed WHEN MATCHED");
      clause.action = { kind: "updateAll" };
      return clause;
    }
    const assignments = splitTopLevel(c.rest(), ",").map((part) => {
      const eq = part.findIndex((t) => isOp(t, "="));
      if (eq < 1) throw syntaxError("expected column = expression in UPDATE SET");
      const lhs = new Cursor(part.slice(0, eq));
      const parts = lhs.qualifiedName();
      lhs.expectEnd();
      if (parts.length > 2 || (parts.length === 2 && !sameName(parts[0]!, targetAlias)))
        throw unsupported("Assigning to a nested field or another table's column in MERGE");
      return { column: parts[parts.length - 1]!, value: scope.rewrite(part.slice(eq + 1)) };
    });
    clause.action = { kind: "update", assignments };
    return clause;
  }
  if (c.acceptWords("INSERT")) {
    if (when !== "NOT MATCHED") throw syntaxError("INSERT is only allowed WHEN NOT MATCHED");
    if (c.acceptOp("*")) {
      c.expectEnd();
      clause.action = { kind: "insertAll" };
      return clause;
    }
    const columns = c.parenList().map((p) => {
      if (p.length !== 1 || !isName(p[0])) throw syntaxError("expected a column name in INSERT");
      return p[0]!.value;
    });
    c.expectWords("VALUES");
    const values = c.parenList().map((p) => scope.rewrite(p));
    c.expectEnd();
    if (values.length !== columns.length) throw sqlError("INSERT_COLUMN_ARITY_MISMATCH", "The INSERT clause of MERGE has a different number of columns and values.");
    clause.action = { kind: "insert", columns, values };
    return clause;
  }
  throw c.unexpected("UPDATE, DELETE or INSERT");
}

function clauseValues(cl: Clause): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = { ...(cl.condition?.values ?? {}) };
  if (cl.action.kind === "update") for (const a of cl.action.assignments) Object.assign(out, a.value.values);
  if (cl.action.kind === "insert") for (const v of cl.action.values) Object.assign(out, v.values);
  return out;
}

function renderClause(cl: Clause, targetCols: ResultColumn[], srcCols: ResultColumn[], sourceAlias: string, evolve: boolean): string {
  const head = `WHEN ${cl.when === "NOT MATCHED" ? "NOT MATCHED BY TARGET" : cl.when}${cl.condition ? ` AND ${cl.condition.text}` : ""} THEN`;
  const src = (name: string) => `${quoteIdent(sourceAlias)}.${quoteIdent(name)}`;
  const pairs = (action: string) =>
    targetCols.flatMap((t) => {
      const s = srcCols.find((x) => sameName(x.name, t.name));
      if (s) return [[t.name, s.name] as const];
      if (evolve) return [];
      throw sqlError(
        "DELTA_MERGE_UNRESOLVED_EXPRESSION", `Cannot resolve \`${t.name}\` in ${action} clause given columns ${srcCols.map((x) => `\`${sourceAlias}\`.\`${x.name}\``).join(", ")}.`,
      );
    });
  switch (cl.action.kind) {
    case "delete":
      return `${head} DELETE`;
    case "updateAll":
      return `${head} UPDATE SET ${pairs("UPDATE")
        .map(([t, s]) => `${quoteIdent(t)} = ${src(s)}`)
        .join(", ")}`;
    case "update":
      return `${head} UPDATE SET ${cl.action.assignments.map((a) => `${quoteIdent(a.column)} = ${a.value.text}`).join(", ")}`;
    case "insertAll": {
      const p = pairs("INSERT");
      return `${head} INSERT (${p.map(([t]) => quoteIdent(t)).join(", ")}) VALUES (${p.map(([, s]) => src(s)).join(", ")})`;
    }
    case "insert":
      return `${head} INSERT (${cl.action.columns.map(quoteIdent).join(", ")}) VALUES (${cl.action.values.map((v) => v.text).join(", ")})`;
  }
}
