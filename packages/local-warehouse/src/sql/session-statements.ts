/**
 * @packageDocumentation
 * Statements about the session rather than data: USE, SET/RESET of the warehouse parameters, and
 * explicit transactions.
 */
import { Cursor } from "./cursor.js";
import { sqlError, syntaxError, unsupported } from "../errors.js";
import { NO_RESULT, StaticResult, type ResultSource } from "../wire/results.js";
import { isOp, isWord, type Token } from "./tokenizer.js";
import { STRING } from "./types.js";
import { StatementScope } from "./scope.js";

export async function use(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  c.expectWords("USE");
  const session = scope.session;
  if (c.acceptWords("CATALOG")) {
    const catalog = c.identifier().toLowerCase();
    c.expectEnd();
    scope.requireCatalog(catalog);
    await session.use(catalog, "default");
    return NO_RESULT;
  }
  if (!c.acceptWords("SCHEMA") && !c.acceptWords("DATABASE")) c.acceptWords("NAMESPACE");
  const parts = c.qualifiedName();
  c.expectEnd();
  if (parts.length > 2) throw syntaxError("a schema name has at most two parts");
  const catalog = (parts.length === 2 ? parts[0]! : session.catalog).toLowerCase();
  const schema = parts[parts.length - 1]!.toLowerCase();
  scope.requireCatalog(catalog);
  if (!(await scope.schemaExists(catalog, schema)))
    throw sqlError("SCHEMA_NOT_FOUND", `The schema \`${catalog}\`.\`${schema}\` cannot be found.`);
  await session.use(catalog, schema);
  return NO_RESULT;
}

/** The parameters a Databricks SQL warehouse lets a session set (sql-ref-parameters). */
const WAREHOUSE_PARAMETERS = [
  "ANSI_MODE",
  "LEGACY_TIME_PARSER_POLICY",
  "MAX_FILE_PARTITION_BYTES",
  "READ_ONLY_EXTERNAL_METASTORE",
  "STATEMENT_TIMEOUT",
  "TIMEZONE",
  "USE_CACHED_RESULT",
];

const UTC_NAMES = new Set(["UTC", "ETC/UTC", "GMT", "Z", "+00:00", "-00:00", "UTC+0", "ETC/GMT"]);

export async function set(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const settings = scope.session.settings;
  const keyValue = (rows: [string, string][]) =>
    new StaticResult(
      [
        { name: "key", type: STRING },
        { name: "value", type: STRING },
      ],
      rows,
    );
  const rest = tokens.slice(1);
  if (rest.length === 0 || (rest.length === 2 && isOp(rest[0], "-") && isWord(rest[1], "v")))
    return keyValue([...settings.entries()].sort());
  let key: string;
  let valueTokens: Token[];
  if (isWord(rest[0], "TIME") && isWord(rest[1], "ZONE")) {
    key = "TIMEZONE";
    valueTokens = rest.slice(2);
  } else {
    const eq = rest.findIndex((t) => isOp(t, "="));
    key = (eq < 0 ? rest : rest.slice(0, eq)).map((t) => t.value).join("");
    valueTokens = eq < 0 ? [] : rest.slice(eq + 1);
  }
  const canonical = WAREHOUSE_PARAMETERS.find((p) => p.toLowerCase() === key.toLowerCase() || (p === "TIMEZONE" && key.toLowerCase() === "spark.sql.session.timezone"));
  if (!canonical) throw sqlError("CONFIG_NOT_AVAILABLE", `Configuration ${key} is not available.`);
  if (valueTokens.length === 0 && eqAbsent(rest)) return keyValue([[canonical, settings.get(canonical) ?? ""]]);
  const value = valueTokens.map((t) => t.value).join(valueTokens.every((t) => t.kind === "string") ? "" : " ");
  if (canonical === "TIMEZONE" && !UTC_NAMES.has(value.toUpperCase()))
    throw unsupported(`Time zone '${value}' (this warehouse runs in UTC only)`);
  if (canonical === "ANSI_MODE" && value.toLowerCase() !== "true") throw unsupported("ANSI_MODE = false");
  settings.set(canonical, value);
  return keyValue([[canonical, value]]);
}

const eqAbsent = (tokens: Token[]): boolean => !tokens.some((t) => isOp(t, "="));

export async function transaction(scope: StatementScope, tokens: Token[]): Promise<ResultSource> {
  const c = new Cursor(tokens);
  const session = scope.session;
  if (c.acceptWords("BEGIN") || c.acceptWords("START")) {
    c.acceptWords("TRANSACTION");
    c.expectEnd();
    await session.run("BEGIN TRANSACTION");
    session.inTransaction = true;
    return NO_RESULT;
  }
  const commit = c.acceptWords("COMMIT");
  if (!commit) c.expectWords("ROLLBACK");
  if (!c.acceptWords("WORK")) c.acceptWords("TRANSACTION");
  c.expectEnd();
  session.inTransaction = false;
  await session.run(commit ? "COMMIT" : "ROLLBACK");
  return NO_RESULT;
}
