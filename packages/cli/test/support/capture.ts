/**
 * An `Io` that records what a command prints, for tests that call the CLI's `main` in-process.
 */
import type { Io } from "../../src/usage.js";

export interface Captured {
  io: Io;
  out: () => string;
  err: () => string;
}

/** `env` is the environment the command sees (none of the test process's); `isTTY` as a terminal would say. */
export function capture(options: { env?: NodeJS.ProcessEnv; isTTY?: boolean } = {}): Captured {
  let out = "";
  let err = "";
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: options.isTTY ?? false, env: options.env ?? {} }, out: () => out, err: () => err };
}
