/**
 * @packageDocumentation
 * The statements the warehouse understands, each translated into DuckDB work: the dispatch, queries and
 * DML here; DDL in ddl.ts, DESCRIBE/SHOW in describe.ts, USE/SET/transactions in session-statements.ts,
 * MERGE in ../delta/merge.ts. A statement outside this set fails with UNSUPPORTED_FEATURE rather than
 * being passed through to DuckDB to mean something else.
 */
import { Cursor } from "./cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import { Parameters } from "./parameters.js";
import { DuckDbResult, NO_RESULT, StaticResult, type ResultSource } from "../wire/results.js";
import type { Session } from "../wire/session.js";
import type { TSparkParameter } from "../wire/thrift.js";
import { isOp, isWord, quoteIdent, significant, splitStatements, tokenize, type Token } from "./tokenizer.js";
import { BIGINT } from "./types.js";
import { duckTableName } from "../warehouse.js";
import { executeMerge } from "../delta/merge.js";
import { executeCopyInto } from "../delta/copy-into.js";
import { assertNotAppendOnly } from "../delta/rules.js";
import { commitVersion } from "../delta/versions.js";
import { executeRowChanges } from "../delta/row-changes.js";
import { writeInfo } from "../delta/operations.js";
import { assignedColumns, checkInsertColumns, checkUpdateColumns, enforceWriteRules, writeRules } from "../delta/constraints.js";
import { StatementScope } from "./scope.js";
import { prepareFileSources } from "./file-sources.js";
import { prepareVersionedSources } from "../delta/versioned-sources.js";
import { executeStaging } from "../volumes/staging.js";
import { alter, create, drop, truncate } from "./ddl.js";
import { describe, show } from "./describe.js";
import { set, transaction, use } from "./session-statements.js";

export async function executeStatement(
  session: Session,
  sql: string,
  parameters: readonly TSparkParameter[] | null | undefined,
): Promise<ResultSource> {
  const statements = splitStatements(tokenize(sql)).map(significant).filter((s) => s.length > 0);
  if (statements.length === 0) throw sqlError("PARSE_EMPTY_STATEMENT", "Syntax error, unexpected empty statement.");
  if (statements.length > 1)
    throw sqlError("PARSE_SYNTAX_ERROR", "Syntax error at or near ';': only one statement can be executed at a time.");
  const tokens = statements[0]!;
  const scope = new StatementScope(session, new Parameters(parameters));
  scope.fileSources = new Map([...(await prepareFileSources(scope, tokens)), ...(await prepareVersionedSources(scope, tokens))]);
  const [first, second] = tokens;
  const head = first?.kind === "word" ? first.value.toUpperCase() : isOp(first, "(") ? "(" : "";
  switch (head) {
    case "SELECT":
    case "WITH":
    case "VALUES":
    case "FROM":
    case "(":
    case "TABLE":
      return query(scope, tokens);
    case "INSERT":
      return insert(scope, tokens);
    case "MERGE":
      return executeMerge(scope, tokens);
    case "COPY":
      return executeCopyInto(scope, tokens);
    case "PUT":
    case "GET":
    case "REMOVE":
    case "LIST":
      return executeStaging(scope, tokens);
    case "DELETE":
    case "UPDATE":
      return dml(scope, tokens);
    case "CREATE":
      return create(scope, tokens);
    case "ALTER":
      return alter(scope, tokens);
    case "DROP":
      return drop(scope, tokens);
    case "TRUNCATE":
      return truncate(scope, tokens);
    case "DESCRIBE":
    case "DESC":
      return describe(scope, tokens);
    case "SHOW":
      return show(scope, tokens);
    case "USE":
      return use(scope, tokens);
    case "SET":
      return set(scope, tokens);
    case "RESET":
      session.settings.clear();
      return NO_RESULT;
    case "BEGIN":
    case "START":
    case "COMMIT":
    case "ROLLBACK":
      return transaction(scope, tokens);
    default:
      if (DATABRICKS_STATEMENTS.has(head))
        throw unsupported(`The statement '${[first, second].filter(Boolean).map((t) => t!.value.toUpperCase()).join(" ")}'`);
      throw syntaxError(`at or near '${first?.value ?? ""}'`);
  }
}

/** Statements Databricks has and this warehouse does not: refused as unsupported, not as bad syntax. */
const DATABRICKS_STATEMENTS = new Set(
  "OPTIMIZE VACUUM COPY ANALYZE EXPLAIN GRANT REVOKE RESTORE CLONE FSCK MSCK REFRESH CACHE UNCACHE CLEAR LIST PUT GET REMOVE APPLY DECLARE EXECUTE CALL COMMENT CONVERT SYNC REPAIR ADD GENERATE UNDROP REORG".split(" "),
);

async function query(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  // A VALUES statement is an inline table; read through SELECT * FROM it, its columns get Spark's names.
  const word = (value: string): Token => ({ kind: "word", value, pos: 0 });
  const star: Token = { kind: "op", value: "*", pos: 0 };
  const { text, values } = scope.rewrite(isWord(tokens[0], "VALUES") ? [word("SELECT"), star, word("FROM"), ...tokens] : tokens);
  return new DuckDbResult(await scope.session.run(text, values));
}

const affectedRows = (n: number, extra: [string, number][] = []): ResultSource =>
  new StaticResult(
    [{ name: "num_affected_rows", type: BIGINT }, ...extra.map(([name]) => ({ name, type: BIGINT }))],
    [[BigInt(n), ...extra.map(([, v]) => BigInt(v))]],
  );

async function dml(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const target = new Cursor(tokens);
  if (target.acceptWords("DELETE")) target.expectWords("FROM");
  else target.expectWords("UPDATE");
  const ref = scope.tableRef(target.qualifiedName());
  await assertNotAppendOnly(scope.session.warehouse, ref);
  // DELETE cannot break a constraint; an UPDATE is checked (and its generated columns recomputed)
  // inside its version's transaction, so a violation commits no version and logs no change.
  const rules = isWord(tokens[0], "UPDATE") ? await writeRules(scope, ref) : undefined;
  const assigned = rules ? assignedColumns(tokens) : [];
  if (rules) checkUpdateColumns(rules, assigned);
  const recomputed = (rules?.columns ?? []).filter((r) => r.kind === "generated" && !assigned.some((n) => n.toLowerCase() === r.column.toLowerCase()));
  const changed = await executeRowChanges(scope, tokens, ref, recomputed, async () => {
    const { text, values } = scope.rewrite(tokens);
    const n = (await scope.session.run(text, values)).rowsChanged;
    if (rules) await enforceWriteRules(scope, ref, rules, { assigned });
    return n;
  });
  return affectedRows(changed);
}

/** Whether a statement's tokens may name the table (any word or identifier spelled like it). */
function readsTable(tokens: Token[], table: string): boolean {
  const name = table.toLowerCase();
  return tokens.some((t) => (t.kind === "word" || t.kind === "ident") && t.value.toLowerCase() === name);
}

async function insert(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("INSERT");
  const overwrite = c.acceptWords("OVERWRITE");
  if (!overwrite) c.expectWords("INTO");
  c.acceptWords("TABLE");
  const ref = scope.tableRef(c.qualifiedName());
  if (isWord(c.peek(), "PARTITION")) throw unsupported("INSERT with a PARTITION clause");
  if (isWord(c.peek(), "REPLACE")) throw unsupported("INSERT … REPLACE WHERE/USING");
  let columns = "";
  let listed: string[] | undefined;
  if (isOp(c.peek(), "(") && !isWord(c.peek(1), "SELECT", "WITH", "VALUES", "FROM")) {
    listed = c.parenList().map((part) => {
      if (part.length !== 1 || (part[0]!.kind !== "word" && part[0]!.kind !== "ident")) throw syntaxError("expected a column name in the INSERT column list");
      return part[0]!.value;
    });
    columns = ` (${listed.map(quoteIdent).join(", ")})`;
  }
  const byName = c.acceptWords("BY", "NAME") ? " BY NAME" : "";
  const body = c.rest();
  if (body.length === 0 || !(isWord(body[0], "VALUES", "SELECT", "WITH", "FROM", "TABLE") || isOp(body[0], "(")))
    throw c.unexpected("VALUES or a query");
  if (overwrite) await assertNotAppendOnly(scope.session.warehouse, ref);
  const rules = await writeRules(scope, ref);
  if (rules && !byName) await checkInsertColumns(scope, ref, rules, listed);
  const { text, values } = scope.rewrite(body, { insertBody: true });
  // No existence check first: DuckDB's own "does not exist" maps to TABLE_OR_VIEW_NOT_FOUND, one query cheaper per batch.
  const target = duckTableName(ref);
  const statement = `INSERT INTO ${target}${columns}${byName} ${text}`;
  const session = scope.session;
  const inserted = await commitVersion(scope, ref, async (commit) => {
    let n: number;
    let since: bigint;
    if (overwrite && !readsTable(body, ref.table)) {
      // A source that cannot see the target (files, other tables): replace in place, no staging copy.
      await commit.logAllDeleted();
      await session.run(`DELETE FROM ${target}`);
      since = await commit.highWater();
      n = (await session.run(statement, values)).rowsChanged;
    } else if (overwrite) {
      // The query reads the table as it was before the overwrite, as Delta does: stage, then replace.
      const stage = quoteIdent(`__overwrite_${Date.now()}_${Math.random().toString(36).slice(2)}`);
      await session.run(`CREATE TEMPORARY TABLE ${stage} AS SELECT * FROM (${text}) AS q`, values);
      try {
        await commit.logAllDeleted();
        await session.run(`DELETE FROM ${target}`);
        since = await commit.highWater();
        n = (await session.run(`INSERT INTO ${target}${columns}${byName} SELECT * FROM ${stage}`)).rowsChanged;
      } finally {
        await session.run(`DROP TABLE IF EXISTS ${stage}`);
      }
    } else {
      since = await commit.highWater();
      n = (await session.run(statement, values)).rowsChanged;
    }
    // Generated columns are filled and constraints checked before the rows are logged: the change
    // feed carries the values as stored, and a violation aborts the version with the rows.
    if (rules) await enforceWriteRules(scope, ref, rules);
    await commit.logAppended(since);
    return { result: n, info: writeInfo(overwrite ? "Overwrite" : "Append", n) };
  });
  return affectedRows(inserted, [["num_inserted_rows", inserted]]);
}
