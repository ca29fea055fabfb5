/**
 * @packageDocumentation
 * Delta CHECK constraints and the checks every write passes before it commits (facts from delta-io/delta:
 * AlterTableAddConstraintDeltaCommand / AlterTableDropConstraintDeltaCommand in alterDeltaTableCommands.scala,
 * CheckDeltaInvariant.scala, InvariantViolationException.scala, delta-error-classes.json):
 * - `ALTER TABLE t ADD CONSTRAINT name CHECK (expr)` stores the expression as table property
 *   `delta.constraints.<name>` (as Delta does, so SHOW TBLPROPERTIES lists it), after checking every
 *   existing row: rows where it is false or NULL make it fail with DELTA_NEW_CHECK_CONSTRAINT_VIOLATION;
 * - `ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name`;
 * - a write (INSERT, UPDATE, MERGE, COPY INTO) that leaves a row for which a constraint is false or NULL
 *   fails with DELTA_VIOLATE_CONSTRAINT_WITH_VALUES and changes nothing. Generated columns are filled
 *   and checked in the same place (a `Generated Column` constraint, as Delta names it).
 * The checks run inside the write's transaction, over the whole table: a local warehouse's tables are small.
 */
import { SqlError, syntaxError } from "../errors.js";
import { type Cursor, splitTopLevel } from "../sql/cursor.js";
import { isOp, isWord, quoteIdent, significant, tokenize, type Token } from "../sql/tokenizer.js";
import { type StatementScope } from "../sql/scope.js";
import { duckTableName, type TableRef } from "../warehouse.js";
import { addConstraintInfo, dropConstraintInfo } from "./operations.js";
import type { CommitInfo } from "./versions.js";
import { cachedWriteRules, checkIdentityInsert, checkIdentityUpdate, columnRules, forgetWriteRules, sparkText, type ColumnRule } from "./generated-columns.js";

const PREFIX = "delta.constraints.";
/** Delta's own name for CHAR/VARCHAR length checks (CharVarcharConstraint.INVARIANT_NAME). */
const RESERVED_NAME = "__CHAR_VARCHAR_STRING_LENGTH_CHECK__";

const qualified = (ref: TableRef) => `${ref.catalog}.${ref.schema}.${ref.table}`;

/** Spark's `expression.sql` puts an operator expression in parentheses (`(price > 0)`), a function call not. */
function asSql(text: string): string {
  let depth = 0;
  for (const t of significant(tokenize(text))) {
    if (isOp(t, "(") || isOp(t, "[")) depth++;
    else if (isOp(t, ")") || isOp(t, "]")) depth--;
    else if (depth === 0 && (t.kind === "op" ? t.value !== "." && t.value !== "," : isWord(t, "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN"))) return `(${text})`;
  }
  return text;
}

/** `ALTER TABLE … ADD CONSTRAINT …` / `DROP CONSTRAINT …`, the cursor just past ADD or DROP. */
export async function alterConstraint(scope: StatementScope, ref: TableRef, c: Cursor, action: "ADD" | "DROP"): Promise<CommitInfo> {
  const warehouse = scope.session.warehouse;
  const props = await warehouse.tableProperties(ref);
  if (action === "DROP") {
    const ifExists = c.acceptWords("IF", "EXISTS");
    const name = c.identifier();
    c.expectEnd();
    const key = PREFIX + name.toLowerCase();
    if (props[key] === undefined) {
      if (ifExists) return dropConstraintInfo(name, undefined);
      throw new SqlError(
        "DELTA_CONSTRAINT_DOES_NOT_EXIST",
        "42704",
        `Cannot drop nonexistent constraint ${name} from table \`${ref.catalog}\`.\`${ref.schema}\`.\`${ref.table}\`. To avoid throwing an error, provide the parameter IF EXISTS or set the SQL session configuration spark.databricks.delta.constraints.assumesDropIfExists.enabled to true.`,
      );
    }
    const table = warehouse.metaTable("table_properties");
    await warehouse.withMeta((m) =>
      m.run(`DELETE FROM ${table} WHERE catalog = $c AND schema_name = $s AND table_name = $t AND key = $k`, { c: ref.catalog, s: ref.schema, t: ref.table, k: key }),
    );
    forgetWriteRules(warehouse, ref);
    return dropConstraintInfo(name, props[key]);
  }
  const name = c.identifier();
  c.expectWords("CHECK");
  if (!isOp(c.peek(), "(")) throw c.unexpected("'(' and the CHECK expression");
  const parts = c.parenList();
  c.expectEnd();
  if (parts.length !== 1 || parts[0]!.length === 0) throw syntaxError("CHECK takes one expression");
  if (name === RESERVED_NAME) throw new SqlError("DELTA_INVALID_CONSTRAINT_NAME", "42939", `Cannot use ${name} as the name of a CHECK constraint. This name is reserved.`);
  const key = PREFIX + name.toLowerCase();
  const old = props[key];
  if (old !== undefined) throw new SqlError("DELTA_CONSTRAINT_ALREADY_EXISTS", "42710", `Constraint '${name}' already exists. Please delete the old constraint first.\nOld constraint:\n${old}`);
  const text = sparkText(parts[0]!);
  const target = duckTableName(ref);
  const expr = scope.rewrite(parts[0]!);
  if (Object.keys(expr.values).length > 0) throw syntaxError("a CHECK constraint cannot use parameter markers");
  const [type] = await scope.columnsOf(`(SELECT (${expr.text}) AS c FROM ${target})`);
  if (type?.type.kind !== "primitive" || type.type.name !== "boolean")
    throw new SqlError("DELTA_NON_BOOLEAN_CHECK_CONSTRAINT", "42621", `CHECK constraint '${name}' (${text}) should be a boolean expression.`);
  const r = await scope.session.run(`SELECT count(*) FROM ${target} WHERE (${expr.text}) IS NOT TRUE`);
  const n = Number((await r.getRows())[0]![0]);
  if (n > 0) throw new SqlError("DELTA_NEW_CHECK_CONSTRAINT_VIOLATION", "23512", `${n} rows in ${qualified(ref)} violate the new CHECK constraint (${text})`);
  await warehouse.setTableProperties(ref, { [key]: text });
  forgetWriteRules(warehouse, ref);
  return addConstraintInfo(name, text);
}

/** What a write must uphold on a table; undefined when nothing (the common case, kept cheap). */
export interface WriteRules {
  checks: { name: string; text: string }[];
  columns: ColumnRule[];
}

export function writeRules(scope: StatementScope, ref: TableRef): Promise<WriteRules | undefined> {
  return cachedWriteRules(scope.session.warehouse, ref, () => loadWriteRules(scope, ref));
}

async function loadWriteRules(scope: StatementScope, ref: TableRef): Promise<WriteRules | undefined> {
  const props = await scope.session.warehouse.tableProperties(ref);
  const checks = Object.entries(props)
    .filter(([k]) => k.toLowerCase().startsWith(PREFIX))
    .map(([k, text]) => ({ name: k.slice(PREFIX.length), text }));
  const columns = await columnRules(scope.session.warehouse, ref);
  return checks.length > 0 || columns.length > 0 ? { checks, columns } : undefined;
}

/** The target columns of an INSERT: the listed ones, or every column for a positional INSERT. */
export async function checkInsertColumns(scope: StatementScope, ref: TableRef, rules: WriteRules, listed: string[] | undefined): Promise<void> {
  const names = listed ?? (await scope.columnsOf(duckTableName(ref))).map((col) => col.name);
  checkIdentityInsert(rules.columns, names);
}

/** The columns an UPDATE statement's SET assigns (`SET a = …, t.b = …`). */
export function assignedColumns(tokens: Token[]): string[] {
  let depth = 0;
  let start = -1;
  let end = tokens.length;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, "(")) depth++;
    else if (isOp(t, ")")) depth--;
    else if (depth === 0 && start < 0 && isWord(t, "SET")) start = k + 1;
    else if (depth === 0 && start >= 0 && isWord(t, "WHERE")) {
      end = k;
      break;
    }
  }
  if (start < 0) return [];
  return splitTopLevel(tokens.slice(start, end), ",").flatMap((part) => {
    const eq = part.findIndex((t) => isOp(t, "="));
    const name = eq > 0 ? part[eq - 1] : undefined;
    return name && (name.kind === "word" || name.kind === "ident") ? [name.value] : [];
  });
}

export function checkUpdateColumns(rules: WriteRules, assigned: string[]): void {
  checkIdentityUpdate(rules.columns, assigned);
}

/**
 * Fills and checks generated columns, then checks every CHECK constraint, over the table as the write
 * left it. `recompute`: an UPDATE's generated columns it did not assign follow their inputs.
 */
export async function enforceWriteRules(scope: StatementScope, ref: TableRef, rules: WriteRules, write: { assigned?: string[] } = {}): Promise<void> {
  const session = scope.session;
  const target = duckTableName(ref);
  const tableColumns = (await scope.columnsOf(target)).map((col) => col.name);
  const fail = async (name: string, sql: string, duckCondition: string, tokens: Token[]) => {
    const referenced = tableColumns
      .filter((col) => tokens.some((t) => (t.kind === "word" || t.kind === "ident") && t.value.toLowerCase() === col.toLowerCase()))
      .sort();
    const select = referenced.length > 0 ? referenced.map((col) => `CAST(${quoteIdent(col)} AS VARCHAR)`).join(", ") : "1";
    const r = await session.run(`SELECT ${select} FROM ${target} WHERE ${duckCondition} LIMIT 1`);
    const row = (await r.getRows())[0];
    if (!row) return;
    const values = referenced.map((col, k) => ` - ${col} : ${row[k] === null ? "null" : String(row[k])}`).join("\n");
    throw new SqlError("DELTA_VIOLATE_CONSTRAINT_WITH_VALUES", "23001", `CHECK constraint ${name} ${sql} violated by row with values:\n${values}`);
  };
  for (const g of rules.columns) {
    if (g.kind !== "generated") continue;
    const col = quoteIdent(g.column);
    const assigned = write.assigned?.some((n) => n.toLowerCase() === g.column.toLowerCase());
    if (write.assigned && !assigned) await session.run(`UPDATE ${target} SET ${col} = ${g.duckExpr} WHERE ${col} IS DISTINCT FROM ${g.duckExpr}`);
    else if (!write.assigned) await session.run(`UPDATE ${target} SET ${col} = ${g.duckExpr} WHERE ${col} IS NULL AND ${g.duckExpr} IS NOT NULL`);
    const tokens = [...significant(tokenize(g.column)), ...significant(tokenize(g.sparkExpr))];
    if (g.notNull) {
      const r = await session.run(`SELECT 1 FROM ${target} WHERE ${col} IS NULL LIMIT 1`);
      if ((await r.getRows()).length > 0) throw new SqlError("DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502", `NOT NULL constraint violated for column: ${g.column}.`);
    }
    await fail("Generated Column", `(${g.column} <=> ${asSql(g.sparkExpr)})`, `${col} IS DISTINCT FROM ${g.duckExpr}`, tokens);
  }
  for (const check of rules.checks) {
    const tokens = significant(tokenize(check.text));
    const expr = scope.rewrite(tokens);
    await fail(check.name, asSql(check.text), `(${expr.text}) IS NOT TRUE`, tokens);
  }
}
