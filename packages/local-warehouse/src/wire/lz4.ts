/**
 * @packageDocumentation
 * LZ4 frames for Arrow batches, when the driver sends `canDecompressLZ4Result` (it does with
 * `useLZ4Compression` on and CloudFetch off): each `TSparkArrowBatch.batch` is one LZ4 *frame* (magic
 * 0x184D2204), which the driver decodes with lz4-napi's `decompressFrameSync` (utils/lz4.js of
 * @databricks/sql 2.1.0), and the metadata says `lz4Compressed`.
 *
 * The encoder is lz4-napi too, the library the driver decodes with: maintained, prebuilt for every
 * platform inside its registry packages (nothing is built or downloaded at install). The pure-JS LZ4
 * packages on npm are unmaintained (lz4js's last release is from 2017). It is loaded on first use; if
 * it cannot load on some platform, results go out uncompressed with `lz4Compressed: false`, which the
 * driver reads as well.
 */
import { createRequire } from "node:module";

type Lz4 = { compressFrameSync(data: Buffer): Buffer };
let loaded: Lz4 | null | undefined;

function lz4(): Lz4 | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("lz4-napi") as Lz4;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** True when batches can be compressed here. */
export const lz4Available = (): boolean => lz4() !== undefined;

/** One LZ4 frame holding `bytes`. */
export function lz4Frame(bytes: Uint8Array): Buffer {
  const codec = lz4();
  if (!codec) throw new Error("lz4-napi is not available");
  return codec.compressFrameSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
