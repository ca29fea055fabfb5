/**
 * The `mmspark` dispatcher: picks the verb, maps failures to exit codes (0 ok, 1 failure,
 * 2 usage) and prints errors without secrets.
 * @packageDocumentation
 */
import { hasErrorCode, isMacrometaSparkError, redactText } from "@macrometa-spark/core";
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, type Command, type Io } from "./usage.js";
import { jobsCommand, submitCommand } from "./commands/submit.js";
import { readFileSync } from "node:fs";
import { didYouMean } from "./suggest.js";

const commands: Command[] = [submitCommand, jobsCommand];

/** Verbs added by other modules (run, infer, local, demo) register here. */
export function registerCommand(c: Command): void {
  const i = commands.findIndex((x) => x.name === c.name);
  if (i >= 0) commands[i] = c;
  else commands.push(c);
}

/** The version of @macrometa-spark/cli (its package.json, next to dist/ and src/). */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: mmspark <verb> [options]   (mmspark <verb> --help for details; mmspark --version)

Verbs:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted (Ctrl-C before the work was done).
`;
}

export async function main(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === "--help" || verb === "-h" || verb === "help") {
    io.out(topHelp());
    return verb ? 0 : EXIT_USAGE;
  }
  if (verb === "--version" || verb === "-v" || verb === "version") {
    io.out(`mmspark ${cliVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === verb);
  if (!command) {
    io.err(`mmspark: unknown verb '${verb}'${didYouMean(verb, commands.map((c) => c.name))}\n\n${topHelp()}`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io, signal);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`mmspark ${verb}: ${err.message}\n\n${err.help ?? command.help}`);
      return EXIT_USAGE;
    }
    if (signal.aborted && hasErrorCode(err, "ABORTED")) {
      io.err(`mmspark ${verb}: ${redactText(err instanceof Error ? err.message : String(err))}\n`);
      return EXIT_INTERRUPTED;
    }
    const code = isMacrometaSparkError(err) ? ` [${err.code}]` : "";
    io.err(`mmspark ${verb}: ${redactText(err instanceof Error ? err.message : String(err))}${code}\n`);
    if (io.env["MMSPARK_DEBUG"] && err instanceof Error && err.stack) io.err(redactText(err.stack) + "\n");
    return EXIT_FAILURE;
  }
}
