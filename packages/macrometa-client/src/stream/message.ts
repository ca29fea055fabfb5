/**
 * A delivered stream message, as the proxy sends it. The payload stays base64 until asked for, so a
 * buffered message costs about its wire size.
 * @packageDocumentation
 */

export interface StreamMessage {
  /** Base64 MessageIdData; order with `compareMessageIds`. */
  readonly messageId: string;
  /** Base64 payload, as on the wire. */
  readonly payload: string;
  readonly properties: Readonly<Record<string, string>>;
  /** `yyyy-MM-dd HH:mm:ss.SSS` as the proxy formats it (server time). */
  readonly publishTime: string;
  readonly redeliveryCount: number;
  readonly key: string | undefined;
}

/** The payload as UTF-8 text. */
export function messageText(m: StreamMessage): string {
  return Buffer.from(m.payload, "base64").toString("utf8");
}

/** The payload bytes. */
export function messageBytes(m: StreamMessage): Buffer {
  return Buffer.from(m.payload, "base64");
}

/** A frame from the proxy that is a delivered message, or undefined. */
export function parseDelivery(frame: Record<string, unknown>): StreamMessage | undefined {
  if (typeof frame.messageId !== "string" || typeof frame.payload !== "string") return undefined;
  const props = frame.properties && typeof frame.properties === "object" ? (frame.properties as Record<string, string>) : {};
  return {
    messageId: frame.messageId,
    payload: frame.payload,
    properties: props,
    publishTime: typeof frame.publishTime === "string" ? frame.publishTime : "",
    redeliveryCount: typeof frame.redeliveryCount === "number" ? frame.redeliveryCount : 0,
    key: typeof frame.key === "string" ? frame.key : undefined,
  };
}

/**
 * `yyyy-MM-dd HH:mm:ss.SSS` (or ISO) → epoch ms, undefined if unparseable. Pulsar's proxy formats
 * in the server's zone without saying which; UTC is assumed.
 */
export function publishTimeMs(publishTime: string): number | undefined {
  if (!publishTime) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(publishTime) ? publishTime.replace(" ", "T") + "Z" : publishTime;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}
