/**
 * The `databricks` format: a Delta table (or a query) reached through a Databricks SQL
 * warehouse. Registered with core's default registry when the package is imported.
 * @packageDocumentation
 */
import {
  CaseInsensitiveOptions,
  StructType,
  type LogicalWriteInfo,
  type ProviderContext,
  type Table,
  type TableCapability,
  type TableProvider,
  type WriteBuilder,
} from "@macrometa-spark/core";
import { DatabricksConnection, type ConnectionHooks } from "./client.js";
import { displayTableName } from "./identifiers.js";
import { DATABRICKS_FORMATS } from "./option-table.js";
import { parseReadOptions, parseWriteOptions } from "./options.js";

export { DATABRICKS_FORMATS };
import { DatabricksScanBuilder, readSchema } from "./read.js";
import { hasChangeFeedOptions } from "./change-feed/options.js";
import { withChangeColumns } from "./change-feed/plan.js";
import { DeltaBatchWrite } from "./write/batch.js";
import { DeltaStreamingWrite } from "./write/streaming.js";


const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>(["BATCH_READ", "BATCH_WRITE", "MICRO_BATCH_READ", "STREAMING_WRITE", "TRUNCATE", "OVERWRITE", "ACCEPT_ANY_SCHEMA"]);

function isReadOptions(o: CaseInsensitiveOptions): boolean {
  return o.has("query") || o.has("params") || o.has("fetchSize") || hasChangeFeedOptions(o);
}

class DatabricksTable implements Table {
  readonly capabilities = CAPABILITIES;
  constructor(
    readonly name: string,
    readonly schema: StructType,
    private readonly options: CaseInsensitiveOptions,
    private readonly ctx: ProviderContext,
    private readonly hooks: ConnectionHooks,
  ) {}

  newScanBuilder(options: CaseInsensitiveOptions): DatabricksScanBuilder {
    const read = parseReadOptions(this.options.with(options));
    return new DatabricksScanBuilder(read, this.schema, this.ctx);
  }

  newWriteBuilder(info: LogicalWriteInfo): WriteBuilder {
    const opts = new CaseInsensitiveOptions(this.options.with(info.options), "databricks");
    const write = parseWriteOptions(opts);
    const ctx = this.ctx;
    const hooks = this.hooks;
    return {
      buildForBatch: () => DeltaBatchWrite.create(write, info, ctx, hooks),
      buildForStreaming: () => DeltaStreamingWrite.create(write, info, ctx, hooks),
    };
  }
}

export class DatabricksTableProvider implements TableProvider {
  readonly formats = DATABRICKS_FORMATS;
  /** A write needs no schema from the table: the DataFrame's schema creates or checks it. */
  readonly supportsExternalMetadata = true;
  constructor(private readonly hooks: ConnectionHooks = {}) {}

  async inferSchema(options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<StructType> {
    const read = parseReadOptions(new CaseInsensitiveOptions(options, "databricks"));
    const conn = await DatabricksConnection.open(read.connection, { logger: ctx.logger, ...this.hooks });
    try {
      const schema = await readSchema(conn, read);
      return read.changeFeed.readChangeFeed ? withChangeColumns(schema) : schema;
    } finally {
      await conn.close();
    }
  }

  async getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table> {
    const opts = new CaseInsensitiveOptions(options, "databricks");
    if (!opts.has("table") && !opts.has("query")) throw opts.error("table", "is required (or 'query' for a read)");
    let name = "databricks query";
    if (opts.has("table")) {
      // Validate the connection and table options now, so a bad option fails before any I/O.
      const w = isReadOptions(opts) ? parseReadOptions(opts).target! : parseWriteOptionsLenient(opts);
      name = displayTableName(w);
    } else {
      parseReadOptions(opts);
    }
    return new DatabricksTable(name, schema ?? new StructType([]), opts, ctx, this.hooks);
  }
}

/** The target of a write from options that may also carry read-only names (validated later). */
function parseWriteOptionsLenient(o: CaseInsensitiveOptions) {
  try {
    return parseWriteOptions(o).target;
  } catch (err) {
    // A read through getTable may carry read options parseWriteOptions does not know.
    if (err instanceof Error && /unknown option/.test(err.message)) return parseReadOptions(o).target!;
    throw err;
  }
}

