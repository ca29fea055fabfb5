/**
 * Formats by name, as Spark's DataSource lookup: the full class name and the short name both
 * resolve, case-insensitively. Importing a provider package registers it with the default
 * registry (Spark's service loading). The default registry hangs off a `Symbol.for` key so two
 * copies of core in one process still share it.
 * @packageDocumentation
 */
import type { TableProvider } from "./contracts.js";
import { coreError } from "./error-codes.js";

export class FormatRegistry {
  private readonly byName = new Map<string, TableProvider>();

  register(provider: TableProvider): this {
    for (const name of provider.formats) this.byName.set(name.toLowerCase(), provider);
    return this;
  }
  has(format: string): boolean {
    return this.byName.has(format.toLowerCase());
  }
  lookup(format: string): TableProvider {
    const p = this.byName.get(format.toLowerCase());
    if (!p) {
      throw coreError("UNKNOWN_FORMAT", { format, problem: `is not registered (known: ${[...this.byName.keys()].sort().join(", ")}); import its package first` }, { context: { format } });
    }
    return p;
  }
  formats(): string[] {
    return [...this.byName.keys()].sort();
  }
}

const KEY = Symbol.for("macrometa-spark.default-registry");

export function defaultRegistry(): FormatRegistry {
  const g = globalThis as unknown as Record<symbol, FormatRegistry | undefined>;
  return (g[KEY] ??= new FormatRegistry());
}

/** Registers a provider with the default registry (what a provider package does on import). */
export function registerProvider(provider: TableProvider): void {
  defaultRegistry().register(provider);
}
