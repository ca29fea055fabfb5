/**
 * Registers the built-in formats (`memory`, `json`, `console`, `rate`) when core is imported, as a
 * provider package does on import.
 * @packageDocumentation
 */
import { type FormatRegistry, defaultRegistry } from "../registry.js";
import { MemoryProvider } from "./memory.js";

/** Registers fresh built-in providers in `registry` (each registry gets its own memory tables). */
export function registerBuiltinFormats(registry: FormatRegistry): FormatRegistry {
  return registry.register(new MemoryProvider());
}

if (!defaultRegistry().has("memory")) registerBuiltinFormats(defaultRegistry());
