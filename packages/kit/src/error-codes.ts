/**
 * Error-code tables: each package lists its codes once, with whether an error of that code may
 * succeed when repeated and the message it carries (a template whose `{name}` slots are filled
 * from the values the raising site passes). Raising sites name a code and give values; they do
 * not restate retryability or wording, so a code means the same thing everywhere it is raised.
 * @packageDocumentation
 */
import { type ErrorContext, MacrometaSparkError } from "./errors.js";

export interface ErrorCodeEntry {
  /** Whether the failed call may succeed when repeated (`null`: unknown). */
  readonly retryable: boolean | null;
  /** The message, with `{name}` slots for the values the raising site gives. */
  readonly message: string;
}

/** A package's codes. */
export type ErrorCodeTable<C extends string = string> = { readonly [K in C]: ErrorCodeEntry };

/** Declares a table (its keys become the code type: `keyof typeof TABLE`). */
export function defineErrorCodes<const T extends Record<string, ErrorCodeEntry>>(table: T): T {
  return Object.freeze(table);
}

/**
 * A template with its `{name}` slots filled. A slot without a value is left as written, so a
 * missing value shows in the message instead of turning into "undefined".
 */
export function fillTemplate(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (slot, name: string) => (values[name] === undefined ? slot : String(values[name])));
}

export interface CodedErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
}

/** An error of `code` from `table`, its message filled from `values`. */
export function errorFromTable<T extends ErrorCodeTable>(
  table: T,
  code: keyof T & string,
  values: Readonly<Record<string, unknown>> = {},
  options: CodedErrorOptions = {},
): MacrometaSparkError {
  const entry = table[code];
  return new MacrometaSparkError(fillTemplate(entry.message, values), { code, retryable: entry.retryable, cause: options.cause, context: options.context });
}
