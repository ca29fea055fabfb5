/**
 * `com.macrometa.spark.collection[.MacrometaTableProvider]`: the table provider and its table.
 * @packageDocumentation
 */
import {
  stringifyJson,
  type CaseInsensitiveOptions,
  type LogicalWriteInfo,
  type ProviderContext,
  type ScanBuilder,
  StructType,
  type Table,
  type TableCapability,
  type TableProvider,
  type WriteBuilder,
} from "@macrometa-spark/core";
import { type GdnHttpClient, gdnClientFor, tenantDisagreement, tenantWarning } from "@macrometa-spark/macrometa-client";
import { type CollectionOptions, FORMAT_NAMES, parseCollectionOptions } from "./options.js";
import { CollectionScan, preflight, readOptionsFor, sampleDocuments, schemaFromSample, withCorruptColumn } from "./read.js";
import { CollectionBatchWrite } from "./write.js";
import { CollectionStreamingWrite } from "./stream-write.js";
import { collectionError } from "./error-codes.js";

export class CollectionTable implements Table {
  readonly name: string;
  readonly capabilities: ReadonlySet<TableCapability> = new Set<TableCapability>(["BATCH_READ", "BATCH_WRITE", "STREAMING_WRITE", "TRUNCATE", "OVERWRITE", "ACCEPT_ANY_SCHEMA"]);

  constructor(
    readonly client: GdnHttpClient,
    readonly opts: CollectionOptions,
    readonly schema: StructType,
    private readonly ctx: ProviderContext,
    private readonly readOpts: CollectionOptions | undefined,
  ) {
    this.name = `${opts.fabric}.${opts.collection}`;
  }

  newScanBuilder(options: CaseInsensitiveOptions): ScanBuilder {
    const opts = this.readOpts ?? parseCollectionOptions(options, "read");
    return { build: () => new CollectionScan(this.client, opts, this.schema, this.ctx) };
  }

  newWriteBuilder(info: LogicalWriteInfo): WriteBuilder {
    const opts = parseCollectionOptions(info.options, "write");
    // The server would reject every document for a key attribute the rows do not have.
    if (opts.primaryKey !== undefined && info.schema.fieldIndex(opts.primaryKey) < 0) {
      throw info.options.error("primaryKey", `no column '${opts.primaryKey}' in the data (columns: ${info.schema.fieldNames.join(", ")})`);
    }
    const ensureCollection = async (): Promise<boolean> => {
      const { signal, logger } = this.ctx;
      const { exists } = await preflight(this.client, opts, "write", signal);
      if (!exists) {
        logger.info("collection write: creating the collection", { collection: opts.collection, fabric: opts.fabric });
        try {
          await this.client.createCollection(opts.collection, {}, signal);
        } catch (err) {
          // 409: created meanwhile (another writer, or our own lost answer) — fine.
          if (!((err as { status?: number }).status === 409)) throw err;
        }
      }
      return exists;
    };
    return {
      buildForStreaming: async () => {
        const write = new CollectionStreamingWrite(this.client, opts, info, this.ctx);
        await ensureCollection();
        return write;
      },
      buildForBatch: async () => {
        const { signal, logger } = this.ctx;
        const exists = await ensureCollection();
        let discard = false;
        let truncated = false;
        if (exists && info.mode !== "append") {
          const count = await this.client.collectionCount(opts.collection, signal);
          if (info.mode === "errorifexists" && count > 0) {
            throw collectionError("TABLE_NOT_EMPTY", { collection: opts.collection, count }, { context: { collection: opts.collection, fabric: opts.fabric } });
          }
          if (info.mode === "ignore" && count > 0) {
            logger.info("collection write: collection not empty, nothing written (save mode ignore)", { collection: opts.collection, count });
            discard = true;
          }
          if (info.mode === "overwrite" && count > 0) {
            // Not atomic: readers see an empty or partly written collection until the import ends,
            // and a failed import leaves it that way.
            logger.warn("collection write: truncating before import (overwrite is not atomic)", { collection: opts.collection, count });
            await this.client.truncateCollection(opts.collection, signal);
            truncated = true;
          }
        }
        return new CollectionBatchWrite(this.client, opts, info.schema, this.ctx, discard, truncated);
      },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Schemas `inferSchema` produced, with the options it checked: `getTable` right after (what a
 * session does) need not run the same pre-flight again. Kept in memory only; never logged.
 */
const preflighted = new WeakMap<StructType, string>();

function optionsFingerprint(options: CaseInsensitiveOptions): string {
  const entries = Object.entries(options.toRecord()).map(([k, v]) => [k.toLowerCase(), v] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return stringifyJson(entries);
}

export class MacrometaCollectionProvider implements TableProvider {
  readonly formats = FORMAT_NAMES;
  readonly supportsExternalMetadata = true;

  /** Pre-flight, then the schema of the first `schemaSampleSize` documents of the query. */
  async inferSchema(options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<StructType> {
    const opts = parseCollectionOptions(options, "read");
    const client = gdnClientFor(opts, ctx);
    try {
      await preflight(client, opts, "read", ctx.signal);
      const sample = await sampleDocuments(client, opts, ctx.signal);
      const schema = schemaFromSample(sample, opts);
      preflighted.set(schema, optionsFingerprint(options));
      ctx.logger.info("collection read: schema inferred", { collection: opts.collection, sampled: sample.length, schema: schema.simpleString() });
      return schema;
    } finally {
      await client.close();
    }
  }

  /**
   * The table. With a schema, it is a read (the user's, read PERMISSIVE unless `mode` says
   * otherwise; or the inferred one, DROPMALFORMED by default, where PERMISSIVE adds the
   * corrupt-record column when missing) and the read pre-flight runs here; without one, a write.
   */
  async getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table> {
    // Options are validated (and fail, naming the option) before anything touches the network.
    const readOpts = schema ? readOptionsFor(schema, parseCollectionOptions(options, "read"), options.has("mode")) : undefined;
    const opts = readOpts ?? parseCollectionOptions(options, "write");
    const d = tenantDisagreement(options.getString("tenant"), opts);
    if (d) ctx.logger.warn(tenantWarning(d, `collections are reached through regionUrl and fabric as that ${d.from === "apiKey" ? "key's" : "JWT's"} tenant; the 'tenant' option changes nothing here — fix or remove it`), { option: "tenant", collection: opts.collection });
    const client = gdnClientFor(opts, ctx);
    try {
      if (readOpts && !(schema && preflighted.get(schema) === optionsFingerprint(options))) await preflight(client, readOpts, "read", ctx.signal);
    } catch (err) {
      await client.close();
      throw err;
    }
    return new CollectionTable(client, opts, schema && readOpts ? withCorruptColumn(schema, readOpts) : (schema ?? new StructType([])), ctx, readOpts);
  }
}
