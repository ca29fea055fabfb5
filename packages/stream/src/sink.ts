/**
 * The streaming sink: `writeStream` into a GDN stream. Each row becomes one JSON message (core's
 * `rowToJson`); sends are pipelined on one producer per query (up to `maxPendingMessages` in
 * flight), and an epoch's writer commits only after the server acknowledged every one of its sends.
 *
 * Guarantee: at-least-once into the stream. A stream has no transaction to tie to `(queryId,
 * epochId)`, so an epoch replayed after a crash (sent, not yet in `commits/`) is sent again. Every
 * message carries the property `mmspark-id` = `<queryId>:<epochId>:<partition>:<row>`, the same on a
 * replay, so a downstream reader can drop the second copy.
 *
 * Change rows (a `_change_type` column, as a Delta change feed yields them) are published as they
 * come, every change type included, keyed by `_key` unless `keyColumn` says otherwise, and tagged
 * with the property `mmspark-change-type` so a consumer can route them without parsing the payload.
 * @packageDocumentation
 */
import {
  rowToJson,
  type DataWriter,
  type LogicalWriteInfo,
  type ProviderContext,
  type RowBatch,
  type StreamingWrite,
  type StructType,
  type WriterCommitMessage,
} from "@macrometa-spark/core";
import { StreamProducer } from "@macrometa-spark/macrometa-client";
import type { StreamFormatOptions } from "./options.js";

/** Message property carrying the replay-stable id of a row. */
export const DEDUPE_PROPERTY = "mmspark-id";
/** Message property carrying a change row's `_change_type`. */
export const CHANGE_TYPE_PROPERTY = "mmspark-change-type";

export class StreamSinkWrite implements StreamingWrite {
  private producer: Promise<StreamProducer> | undefined;
  private readonly keyIndex: number;
  private schema: StructType;
  private readonly changeTypeIndex: number;

  constructor(
    private readonly o: StreamFormatOptions,
    private readonly info: LogicalWriteInfo,
    private readonly ctx: ProviderContext,
  ) {
    this.schema = info.schema;
    this.changeTypeIndex = info.schema.fieldIndex("_change_type");
    // A change row's identity is its document key: messages of one key keep their order downstream.
    const keyColumn = o.keyColumn ?? (this.changeTypeIndex >= 0 && info.schema.fieldIndex("_key") >= 0 ? "_key" : undefined);
    this.keyIndex = keyColumn === undefined ? -1 : info.schema.fieldIndex(keyColumn);
    if (o.keyColumn !== undefined && this.keyIndex < 0) {
      throw info.options.error("keyColumn", `no column '${o.keyColumn}' in the written schema (${info.schema.fieldNames.join(", ")})`);
    }
  }

  private getProducer(): Promise<StreamProducer> {
    this.producer ??= StreamProducer.open({
      wsBase: this.o.wsBase,
      apiKey: this.o.apiKey,
      auth: this.o.auth,
      topic: this.o.topic,
      maxPendingMessages: this.o.maxPendingMessages,
      idleTimeoutMs: this.o.idleTimeoutMs,
      logger: this.ctx.logger,
    }).catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  /** Messages are JSON with their field names: a widened schema's rows simply carry more fields (appended, so keyColumn keeps its index). */
  async evolveSchema(_epochId: number, schema: StructType): Promise<void> {
    this.schema = schema;
  }

  createWriter(partitionId: number, epochId: number): DataWriter {
    const schema = this.schema;
    const prefix = `${this.info.queryId}:${epochId}:${partitionId}:`;
    let n = 0;
    return {
      write: async (batch: RowBatch) => {
        const producer = await this.getProducer();
        for (const row of batch) {
          const key = this.keyIndex >= 0 ? row[this.keyIndex] : undefined;
          const change = this.changeTypeIndex >= 0 ? row[this.changeTypeIndex] : undefined;
          await producer.send({
            payload: rowToJson(schema, row),
            properties: { [DEDUPE_PROPERTY]: prefix + n++, ...(change === undefined || change === null ? {} : { [CHANGE_TYPE_PROPERTY]: String(change) }) },
            ...(key === undefined || key === null ? {} : { key: String(key) }),
          });
        }
      },
      commit: async (): Promise<WriterCommitMessage> => {
        if (n > 0) await (await this.getProducer()).flush();
        this.ctx.metrics.add("messagesSent", n);
        return { partitionId, epochId, messages: n };
      },
      abort: async () => {
        // Sent messages cannot be taken back; the replay re-sends them with the same mmspark-id.
      },
    };
  }

  async commit(_epochId: number, _messages: WriterCommitMessage[]): Promise<void> {
    // Every writer already waited for its acknowledgements; nothing more to make durable.
  }

  async abort(_epochId: number, _messages: WriterCommitMessage[]): Promise<void> {}

  async close(): Promise<void> {
    const p = await this.producer?.catch(() => undefined);
    this.producer = undefined;
    await p?.close();
  }
}
