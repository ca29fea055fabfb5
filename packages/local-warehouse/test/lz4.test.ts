/**
 * LZ4-compressed Arrow batches through the real driver. The driver sends `canDecompressLZ4Result`
 * only with `useLZ4Compression` on and CloudFetch off (ThriftSessionBackend.js of @databricks/sql
 * 2.1.0; facts sheet §7), and then decodes every `arrowBatches[].batch` as one LZ4 frame when the
 * metadata says `lz4Compressed` (ArrowResultHandler.js, utils/lz4.js). A batch sent raw under that
 * flag, or compressed without it, fails to decode, so equal rows prove the frames are right.
 */
import { expect, it } from "vitest";
import { useWarehouseSession } from "./client.js";

const ws = useWarehouseSession();

const QUERY =
  "SELECT id, repeat('ab', 500) AS text, CAST(id AS DECIMAL(10,2)) AS amount, date_add(DATE'2024-01-01', CAST(id % 300 AS INT)) AS day, array(id, id + 1) AS pair FROM range(5000) AS r(id)";

async function run(options: { useCloudFetch?: boolean; useLZ4Compression?: boolean }, maxRows = 1000) {
  const op = await ws.session.executeStatement(QUERY, { ...options, maxRows });
  try {
    const rows = (await op.fetchAll()) as Record<string, unknown>[];
    const metadata = await op.getResultMetadata();
    return { rows, lz4: metadata.lz4Compressed === true };
  } finally {
    await op.close();
  }
}

it("answers in LZ4 frames when the driver asks, with the same rows as uncompressed", async () => {
  const compressed = await run({ useCloudFetch: false, useLZ4Compression: true });
  const plain = await run({ useCloudFetch: false, useLZ4Compression: false });
  expect(compressed.lz4).toBe(true);
  expect(plain.lz4).toBe(false);
  expect(compressed.rows).toHaveLength(5000);
  expect(compressed.rows).toEqual(plain.rows);
  expect(compressed.rows[4999]).toMatchObject({ id: 4999, text: "ab".repeat(500), pair: [4999, 5000] });
});

it("stays uncompressed for the driver's defaults (CloudFetch on, so LZ4 is not offered)", async () => {
  const defaults = await run({});
  expect(defaults.lz4).toBe(false);
  expect(defaults.rows).toHaveLength(5000);
});
