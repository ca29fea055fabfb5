/** Registers the verbs that need the whole runtime (providers, local peers). */
import { registerCommand } from "../main.js";
import { demoCommand } from "./demo.js";
import { inferCommand } from "./infer.js";
import { localCommand } from "./local.js";
import { runCommand } from "./run.js";
import { sqlCommand } from "./sql.js";

for (const c of [runCommand, inferCommand, localCommand, demoCommand, sqlCommand]) registerCommand(c);
