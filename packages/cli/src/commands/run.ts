import { EXIT_OK, type Command } from "../usage.js";
export const runCommand: Command = { name: "run", summary: "run a job spec", help: "", async run() { return EXIT_OK; } };
