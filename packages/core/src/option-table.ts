/**
 * Option tables: one typed row per option of a format, the single source of its accepted
 * spellings, type, default, bounds and documentation. The format's parser reads its values
 * through a {@link TableOptions}; `npm run options` renders the same rows into
 * cli's job.schema.json (and so the generated option types), the README option tables and the
 * TSDoc of the typed option objects.
 * @packageDocumentation
 */
import type { CaseInsensitiveOptions } from "./options.js";

interface RowBase {
  /** What the option does: one paragraph of Markdown, shown in the README, the schema and TSDoc. */
  readonly doc: string;
  /** The README's default cell and the schema's `Default:` when `default` alone does not say it. */
  readonly defaultText?: string;
  /**
   * The option must be given: the parser refuses to go on without it, and the README says
   * `required`. `"runtime"`: the job schema does not require it, because it may come from
   * elsewhere (`load(path)`, or the Databricks runtime a submitted job runs in).
   */
  readonly required?: boolean | "runtime";
  /** Other spellings accepted for the same option (`token` for `jwt`). */
  readonly aliases?: readonly string[];
  /** What the other engine's connector does with this name (the README's connector column). */
  readonly connector?: string;
  /**
   * Property of the parsed options object this row documents, when it is not `name` (`origin` for
   * `regionUrl`); `false` for an option accepted for compatibility and not kept.
   */
  readonly field?: string | false;
  /** README sub-table the row belongs to, for formats whose README splits its options. */
  readonly group?: string;
  /** Accepted for reads only or writes only; both when absent. */
  readonly appliesTo?: "read" | "write";
  /**
   * Passed by the session or the engine to every format (`path`, `checkpointLocation`): accepted,
   * but neither documented nor part of a job spec's options.
   */
  readonly engine?: boolean;
  /** JSON Schema keywords that replace the ones derived from `kind` (a job spec's JSON type). */
  readonly json?: Readonly<Record<string, unknown>>;
}

export interface StringRow extends RowBase {
  readonly kind: "string";
  readonly default?: string;
  /** Credentials: never logged, never echoed in errors. */
  readonly secret?: boolean;
  /** An empty text is a value, not a missing option (the schema then has no `minLength`). */
  readonly allowEmpty?: boolean;
}
export interface IntRow extends RowBase {
  readonly kind: "int";
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  /** `ms` or `bytes`, said after the default. */
  readonly unit?: "ms" | "bytes";
}
export interface NumberRow extends RowBase {
  readonly kind: "number";
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanRow extends RowBase {
  readonly kind: "boolean";
  readonly default?: boolean;
}
export interface EnumRow extends RowBase {
  readonly kind: "enum";
  readonly values: readonly string[];
  readonly default?: string;
}
/** A JSON object, given as an object or as JSON text. */
export interface ObjectRow extends RowBase {
  readonly kind: "object";
}
/** A list, given as an array or a comma-separated string. */
export interface ListRow extends RowBase {
  readonly kind: "list";
}

export type OptionRow = StringRow | IntRow | NumberRow | BooleanRow | EnumRow | ObjectRow | ListRow;
export type OptionKind = OptionRow["kind"];

/** A format's options, keyed by their canonical spelling, in documentation order. */
export type OptionTable = Readonly<Record<string, OptionRow>>;

/** A row for an option the session or engine passes to every format (`path`, `checkpointLocation`, `queryName`). */
export const SESSION_STRING_OPTION = { kind: "string", engine: true, doc: "Passed by the session to every format." } as const satisfies StringRow;
/** A row for `parallelism` as the session passes it to formats that do not read it themselves. */
export const SESSION_INT_OPTION = { kind: "int", engine: true, doc: "Passed by the session to every format." } as const satisfies IntRow;

/** Every spelling a format accepts (names and aliases), for `purpose` when given. */
export function acceptedOptionNames(table: OptionTable, purpose?: "read" | "write"): string[] {
  const out: string[] = [];
  for (const [name, row] of Object.entries(table)) {
    if (purpose !== undefined && row.appliesTo !== undefined && row.appliesTo !== purpose) continue;
    out.push(name, ...(row.aliases ?? []));
  }
  return out;
}

type KeysOf<T extends OptionTable, R> = { [K in keyof T]: T[K] extends R ? K : never }[keyof T] & string;
type WithDefault<Row, V> = Row extends { readonly default: V } | { readonly required: true | "runtime" } ? V : V | undefined;
type EnumValue<Row> = Row extends { readonly values: readonly (infer V)[] } ? V : never;

/**
 * A format's options read through its table: unknown names are refused up front, and each getter
 * applies the row's default and bounds, so the parser states only what the table cannot (rules
 * between options, defaults that depend on another option).
 */
export class TableOptions<T extends OptionTable> {
  /**
   * `check` names the purpose whose options are accepted (`{}`: any row's), or is `false` for a
   * part of a format's options read on its own (the whole set is checked by its caller).
   */
  constructor(
    readonly options: CaseInsensitiveOptions,
    readonly table: T,
    check: { purpose?: "read" | "write" } | false = {},
  ) {
    if (check) options.rejectUnknown(acceptedOptionNames(table, check.purpose));
  }

  /** The first spelling of the row present in the options (its name or an alias), if any. */
  given(name: keyof T & string): string | undefined {
    return this.options.firstOf(name, ...(this.table[name]!.aliases ?? []));
  }

  string<K extends KeysOf<T, StringRow>>(name: K): WithDefault<T[K], string> {
    const row = this.table[name] as StringRow;
    const spelling = this.given(name) ?? name;
    const v = row.default === undefined ? this.options.getString(spelling) : this.options.getString(spelling, row.default);
    if (row.required && (v === undefined || v.trim() === "")) throw this.options.error(spelling, "is required");
    return v as WithDefault<T[K], string>;
  }

  /** An integer within the row's bounds; `defaultValue` stands in for a default that depends on other options. */
  int<K extends KeysOf<T, IntRow>>(name: K, defaultValue: number): number;
  int<K extends KeysOf<T, IntRow>>(name: K): WithDefault<T[K], number>;
  int<K extends KeysOf<T, IntRow>>(name: K, defaultValue?: number): number | undefined {
    const row = this.table[name] as IntRow;
    const range = { ...(row.min !== undefined ? { min: row.min } : {}), ...(row.max !== undefined ? { max: row.max } : {}) };
    const spelling = this.given(name) ?? name;
    const d = defaultValue ?? row.default;
    return d === undefined ? this.options.getInt(spelling, undefined, range) : this.options.getInt(spelling, d, range);
  }

  /** A number within the row's bounds, given as a number or its text. */
  number<K extends KeysOf<T, NumberRow>>(name: K): WithDefault<T[K], number> {
    const row = this.table[name] as NumberRow;
    const spelling = this.given(name) ?? name;
    const raw = this.options.get(spelling);
    if (raw === undefined || raw === null) return row.default as WithDefault<T[K], number>;
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    const min = row.min ?? -Infinity;
    const max = row.max ?? Infinity;
    if (!(n >= min && n <= max)) {
      throw this.options.error(spelling, `expected a number from ${row.min ?? "-∞"} to ${row.max ?? "∞"}, got ${JSON.stringify(raw)}`);
    }
    return n as WithDefault<T[K], number>;
  }

  boolean<K extends KeysOf<T, BooleanRow>>(name: K): WithDefault<T[K], boolean> {
    const row = this.table[name] as BooleanRow;
    const spelling = this.given(name) ?? name;
    return (row.default === undefined ? this.options.getBoolean(spelling) : this.options.getBoolean(spelling, row.default)) as WithDefault<T[K], boolean>;
  }

  /** One of the row's values (compared case-insensitively), in its canonical spelling. */
  enum<K extends KeysOf<T, EnumRow>>(name: K, defaultValue: EnumValue<T[K]>): EnumValue<T[K]>;
  enum<K extends KeysOf<T, EnumRow>>(name: K): WithDefault<T[K], EnumValue<T[K]>>;
  enum<K extends KeysOf<T, EnumRow>>(name: K, defaultValue?: EnumValue<T[K]>): EnumValue<T[K]> | undefined {
    const row = this.table[name] as EnumRow;
    const fallback = defaultValue ?? (row.default as EnumValue<T[K]> | undefined);
    const spelling = this.given(name) ?? name;
    const values = row.values as readonly EnumValue<T[K]>[];
    return fallback === undefined ? this.options.getEnum(spelling, values) : this.options.getEnum(spelling, values, fallback);
  }

  object<K extends KeysOf<T, ObjectRow>>(name: K): Record<string, unknown> | undefined {
    return this.options.getObject(this.given(name) ?? name);
  }

  list<K extends KeysOf<T, ListRow>>(name: K): string[] | undefined {
    return this.options.getList(this.given(name) ?? name);
  }

  has(name: keyof T & string): boolean {
    return this.given(name) !== undefined;
  }

  /** An option error naming the spelling the user gave. */
  error(name: keyof T & string, message: string): ReturnType<CaseInsensitiveOptions["error"]> {
    return this.options.error(this.given(name) ?? name, message);
  }
}
