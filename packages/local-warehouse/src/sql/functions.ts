/**
 * @packageDocumentation
 * The Spark function table: one row per Spark SQL built-in this warehouse runs, saying how it is written
 * in DuckDB so that it means what it means on Databricks (ANSI mode on), with an example and the result
 * Spark documents for it (the test runs every example through the real driver). A function that is not
 * in the table fails with Databricks' UNRESOLVED_ROUTINE instead of running with DuckDB's meaning.
 *
 * The helpers Spark semantics need (ANSI errors, 0-based subscripts, Spark's substring positions) are
 * DuckDB macros installed on every connection ({@link SPARK_MACROS}). A macro raises a Databricks error
 * with `error('[CLASS] message SQLSTATE: xxxxx')`, which errors.ts turns back into that class and state.
 */
import { WAREHOUSE_ERROR_CLASSES, type WarehouseErrorClass } from "../error-classes.js";
import { sqlError, SqlError } from "../errors.js";
// A cycle (expression-render.ts reads this table): castSql is only called when a row renders, after both have loaded.
import { castSql } from "./expression-render.js";
import type { PrimitiveName, SparkType } from "./types.js";

/** One Spark function. */
export interface SparkFunction {
  /** Accepted argument counts, inclusive. */
  arity: [number, number];
  /** DuckDB SQL for the call, from the already-translated arguments. Default: the same name and arguments. */
  render?: (args: string[]) => string;
  /** A call and the value Spark documents for it (JS value as the driver returns it from Arrow). */
  example: [sql: string, expected: unknown];
}

const raise = (errorClass: WarehouseErrorClass, message: string): string =>
  `error('[${errorClass}] ${message.replace(/'/g, "''")} SQLSTATE: ${WAREHOUSE_ERROR_CLASSES[errorClass].sqlState}')`;

const DIVIDE_BY_ZERO =
  "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"ansi_mode\" to \"false\" to bypass this error.";

const ROUND_OVERFLOW = "Overflow in round. If necessary set \"ansi_mode\" to \"false\" to bypass this error.";

/** A type name once rewritten (a regex group): a primitive, a decimal, or a list or map already rewritten. */
const TYPE_NAME = "([a-z_]+(?:\\([0-9,]+\\))?|array<[^ ]*?>|map<[^ ]*?>)";

/** DuckDB type names (typeof) → Spark's, in order: the types inside a list or map are renamed before the list or map. */
const TYPE_NAME_REWRITES: [string, string][] = [
  ["TIMESTAMP WITH TIME ZONE", "timestamp"],
  ["\\bTIMESTAMP\\b", "timestamp_ntz"],
  ...["VARCHAR:string", "INTEGER:int", "BIGINT:bigint", "SMALLINT:smallint", "TINYINT:tinyint", "DOUBLE:double", "FLOAT:float", "BOOLEAN:boolean", "DATE:date", "BLOB:binary"]
    .map((pair) => pair.split(":") as [string, string])
    .map(([from, to]): [string, string] => [`\\b${from}\\b`, to]),
  ["DECIMAL\\(", "decimal("],
  ['"NULL"', "void"],
  // Two levels of nesting: an element that is itself a list (or map) is rewritten on the second pass.
  ...[1, 2].flatMap((): [string, string][] => [
    [`${TYPE_NAME}\\[\\]`, "array<\\1>"],
    [`MAP\\(${TYPE_NAME}, ${TYPE_NAME}\\)`, "map<\\1,\\2>"],
  ]),
];

/** DuckDB macros behind the Spark semantics; created as TEMP macros on each connection. */
export const SPARK_MACROS: readonly string[] = [
  // x / y, x % y and x div y under ANSI mode: a zero divisor is an error, not NULL or Infinity.
  `spark_divisor(y) AS CASE WHEN y = 0 THEN ${raise("DIVIDE_BY_ZERO", "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"ansi_mode\" to \"false\" to bypass this error.")} ELSE y END`,
  // x / y, x % y and x div y: Spark evaluates the dividend first and gives NULL for NULL / 0; div truncates to a BIGINT.
  `spark_divide(x, y) AS CASE WHEN y = 0 AND x IS NOT NULL THEN ${raise("DIVIDE_BY_ZERO", DIVIDE_BY_ZERO)} ELSE x / y END`,
  `spark_remainder(x, y) AS CASE WHEN y = 0 AND x IS NOT NULL THEN ${raise("DIVIDE_BY_ZERO", DIVIDE_BY_ZERO)} ELSE x % y END`,
  `spark_quotient(x, y) AS CASE WHEN y = 0 AND x IS NOT NULL THEN ${raise("DIVIDE_BY_ZERO", DIVIDE_BY_ZERO)} ELSE CAST(trunc(x // y) AS BIGINT) END`,
  // arr[i]: 0-based; out of bounds is an error under ANSI mode. list_extract refuses maps and strings.
  `spark_subscript(a, i) AS CASE WHEN i IS NULL OR a IS NULL THEN NULL WHEN i < 0 OR i >= array_length(a) THEN ${raise("INVALID_ARRAY_INDEX", "The index is out of bounds. The array has fewer elements than the index. Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead.")} ELSE list_extract(a, i + 1) END`,
  // element_at(arr, i): 1-based, negative counts from the end, 0 and out of bounds are errors.
  `spark_element_at(a, i) AS CASE WHEN i IS NULL OR a IS NULL THEN NULL WHEN i = 0 THEN ${raise("INVALID_INDEX_OF_ZERO", "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).")} WHEN abs(i) > array_length(a) THEN ${raise("INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "The index is out of bounds. Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead.")} ELSE list_extract(a, i) END`,
  // try_element_at tolerates only an index out of bounds: 0 is still INVALID_INDEX_OF_ZERO (Spark's golden file
  // sql-tests/results/ansi/try_element_at.sql.out). DuckDB's subscript reads both: a list 1-based, negative from the
  // end, NULL out of bounds; a map by key, NULL for a missing one.
  `spark_try_element_at(a, i) AS CASE WHEN typeof(a) LIKE '%[]' AND TRY_CAST(i AS BIGINT) = 0 THEN ${raise("INVALID_INDEX_OF_ZERO", "The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).")} ELSE a[i] END`,
  // substring(s, pos[, len]) with Spark's positions: 0 is the first character, negative counts from the end.
  `spark_substr_start(s, pos) AS CASE WHEN pos > 0 THEN pos - 1 WHEN pos < 0 THEN length(s) + pos ELSE 0 END`,
  `spark_substr(s, pos, n) AS CASE WHEN greatest(spark_substr_start(s, pos), 0) >= spark_substr_start(s, pos) + n THEN '' ELSE substring(s, greatest(spark_substr_start(s, pos), 0) + 1, spark_substr_start(s, pos) + n - greatest(spark_substr_start(s, pos), 0)) END`,
  `spark_substr_from(s, pos) AS substring(s, greatest(spark_substr_start(s, pos), 0) + 1)`,
  // Spark trims every character up to U+0020 (spaces, tabs, newlines, controls) from text it casts (UTF8String.trimAll).
  `spark_trim_all(s) AS regexp_replace(s, '^[\\x00-\\x20]+|[\\x00-\\x20]+$', '', 'g')`,
  // CAST(text AS BOOLEAN): Spark's true and false words (StringUtils.isTrueString / isFalseString), trimmed.
  `spark_bool_word(s) AS CASE WHEN lower(spark_trim_all(s)) IN ('t', 'true', 'y', 'yes', '1') THEN true WHEN lower(spark_trim_all(s)) IN ('f', 'false', 'n', 'no', '0') THEN false END`,
  `spark_to_boolean(x) AS CASE WHEN x IS NULL THEN NULL WHEN typeof(x) = 'VARCHAR' THEN coalesce(spark_bool_word(TRY_CAST(x AS VARCHAR)), ${raise("CAST_INVALID_INPUT", "The value of the type \"STRING\" cannot be cast to \"BOOLEAN\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.")}) ELSE CAST(x AS BOOLEAN) END`,
  `spark_try_to_boolean(x) AS CASE WHEN typeof(x) = 'VARCHAR' THEN spark_bool_word(TRY_CAST(x AS VARCHAR)) ELSE TRY_CAST(x AS BOOLEAN) END`,
  // CAST(x AS <integral>): fractions are truncated (DuckDB rounds); text must be a whole number (ANSI).
  `spark_whole(s) AS CASE WHEN s IS NULL THEN NULL WHEN regexp_full_match(spark_trim_all(s), '[+-]?[0-9]+') THEN spark_trim_all(s) ELSE ${raise("CAST_INVALID_INPUT", "The value of the type \"STRING\" cannot be cast to an integral type because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.")} END`,
  ...["TINYINT", "SMALLINT", "INTEGER", "BIGINT"].map(
    (t) =>
      `spark_to_${t.toLowerCase()}(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN CAST(trunc(TRY_CAST(x AS DOUBLE)) AS ${t}) ` +
      `WHEN starts_with(typeof(x), 'DECIMAL') THEN CAST(trunc(TRY_CAST(x AS DECIMAL(38, 6))) AS ${t}) ` +
      `WHEN typeof(x) = 'VARCHAR' THEN CAST(spark_whole(TRY_CAST(x AS VARCHAR)) AS ${t}) ELSE CAST(x AS ${t}) END`,
  ),
  // TRY_CAST(x AS <integral>): truncates fractions too; text that is not a whole number, or out of range, is NULL.
  ...["TINYINT", "SMALLINT", "INTEGER", "BIGINT"].map(
    (t) =>
      `spark_try_to_${t.toLowerCase()}(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN TRY_CAST(trunc(TRY_CAST(x AS DOUBLE)) AS ${t}) ` +
      `WHEN starts_with(typeof(x), 'DECIMAL') THEN TRY_CAST(trunc(TRY_CAST(x AS DECIMAL(38, 6))) AS ${t}) ` +
      `WHEN typeof(x) = 'VARCHAR' THEN CASE WHEN regexp_full_match(spark_trim_all(TRY_CAST(x AS VARCHAR)), '[+-]?[0-9]+') THEN TRY_CAST(spark_trim_all(TRY_CAST(x AS VARCHAR)) AS ${t}) END ` +
      `ELSE TRY_CAST(x AS ${t}) END`,
  ),
  // CAST(x AS STRING): timestamps print as Spark prints them, without DuckDB's "+00".
  `spark_string(x) AS CASE WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN regexp_replace(CAST(x AS VARCHAR), '[+]00$', '') ELSE CAST(x AS VARCHAR) END`,
  // round(x, d) / bround(x, d) with Spark's results and types. DuckDB's round and trunc keep the type of x (its round_even
  // gives a DOUBLE), so HALF_EVEN is round, except on a tie whose value cut towards zero is an even multiple of 10^-d:
  // then it is that cut. Ties are found on the exact value Spark rounds (a double by its shortest text, as
  // BigDecimal(Double.toString) reads it) as DECIMAL(38, 18): for -19 <= d <= 17, where such a tie can be written.
  `spark_exact(x) AS TRY_CAST(CAST(x AS VARCHAR) AS DECIMAL(38, 18))`,
  `spark_tie_half(d) AS CAST(CASE WHEN d < 0 THEN '5' || repeat('0', -d - 1) ELSE '0.' || repeat('0', d) || '5' END AS DECIMAL(38, 18))`,
  `spark_even_tie(e, d) AS d BETWEEN -19 AND 17 AND (e - trunc(e, d)) IN (spark_tie_half(d), -spark_tie_half(d)) AND CAST(trunc(e, d) AS DECIMAL(38, 18)) % (4 * spark_tie_half(d)) = 0`,
  `spark_half_even(x, d) AS CASE WHEN spark_even_tie(spark_exact(x), d) THEN trunc(x, d) ELSE round(x, d) END`,
  // Whether a rounded integral value w (as HUGEINT) still fits the type of x: round(127y, -1) overflows in Spark
  // (ARITHMETIC_OVERFLOW) where DuckDB's round wraps to -126. Only a negative scale can overflow.
  `spark_fits(x, w) AS CASE typeof(x) WHEN 'TINYINT' THEN w BETWEEN -128 AND 127 WHEN 'SMALLINT' THEN w BETWEEN -32768 AND 32767 ` +
    `WHEN 'INTEGER' THEN w BETWEEN -2147483648 AND 2147483647 WHEN 'BIGINT' THEN w BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE true END`,
  `spark_round(x, d) AS CASE WHEN d < 0 AND spark_fits(x, round(TRY_CAST(x AS HUGEINT), d)) IS FALSE THEN ${raise("ARITHMETIC_OVERFLOW", ROUND_OVERFLOW)} ELSE round(x, d) END`,
  `spark_bround(x, d) AS CASE WHEN d < 0 AND spark_fits(x, spark_half_even(TRY_CAST(x AS HUGEINT), d)) IS FALSE THEN ${raise("ARITHMETIC_OVERFLOW", ROUND_OVERFLOW)} ELSE spark_half_even(x, d) END`,
  // lpad/rpad on text or bytes: Spark pads a BINARY with a BINARY (by default with the byte 0x00) and reads a BINARY
  // beside a STRING as text. Both sides are brought to one type by appending an empty slice of the other, so two BLOBs
  // stay BLOB and anything else is text (DuckDB's BLOB-to-text shows bytes outside ASCII as \\x escapes, where Spark
  // decodes UTF-8); DuckDB's array_slice, repeat and || keep that type, its lpad takes only text. An empty pad
  // cannot pad: Spark then only cuts the value to the length.
  `spark_len(x) AS CASE WHEN typeof(x) = 'BLOB' THEN octet_length(CAST(x AS BLOB)) ELSE length(CAST(x AS VARCHAR)) END`,
  `spark_pad_empty(s, p) AS array_slice(s, 1, 0) || array_slice(p, 1, 0)`,
  `spark_pad_default(s) AS CASE WHEN typeof(s) = 'BLOB' THEN from_hex('00') || array_slice(s, 1, 0) ELSE ' ' END`,
  `spark_pad_fill(n, p) AS array_slice(repeat(p, CAST(n // greatest(spark_len(p), 1) + 1 AS BIGINT)), 1, n)`,
  `spark_lpad_same(s, n, p) AS CASE WHEN n <= spark_len(s) THEN array_slice(s, 1, greatest(n, 0)) WHEN spark_len(p) = 0 THEN s ELSE spark_pad_fill(n - spark_len(s), p) || s END`,
  `spark_rpad_same(s, n, p) AS CASE WHEN n <= spark_len(s) THEN array_slice(s, 1, greatest(n, 0)) WHEN spark_len(p) = 0 THEN s ELSE s || spark_pad_fill(n - spark_len(s), p) END`,
  ...["lpad", "rpad"].map(
    (fn) =>
      `spark_${fn}(s, n) AS spark_${fn}_same(s, spark_to_integer(n), spark_pad_default(s)), ` +
      `(s, n, p) AS spark_${fn}_same(s || spark_pad_empty(s, p), spark_to_integer(n), p || spark_pad_empty(s, p))`,
  ),
  // date_add/date_sub: Spark takes the count as INT, SMALLINT or TINYINT (text is cast); BIGINT, DECIMAL and DOUBLE are
  // refused at analysis, here when the row is computed.
  `spark_day_count(n) AS CASE WHEN typeof(n) NOT IN ('TINYINT', 'SMALLINT', 'INTEGER', 'VARCHAR', '"NULL"') THEN ${raise("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "The second parameter requires the (\"INT\" or \"SMALLINT\" or \"TINYINT\") type.")} ELSE spark_to_integer(n) END`,
  // startswith/endswith/contains: two BINARY values compare their bytes (as hex pairs, each followed by a space, so
  // a match cannot straddle two bytes); otherwise both sides are text, a BINARY read as UTF-8 as Spark casts it
  // (DuckDB's own BLOB-to-text shows x'12' as the four characters \\x12). A BLOB goes through its text form and
  // back because CAST(x AS BLOB) must bind whatever the type of x.
  `spark_text(x) AS CASE WHEN typeof(x) = 'BLOB' THEN decode(CAST(CAST(x AS VARCHAR) AS BLOB)) ELSE CAST(x AS VARCHAR) END`,
  `spark_byte_text(x) AS regexp_replace(hex(CAST(CAST(x AS VARCHAR) AS BLOB)), '(..)', '\\1 ', 'g')`,
  ...["starts_with", "ends_with", "contains"].map(
    (fn) =>
      `spark_${fn}(a, b) AS CASE WHEN typeof(a) = 'BLOB' AND typeof(b) = 'BLOB' THEN ${fn}(spark_byte_text(a), spark_byte_text(b)) ` +
      `ELSE ${fn}(spark_text(a), spark_text(b)) END`,
  ),
  // split(s, regex, limit): with limit > 0 at most limit parts, the last one the rest of s from there, matches
  // included (each part k is followed by match k); limit <= 0 splits everywhere. DuckDB splits on a NULL pattern as
  // if it matched nowhere; Spark's split of anything by NULL is NULL.
  `spark_split(s, re) AS CASE WHEN re IS NULL THEN NULL ELSE regexp_split_to_array(s, re) END, ` +
    `(s, re, n) AS CASE WHEN s IS NULL OR re IS NULL OR n IS NULL THEN NULL WHEN n <= 0 OR len(regexp_split_to_array(s, re)) <= n THEN regexp_split_to_array(s, re) ` +
    `ELSE list_concat(regexp_split_to_array(s, re)[1:n - 1], [array_to_string(list_transform(range(n, len(regexp_split_to_array(s, re)) + 1), ` +
    `k -> regexp_split_to_array(s, re)[k] || coalesce(regexp_extract_all(s, re, 0)[k], '')), '')]) END`,
  // get_json_object: NULL for text that is not JSON, as Spark returns.
  `spark_json_get(j, p) AS CASE WHEN json_valid(j) THEN json_extract_string(j, p) END`,
  // typeof(x): DuckDB's type name rewritten as Spark writes it (int, decimal(10,0), array<int>, map<int,string>).
  `spark_typeof(x) AS ${TYPE_NAME_REWRITES.reduce((sql, [re, to]) => `regexp_replace(${sql}, '${re}', '${to}', 'g')`, "typeof(x)")}`,
];

/** Java DateTimeFormatter letters → strftime, for date_format / to_date / to_timestamp patterns. */
const JAVA_PATTERN: [RegExp, string][] = [
  [/^yyyy/, "%Y"],
  [/^yy/, "%y"],
  [/^MMMM/, "%B"],
  [/^MMM/, "%b"],
  [/^MM/, "%m"],
  [/^M/, "%-m"],
  [/^dd/, "%d"],
  [/^d/, "%-d"],
  [/^HH/, "%H"],
  [/^H/, "%-H"],
  [/^hh/, "%I"],
  [/^mm/, "%M"],
  [/^ss/, "%S"],
  [/^SSSSSS/, "%f"],
  [/^SSS/, "%g"],
  [/^a/, "%p"],
  [/^EEEE/, "%A"],
  [/^EEE/, "%a"],
  [/^E/, "%a"],
];

/** A Spark datetime pattern (a string literal in SQL) as a strftime pattern literal; refuses what it cannot map. */
export function strftimePattern(literalSql: string): string {
  const m = /^'((?:[^']|'')*)'$/.exec(literalSql);
  if (!m) throw sqlError("UNSUPPORTED_FEATURE", "A datetime pattern that is not a string literal is not supported by the local warehouse.");
  let rest = m[1]!.replace(/''/g, "'");
  let out = "";
  while (rest.length > 0) {
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) throw sqlError("INVALID_PARAMETER_VALUE.PATTERN", `Unterminated quote in the datetime pattern.`);
      out += rest.slice(1, end).replace(/%/g, "%%");
      rest = rest.slice(end + 1);
      continue;
    }
    const hit = JAVA_PATTERN.find(([re]) => re.test(rest));
    if (hit) {
      out += hit[1];
      rest = rest.replace(hit[0], "");
      continue;
    }
    const ch = rest[0]!;
    if (/[A-Za-z]/.test(ch))
      throw sqlError("UNSUPPORTED_FEATURE", `The datetime pattern letter '${ch}' is not supported by the local warehouse.`);
    out += ch === "%" ? "%%" : ch;
    rest = rest.slice(1);
  }
  return `'${out.replace(/'/g, "''")}'`;
}

/**
 * strptime with a Spark pattern. A pattern without a year reads the year 1970 in Spark (the epoch's fields are the
 * defaults) where strptime takes 1900, so such a pattern gets a year field and the text a leading 1970.
 */
function parseWithPattern(s: string, patternSql: string): string {
  const pattern = strftimePattern(patternSql);
  if (/(^|[^%])(%%)*%[Yy]/.test(pattern.slice(1, -1))) return `strptime(${s}, ${pattern})`;
  return `strptime('1970 ' || ${s}, '%Y ${pattern.slice(1)})`;
}

/** Spark's date_trunc units (a string literal) as DuckDB's. */
const TRUNC_UNITS: Record<string, string> = {
  year: "year", yyyy: "year", yy: "year", quarter: "quarter", month: "month", mon: "month", mm: "month",
  week: "week", day: "day", dd: "day", hour: "hour", minute: "minute", second: "second", millisecond: "millisecond", microsecond: "microsecond",
};

function truncUnit(literalSql: string): string {
  const m = /^'([A-Za-z]+)'$/.exec(literalSql);
  const unit = m ? TRUNC_UNITS[m[1]!.toLowerCase()] : undefined;
  if (!unit) throw sqlError("UNSUPPORTED_FEATURE", `date_trunc with the unit ${literalSql} is not supported by the local warehouse.`);
  return `'${unit}'`;
}

/** An integer literal as rendered (`-1`, `(- 1)`, `CAST(1 AS TINYINT)`), or undefined. */
function integerLiteral(sql: string): number | undefined {
  const m = /^(?:\(\s*)?(?:CAST\()?\s*(-?)\s*(\d{1,9})(?:\s+AS\s+(?:TINYINT|SMALLINT|INTEGER|BIGINT)\))?(?:\s*\))?$/i.exec(sql.trim());
  return m ? Number(`${m[1]}${m[2]}`) : undefined;
}

/**
 * round / bround: Spark requires a constant scale, and the macros need one (trunc and the tie text are built from it);
 * a scale that is not an integer literal is handed to DuckDB's own round / round_even.
 */
function roundSql(x: string, scale: string, halfEven: boolean): string {
  const d = integerLiteral(scale);
  if (d === undefined) return halfEven ? `round_even(${x}, ${scale})` : `round(${x}, ${scale})`;
  return `${halfEven ? "spark_bround" : "spark_round"}(${x}, ${d})`;
}

/** Spark's cast functions (`int(x)`, `decimal(x)`, …): CAST(x AS <type>), with the meaning CAST has here. */
const castTo = (type: SparkType) => ([x]: string[]) => castSql(x!, type, false);
const castAlias = (name: PrimitiveName): SparkFunction["render"] => castTo({ kind: "primitive", name });

/** `count(a, b)` counts the rows where no argument is NULL, `count(DISTINCT a, b)` the distinct such tuples. */
function countSql(args: string[]): string {
  if (args.length === 1) return `count(${args[0]})`;
  const distinct = args[0]!.startsWith("DISTINCT ");
  const cols = distinct ? [args[0]!.slice("DISTINCT ".length), ...args.slice(1)] : args;
  const allSet = cols.map((c) => `${c} IS NOT NULL`).join(" AND ");
  return distinct ? `count(DISTINCT CASE WHEN ${allSet} THEN row(${cols.join(", ")}) END)` : `count(CASE WHEN ${allSet} THEN 1 END)`;
}

/** The instant `n` units of `micros` microseconds after the epoch; a fraction below a microsecond is cut off. */
const epochSql = (n: string, micros: number): string =>
  `(TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(CAST(trunc(CAST(${n} AS DECIMAL(38, 6)) * ${micros}) AS BIGINT)))`;

/** The IGNORE NULLS of first_value/last_value/nth_value, from Spark's boolean literal argument. */
function ignoreNulls(arg: string | undefined): string {
  if (arg === undefined || /^false$/i.test(arg)) return "";
  if (/^true$/i.test(arg)) return " IGNORE NULLS";
  throw sqlError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `The ignoreNulls parameter requires a boolean literal, got ${arg}.`);
}

const call = (name: string) => (a: string[]) => `${name}(${a.join(", ")})`;

/** Spark built-ins, by lower-case name. Examples and results are from the Spark SQL function reference. */
export const SPARK_FUNCTIONS: Readonly<Record<string, SparkFunction>> = {
  // --- conditional and null handling
  coalesce: { arity: [1, 255], example: ["coalesce(NULL, 1, NULL)", 1] },
  nvl: { arity: [2, 2], render: call("coalesce"), example: ["nvl(NULL, 'x')", "x"] },
  ifnull: { arity: [2, 2], render: call("coalesce"), example: ["ifnull(NULL, 'x')", "x"] },
  nvl2: { arity: [3, 3], render: ([a, b, c]) => `(CASE WHEN ${a} IS NOT NULL THEN ${b} ELSE ${c} END)`, example: ["nvl2(NULL, 2, 1)", 1] },
  nullif: { arity: [2, 2], example: ["nullif(2, 2)", null] },
  if: { arity: [3, 3], render: ([c, a, b]) => `(CASE WHEN ${c} THEN ${a} ELSE ${b} END)`, example: ["if(1 < 2, 'a', 'b')", "a"] },
  isnull: { arity: [1, 1], render: ([a]) => `(${a} IS NULL)`, example: ["isnull(1)", false] },
  isnotnull: { arity: [1, 1], render: ([a]) => `(${a} IS NOT NULL)`, example: ["isnotnull(1)", true] },
  equal_null: { arity: [2, 2], render: ([a, b]) => `(${a} IS NOT DISTINCT FROM ${b})`, example: ["equal_null(NULL, NULL)", true] },
  typeof: { arity: [1, 1], render: call("spark_typeof"), example: ["typeof(array(1))", "array<int>"] },
  greatest: { arity: [2, 255], example: ["greatest(10, 9, 2, 4, 3)", 10] },
  least: { arity: [2, 255], example: ["least(10, 9, 2, 4, 3)", 2] },
  // --- strings
  concat: { arity: [0, 255], render: (a) => (a.length === 0 ? "''" : `(${a.join(" || ")})`), example: ["concat('Spark', NULL, 'SQL')", null] },
  concat_ws: { arity: [1, 255], example: ["concat_ws(' ', 'Spark', NULL, 'SQL')", "Spark SQL"] },
  substring: {
    arity: [2, 3],
    render: ([s, p, n]) => (n === undefined ? `spark_substr_from(${s}, ${p})` : `spark_substr(${s}, ${p}, ${n})`),
    example: ["substring('Spark SQL', 0, 2)", "Sp"],
  },
  substr: { arity: [2, 3], render: (a) => SPARK_FUNCTIONS["substring"]!.render!(a), example: ["substr('Spark SQL', -3)", "SQL"] },
  // Spark's length is an INT; DuckDB's a BIGINT.
  length: { arity: [1, 1], render: ([s]) => `CAST(length(${s}) AS INTEGER)`, example: ["length('Spark SQL ')", 10] },
  char_length: { arity: [1, 1], render: ([s]) => `CAST(length(${s}) AS INTEGER)`, example: ["char_length('Spark SQL ')", 10] },
  lower: { arity: [1, 1], example: ["lower('SparkSql')", "sparksql"] },
  lcase: { arity: [1, 1], render: call("lower"), example: ["lcase('SparkSql')", "sparksql"] },
  upper: { arity: [1, 1], example: ["upper('SparkSql')", "SPARKSQL"] },
  ucase: { arity: [1, 1], render: call("upper"), example: ["ucase('SparkSql')", "SPARKSQL"] },
  trim: { arity: [1, 1], example: ["trim('    SparkSQL   ')", "SparkSQL"] },
  ltrim: { arity: [1, 1], example: ["ltrim('    SparkSQL   ')", "SparkSQL   "] },
  rtrim: { arity: [1, 1], example: ["rtrim('    SparkSQL   ')", "    SparkSQL"] },
  lpad: { arity: [2, 3], render: call("spark_lpad"), example: ["lpad('hi', 5, '??')", "???hi"] },
  rpad: { arity: [2, 3], render: call("spark_rpad"), example: ["rpad('hi', 5, '??')", "hi???"] },
  replace: { arity: [2, 3], render: ([s, f, r]) => `replace(${s}, ${f}, ${r ?? "''"})`, example: ["replace('ABCabc', 'abc', 'DEF')", "ABCDEF"] },
  instr: { arity: [2, 2], example: ["instr('SparkSQL', 'SQL')", 6] },
  locate: {
    arity: [2, 3],
    render: ([sub, s, pos]) =>
      pos === undefined ? `strpos(${s}, ${sub})` : `(CASE WHEN ${pos} < 1 THEN 0 WHEN strpos(substring(${s}, ${pos}), ${sub}) = 0 THEN 0 ELSE strpos(substring(${s}, ${pos}), ${sub}) + ${pos} - 1 END)`,
    example: ["locate('bar', 'foobarbar', 5)", 7],
  },
  split: { arity: [2, 3], render: call("spark_split"), example: ["split('oneAtwoBthreeC', '[ABC]', 2)", ["one", "twoBthreeC"]] },
  regexp_replace: { arity: [3, 3], render: ([s, re, r]) => `regexp_replace(${s}, ${re}, ${r}, 'g')`, example: ["regexp_replace('100-200', '(\\\\d+)', 'num')", "num-num"] },
  regexp_extract: { arity: [2, 3], render: ([s, re, i]) => `regexp_extract(${s}, ${re}, ${i ?? "1"})`, example: ["regexp_extract('100-200', '(\\\\d+)-(\\\\d+)', 1)", "100"] },
  reverse: { arity: [1, 1], example: ["reverse('Spark SQL')", "LQS krapS"] },
  repeat: { arity: [2, 2], example: ["repeat('123', 2)", "123123"] },
  left: { arity: [2, 2], example: ["left('Spark SQL', 3)", "Spa"] },
  right: { arity: [2, 2], example: ["right('Spark SQL', 3)", "SQL"] },
  // Spark compares the text of numbers and booleans and the bytes of binaries (contains(12, '1') is true); DuckDB's
  // functions take only VARCHAR and cannot type a NULL literal, so the macros bring both sides to text.
  startswith: { arity: [2, 2], render: call("spark_starts_with"), example: ["startswith('Spark SQL', 'Spark')", true] },
  endswith: { arity: [2, 2], render: call("spark_ends_with"), example: ["endswith('Spark SQL', 'SQL')", true] },
  contains: { arity: [2, 2], render: call("spark_contains"), example: ["contains('Spark SQL', 'Spark')", true] },
  ascii: { arity: [1, 1], example: ["ascii('222')", 50] },
  // --- hashing
  md5: { arity: [1, 1], example: ["md5('Spark')", "8cde774d6f7333752ed72cacddb05126"] },
  sha1: { arity: [1, 1], example: ["sha1('Spark')", "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"] },
  sha: { arity: [1, 1], render: call("sha1"), example: ["sha('Spark')", "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c"] },
  sha2: {
    arity: [2, 2],
    render: ([s, bits]) => {
      if (bits !== "256" && bits !== "0")
        throw sqlError("UNSUPPORTED_FEATURE", `sha2 with ${bits} bits is not supported by the local warehouse (only 256).`);
      return `sha256(${s})`;
    },
    example: ["sha2('Spark', 256)", "529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b"],
  },
  // --- dates and timestamps (timestamps are UTC instants here, as on a warehouse with the default time zone)
  date_format: { arity: [2, 2], render: ([t, f]) => `strftime(${t}, ${strftimePattern(f!)})`, example: ["date_format(DATE '2016-04-08', 'yyyy')", "2016"] },
  to_date: {
    arity: [1, 2],
    render: ([s, f]) => (f === undefined ? `CAST(${s} AS DATE)` : `CAST(${parseWithPattern(s!, f)} AS DATE)`),
    example: ["to_date('2016-12-31', 'yyyy-MM-dd')", new Date("2016-12-31T00:00:00Z")],
  },
  to_timestamp: {
    arity: [1, 2],
    render: ([s, f]) => (f === undefined ? `CAST(${s} AS TIMESTAMPTZ)` : `CAST(${parseWithPattern(s!, f)} AS TIMESTAMPTZ)`),
    example: ["to_timestamp('2016-12-31', 'yyyy-MM-dd')", new Date("2016-12-31T00:00:00Z")],
  },
  datediff: { arity: [2, 2], render: ([end, start]) => `CAST(date_diff('day', CAST(${start} AS DATE), CAST(${end} AS DATE)) AS INTEGER)`, example: ["datediff('2009-07-31', '2009-07-30')", 1] },
  date_add: { arity: [2, 2], render: ([d, n]) => `(CAST(${d} AS DATE) + spark_day_count(${n}))`, example: ["date_add('2016-07-30', 1)", new Date("2016-07-31T00:00:00Z")] },
  date_sub: { arity: [2, 2], render: ([d, n]) => `(CAST(${d} AS DATE) - spark_day_count(${n}))`, example: ["date_sub('2016-07-30', 1)", new Date("2016-07-29T00:00:00Z")] },
  add_months: { arity: [2, 2], render: ([d, n]) => `CAST(CAST(${d} AS DATE) + to_months(CAST(${n} AS INTEGER)) AS DATE)`, example: ["add_months('2016-08-31', 1)", new Date("2016-09-30T00:00:00Z")] },
  last_day: { arity: [1, 1], render: ([d]) => `last_day(CAST(${d} AS DATE))`, example: ["last_day('2009-01-12')", new Date("2009-01-31T00:00:00Z")] },
  year: { arity: [1, 1], render: ([d]) => `CAST(year(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["year('2016-07-30')", 2016] },
  month: { arity: [1, 1], render: ([d]) => `CAST(month(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["month('2016-07-30')", 7] },
  day: { arity: [1, 1], render: ([d]) => `CAST(day(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["day('2009-07-30')", 30] },
  dayofmonth: { arity: [1, 1], render: ([d]) => `CAST(day(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["dayofmonth('2009-07-30')", 30] },
  dayofweek: { arity: [1, 1], render: ([d]) => `CAST(dayofweek(CAST(${d} AS TIMESTAMPTZ)) + 1 AS INTEGER)`, example: ["dayofweek('2009-07-30')", 5] },
  weekofyear: { arity: [1, 1], render: ([d]) => `CAST(weekofyear(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["weekofyear('2008-02-20')", 8] },
  quarter: { arity: [1, 1], render: ([d]) => `CAST(quarter(CAST(${d} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["quarter('2016-08-31')", 3] },
  hour: { arity: [1, 1], render: ([t]) => `CAST(hour(CAST(${t} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["hour('2009-07-30 12:58:59')", 12] },
  minute: { arity: [1, 1], render: ([t]) => `CAST(minute(CAST(${t} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["minute('2009-07-30 12:58:59')", 58] },
  second: { arity: [1, 1], render: ([t]) => `CAST(second(CAST(${t} AS TIMESTAMPTZ)) AS INTEGER)`, example: ["second('2009-07-30 12:58:59')", 59] },
  from_unixtime: {
    arity: [1, 2],
    render: ([s, f]) => `strftime(to_timestamp(CAST(${s} AS BIGINT)), ${f === undefined ? "'%Y-%m-%d %H:%M:%S'" : strftimePattern(f)})`,
    example: ["from_unixtime(0, 'yyyy-MM-dd HH:mm:ss')", "1970-01-01 00:00:00"],
  },
  unix_timestamp: {
    arity: [0, 1],
    render: ([t]) => `CAST(floor(epoch(${t === undefined ? "current_timestamp" : `CAST(${t} AS TIMESTAMPTZ)`})) AS BIGINT)`,
    example: ["unix_timestamp('2016-04-08 00:00:00')", 1460073600],
  },
  date_trunc: { arity: [2, 2], render: ([u, t]) => `date_trunc(${truncUnit(u!)}, CAST(${t} AS TIMESTAMPTZ))`, example: ["date_trunc('MM', '2015-03-05T09:32:05.359')", new Date("2015-03-01T00:00:00Z")] },
  // --- JSON
  get_json_object: { arity: [2, 2], render: call("spark_json_get"), example: ["get_json_object('{\"a\":\"b\"}', '$.a')", "b"] },
  // --- arrays and maps
  size: { arity: [1, 1], render: ([a]) => `CAST(array_length(${a}) AS INTEGER)`, example: ["size(array('b', 'd', 'c', 'a'))", 4] },
  cardinality: { arity: [1, 1], render: ([a]) => `CAST(array_length(${a}) AS INTEGER)`, example: ["cardinality(array('b', 'd', 'c', 'a'))", 4] },
  array_contains: { arity: [2, 2], render: call("list_contains"), example: ["array_contains(array(1, 2, 3), 2)", true] },
  array_join: {
    arity: [2, 3],
    render: ([a, d, r]) => (r === undefined ? `array_to_string(${a}, ${d})` : `array_to_string(list_transform(${a}, x -> coalesce(CAST(x AS VARCHAR), ${r})), ${d})`),
    example: ["array_join(array('hello', NULL ,'world'), ' ', ',')", "hello , world"],
  },
  element_at: { arity: [2, 2], render: call("spark_element_at"), example: ["element_at(array(1, 2, 3), 2)", 2] },
  try_element_at: { arity: [2, 2], render: call("spark_try_element_at"), example: ["try_element_at(array(1, 2, 3), 5)", null] },
  sort_array: {
    arity: [1, 2],
    render: ([a, asc]) => {
      // Spark takes only a boolean literal here; anything else (even '1' or a NULL boolean) is a type mismatch.
      if (asc !== undefined && !/^(true|false)$/i.test(asc))
        throw sqlError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `The second parameter of \`sort_array\` requires a boolean literal, got ${asc}.`);
      return asc === undefined || /^true$/i.test(asc) ? `list_sort(${a}, 'ASC', 'NULLS FIRST')` : `list_sort(${a}, 'DESC', 'NULLS LAST')`;
    },
    example: ["sort_array(array('b', 'd', NULL, 'c', 'a'), true)", [null, "a", "b", "c", "d"]],
  },
  array_max: { arity: [1, 1], render: call("list_max"), example: ["array_max(array(1, 20, NULL, 3))", 20] },
  array_min: { arity: [1, 1], render: call("list_min"), example: ["array_min(array(1, 20, NULL, 3))", 1] },
  flatten: { arity: [1, 1], example: ["flatten(array(array(1, 2), array(3, 4)))", [1, 2, 3, 4]] },
  map_keys: { arity: [1, 1], example: ["map_keys(map(1, 'a', 2, 'b'))", [1, 2]] },
  map_values: { arity: [1, 1], example: ["map_values(map(1, 'a', 2, 'b'))", ["a", "b"]] },
  // --- math
  // Spark casts text to DOUBLE here; DuckDB cannot choose an abs for VARCHAR. Only a string literal is known to be
  // text when the call is rendered (a STRING column still fails to bind).
  abs: { arity: [1, 1], render: ([x]) => (/^'(?:[^']|'')*'$/.test(x!) ? `abs(CAST(${x} AS DOUBLE))` : `abs(${x})`), example: ["abs(-1)", 1] },
  round: { arity: [1, 2], render: ([x, d]) => roundSql(x!, d ?? "0", false), example: ["round(2.5, 0)", 3] },
  bround: { arity: [1, 2], render: ([x, d]) => roundSql(x!, d ?? "0", true), example: ["bround(2.5, 0)", 2] },
  ceil: { arity: [1, 1], render: ([x]) => `CAST(ceil(${x}) AS BIGINT)`, example: ["ceil(-0.1)", 0] },
  ceiling: { arity: [1, 1], render: ([x]) => `CAST(ceil(${x}) AS BIGINT)`, example: ["ceiling(5)", 5] },
  floor: { arity: [1, 1], render: ([x]) => `CAST(floor(${x}) AS BIGINT)`, example: ["floor(-0.1)", -1] },
  pow: { arity: [2, 2], render: call("pow"), example: ["pow(2, 3)", 8] },
  power: { arity: [2, 2], render: call("pow"), example: ["power(2, 3)", 8] },
  sqrt: { arity: [1, 1], render: ([x]) => `(CASE WHEN ${x} < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt(${x}) END)`, example: ["sqrt(4)", 2] },
  exp: { arity: [1, 1], example: ["exp(0)", 1] },
  ln: { arity: [1, 1], render: ([x]) => `(CASE WHEN ${x} <= 0 THEN NULL ELSE ln(${x}) END)`, example: ["ln(1)", 0] },
  log: {
    arity: [1, 2],
    // Spark's one-argument log is the natural logarithm (DuckDB's is base 10); log(base, x) takes the base first.
    render: ([a, b]) => (b === undefined ? `(CASE WHEN ${a} <= 0 THEN NULL ELSE ln(${a}) END)` : `(CASE WHEN ${b} <= 0 THEN NULL ELSE log(${a}, ${b}) END)`),
    example: ["log(10, 100)", 2],
  },
  log10: { arity: [1, 1], example: ["log10(10)", 1] },
  log2: { arity: [1, 1], example: ["log2(2)", 1] },
  sign: { arity: [1, 1], render: ([x]) => `CAST(sign(${x}) AS DOUBLE)`, example: ["sign(40)", 1] },
  signum: { arity: [1, 1], render: ([x]) => `CAST(sign(${x}) AS DOUBLE)`, example: ["signum(40)", 1] },
  mod: { arity: [2, 2], render: ([a, b]) => `(${a} % spark_divisor(${b}))`, example: ["mod(2, 1.8)", 0.2] },
  pmod: { arity: [2, 2], render: ([a, b]) => `(((${a} % spark_divisor(${b})) + ${b}) % ${b})`, example: ["pmod(-10, 3)", 2] },
  // try_add/try_subtract/try_multiply: NULL where the ANSI operator would overflow.
  try_add: { arity: [2, 2], render: ([a, b]) => `try(${a} + ${b})`, example: ["try_add(2147483647, 1)", null] },
  try_subtract: { arity: [2, 2], render: ([a, b]) => `try(${a} - ${b})`, example: ["try_subtract(2147483647, -1)", null] },
  try_multiply: { arity: [2, 2], render: ([a, b]) => `try(${a} * ${b})`, example: ["try_multiply(2147483647, 2)", null] },
  try_divide: { arity: [2, 2], render: ([a, b]) => `(CASE WHEN ${b} = 0 THEN NULL ELSE ${a} / ${b} END)`, example: ["try_divide(2, 0)", null] },
  rand: { arity: [0, 0], render: () => "random()", example: ["rand() < 1", true] },
  random: { arity: [0, 0], render: () => "random()", example: ["random() >= 0", true] },
  uuid: { arity: [0, 0], render: () => "CAST(uuid() AS VARCHAR)", example: ["length(uuid())", 36] },
  hex: { arity: [1, 1], render: ([x]) => `upper(hex(${x}))`, example: ["hex(17)", "11"] },
  unhex: { arity: [1, 1], example: ["decode(unhex('537061726B2053514C'), 'UTF-8')", "Spark SQL"] },
  // decode(bin, charset), or with more arguments Oracle's decode(expr, search, result, …[, default]), where a NULL
  // search matches a NULL expr (Spark's example: decode(null, 6, 'Spark', NULL, 'SQL', 4, 'rocks') is SQL).
  decode: {
    arity: [2, 255],
    render: ([b, cs, ...rest]) => {
      if (rest.length > 0) {
        const pairs = [cs!, ...rest];
        const whens: string[] = [];
        for (let k = 0; k + 1 < pairs.length; k += 2) whens.push(`WHEN ${b} IS NOT DISTINCT FROM ${pairs[k]} THEN ${pairs[k + 1]}`);
        return `(CASE ${whens.join(" ")}${pairs.length % 2 === 1 ? ` ELSE ${pairs[pairs.length - 1]}` : ""} END)`;
      }
      if (!/^'utf-?8'$/i.test(cs!)) throw sqlError("UNSUPPORTED_FEATURE", `decode with charset ${cs} is not supported by the local warehouse (only UTF-8).`);
      return `decode(${b})`;
    },
    example: ["decode(encode('abc', 'utf-8'), 'utf-8')", "abc"],
  },
  encode: {
    arity: [2, 2],
    render: ([s, cs]) => {
      if (!/^'utf-?8'$/i.test(cs!)) throw sqlError("UNSUPPORTED_FEATURE", `encode with charset ${cs} is not supported by the local warehouse (only UTF-8).`);
      return `encode(${s})`;
    },
    example: ["encode('abc', 'utf-8')", Buffer.from("abc")],
  },
  // --- cast functions (Spark's FunctionRegistry: each is CAST(x AS <type>); decimal is DECIMAL(10, 0))
  boolean: { arity: [1, 1], render: castAlias("boolean"), example: ["boolean('true')", true] },
  tinyint: { arity: [1, 1], render: castAlias("tinyint"), example: ["tinyint('12')", 12] },
  smallint: { arity: [1, 1], render: castAlias("smallint"), example: ["smallint(12.9)", 12] },
  int: { arity: [1, 1], render: castAlias("int"), example: ["int('-12')", -12] },
  bigint: { arity: [1, 1], render: castAlias("bigint"), example: ["bigint(1.5D)", 1] },
  float: { arity: [1, 1], render: castAlias("float"), example: ["float('2.5')", 2.5] },
  double: { arity: [1, 1], render: castAlias("double"), example: ["double('2.5')", 2.5] },
  decimal: { arity: [1, 1], render: castTo({ kind: "decimal", precision: 10, scale: 0 }), example: ["decimal('12')", 12] },
  string: { arity: [1, 1], render: castAlias("string"), example: ["string(12)", "12"] },
  binary: { arity: [1, 1], render: castAlias("binary"), example: ["binary('abc')", Buffer.from("abc")] },
  date: { arity: [1, 1], render: castAlias("date"), example: ["date('2016-12-31')", new Date("2016-12-31T00:00:00Z")] },
  timestamp: { arity: [1, 1], render: castAlias("timestamp"), example: ["timestamp('2016-12-31 10:11:12')", new Date("2016-12-31T10:11:12Z")] },
  timestamp_seconds: { arity: [1, 1], render: ([x]) => epochSql(x!, 1_000_000), example: ["timestamp_seconds(1230219000)", new Date("2008-12-25T15:30:00Z")] },
  timestamp_millis: { arity: [1, 1], render: ([x]) => epochSql(x!, 1000), example: ["timestamp_millis(1230219000123)", new Date("2008-12-25T15:30:00.123Z")] },
  timestamp_micros: { arity: [1, 1], render: ([x]) => epochSql(x!, 1), example: ["timestamp_micros(1230219000123123)", new Date("2008-12-25T15:30:00.123Z")] },
  // --- aggregates and windows (same meaning in DuckDB)
  count: { arity: [1, 255], render: countSql, example: ["count(DISTINCT 1, NULL)", 0] },
  sum: { arity: [1, 1], example: ["sum(1)", 1] },
  avg: { arity: [1, 1], example: ["avg(4)", 4] },
  mean: { arity: [1, 1], render: call("avg"), example: ["mean(4)", 4] },
  min: { arity: [1, 1], example: ["min(4)", 4] },
  max: { arity: [1, 1], example: ["max(4)", 4] },
  count_if: { arity: [1, 1], example: ["count_if(true)", 1] },
  first: { arity: [1, 1], render: call("first"), example: ["first(7)", 7] },
  last: { arity: [1, 1], render: call("last"), example: ["last(7)", 7] },
  any_value: { arity: [1, 1], example: ["any_value(7)", 7] },
  collect_list: { arity: [1, 1], render: ([x]) => `list(${x}) FILTER (WHERE ${x} IS NOT NULL)`, example: ["collect_list(7)", [7]] },
  array_agg: { arity: [1, 1], render: ([x]) => `list(${x}) FILTER (WHERE ${x} IS NOT NULL)`, example: ["array_agg(7)", [7]] },
  // grouping(col) is 1 when the row aggregates over col (ROLLUP, CUBE, GROUPING SETS); Spark types it TINYINT.
  grouping: { arity: [1, 1], render: ([c]) => `CAST(grouping(${c}) AS TINYINT)`, example: ["(SELECT grouping(name) FROM VALUES (2, 'Alice'), (5, 'Bob') people(age, name) GROUP BY cube(name) ORDER BY 1 DESC LIMIT 1)", 1] },
  // grouping_id(c1, …, cn) is grouping(c1) << (n-1) | … | grouping(cn), as DuckDB's grouping(c1, …, cn); Spark types it
  // BIGINT. Without arguments it reads every GROUP BY column, which a call here cannot see.
  grouping_id: {
    arity: [0, 255],
    render: (a) => {
      if (a.length === 0) throw sqlError("UNSUPPORTED_FEATURE", "grouping_id() without arguments is not supported by the local warehouse; name the grouping columns.");
      return `CAST(grouping(${a.join(", ")}) AS BIGINT)`;
    },
    example: ["(SELECT grouping_id(name, age) FROM VALUES (2, 'Alice'), (5, 'Bob') people(age, name) GROUP BY cube(name, age) ORDER BY 1 DESC LIMIT 1)", 3],
  },
  // every/bool_and and some/any/bool_or skip NULLs and are NULL over no (or only NULL) values, as DuckDB's.
  every: { arity: [1, 1], render: call("bool_and"), example: ["(SELECT every(col) FROM VALUES (true), (false), (true) AS tab(col))", false] },
  bool_and: { arity: [1, 1], example: ["(SELECT bool_and(col) FROM VALUES (true), (NULL), (true) AS tab(col))", true] },
  some: { arity: [1, 1], render: call("bool_or"), example: ["(SELECT some(col) FROM VALUES (true), (false), (false) AS tab(col))", true] },
  any: { arity: [1, 1], render: call("bool_or"), example: ["(SELECT any(col) FROM VALUES (NULL), (true), (false) AS tab(col))", true] },
  bool_or: { arity: [1, 1], example: ["(SELECT bool_or(col) FROM VALUES (false), (false), (NULL) AS tab(col))", false] },
  approx_count_distinct: { arity: [1, 2], render: ([x]) => `approx_count_distinct(${x})`, example: ["(SELECT approx_count_distinct(col1) FROM VALUES (1), (1), (2), (2), (3) tab(col1))", 3] },
  corr: { arity: [2, 2], example: ["(SELECT corr(c1, c2) FROM VALUES (3, 2), (3, 3), (6, 4) as tab(c1, c2))", 0.8660254037844387] },
  covar_pop: { arity: [2, 2], example: ["(SELECT covar_pop(c1, c2) FROM VALUES (1,1), (2,2), (3,3) AS tab(c1, c2))", 0.6666666666666666] },
  covar_samp: { arity: [2, 2], example: ["(SELECT covar_samp(c1, c2) FROM VALUES (1,1), (2,2), (3,3) AS tab(c1, c2))", 1] },
  variance: { arity: [1, 1], render: call("var_samp"), example: ["(SELECT variance(col) FROM VALUES (1), (2), (3) AS tab(col))", 1] },
  var_samp: { arity: [1, 1], example: ["(SELECT var_samp(col) FROM VALUES (1), (2), (3) AS tab(col))", 1] },
  var_pop: { arity: [1, 1], example: ["(SELECT var_pop(col) FROM VALUES (1), (2), (3) AS tab(col))", 0.6666666666666666] },
  stddev: { arity: [1, 1], render: call("stddev_samp"), example: ["(SELECT stddev(col) FROM VALUES (1), (2), (3) AS tab(col))", 1] },
  std: { arity: [1, 1], render: call("stddev_samp"), example: ["(SELECT std(col) FROM VALUES (1), (2), (3) AS tab(col))", 1] },
  stddev_samp: { arity: [1, 1], example: ["(SELECT stddev_samp(col) FROM VALUES (1), (2), (3) AS tab(col))", 1] },
  stddev_pop: { arity: [1, 1], example: ["(SELECT stddev_pop(col) FROM VALUES (1), (2), (3) AS tab(col))", 0.816496580927726] },
  // first_value(x[, ignoreNulls]) / last_value / nth_value(x, n[, ignoreNulls]): ignoreNulls is a boolean literal in Spark.
  first_value: { arity: [1, 2], render: ([x, ig]) => `first_value(${x}${ignoreNulls(ig)})`, example: ["(SELECT first_value(col, true) OVER () FROM VALUES (NULL), (5), (20) AS tab(col) LIMIT 1)", 5] },
  last_value: { arity: [1, 2], render: ([x, ig]) => `last_value(${x}${ignoreNulls(ig)})`, example: ["(SELECT last_value(col) OVER () FROM VALUES (10), (5), (20) AS tab(col) LIMIT 1)", 20] },
  nth_value: { arity: [2, 3], render: ([x, n, ig]) => `nth_value(${x}, ${n}${ignoreNulls(ig)})`, example: ["(SELECT nth_value(col, 2) OVER (ORDER BY col) FROM VALUES (1), (2), (3) AS tab(col) ORDER BY col DESC LIMIT 1)", 2] },
  row_number: { arity: [0, 0], example: ["row_number() OVER (ORDER BY 1)", 1] },
  rank: { arity: [0, 0], example: ["rank() OVER (ORDER BY 1)", 1] },
  dense_rank: { arity: [0, 0], example: ["dense_rank() OVER (ORDER BY 1)", 1] },
  lag: { arity: [1, 3], example: ["lag(1) OVER (ORDER BY 1)", null] },
  lead: { arity: [1, 3], example: ["lead(1) OVER (ORDER BY 1)", null] },
};

/**
 * Words that are followed by `(` without being a function call: SQL keywords and the places where a
 * table name or a table function (the FROM clause, INSERT INTO t (cols), WITH cte (cols)) stands.
 */
export const NOT_A_CALL = new Set(
  ("in exists values over filter as using on and or not when then else select from join where by having union all " +
    "distinct intersect except with into table lateral case is like ilike rlike between any some rollup cube sets " +
    "tblproperties options partitioned clustered cluster location comment row set limit offset qualify window partition " +
    "order rows range pivot unpivot interval key references check constraint default identity generated primary foreign " +
    "returns return view function struct array map decimal numeric dec varchar char if group tablesample replace " +
    "matched insert update delete merge source target do nothing cast try_cast within grouping").split(" "),
);

/** The error Databricks gives for a function it cannot find. */
export function unresolvedRoutine(name: string, catalog: string, schema: string): SqlError {
  return sqlError(
    "UNRESOLVED_ROUTINE", `Cannot resolve routine \`${name}\` on search path [\`system\`.\`builtin\`, \`system\`.\`session\`, \`${catalog}\`.\`${schema}\`].`,
  );
}

/** The error for a call with the wrong number of arguments. */
export function wrongArity(name: string, given: number, [min, max]: [number, number]): SqlError {
  const expected = min === max ? `${min}` : max >= 255 ? `>= ${min}` : `[${min}, ${max}]`;
  return sqlError(
    "WRONG_NUM_ARGS.WITHOUT_SUGGESTION", `The \`${name}\` requires ${expected} parameters but the actual number is ${given}.`,
  );
}
