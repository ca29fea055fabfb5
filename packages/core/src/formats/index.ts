/**
 * Registers the built-in formats (`memory`, `json`, `console`, `rate`) when core is imported, as a
 * provider package does on import.
 * @packageDocumentation
 */
import { type FormatRegistry, defaultRegistry } from "../registry.js";
import { ConsoleProvider, type ConsoleProviderOptions } from "./console.js";
import { JsonProvider } from "./json.js";
import { MemoryProvider } from "./memory.js";
import { RateProvider } from "./rate.js";

export interface BuiltinFormatOptions {
  /** Where the console format prints. Default: process.stdout. */
  console?: ConsoleProviderOptions;
}

/** Registers fresh built-in providers in `registry` (each registry gets its own memory tables). */
export function registerBuiltinFormats(registry: FormatRegistry, options: BuiltinFormatOptions = {}): FormatRegistry {
  return registry
    .register(new MemoryProvider())
    .register(new JsonProvider())
    .register(new ConsoleProvider(options.console))
    .register(new RateProvider());
}

if (!defaultRegistry().has("memory")) registerBuiltinFormats(defaultRegistry());
