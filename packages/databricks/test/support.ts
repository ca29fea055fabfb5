/**
 * Shared by the sink's tests: drives one streaming epoch through the StreamingWrite contract, as the
 * streaming engine does (a writer per partition, its commit message, the driver-side commit).
 */
import type { Row, StreamingWrite } from "@macrometa-spark/core";

export async function epoch(sw: StreamingWrite, epochId: number, rows: Row[]): Promise<void> {
  const w = await sw.createWriter(0, epochId);
  await w.write(rows);
  await sw.commit(epochId, [await w.commit()]);
}
