/**
 * The result schema of a Spark SQL golden-file case: the `-- !query schema` line that Spark's
 * SQLQueryTestSuite writes above each output block (apache/spark,
 * sql/core/src/test/scala/org/apache/spark/sql/SQLQueryTestHelper.scala writes `df.schema.catalogString`
 * of the query's DataFrame), e.g. `struct<concat(concat(a, b), c):string>`, and the
 * same two facts (column names, Spark type names) read from a local-warehouse result through the driver.
 */
import type { DBSQLClient } from "@databricks/sql";
import { RecordBatchReader } from "apache-arrow";
import { sql, type Session } from "./client.js";

/** One entry of test/fixtures/spark-golden-schema.json: the schema line of a case in spark-golden.json. */
export interface GoldenSchema {
  /** Same as the case's `source`: `apache/spark@<commit>:<path of the .sql.out file>`. */
  source: string;
  /** Same as the case's `query`, verbatim. */
  query: string;
  /** The `-- !query schema` line, verbatim. */
  schema: string;
}

export interface Column {
  name: string;
  /** Spark's `DataType.simpleString`/`catalogString`: `int`, `decimal(10,2)`, `array<int>`, `struct<a:int>`. */
  type: string;
}

/**
 * The words a type can start with in a catalogString. Only these are accepted where a type is expected,
 * so the `:` inside a column name such as `TIMESTAMP '2016-11-15 20:54:00'` is not mistaken for the
 * separator before a type (`54` and `00'` are not types).
 */
const PRIMITIVES = new Set([
  "boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "date",
  "timestamp", "timestamp_ntz", "void", "variant",
]);
const INTERVALS = [
  "interval year to month", "interval day to second", "interval year", "interval month",
  "interval day to hour", "interval day to minute", "interval hour to minute", "interval hour to second",
  "interval minute to second", "interval day", "interval hour", "interval minute", "interval second", "interval",
];

/** Every end position of a type that starts at `i`. */
function typeEnds(s: string, i: number): number[] {
  const ends: number[] = [];
  for (const head of ["array<", "map<", "struct<"]) {
    if (!s.startsWith(head, i)) continue;
    const j = i + head.length;
    if (head === "array<") for (const e of typeEnds(s, j)) if (s[e] === ">") ends.push(e + 1);
    if (head === "map<") for (const k of typeEnds(s, j)) if (s[k] === ",") for (const e of typeEnds(s, k + 1)) if (s[e] === ">") ends.push(e + 1);
    if (head === "struct<") for (const f of fieldLists(s, j)) ends.push(f.end + 1);
  }
  const decimal = /^decimal\(\d+,\d+\)/.exec(s.slice(i));
  if (decimal) ends.push(i + decimal[0].length);
  const sized = /^(?:char|varchar)\(\d+\)/.exec(s.slice(i));
  if (sized) ends.push(i + sized[0].length);
  const word = /^[a-z_]+/.exec(s.slice(i));
  if (word && PRIMITIVES.has(word[0])) ends.push(i + word[0].length);
  const interval = INTERVALS.find((w) => s.startsWith(w, i) && !/[a-z_]/.test(s[i + w.length] ?? ""));
  if (interval) ends.push(i + interval.length);
  return ends;
}

/**
 * Every way to read `name:type,name:type,…` from `i` up to a `>` (whose index is `end`). A name may hold
 * `,` `:` `<` and spaces (`(1 < 2)`, `to_number(12,454, 00,000)`, `TIMESTAMP '2016-11-15 20:54:00'`), so
 * a name ends at its first `:` outside parentheses that a whole type and then `,` or `>` follow. A name
 * with unbalanced parentheses, or with no such `:`, does not read at all.
 */
function fieldLists(s: string, i: number): { fields: Column[]; end: number }[] {
  if (s[i] === ">") return [{ fields: [], end: i }];
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const ch = s[j];
    if (ch === "(") depth++;
    else if (ch === ")") {
      if (--depth < 0) return [];
    } else if (ch === ":" && depth === 0) {
      const ends = typeEnds(s, j + 1).filter((e) => s[e] === "," || s[e] === ">");
      if (ends.length === 0) continue;
      const out: { fields: Column[]; end: number }[] = [];
      for (const e of ends) {
        const field = { name: s.slice(i, j), type: s.slice(j + 1, e) };
        if (s[e] === ">") out.push({ fields: [field], end: e });
        else for (const rest of fieldLists(s, e + 1)) if (rest.fields.length > 0) out.push({ fields: [field, ...rest.fields], end: rest.end });
      }
      return out;
    }
  }
  return [];
}

/**
 * The columns of a `struct<…>` schema line, or undefined when the line does not read exactly one way
 * (a name that itself looks like `x:int,y`): such a schema cannot be compared without guessing.
 */
export function parseSchemaLine(schema: string): Column[] | undefined {
  if (!schema.startsWith("struct<") || !schema.endsWith(">")) return undefined;
  const whole = fieldLists(schema, "struct<".length).filter((f) => f.end === schema.length - 1);
  return whole.length === 1 ? whole[0]!.fields : undefined;
}

/**
 * A `Spark:DataType:SqlName` (`DataType.sql`: `DECIMAL(3,1)`, `MAP<STRING, ARRAY<INT>>`,
 * `STRUCT<a: INT>`) in the golden files' catalogString form (`decimal(3,1)`, `map<string,array<int>>`,
 * `struct<a:int>`).
 */
export function catalogString(sqlName: string): string {
  let pos = 0;
  const skip = () => {
    while (sqlName[pos] === " ") pos++;
  };
  const take = (text: string) => {
    skip();
    if (!sqlName.startsWith(text, pos)) throw new Error(`bad type name ${sqlName}: expected ${text} at ${pos}`);
    pos += text.length;
  };
  const type = (): string => {
    skip();
    const m = /^[A-Za-z_]+(?: (?:YEAR|MONTH|DAY|HOUR|MINUTE|SECOND|TO))*/.exec(sqlName.slice(pos));
    if (!m) throw new Error(`bad type name ${sqlName} at ${pos}`);
    pos += m[0].length;
    const word = m[0].toLowerCase();
    if (word === "array") {
      take("<");
      const element = type();
      take(">");
      return `array<${element}>`;
    }
    if (word === "map") {
      take("<");
      const key = type();
      take(",");
      const value = type();
      take(">");
      return `map<${key},${value}>`;
    }
    if (word === "struct") {
      take("<");
      const fields: string[] = [];
      skip();
      while (sqlName[pos] !== ">") {
        if (fields.length > 0) take(",");
        skip();
        let name: string;
        if (sqlName[pos] === "`") {
          const end = sqlName.indexOf("`", pos + 1);
          name = sqlName.slice(pos + 1, end);
          pos = end + 1;
        } else {
          const end = sqlName.indexOf(":", pos);
          name = sqlName.slice(pos, end).trim();
          pos = end;
        }
        take(":");
        fields.push(`${name}:${type()}`);
        skip();
      }
      take(">");
      return `struct<${fields.join(",")}>`;
    }
    const args = /^\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(sqlName.slice(pos));
    if (args) {
      pos += args[0].length;
      return `${word}(${args[2] === undefined ? args[1] : `${args[1]},${args[2]}`})`;
    }
    return word;
  };
  const result = type();
  skip();
  if (pos !== sqlName.length) throw new Error(`bad type name ${sqlName}: trailing text at ${pos}`);
  return result;
}

export type SchemaOutcome = { columns: Column[] } | { error: string };

/**
 * Runs the case (its setup first, in a session of its own as the row harness does) and reads the result's
 * column names from the driver's TTableSchema and their types from the Arrow schema's
 * `Spark:DataType:SqlName`, the two places a Databricks client looks.
 */
export async function resultColumns(client: DBSQLClient, shared: Session, query: string, setup?: string[]): Promise<SchemaOutcome> {
  const session = setup ? await client.openSession() : shared;
  try {
    for (const statement of setup ?? []) await sql(session, statement);
    const op = await session.executeStatement(query);
    try {
      await op.fetchAll();
      const schema = await op.getSchema();
      // The result-set metadata (with `arrowSchema`) is public on DBSQLOperation but not on the IOperation
      // interface that executeStatement is typed to return.
      const metadata = await (op as unknown as { getMetadata(): Promise<{ arrowSchema?: Buffer }> }).getMetadata();
      if (!schema) return { error: "the result has no TTableSchema" };
      if (!metadata.arrowSchema) return { error: "the result carries no Arrow schema" };
      const reader = RecordBatchReader.from(metadata.arrowSchema);
      reader.open();
      const fields = reader.schema.fields;
      if (fields.length !== schema.columns.length) return { error: `TTableSchema has ${schema.columns.length} columns, Arrow ${fields.length}` };
      return {
        columns: schema.columns.map((c, i) => {
          const name = fields[i]!.metadata.get("Spark:DataType:SqlName");
          return { name: c.columnName, type: name ? catalogString(name) : "(no Spark:DataType:SqlName)" };
        }),
      };
    } finally {
      await op.close();
    }
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    if (setup) await session.close();
  }
}
