/**
 * The leaf columns of a Parquet file, filled row by row: each converted value is shredded into its
 * leaves (Dremel's definition and repetition levels) as it arrives and written straight into the
 * bytes its page will hold (PLAIN encoding). Strings are UTF-8-encoded into one growing buffer per
 * column, numbers into typed buffers, so a row allocates nothing of its own and finishing a file is
 * a copy, not a second walk over every value.
 *
 * The shape follows what Spark's own writer produces and its reader maps back to the same Spark
 * types (ParquetSchemaConverter): every top-level column and struct field OPTIONAL; arrays as the
 * 3-level LIST (`optional group (LIST) { repeated group list { optional element } }`); maps as
 * `optional group (MAP) { repeated group key_value { required key; optional value } }`.
 * @packageDocumentation
 */
import type { DataType } from "@macrometa-spark/core";

/** Parquet physical types (parquet.thrift `Type`). */
export const enum Physical {
  Boolean = 0,
  Int32 = 1,
  Int64 = 2,
  Float = 4,
  Double = 5,
  ByteArray = 6,
  FixedLenByteArray = 7,
}

/**
 * A growable byte buffer with a DataView over it. A Node Buffer (unpooled), because its
 * `write(s, at, "utf8")` encodes a string in place about five times faster than TextEncoder.encodeInto
 * (measured on our rows' strings) and allocates nothing.
 */
export class Bytes {
  buf: Buffer;
  view: DataView;
  length = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafeSlow(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53 (thrift's and the RLE hybrid's varint). */
  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  /** Makes room for `n` bytes in an empty buffer at once (no growth steps, no copies). */
  reserve(n: number): void {
    if (this.length === 0 && this.buf.length < n) {
      this.buf = Buffer.allocUnsafeSlow(n);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  /** Writes a string as UTF-8 at the end, behind its 4-byte little-endian length (PLAIN BYTE_ARRAY). */
  string(v: string): void {
    const n = v.length;
    // At most 3 bytes per UTF-16 unit, plus the length prefix.
    this.ensure(4 + n * 3);
    const buf = this.buf;
    const at = this.length + 4;
    let written = n;
    if (n < 32) {
      // Short ASCII strings: a loop beats the call into C++; anything else goes to write().
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) {
          written = buf.write(v, at, "utf8");
          break;
        }
        buf[at + i] = c;
      }
    } else written = buf.write(v, at, "utf8");
    this.view.setUint32(this.length, written, true);
    this.length = at + written;
  }

  push(b: number): void {
    if (this.length === this.buf.length) this.ensure(1);
    this.buf[this.length++] = b;
  }

  get bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length);
  }
}

const TWO_32 = 4294967296;

/**
 * Levels as the RLE/bit-packing hybrid's RLE runs (`count << 1`, then the one-byte value), built as
 * levels arrive: a column without nulls is one run whatever its length, and finishing a page is a copy.
 */
export class LevelRuns {
  readonly runs = new Bytes(64);
  private value = -1;
  private count = 0;
  /** Levels appended. */
  length = 0;

  push(level: number): void {
    this.length++;
    if (level === this.value) {
      this.count++;
      return;
    }
    this.flush();
    this.value = level;
    this.count = 1;
  }

  private flush(): void {
    if (this.count === 0) return;
    this.runs.varint(this.count * 2);
    this.runs.push(this.value);
  }

  /** The encoded runs; no level may be pushed afterwards. */
  encoded(): Uint8Array {
    this.flush();
    this.count = 0;
    return this.runs.bytes;
  }

  /** Bytes the runs take so far. */
  get byteSize(): number {
    return this.runs.length + 6;
  }
}

/** One leaf column: its levels and its non-null values, already in PLAIN form. */
export class LeafColumn {
  readonly defs = new LevelRuns();
  readonly reps: LevelRuns | undefined;
  readonly values = new Bytes(4096);
  /** Non-null values written (for BOOLEAN, values holds one byte per value until packed). */
  valueCount = 0;

  constructor(
    /** Path from the top-level column to this leaf (parquet's path_in_schema). */
    readonly path: string[],
    readonly physical: Physical,
    readonly maxDef: number,
    readonly maxRep: number,
    /** Bytes of a FIXED_LEN_BYTE_ARRAY value. */
    readonly typeLength = 0,
  ) {
    this.reps = maxRep > 0 ? new LevelRuns() : undefined;
  }

  /** Level entries (values and nulls alike). */
  get levelCount(): number {
    return this.defs.length;
  }

  nullAt(def: number, rep: number): void {
    this.defs.push(def);
    this.reps?.push(rep);
  }

  /** Appends a present value at its leaf's full definition level. */
  value(v: unknown, rep: number): void {
    this.defs.push(this.maxDef);
    this.reps?.push(rep);
    this.valueCount++;
    const out = this.values;
    switch (this.physical) {
      case Physical.ByteArray: {
        if (typeof v === "string") out.string(v);
        else {
          const b = v as Uint8Array;
          out.ensure(4 + b.byteLength);
          out.view.setUint32(out.length, b.byteLength, true);
          out.buf.set(b, out.length + 4);
          out.length += 4 + b.byteLength;
        }
        return;
      }
      case Physical.Int64: {
        out.ensure(8);
        if (typeof v === "bigint") out.view.setBigInt64(out.length, v, true);
        else {
          const n = v as number;
          const hi = Math.floor(n / TWO_32);
          out.view.setUint32(out.length, n - hi * TWO_32, true);
          out.view.setInt32(out.length + 4, hi, true);
        }
        out.length += 8;
        return;
      }
      case Physical.Int32:
        out.ensure(4);
        out.view.setInt32(out.length, v as number, true);
        out.length += 4;
        return;
      case Physical.Double:
        out.ensure(8);
        out.view.setFloat64(out.length, v as number, true);
        out.length += 8;
        return;
      case Physical.Float:
        out.ensure(4);
        out.view.setFloat32(out.length, v as number, true);
        out.length += 4;
        return;
      case Physical.Boolean:
        out.push(v ? 1 : 0);
        return;
      case Physical.FixedLenByteArray: {
        // A decimal's unscaled value, big-endian two's complement in typeLength bytes.
        let x = BigInt.asUintN(this.typeLength * 8, v as bigint);
        out.ensure(this.typeLength);
        for (let i = this.typeLength - 1; i >= 0; i--) {
          out.buf[out.length + i] = Number(x & 0xffn);
          x >>= 8n;
        }
        out.length += this.typeLength;
        return;
      }
    }
  }

  /** Bytes buffered so far (levels and values). */
  get byteSize(): number {
    return this.defs.byteSize + (this.reps?.byteSize ?? 0) + this.values.length;
  }
}

/**
 * Shreds one value (already converted, see parquet-values.ts) into the leaves under its node.
 * `def` is the definition level its parent reached, `rep` the repetition level of its first entry.
 */
export interface Shredder {
  (v: unknown, def: number, rep: number): void;
  /** Every leaf under the node, for nulls of the whole subtree. */
  readonly leaves: LeafColumn[];
}

/** Bytes Spark uses for a DECIMAL of this precision in a FIXED_LEN_BYTE_ARRAY. */
export function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

function physicalOf(t: DataType): Physical {
  switch (t.kind) {
    case "string":
    case "null":
    case "binary":
      return Physical.ByteArray;
    case "long":
    case "timestamp":
      return Physical.Int64;
    case "integer":
    case "date":
      return Physical.Int32;
    case "double":
      return Physical.Double;
    case "float":
      return Physical.Float;
    case "boolean":
      return Physical.Boolean;
    case "decimal":
      return Physical.FixedLenByteArray;
    default:
      throw new Error(`not a primitive type: ${t.simpleString()}`);
  }
}

function nullsOf(leaves: LeafColumn[], def: number, rep: number): void {
  for (let i = 0; i < leaves.length; i++) leaves[i]!.nullAt(def, rep);
}

/**
 * Compiles the shredder of a node of type `t` named by `path`. `parentDef`/`parentRep` are the
 * maximum levels above it; `required` marks a map key (always present, adds no definition level).
 */
export function shredder(t: DataType, path: string[], parentDef: number, parentRep: number, required: boolean, out: LeafColumn[]): Shredder {
  const def = required ? parentDef : parentDef + 1;
  switch (t.kind) {
    case "struct": {
      const start = out.length;
      const children = t.fields.map((f) => shredder(f.dataType, [...path, f.name], def, parentRep, false, out));
      const leaves = out.slice(start);
      const n = children.length;
      const names = t.fields.map((f) => f.name);
      const s = (v: unknown, d: number, rep: number): void => {
        if (v === null || v === undefined) return nullsOf(leaves, d, rep);
        const o = v as Record<string, unknown>;
        const childDef = required ? d : d + 1;
        for (let i = 0; i < n; i++) children[i]!(o[names[i]!], childDef, rep);
      };
      return Object.assign(s, { leaves });
    }
    case "array": {
      // optional group (LIST) → repeated group list → optional element
      const repLevel = parentRep + 1;
      const start = out.length;
      const element = shredder(t.elementType, [...path, "list", "element"], def + 1, repLevel, false, out);
      const leaves = out.slice(start);
      const s = (v: unknown, d: number, rep: number): void => {
        if (v === null || v === undefined) return nullsOf(leaves, d, rep);
        const a = v as unknown[];
        const present = required ? d : d + 1;
        if (a.length === 0) return nullsOf(leaves, present, rep);
        for (let i = 0; i < a.length; i++) element(a[i], present + 1, i === 0 ? rep : repLevel);
      };
      return Object.assign(s, { leaves });
    }
    case "map": {
      // optional group (MAP) → repeated group key_value → required key, optional value
      const repLevel = parentRep + 1;
      const start = out.length;
      const key = shredder(t.keyType, [...path, "key_value", "key"], def + 1, repLevel, true, out);
      const value = shredder(t.valueType, [...path, "key_value", "value"], def + 1, repLevel, false, out);
      const leaves = out.slice(start);
      const s = (v: unknown, d: number, rep: number): void => {
        if (v === null || v === undefined) return nullsOf(leaves, d, rep);
        const entries = v as { key: unknown; value: unknown }[];
        const present = required ? d : d + 1;
        if (entries.length === 0) return nullsOf(leaves, present, rep);
        for (let i = 0; i < entries.length; i++) {
          const r = i === 0 ? rep : repLevel;
          key(entries[i]!.key, present + 1, r);
          value(entries[i]!.value, present + 1, r);
        }
      };
      return Object.assign(s, { leaves });
    }
    default: {
      const typeLength = t.kind === "decimal" ? decimalBytes(t.precision) : 0;
      const leaf = new LeafColumn(path, physicalOf(t), def, parentRep, typeLength);
      out.push(leaf);
      const s = (v: unknown, d: number, rep: number): void => {
        if (v === null || v === undefined) leaf.nullAt(d, rep);
        else leaf.value(v, rep);
      };
      return Object.assign(s, { leaves: [leaf] });
    }
  }
}
