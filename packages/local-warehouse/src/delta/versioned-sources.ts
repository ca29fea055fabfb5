/**
 * @packageDocumentation
 * Finds the versioned table sources in a statement — `table_changes(…)` and time-travel references
 * (`t VERSION AS OF n`, `t TIMESTAMP AS OF ts`, `t FOR SYSTEM_VERSION|SYSTEM_TIME AS OF …`, `t@v<n>`,
 * `t@yyyyMMddHHmmssSSS`) — and prepares their SQL. Like read_files, they are resolved before the
 * statement's rewrite (which is synchronous), and the rewrite substitutes the prepared SQL for their tokens.
 */
import { syntaxError } from "../errors.js";
import { Cursor, splitTopLevel } from "../sql/cursor.js";
import type { PreparedSource } from "../sql/file-sources.js";
import type { StatementScope } from "../sql/scope.js";
import { isOp, isWord, quoteIdent, type Token } from "../sql/tokenizer.js";
import { changesSql } from "./change-feed.js";
import { evaluateBound, snapshotSql } from "./time-travel.js";

const isName = (t: Token | undefined): boolean => t !== undefined && (t.kind === "word" || t.kind === "ident");

/** Words after a table reference that are clauses, not an alias. */
const NOT_ALIAS = new Set(
  "WHERE GROUP ORDER LIMIT OFFSET HAVING JOIN INNER LEFT RIGHT FULL CROSS NATURAL SEMI ANTI ON USING UNION EXCEPT INTERSECT MINUS WINDOW QUALIFY LATERAL PIVOT UNPIVOT TABLESAMPLE CLUSTER DISTRIBUTE SORT WHEN SET".split(" "),
);

/** Finds table_changes(…) and time-travel references in a statement and prepares their SQL. */
export async function prepareVersionedSources(scope: StatementScope, tokens: Token[]): Promise<Map<Token, PreparedSource>> {
  const out = new Map<Token, PreparedSource>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isWord(t, "TABLE_CHANGES") && isOp(tokens[k + 1], "(") && !isOp(tokens[k - 1], ".")) {
      const c = new Cursor(tokens);
      c.i = k + 1;
      const close = c.matchingParen();
      const args = splitTopLevel(tokens.slice(k + 2, close - 1), ",");
      out.set(t, { sql: await changesSql(scope, args), last: tokens[close - 1]! });
      k = close - 1;
      continue;
    }
    const travel = timeTravelAt(tokens, k);
    if (!travel) continue;
    const start = nameStart(tokens, k);
    // Only a table reference travels: after FROM, JOIN, USING (MERGE) or a comma in a FROM list.
    const before = tokens[start - 1];
    if (!(isWord(before, "FROM", "JOIN", "USING") || isOp(before, ","))) continue;
    const nameTokens = tokens.slice(start, k);
    const c = new Cursor(nameTokens);
    const ref = scope.tableRef(c.qualifiedName());
    const bound = await evaluateBound(scope, travel.value, "time travel");
    let sql = await snapshotSql(scope, ref, bound);
    const after = tokens[travel.end];
    const hasAlias = isWord(after, "AS") || (isName(after) && !(after!.kind === "word" && NOT_ALIAS.has(after!.value.toUpperCase())));
    if (!hasAlias) sql += ` AS ${quoteIdent(ref.table)}`;
    out.set(tokens[start]!, { sql, last: tokens[travel.end - 1]! });
    k = travel.end - 1;
  }
  return out;
}

/** The start of the dotted name ending just before `k`. */
function nameStart(tokens: Token[], k: number): number {
  let s = k - 1;
  while (s >= 2 && isOp(tokens[s - 1], ".") && isName(tokens[s - 2])) s -= 2;
  return s;
}

/** A time-travel clause starting at `k` (right after a table name): its value tokens and where it ends. */
function timeTravelAt(tokens: Token[], k: number): { value: Token[]; end: number } | undefined {
  if (!isName(tokens[k - 1])) return undefined;
  const t = tokens[k];
  if (isOp(t, "@")) {
    const v = tokens[k + 1];
    if (v?.kind === "word" && /^v\d+$/i.test(v.value)) return { value: [{ ...v, kind: "number", value: v.value.slice(1) }], end: k + 2 };
    if (v?.kind === "number" && /^\d{17}$/.test(v.value)) {
      const d = v.value;
      const text = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)} ${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}.${d.slice(14)}`;
      return { value: [{ ...v, kind: "string", value: text }], end: k + 2 };
    }
    throw syntaxError("after '@' expected v<version> or a yyyyMMddHHmmssSSS timestamp");
  }
  let i = k;
  if (isWord(t, "FOR") && isWord(tokens[k + 1], "SYSTEM_VERSION", "SYSTEM_TIME")) i = k + 1;
  else if (!isWord(t, "VERSION", "TIMESTAMP")) return undefined;
  if (!(isWord(tokens[i + 1], "AS") && isWord(tokens[i + 2], "OF"))) return undefined;
  let end = i + 3;
  // One value: a literal, a named parameter, or a typed literal (TIMESTAMP '…').
  if (isWord(tokens[end], "TIMESTAMP", "DATE", "TIMESTAMP_NTZ") && tokens[end + 1]?.kind === "string") end += 2;
  else if (isOp(tokens[end], "-") && tokens[end + 1]?.kind === "number") end += 2;
  else end += 1;
  const value = tokens.slice(i + 3, end);
  if (value.length === 0 || end > tokens.length) throw syntaxError("a time travel clause needs a version or a timestamp");
  return { value, end };
}
