/**
 * Command-line plumbing shared by every verb: argument parsing with usage errors (exit 2),
 * `--help` text, and the `--option k=v` form Spark users know from `.option(k, v)`.
 * @packageDocumentation
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { didYouMean } from "./suggest.js";



export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (SIGINT) or SIGTERM before finishing: 128 + SIGINT's number, as shells report it. */
export const EXIT_INTERRUPTED = 130;

export class UsageError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
  }
}

export interface Io {
  /** Raw write to stdout (callers add newlines). */
  out: (text: string) => void;
  /** Raw write to stderr (callers add newlines). */
  err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars) or not (plain lines). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: Io, signal: AbortSignal): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<T extends Options>(argv: string[], options: T, help: string, allowPositionals = true): { values: { [K in keyof T]?: T[K] extends { type: "boolean" } ? boolean : T[K] extends { multiple: true } ? string[] : string }; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true }) as never;
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /^Unknown option '(--?[^']+)'/.exec(message);
    if (unknown) {
      const flags = Object.keys(options).map((k) => `--${k}`);
      const hint = didYouMean(unknown[1]!, flags);
      // parseArgs appends advice about '--' that only confuses here; keep its first sentence.
      throw new UsageError(`unknown flag '${unknown[1]}'${hint}`, help);
    }
    throw new UsageError(message, help);
  }
}

/** `k=v` pairs (repeatable `--option`) into an options object; values stay strings, as in Spark. */
export function keyValues(pairs: string[] | undefined, flag = "--option"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} expects key=value, got '${p}'`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}
