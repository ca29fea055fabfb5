/**
 * `mmspark sql "<statement>"`: one statement against a SQL warehouse through the databricks
 * package's connection, printed as Spark's `show()` table (or JSON lines with `--json`).
 * @packageDocumentation
 */
import { CaseInsensitiveOptions, StringType, StructField, StructType, rowToJson, showString, type DataType, type OptionValue } from "@macrometa-spark/core";
import { DatabricksConnection, fromDriverValue, parseConnectionOptions, parseDatabricksType, type ResultColumn } from "@macrometa-spark/databricks";
import { EXIT_OK, UsageError, parse, type Command } from "../usage.js";

const HELP = `Usage: mmspark sql "STATEMENT" [--json] [--rows N] [--truncate N] [connection flags]

Runs one SQL statement on a Databricks SQL warehouse (or the local one) and prints its result as
Spark's show() table: the first --rows rows (default 20), cells cut to --truncate characters
(default 20, 0 for whole cells). A statement without a result set prints an empty table.

  --json            One JSON object per row on stdout (every row), instead of the table
  --host H          Workspace host, no scheme          env DATABRICKS_HOST
  --port P          Default 443                        env DATABRICKS_PORT
  --http-path PATH  The warehouse's HTTP path          env DATABRICKS_HTTP_PATH
  --token T         Personal access token              env DATABRICKS_TOKEN
  --use-tls B       true|false; false only for localhost  env DATABRICKS_USE_TLS
  --ca-cert-file F  PEM file of a CA to trust besides the system's (the local warehouse's: see
                    mmspark local up)                  env DATABRICKS_CA_CERT_FILE
  --catalog C       Default catalog                    env DATABRICKS_CATALOG
  --schema S        Default schema                     env DATABRICKS_SCHEMA

Flags win over the environment. For the local warehouse, \`mmspark local up\` prints the values.

Example:
  mmspark sql "SELECT * FROM main.demo.customers ORDER BY id" --rows 5
`;

const CONNECTION_FLAGS = [
  ["host", "host", "DATABRICKS_HOST"],
  ["port", "port", "DATABRICKS_PORT"],
  ["http-path", "httpPath", "DATABRICKS_HTTP_PATH"],
  ["token", "token", "DATABRICKS_TOKEN"],
  ["use-tls", "useTls", "DATABRICKS_USE_TLS"],
  ["ca-cert-file", "caCertFile", "DATABRICKS_CA_CERT_FILE"],
  ["catalog", "catalog", "DATABRICKS_CATALOG"],
  ["schema", "schema", "DATABRICKS_SCHEMA"],
] as const;

/** A column's type from the result metadata; a bare complex name (`array`) has no element type, so its values read as text. */
function columnType(c: ResultColumn): DataType {
  try {
    return parseDatabricksType(c.typeName, c.name);
  } catch {
    return StringType;
  }
}

function count(values: Record<string, string | boolean | undefined>, flag: string, fallback: number): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${flag} expects a whole number, got '${String(raw)}'`, HELP);
  return n;
}

export const sqlCommand: Command = {
  name: "sql",
  summary: "run a SQL statement on a warehouse and print it as Spark's show() table",
  help: HELP,
  async run(argv, io) {
    const flags = Object.fromEntries(CONNECTION_FLAGS.map(([flag]) => [flag, { type: "string" as const }]));
    const { values, positionals } = parse(argv, { json: { type: "boolean" }, rows: { type: "string" }, truncate: { type: "string" }, ...flags }, HELP);
    if (positionals.length !== 1 || positionals[0]!.trim() === "") throw new UsageError("expected exactly one SQL statement (quote it)", HELP);
    const v = values as Record<string, string | boolean | undefined>;
    const rowsShown = count(v, "rows", 20);
    const truncate = count(v, "truncate", 20);
    const raw: Record<string, OptionValue> = {};
    for (const [flag, option, env] of CONNECTION_FLAGS) {
      const value = (v[flag] as string | undefined) ?? io.env[env];
      if (value !== undefined && value !== "") raw[option] = value;
    }
    // Option errors name the option; say where it comes from as well.
    let options: ReturnType<typeof parseConnectionOptions>;
    try {
      options = parseConnectionOptions(new CaseInsensitiveOptions(raw, "databricks"));
    } catch (err) {
      throw new UsageError(`${(err as Error).message} (flags --host/--http-path/--token…, or DATABRICKS_HOST/DATABRICKS_HTTP_PATH/DATABRICKS_TOKEN…)`, HELP);
    }
    const connection = await DatabricksConnection.open(options);
    try {
      let schema = new StructType([]);
      const rows: unknown[][] = [];
      stream: for await (const part of connection.stream({ sql: positionals[0]! }, 1000)) {
        if ("columns" in part) {
          schema = new StructType(part.columns.map((c) => new StructField(c.name, columnType(c))));
          continue;
        }
        for (const record of part.rows) {
          const row = schema.fields.map((f) => fromDriverValue(record[f.name], f.dataType));
          if (values.json) io.out(rowToJson(schema, row) + "\n");
          else {
            // One row past the shown ones lets show() say "only showing top N rows"; leaving the
            // loop then closes the operation instead of fetching the rest.
            rows.push(row);
            if (rows.length > rowsShown) break stream;
          }
        }
      }
      if (!values.json) io.out(showString(schema, rows, rowsShown, truncate));
      return EXIT_OK;
    } finally {
      await connection.close();
    }
  },
};
