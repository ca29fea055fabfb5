/**
 * One case-insensitive options map, as Spark's `CaseInsensitiveStringMap`, with typed getters
 * that name the option in their errors. Values may be strings (as in Spark) or JS values.
 * @packageDocumentation
 */
import { OptionError } from "@macrometa-spark/kit";

export type OptionValue = string | number | boolean | bigint | null | undefined | Record<string, unknown> | unknown[];
/** Options as users pass them: any JS values (getters coerce and validate), or another options map. */
export type OptionsInput = Record<string, unknown> | CaseInsensitiveOptions | undefined;

const SECRET_OPTION = /(api[-_]?key|token|secret|password|jwt)/i;

export class CaseInsensitiveOptions {
  private readonly entries = new Map<string, { name: string; value: OptionValue }>();
  /** Names of the format this map configures, for error messages. */
  readonly format: string | undefined;

  constructor(input?: OptionsInput, format?: string) {
    this.format = format ?? (input instanceof CaseInsensitiveOptions ? input.format : undefined);
    if (input instanceof CaseInsensitiveOptions) {
      for (const [k, v] of input.entries) this.entries.set(k, v);
    } else if (input) {
      for (const [name, value] of Object.entries(input)) {
        if (value !== undefined) this.entries.set(name.toLowerCase(), { name, value: value as OptionValue });
      }
    }
  }

  /** A copy with more options (later wins). */
  with(extra: OptionsInput): CaseInsensitiveOptions {
    const next = new CaseInsensitiveOptions(this, this.format);
    const add = new CaseInsensitiveOptions(extra);
    for (const [k, v] of add.entries) next.entries.set(k, v);
    return next;
  }

  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }
  /** The raw value, whatever its JS type. */
  get(name: string): OptionValue {
    return this.entries.get(name.toLowerCase())?.value;
  }
  /** First present option among aliases (e.g. `apiKey`, `apikey`). */
  firstOf(...names: string[]): string | undefined {
    return names.find((n) => this.has(n));
  }
  keys(): string[] {
    return [...this.entries.values()].map((e) => e.name);
  }

  getString(name: string): string | undefined;
  getString(name: string, defaultValue: string): string;
  getString(name: string, defaultValue?: string): string | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return defaultValue;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    throw this.error(name, `expected a string, got ${describe(v)}`);
  }

  requireString(name: string): string {
    const v = this.getString(name);
    if (v === undefined || v.trim() === "") throw this.error(name, "is required");
    return v;
  }

  getInt(name: string, defaultValue: number, range?: { min?: number; max?: number }): number;
  getInt(name: string, defaultValue?: undefined, range?: { min?: number; max?: number }): number | undefined;
  getInt(name: string, defaultValue?: number, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.get(name);
    if (v === undefined || v === null || v === "") return defaultValue;
    const n = typeof v === "number" ? v : typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw this.error(name, `expected an integer, got ${describe(v)}`);
    if (range.min !== undefined && n < range.min) throw this.error(name, `must be >= ${range.min}, got ${n}`);
    if (range.max !== undefined && n > range.max) throw this.error(name, `must be <= ${range.max}, got ${n}`);
    return n;
  }

  getBoolean(name: string, defaultValue: boolean): boolean;
  getBoolean(name: string, defaultValue?: undefined): boolean | undefined;
  getBoolean(name: string, defaultValue?: boolean): boolean | undefined {
    const v = this.get(name);
    if (v === undefined || v === null || v === "") return defaultValue;
    if (typeof v === "boolean") return v;
    if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
    throw this.error(name, `expected true or false, got ${describe(v)}`);
  }

  /** One of `allowed` (compared case-insensitively); returns the canonical spelling. */
  getEnum<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T;
  getEnum<T extends string>(name: string, allowed: readonly T[], defaultValue?: undefined): T | undefined;
  getEnum<T extends string>(name: string, allowed: readonly T[], defaultValue?: T): T | undefined {
    const v = this.getString(name);
    if (v === undefined || v === "") return defaultValue;
    const hit = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (!hit) throw this.error(name, `expected one of ${allowed.join(", ")}, got ${describe(v)}`);
    return hit;
  }

  /** A JSON object given as an object or as JSON text (e.g. `bindVars`). */
  getObject(name: string): Record<string, unknown> | undefined {
    const v = this.get(name);
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    if (typeof v === "string") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        throw this.error(name, "expected a JSON object");
      }
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    }
    throw this.error(name, `expected a JSON object, got ${describe(v)}`);
  }

  /** A list given as an array or a comma-separated string (e.g. `mergeKeys`). */
  getList(name: string): string[] | undefined {
    const v = this.get(name);
    if (v === undefined || v === null || v === "") return undefined;
    if (Array.isArray(v)) return v.map((x) => String(x));
    if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
    throw this.error(name, `expected a list, got ${describe(v)}`);
  }

  /** Fails on any option not in `known` (case-insensitively), naming it. */
  rejectUnknown(known: readonly string[]): void {
    const set = new Set(known.map((k) => k.toLowerCase()));
    for (const [k, e] of this.entries) {
      if (!set.has(k)) throw this.error(e.name, `unknown option${this.format ? ` for format '${this.format}'` : ""}`);
    }
  }

  /** A plain record with credential-looking values masked, for logs and errors. */
  toRedactedRecord(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of this.entries.values()) out[e.name] = SECRET_OPTION.test(e.name) ? "***" : e.value;
    return out;
  }
  /** A plain record with original spellings (contains secrets: never log it). */
  toRecord(): Record<string, OptionValue> {
    const out: Record<string, OptionValue> = {};
    for (const e of this.entries.values()) out[e.name] = e.value;
    return out;
  }

  error(name: string, message: string): OptionError {
    return new OptionError(this.entries.get(name.toLowerCase())?.name ?? name, message, this.format ? { format: this.format } : {});
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : String(v);
}
