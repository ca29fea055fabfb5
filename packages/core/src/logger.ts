/**
 * The injected logger. Components take a `Logger` in their context; nothing logs through a global.
 * @packageDocumentation
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger writing one line per event to stderr, with secrets masked in fields. */
export function createConsoleLogger(level: LogLevel = "info", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const at = (lvl: Exclude<LogLevel, "silent">) => (message: string, fields?: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const extra = fields && Object.keys(fields).length ? " " + JSON.stringify(redactFields(fields)) : "";
    write(`[${lvl}] ${redactText(message)}${extra}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that keeps events in memory (for tests and progress reporting). */
export function createMemoryLogger(): Logger & { events: { level: string; message: string; fields?: LogFields }[] } {
  const events: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => {
    events.push({ level, message: redactText(message), ...(fields ? { fields: redactFields(fields) } : {}) });
  };
  return { events, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const SECRET_NAME = /(api[-_]?key|token|secret|password|authorization|jwt|otp)/i;

/** Masks values of fields whose names look like credentials, at any depth. */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_NAME.test(k) && v !== undefined && v !== null && v !== "") out[k] = "***";
    else if (v && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) out[k] = redactFields(v as LogFields);
    else if (typeof v === "string") out[k] = redactText(v);
    else out[k] = v;
  }
  return out;
}

/** Masks credential-looking substrings (`apikey …`, `bearer …`, `otp=…`, `dapi…`) in free text. */
export function redactText(text: string): string {
  return text
    .replace(/\b(apikey|bearer)\s+[^\s"',]+/gi, "$1 ***")
    .replace(/([?&](?:otp|token|apikey|api_key)=)[^&\s"']+/gi, "$1***")
    .replace(/\bdapi[0-9a-f]{8,}\b/gi, "dapi***");
}
