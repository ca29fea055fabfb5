import { EXIT_OK, type Command } from "../usage.js";
export const inferCommand: Command = { name: "infer", summary: "infer a schema", help: "", async run() { return EXIT_OK; } };
