/**
 * What `read`, `write` and `writeStream` share: a format name and options, set Spark-style by
 * chained calls. Options keep JS values; each provider validates them case-insensitively.
 * @packageDocumentation
 */
import type { OptionValue } from "./options.js";

export abstract class FormatOptionsBuilder {
  protected formatName: string | undefined;
  protected readonly opts: Record<string, OptionValue> = {};

  /** The format: a short name (`json`) or a provider's full class name. */
  format(name: string): this {
    this.formatName = name;
    return this;
  }
  option(key: string, value: OptionValue): this {
    this.opts[key] = value;
    return this;
  }
  options(values: Record<string, unknown>): this {
    Object.assign(this.opts, values);
    return this;
  }
}
