/**
 * @packageDocumentation
 * Statement parameters. A marker is replaced by a DuckDB placeholder and the value travels beside the
 * SQL, so no value is ever spliced into the statement text.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { sqlError, unsupported } from "../errors.js";
import type { TSparkParameter } from "../wire/thrift.js";

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
      if (p.name) {
        const key = p.name.toLowerCase();
        // Names are matched case-insensitively, so `a` and `A` would silently shadow each other.
        if (this.byName.has(key)) throw sqlError("DUPLICATE_SQL_PARAMETER", `The parameter ${p.name} is given more than once.`);
        this.byName.set(key, p);
      } else this.byOrdinal.push(p);
    }
  }

  /** The SQL for `:name`; records its value in `into`. */
  named(name: string, into: Record<string, DuckDBValue>): string {
    const p = this.byName.get(name.toLowerCase());
    if (!p)
      throw sqlError(
        "UNBOUND_SQL_PARAMETER", `Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions.`,
      );
    // One key per name, one-to-one: the name's UTF-8 bytes in hex (`a$` and `a_` must not meet).
    return this.placeholder(`n_${Buffer.from(name.toLowerCase(), "utf8").toString("hex")}`, p, into);
  }

  /** The SQL for the next `?`. */
  ordinal(into: Record<string, DuckDBValue>): string {
    const index = this.nextOrdinal++;
    const p = this.byOrdinal[index];
    if (!p)
      throw sqlError("UNBOUND_SQL_PARAMETER", `Found the unbound parameter: _${index + 1}.`);
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
    const decimal = /^DECIMAL\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
    if (decimal) {
      const plain = plainDecimal(value);
      into[key] = plain;
      // Databricks binds a bare DECIMAL parameter as DECIMAL(10,0) (0.0015 becomes 0); a client
      // that wants the digits names the type, DECIMAL(p,s).
      const precision = decimal[1] === undefined ? 10 : Number(decimal[1]);
      const scale = decimal[2] === undefined ? 0 : Number(decimal[2]);
      if (precision < 1 || precision > 38 || scale > precision) throw sqlError("INVALID_PARAMETER_VALUE", `Invalid DECIMAL parameter type ${p.type}.`);
      return `CAST($${key} AS DECIMAL(${precision},${scale}))`;
    }
    const cast = CASTS[type];
    if (cast === undefined) throw unsupported(`A parameter of type ${p.type}`);
    return cast === "" ? `$${key}` : `CAST($${key} AS ${cast})`;
  }
}

const castInvalid = (text: string) => sqlError("CAST_INVALID_INPUT", `The value '${text}' cannot be cast to DECIMAL.`);

/**
 * The decimal text with any exponent expanded into plain digits, exactly (string arithmetic):
 * `1.5e-3` → `0.0015`. Typing `1.5e-3` by its written digits would give DECIMAL(2,1) and round it
 * to 0. An exponent beyond ±400 (no DECIMAL holds it) is refused. The warehouse keeps this code
 * apart from core's kit/decimal.ts on purpose (it is the peer the client is checked against);
 * both answer the rows of test/tables/plain-decimal.json.
 */
export function plainDecimal(text: string): string {
  const trimmed = text.trim();
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(trimmed);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw castInvalid(text);
  if (m[4] === undefined) return trimmed;
  const exp = Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 400) throw castInvalid(text);
  const intPart = m[2]!;
  const digits = intPart + (m[3] ?? "");
  const point = intPart.length + exp;
  let whole: string;
  let frac = "";
  if (point <= 0) {
    whole = "0";
    frac = "0".repeat(-point) + digits;
  } else if (point >= digits.length) whole = digits + "0".repeat(point - digits.length);
  else {
    whole = digits.slice(0, point);
    frac = digits.slice(point);
  }
  return `${m[1] === "-" ? "-" : ""}${whole.replace(/^0+(?=\d)/, "")}${frac ? `.${frac}` : ""}`;
}

