/**
 * Every C8QL function local-gdn runs, by upper-case name.
 * @packageDocumentation
 */
import { arrayFunctions } from "./arrays.js";
import { dateFunctions } from "./dates.js";
import { documentFunctions } from "./documents.js";
import type { FunctionTable } from "./registry.js";
import { stringFunctions } from "./strings.js";
import { typeFunctions } from "./types.js";

export const FUNCTIONS: FunctionTable = { ...typeFunctions, ...stringFunctions, ...arrayFunctions, ...documentFunctions, ...dateFunctions };

export { AGGREGATES, average, length, sum, unique } from "./arrays.js";
export { checkArity, type FunctionContext, type FunctionDef } from "./registry.js";
