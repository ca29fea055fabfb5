/**
 * A reader (`/_ws/ws/v2/reader/...?messageId=`): reads a topic from a position without a
 * subscription, so it never moves anyone's cursor (what schema inference must use to peek).
 * The proxy limits unacknowledged deliveries to a reader too, so each message is acked as it is
 * handed out (flow control only). After a reconnect it resumes after the last message handed out,
 * and anything at or before that is dropped.
 * @packageDocumentation
 */
import type { StreamConnectionOptions } from "./connection.js";
import { compareMessageIds } from "./message-id.js";
import type { StreamMessage } from "./message.js";
import { Receiver } from "./receiver.js";
import { buildWsUrl, type ResolvedTopic } from "./topic.js";

export interface ReaderOptions extends StreamConnectionOptions {
  topic: ResolvedTopic;
  /** `earliest`, `latest`, or a base64 message id to start after. Default: "earliest". */
  startMessageId?: string;
  /** Default: 1000. */
  receiverQueueSize?: number;
  readerName?: string;
}

export class StreamReader extends Receiver {
  private last: string | undefined;
  private lastAccepted: string | undefined;

  private constructor(readonly options: ReaderOptions) {
    super({ ...options, label: options.label ?? `${options.topic.topic} (reader)` }, options.receiverQueueSize ?? 1000);
  }

  static async open(options: ReaderOptions): Promise<StreamReader> {
    const r = new StreamReader(options);
    await r.start(() =>
      buildWsUrl(options.wsBase, "reader", options.topic, undefined, {
        messageId: r.lastAccepted ?? options.startMessageId ?? "earliest",
        receiverQueueSize: r.queueLimit,
        readerName: options.readerName,
      }),
    );
    return r;
  }

  /** The last message handed out. */
  get position(): string | undefined {
    return this.last;
  }

  protected accept(m: StreamMessage): boolean {
    if (this.lastAccepted !== undefined) {
      let cmp = 1;
      try {
        cmp = compareMessageIds(m.messageId, this.lastAccepted);
      } catch {
        cmp = m.messageId === this.lastAccepted ? 0 : 1;
      }
      if (cmp <= 0) {
        this.socket.send({ messageId: m.messageId });
        return false;
      }
    }
    this.lastAccepted = m.messageId;
    return true;
  }

  protected delivered(m: StreamMessage): void {
    this.last = m.messageId;
    this.socket.send({ messageId: m.messageId });
  }
}
