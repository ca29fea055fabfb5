/**
 * `com.macrometa.spark.stream[.MacrometaTableProvider]`: a GDN stream (or a collection's change
 * stream) as a micro-batch source and a streaming sink.
 * @packageDocumentation
 */
import {
  CaseInsensitiveOptions,
  SchemaError,
  inferSchema as inferJsonSchema,
  type LogicalWriteInfo,
  type MicroBatchStream,
  type ProviderContext,
  type Scan,
  type ScanBuilder,
  type StreamingWrite,
  StructType,
  type Table,
  type TableCapability,
  type TableProvider,
  type WriteBuilder,
} from "@macrometa-spark/core";
import { StreamReader, messageText, tenantDisagreement, tenantWarning } from "@macrometa-spark/macrometa-client";
import { FORMAT_NAMES, parseStreamOptions, type StreamFormatOptions } from "./options.js";
import { resolveEvolution, tableSchema, withRescueColumn } from "./schema.js";
import { StreamSinkWrite } from "./sink.js";
import { MacrometaMicroBatchStream } from "./source.js";

/**
 * Reads the first `schemaSampleSize` payloads with a reader (no subscription: nothing is consumed
 * or acknowledged). Waits up to `schemaInferenceTimeoutMs` for the first message, then up to
 * 1 s for each further one.
 */
export async function peekPayloads(o: StreamFormatOptions, ctx: ProviderContext): Promise<string[]> {
  const reader = await StreamReader.open({
    wsBase: o.wsBase,
    apiKey: o.apiKey,
    auth: o.auth,
    topic: o.topic,
    startMessageId: "earliest",
    receiverQueueSize: Math.min(o.schemaSampleSize, 1000),
    idleTimeoutMs: o.idleTimeoutMs,
    logger: ctx.logger,
  });
  const texts: string[] = [];
  try {
    while (texts.length < o.schemaSampleSize) {
      const m = await reader.receive(texts.length === 0 ? o.schemaInferenceTimeoutMs : Math.min(1000, o.schemaInferenceTimeoutMs));
      if (!m) break;
      texts.push(messageText(m));
    }
  } finally {
    await reader.close();
  }
  return texts;
}

export class MacrometaStreamProvider implements TableProvider {
  readonly formats = FORMAT_NAMES;
  readonly supportsExternalMetadata = true;

  async inferSchema(options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<StructType> {
    const o = parseStreamOptions(options);
    const texts = await peekPayloads(o, ctx);
    if (texts.length === 0) {
      throw new SchemaError(
        `stream ${o.topic.topic} has no message to infer a schema from within ${o.schemaInferenceTimeoutMs} ms; give a schema (readStream.schema) or publish first`,
        { stream: o.topic.topic, option: "schemaInferenceTimeoutMs" },
      );
    }
    const payload = inferJsonSchema(texts, { strategy: "mostCommon", sampleSize: o.schemaSampleSize, columnNameOfCorruptRecord: o.columnNameOfCorruptRecord });
    // An inferred schema evolves by default, and shows the rescued-data column it will be read with.
    const schema = tableSchema(withRescueColumn(payload, resolveEvolution(o, true)), o);
    inferred.add(schema);
    return schema;
  }

  async getTable(schema: StructType | undefined, options: CaseInsensitiveOptions, ctx: ProviderContext): Promise<Table> {
    const parsed = parseStreamOptions(options);
    const d = tenantDisagreement(options.getString("tenant"), { apiKey: parsed.apiKey });
    if (d) ctx.logger.warn(tenantWarning(d, `the stream is addressed under '${d.option}' (${parsed.topic.fullName}), where this key is likely refused; leave 'tenant' out to use the key's`), { option: "tenant", stream: parsed.stream });
    if (!schema) return new MacrometaStreamTable(parsed, options, undefined, ctx);
    const o = resolveEvolution(parsed, inferred.has(schema));
    return new MacrometaStreamTable(o, options, tableSchema(withRescueColumn(schema, o), o), ctx);
  }
}

/** Schemas inferSchema produced (as opposed to a user's `.schema(…)`): they default to addNewColumns. */
const inferred = new WeakSet<StructType>();

const EMPTY = new StructType([]);
const CAPABILITIES: ReadonlySet<TableCapability> = new Set<TableCapability>(["MICRO_BATCH_READ", "STREAMING_WRITE", "ACCEPT_ANY_SCHEMA"]);

export class MacrometaStreamTable implements Table {
  readonly name: string;
  readonly capabilities = CAPABILITIES;
  private readonly streams = new Set<MacrometaMicroBatchStream>();
  private readonly writes = new Set<StreamSinkWrite>();

  constructor(
    readonly o: StreamFormatOptions,
    private readonly options: CaseInsensitiveOptions,
    private readonly tableSchema: StructType | undefined,
    private readonly ctx: ProviderContext,
  ) {
    this.name = `macrometa stream ${o.topic.topic} (fabric ${o.fabric})`;
  }

  /** The read schema; empty for a table opened to be written (the sink accepts any schema). */
  get schema(): StructType {
    return this.tableSchema ?? EMPTY;
  }

  newScanBuilder(options: CaseInsensitiveOptions): ScanBuilder {
    const o = options.keys().length > 0 ? { ...parseStreamOptions(this.options.with(options)), schemaEvolutionMode: this.o.schemaEvolutionMode, rescuedDataColumn: this.o.rescuedDataColumn } : this.o;
    if (!this.tableSchema) throw new SchemaError(`${this.name}: no schema (reading needs one: give it or let it be inferred)`, { stream: this.o.topic.topic });
    const schema = this.tableSchema;
    const table = this;
    const scan: Scan = {
      readSchema: () => schema,
      description: () => `MacrometaStream[${o.topic.fullName}]`,
      toMicroBatchStream(checkpointLocation: string): MicroBatchStream {
        const s = new MacrometaMicroBatchStream(o, schema, table.ctx, checkpointLocation);
        table.streams.add(s);
        return s;
      },
    };
    return { build: () => scan };
  }

  newWriteBuilder(info: LogicalWriteInfo): WriteBuilder {
    const o = parseStreamOptions(this.options.with(info.options));
    return {
      buildForStreaming: (): StreamingWrite => {
        const w = new StreamSinkWrite(o, info, this.ctx);
        this.writes.add(w);
        return w;
      },
    };
  }

  async close(): Promise<void> {
    for (const s of this.streams) await s.stop();
    for (const w of this.writes) await w.close();
    this.streams.clear();
    this.writes.clear();
  }
}

export const macrometaStreamProvider = new MacrometaStreamProvider();
