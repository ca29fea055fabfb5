/**
 * The C8QL function table. A call to a name not in it is refused with 400/1501 naming the function
 * (the live server may know it; we must not guess); a known function called with the wrong number of
 * arguments fails with 1541, as the server does.
 * @packageDocumentation
 */
import { gdnFail } from "../../errors.js";
import type { Store } from "../../store.js";
import type { Value } from "../values.js";

export interface FunctionContext {
  store: Store;
  fabric: string;
  /** Milliseconds since the epoch (DATE_NOW). */
  now(): number;
  /** Adds a query warning (invalid dates and the like answer null plus a warning). */
  warn(code: number, message: string): void;
}

export interface FunctionDef {
  min: number;
  max: number;
  fn(args: Value[], ctx: FunctionContext): Value;
}

export type FunctionTable = Record<string, FunctionDef>;

export const INVALID_ARGUMENT_COUNT = 1541;

export function checkArity(name: string, def: FunctionDef, n: number): void {
  if (n < def.min || n > def.max)
    throw gdnFail("QUERY_FUNCTION_ARGUMENT_COUNT", { name, min: def.min, max: def.max === Infinity ? 65536 : def.max });
}
