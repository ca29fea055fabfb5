/**
 * References in a job spec's strings, resolved before validation so a spec can be committed
 * without hosts or secrets in it:
 * - `${env:NAME}`: the environment variable NAME (for `run` and `submit`, from the caller's shell);
 * - `{{secrets/<scope>/<key>}}`: Databricks resolves these on the cluster after `submit`; `run`
 *   resolves them locally from `MMSPARK_SECRET_<SCOPE>_<KEY>` (upper case, other characters as `_`).
 * @packageDocumentation
 */
import { cliError } from "../error-codes.js";

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const SECRET_REF = /^\{\{secrets\/([^/{}]+)\/([^/{}]+)\}\}$/;

/** The environment variable `mmspark run` reads for `{{secrets/<scope>/<key>}}`. */
export function secretVariable(scope: string, key: string): string {
  const part = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return `MMSPARK_SECRET_${part(scope)}_${part(key)}`;
}

export interface ResolveOptions {
  env: NodeJS.ProcessEnv;
  /** Resolve `{{secrets/…}}` from the environment too (`run`); `submit` leaves them to Databricks. */
  secrets: boolean;
  /** Where the spec came from, for errors. */
  source: string;
}

/**
 * A copy of `spec` with its references replaced. A string that is exactly one `${env:NAME}`
 * becomes a number or boolean when the value is one (so `"port": "${env:DATABRICKS_PORT}"`
 * validates as an integer). Throws INVALID_JOB_SPEC naming every unset variable (never a value).
 */
export function resolveReferences(spec: unknown, o: ResolveOptions): unknown {
  const missing = new Set<string>();
  const lookup = (name: string, what: string): string => {
    const v = o.env[name];
    if (v === undefined) {
      missing.add(`${what} needs environment variable ${name}`);
      return "";
    }
    return v;
  };
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") {
      const secret = o.secrets ? SECRET_REF.exec(v) : null;
      if (secret) return lookup(secretVariable(secret[1]!, secret[2]!), v);
      const whole = WHOLE_ENV_REF.exec(v);
      if (whole) {
        const value = lookup(whole[1]!, v);
        if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
        if (value === "true" || value === "false") return value === "true";
        return value;
      }
      return v.replace(ENV_REF, (_, name: string) => lookup(name, v));
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  const out = visit(spec);
  if (missing.size > 0) {
    const detail = `job spec ${o.source}: ${[...missing].join("; ")} (set it, or source the file \`mmspark local up --env-file\` wrote)`;
    throw cliError("INVALID_JOB_SPEC", { detail }, { context: { source: o.source } });
  }
  return out;
}
