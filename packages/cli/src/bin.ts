#!/usr/bin/env -S node --
/**
 * The `mmspark` executable. Ctrl-C (or SIGTERM) asks the running verb to stop: a batch write
 * aborts at its next row batch, a stream stops once its current micro-batch commits (each verb says
 * which); a second one exits at once (130), and what that leaves staged the next run removes.
 * The `--` in the shebang: Node 20 reads `--env-file` from anywhere on its command line (even
 * after the script), which would swallow `mmspark local up --env-file`.
 */
import "./commands/register.js";
import { main } from "./main.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write("\ninterrupted: stopping (Ctrl-C again to exit at once)\n");
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
