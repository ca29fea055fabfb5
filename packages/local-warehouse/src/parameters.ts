/**
 * @packageDocumentation
 * Statement parameters. A marker is replaced by a DuckDB placeholder and the value travels beside the
 * SQL, so no value is ever spliced into the statement text.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { SqlError, unsupported } from "./errors.js";
import type { TSparkParameter } from "./thrift.js";

/** SQL text together with the values of the placeholders it contains (DuckDB rejects unused ones). */
export interface Sql {
  text: string;
  values: Record<string, DuckDBValue>;
}

const CASTS: Record<string, string> = {
  BOOLEAN: "BOOLEAN",
  TINYINT: "TINYINT",
  SMALLINT: "SMALLINT",
  INTEGER: "INTEGER",
  INT: "INTEGER",
  BIGINT: "BIGINT",
  FLOAT: "FLOAT",
  DOUBLE: "DOUBLE",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMPTZ",
  TIMESTAMP_LTZ: "TIMESTAMPTZ",
  TIMESTAMP_NTZ: "TIMESTAMP",
  STRING: "",
};

export class Parameters {
  private readonly byName = new Map<string, TSparkParameter>();
  private readonly byOrdinal: TSparkParameter[] = [];
  private nextOrdinal = 0;

  constructor(parameters: readonly TSparkParameter[] | null | undefined) {
    for (const p of parameters ?? []) {
      if (p.name) this.byName.set(p.name.toLowerCase(), p);
      else this.byOrdinal.push(p);
    }
  }

  /** The SQL for `:name`; records its value in `into`. */
  named(name: string, into: Record<string, DuckDBValue>): string {
    const p = this.byName.get(name.toLowerCase());
    if (!p)
      throw new SqlError(
        "UNBOUND_SQL_PARAMETER",
        "42P02",
        `Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions.`,
      );
    return this.placeholder(`n_${name.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`, p, into);
  }

  /** The SQL for the next `?`. */
  ordinal(into: Record<string, DuckDBValue>): string {
    const index = this.nextOrdinal++;
    const p = this.byOrdinal[index];
    if (!p)
      throw new SqlError("UNBOUND_SQL_PARAMETER", "42P02", `Found the unbound parameter: _${index + 1}.`);
    return this.placeholder(`o_${index + 1}`, p, into);
  }

  /** Rewinds ordinal markers, for a fragment that is rewritten more than once (e.g. a MERGE source). */
  resetOrdinals(): void {
    this.nextOrdinal = 0;
  }

  private placeholder(key: string, p: TSparkParameter, into: Record<string, DuckDBValue>): string {
    const value = p.value?.stringValue;
    if (value === undefined || value === null || !p.type || p.type === "VOID") return "NULL";
    const type = p.type.toUpperCase();
    into[key] = value;
    if (type === "DECIMAL") return `CAST($${key} AS ${decimalTypeFor(value)})`;
    const cast = CASTS[type];
    if (cast === undefined) throw unsupported(`A parameter of type ${p.type}`);
    return cast === "" ? `$${key}` : `CAST($${key} AS ${cast})`;
  }
}

/** A decimal type wide enough for the literal, as Spark types a decimal parameter by its digits. */
function decimalTypeFor(text: string): string {
  const m = /^[-+]?(\d*)(?:\.(\d*))?(?:[eE][-+]?\d+)?$/.exec(text.trim());
  if (!m) throw new SqlError("CAST_INVALID_INPUT", "22018", `The value '${text}' cannot be cast to DECIMAL.`);
  const intDigits = Math.max(1, m[1]!.replace(/^0+/, "").length);
  const scale = m[2]?.length ?? 0;
  return `DECIMAL(${Math.min(38, intDigits + scale)},${Math.min(scale, 38)})`;
}
