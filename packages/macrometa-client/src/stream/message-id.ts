/**
 * Message ids. On the WebSocket wire a Pulsar message id is the base64 of its `MessageIdData`
 * protobuf: field 1 ledgerId (uint64), 2 entryId (uint64), 3 partition (int32, -1 when the topic is
 * not partitioned), 4 batchIndex (int32, -1 when the entry is not a batch), 5.. (ack set, batch
 * size, chunk id: irrelevant for ordering). Ids of one topic order by (ledger, entry, batchIndex),
 * which is what a source needs to say "everything up to X". That holds within one partition only:
 * the partitions of a partitioned topic are separate ledgers with no common order, so ids of
 * different partitions do not compare (`compareMessageIds` throws rather than guess).
 * @packageDocumentation
 */
import { fillTemplate } from "@macrometa-spark/kit";
import { GDN_ERROR_CODES } from "../error-codes.js";
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
    const entry = GDN_ERROR_CODES.INVALID_MESSAGE_ID;
    super(fillTemplate(entry.message, { id: JSON.stringify(id.length > 40 ? id.slice(0, 37) + "..." : id), reason }), { code: "INVALID_MESSAGE_ID", retryable: entry.retryable });
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

/** (ledger, entry, batch) as numbers when they fit (always, in practice): the ordering hot path. */
interface OrderKey {
  l: number;
  e: number;
  b: number;
  /** Partition index; -1 when absent (non-partitioned topic). */
  p: number;
  /** Set when a value exceeded 2^53: compare through `decodeMessageId` instead. */
  big: boolean;
}

const keys = new Map<string, OrderKey>();
const KEYS_MAX = 65_536;
const B64 = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;
const scratch = new Uint8Array(64);

/**
 * Reads fields 1 to 4 straight from the base64 text, without a Buffer, BigInt or closures:
 * sources compare ids for every message they buffer, acknowledge or read.
 */
function orderKey(id: string): OrderKey {
  const hit = keys.get(id);
  if (hit) return hit;
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < id.length && n < scratch.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 61) break; // '='
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) throw new InvalidMessageIdError(id, "not base64");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      scratch[n++] = (acc >> bits) & 0xff;
    }
  }
  const key: OrderKey = { l: -1, e: -1, b: -1, p: -1, big: false };
  let pos = 0;
  const fallback = (): OrderKey => {
    const p = decodeMessageId(id);
    return { l: Number(p.ledgerId), e: Number(p.entryId), b: p.batchIndex, p: p.partition, big: true };
  };
  while (pos < n) {
    const tag = scratch[pos++]!;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== 0 || field > 15) return remember(id, fallback());
    let v = 0;
    let mul = 1;
    let byte: number;
    let len = 0;
    do {
      if (pos >= n) throw new InvalidMessageIdError(id, "truncated varint");
      byte = scratch[pos++]!;
      v += (byte & 0x7f) * mul;
      mul *= 128;
      len++;
    } while (byte & 0x80);
    if (len > 7) {
      // Beyond 2^49: a sign-extended negative int32 (partition/batch -1) or a huge ledger.
      if (field === 3) continue;
      return remember(id, fallback());
    }
    if (field === 1) key.l = v;
    else if (field === 2) key.e = v;
    else if (field === 3) key.p = v | 0; // int32, as decodeMessageId reads it
    else if (field === 4) key.b = v;
  }
  if (key.l < 0 || key.e < 0) throw new InvalidMessageIdError(id, "missing ledgerId or entryId");
  return remember(id, key);
}

function remember(id: string, key: OrderKey): OrderKey {
  if (keys.size >= KEYS_MAX) keys.clear();
  keys.set(id, key);
  return key;
}

/** Partition index of an id, -1 when the topic is not partitioned (cheap: shares the ordering cache). */
export function messageIdPartition(id: string): number {
  return orderKey(id).p;
}

/**
 * Ids of two partitions of a partitioned topic: they have no common order (each partition is its
 * own ledger sequence). Not retryable: the same ids fail again.
 */
export class IncomparableMessageIdsError extends GdnError {
  constructor(a: string, b: string, pa: number, pb: number) {
    const entry = GDN_ERROR_CODES.INCOMPARABLE_MESSAGE_IDS;
    super(fillTemplate(entry.message, { a: formatMessageId(a), pa, b: formatMessageId(b), pb }), { code: "INCOMPARABLE_MESSAGE_IDS", retryable: entry.retryable });
  }
}

/**
 * Orders two ids of the same topic (and partition): negative when `a` came first, 0 when they are
 * the same message. Throws IncomparableMessageIdsError when they are of different partitions.
 */
export function compareMessageIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = orderKey(a);
  const y = orderKey(b);
  if (x.p !== y.p) throw new IncomparableMessageIdsError(a, b, x.p, y.p);
  if (x.big || y.big) {
    const p = decodeMessageId(a);
    const q = decodeMessageId(b);
    if (p.ledgerId !== q.ledgerId) return p.ledgerId < q.ledgerId ? -1 : 1;
    if (p.entryId !== q.entryId) return p.entryId < q.entryId ? -1 : 1;
    return p.batchIndex === q.batchIndex ? 0 : p.batchIndex < q.batchIndex ? -1 : 1;
  }
  if (x.l !== y.l) return x.l < y.l ? -1 : 1;
  if (x.e !== y.e) return x.e < y.e ? -1 : 1;
  if (x.b !== y.b) return x.b < y.b ? -1 : 1;
  return 0;
}

/** `ledger:entry[:batch]` (`ledger:entry:batch@pN` for partition N), for logs and error messages. */
export function formatMessageId(id: string): string {
  try {
    const p = decodeMessageId(id);
    return `${p.ledgerId}:${p.entryId}${p.batchIndex >= 0 ? `:${p.batchIndex}` : ""}${p.partition >= 0 ? `@p${p.partition}` : ""}`;
  } catch {
    return id;
  }
}
