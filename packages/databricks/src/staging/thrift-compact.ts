/**
 * The write half of Thrift's compact protocol, which Parquet uses for page headers and the file
 * footer (parquet-format's parquet.thrift). Only what those structures need: i32/i64 as zigzag
 * varints, binary, lists, nested structs and boolean fields; field ids are written as deltas.
 * @packageDocumentation
 */
import { Bytes } from "./parquet-columns.js";

/** Compact-protocol type ids (thrift's TCompactProtocol). */
export const enum CType {
  True = 1,
  False = 2,
  I32 = 5,
  I64 = 6,
  Binary = 8,
  List = 9,
  Struct = 12,
}

const utf8 = new TextEncoder();

export class CompactWriter {
  private readonly out = new Bytes(4096);
  /** Last field id of each open struct: ids are written as deltas from it. */
  private readonly lastIds: number[] = [0];

  private byte(b: number): void {
    this.out.push(b);
  }

  private varint(n: number): void {
    this.out.varint(n);
  }

  private zigzag(n: number): void {
    // Numbers stay exact up to 2^52 here: offsets and counts in a file are far below that.
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private fieldHeader(id: number, type: number): void {
    const last = this.lastIds[this.lastIds.length - 1]!;
    const delta = id - last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastIds[this.lastIds.length - 1] = id;
  }

  i32(id: number, v: number): void {
    this.fieldHeader(id, CType.I32);
    this.zigzag(v);
  }

  i64(id: number, v: number): void {
    this.fieldHeader(id, CType.I64);
    this.zigzag(v);
  }

  bool(id: number, v: boolean): void {
    this.fieldHeader(id, v ? CType.True : CType.False);
  }

  string(id: number, v: string): void {
    this.fieldHeader(id, CType.Binary);
    this.rawString(v);
  }

  private rawString(v: string): void {
    const bytes = utf8.encode(v);
    this.varint(bytes.length);
    this.out.ensure(bytes.length);
    this.out.buf.set(bytes, this.out.length);
    this.out.length += bytes.length;
  }

  private listHeader(size: number, elementType: number): void {
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  listI32(id: number, values: readonly number[]): void {
    this.fieldHeader(id, CType.List);
    this.listHeader(values.length, CType.I32);
    for (const v of values) this.zigzag(v);
  }

  listString(id: number, values: readonly string[]): void {
    this.fieldHeader(id, CType.List);
    this.listHeader(values.length, CType.Binary);
    for (const v of values) this.rawString(v);
  }

  /** A list of structs, each written by `write`. */
  listStruct<T>(id: number, values: readonly T[], write: (w: CompactWriter, v: T) => void): void {
    this.fieldHeader(id, CType.List);
    this.listHeader(values.length, CType.Struct);
    for (const v of values) {
      this.lastIds.push(0);
      write(this, v);
      this.byte(0);
      this.lastIds.pop();
    }
  }

  /** A struct-valued field whose fields `write` writes. */
  struct(id: number, write: (w: CompactWriter) => void): void {
    this.fieldHeader(id, CType.Struct);
    this.lastIds.push(0);
    write(this);
    this.byte(0);
    this.lastIds.pop();
  }

  /** Ends the top-level struct and returns its bytes. */
  finish(): Uint8Array {
    this.byte(0);
    return this.out.bytes;
  }
}
