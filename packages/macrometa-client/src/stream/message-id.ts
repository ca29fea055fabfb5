/**
 * Message ids. On the WebSocket wire a Pulsar message id is the base64 of its `MessageIdData`
 * protobuf: field 1 ledgerId (uint64), 2 entryId (uint64), 3 partition (int32, -1 when the topic is
 * not partitioned), 4 batchIndex (int32, -1 when the entry is not a batch), 5.. (ack set, batch
 * size, chunk id: irrelevant for ordering). Ids of one topic order by (ledger, entry, batchIndex),
 * which is what a source needs to say "everything up to X".
 * @packageDocumentation
 */
import { GdnError } from "../errors.js";

export interface MessageIdParts {
  ledgerId: bigint;
  entryId: bigint;
  /** -1 when absent (non-partitioned topic). */
  partition: number;
  /** -1 when absent (message not in a batch). */
  batchIndex: number;
}

/** An id that does not decode as MessageIdData. Not retryable: the same bytes fail again. */
export class InvalidMessageIdError extends GdnError {
  constructor(id: string, reason: string) {
    super(`invalid stream message id ${JSON.stringify(id.length > 40 ? id.slice(0, 37) + "..." : id)}: ${reason}`, {
      code: "INVALID_MESSAGE_ID",
      retryable: false,
    });
  }
}

const cache = new Map<string, MessageIdParts>();
const CACHE_MAX = 4096;

/** Decodes a base64 message id. Throws InvalidMessageIdError on anything but MessageIdData. */
export function decodeMessageId(id: string): MessageIdParts {
  const hit = cache.get(id);
  if (hit) return hit;
  const bytes = Buffer.from(id, "base64");
  if (bytes.length === 0) throw new InvalidMessageIdError(id, "empty");
  const out: MessageIdParts = { ledgerId: -1n, entryId: -1n, partition: -1, batchIndex: -1 };
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new InvalidMessageIdError(id, "truncated varint");
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new InvalidMessageIdError(id, "varint too long");
    }
  };
  // int32 fields are sign-extended to 64 bits on the wire (protobuf), so -1 is ten bytes.
  const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) out.ledgerId = v;
      else if (field === 2) out.entryId = v;
      else if (field === 3) out.partition = int32(v);
      else if (field === 4) out.batchIndex = int32(v);
    } else if (wire === 2) {
      const len = Number(varint());
      pos += len;
      if (pos > bytes.length) throw new InvalidMessageIdError(id, "truncated field");
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new InvalidMessageIdError(id, `unsupported wire type ${wire}`);
    }
  }
  if (out.ledgerId < 0n || out.entryId < 0n) throw new InvalidMessageIdError(id, "missing ledgerId or entryId");
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(id, out);
  return out;
}

/** Encodes parts as a base64 MessageIdData (what the server would send). */
export function encodeMessageId(parts: { ledgerId: bigint | number; entryId: bigint | number; partition?: number; batchIndex?: number }): string {
  const out: number[] = [];
  const varint = (v: bigint) => {
    let x = BigInt.asUintN(64, v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      out.push(b);
    } while (x > 0n);
  };
  out.push(0x08);
  varint(BigInt(parts.ledgerId));
  out.push(0x10);
  varint(BigInt(parts.entryId));
  if (parts.partition !== undefined && parts.partition !== -1) {
    out.push(0x18);
    varint(BigInt(parts.partition));
  }
  if (parts.batchIndex !== undefined && parts.batchIndex !== -1) {
    out.push(0x20);
    varint(BigInt(parts.batchIndex));
  }
  return Buffer.from(out).toString("base64");
}

/** Orders two ids of the same topic: negative when `a` came first, 0 when they are the same message. */
export function compareMessageIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = decodeMessageId(a);
  const y = decodeMessageId(b);
  if (x.ledgerId !== y.ledgerId) return x.ledgerId < y.ledgerId ? -1 : 1;
  if (x.entryId !== y.entryId) return x.entryId < y.entryId ? -1 : 1;
  if (x.batchIndex !== y.batchIndex) return x.batchIndex < y.batchIndex ? -1 : 1;
  return 0;
}

/** `ledger:entry[:batch]`, for logs and error messages. */
export function formatMessageId(id: string): string {
  try {
    const p = decodeMessageId(id);
    return `${p.ledgerId}:${p.entryId}${p.batchIndex >= 0 ? `:${p.batchIndex}` : ""}`;
  } catch {
    return id;
  }
}
