/**
 * The injected logger. Components take a `Logger` in their context; nothing logs through a global.
 * @packageDocumentation
 */
import { type LogFields, redactFields, redactText } from "./redaction.js";

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
