#!/usr/bin/env -S node --
/**
 * The `mmspark` executable. Ctrl-C asks the running verb to finish its current batch and stop;
 * a second Ctrl-C exits at once. The `--` in the shebang: Node 20 reads `--env-file` from anywhere
 * on its command line (even after the script), which would swallow `mmspark local up --env-file`.
 */
import "./commands/register.js";
import { main } from "./main.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write("\nstopping after the current batch (Ctrl-C again to exit now)\n");
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await main(
  process.argv.slice(2),
  {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY: !!process.stderr.isTTY,
    env: process.env,
  },
  controller.signal,
);
process.exitCode = code;
// Lingering sockets of a stopped job must not keep the process alive.
setTimeout(() => process.exit(code), 2000).unref();
