/**
 * Message ids as the Pulsar WebSocket proxy writes them: base64 of a `MessageIdData` protobuf
 * (field 1 ledgerId, field 2 entryId, optional 3 partition, 4 batchIndex). Clients treat the id as
 * opaque, but some (the Scala connector) parse it, so it has to be the real encoding.
 * @packageDocumentation
 */

export interface MessageId {
  ledgerId: number;
  entryId: number;
  partition?: number;
  batchIndex?: number;
}

function pushVarint(out: number[], value: number): void {
  // int32 fields with negative values are sign-extended to 64 bits, i.e. always 10 bytes.
  if (value < 0) {
    let big = BigInt.asUintN(64, BigInt(value));
    while (big >= 0x80n) {
      out.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    out.push(Number(big));
    return;
  }
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

export function encodeMessageId(id: MessageId): string {
  const bytes: number[] = [0x08];
  pushVarint(bytes, id.ledgerId);
  bytes.push(0x10);
  pushVarint(bytes, id.entryId);
  if (id.partition !== undefined && id.partition >= 0) {
    bytes.push(0x18);
    pushVarint(bytes, id.partition);
  }
  if (id.batchIndex !== undefined && id.batchIndex >= 0) {
    bytes.push(0x20);
    pushVarint(bytes, id.batchIndex);
  }
  return Buffer.from(bytes).toString("base64");
}

// Reader state for `decodeMessageId`, kept at module level so the hot ack path allocates no closure.
let buf: Buffer = Buffer.alloc(0);
let pos = 0;

/**
 * Numbers, not BigInt: this runs for every ack. Ids beyond 2^53 do not occur here, and a sign-extended
 * negative int32 (partition/batchIndex -1) only needs to be recognised as "absent".
 */
function readVarint(): number | undefined {
  let result = 0;
  let scale = 1;
  while (pos < buf.length) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return result;
    scale *= 128;
    if (scale > 2 ** 70) return undefined;
  }
  return undefined;
}

/** Parses a base64 MessageIdData; undefined when it is not one (unknown fields are skipped). */
export function decodeMessageId(text: string): MessageId | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > 200) return undefined;
  buf = Buffer.from(text, "base64");
  pos = 0;
  let ledgerId: number | undefined;
  let entryId: number | undefined;
  let partition: number | undefined;
  let batchIndex: number | undefined;
  while (pos < buf.length) {
    const tag = readVarint();
    if (tag === undefined) return undefined;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const v = readVarint();
      if (v === undefined) return undefined;
      if (field === 1) ledgerId = v;
      else if (field === 2) entryId = v;
      else if (field === 3 && v < 2 ** 31) partition = v;
      else if (field === 4 && v < 2 ** 31) batchIndex = v;
    } else if (wire === 2) {
      const len = readVarint();
      if (len === undefined) return undefined;
      pos += len;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      return undefined;
    }
    if (pos > buf.length) return undefined;
  }
  if (ledgerId === undefined || entryId === undefined) return undefined;
  const id: MessageId = { ledgerId, entryId };
  if (partition !== undefined) id.partition = partition;
  if (batchIndex !== undefined) id.batchIndex = batchIndex;
  return id;
}
