/**
 * Picks the write method of a write: `volume` (Parquet files + one load) or `insert` (staging tables).
 * @packageDocumentation
 */
import type { DeltaWriteCore, WriteMethod } from "./core.js";
import { InsertMethod } from "./insert-method.js";
import { VolumeMethod } from "./volume-method.js";

export function createWriteMethod(core: DeltaWriteCore, streaming: boolean): WriteMethod {
  return core.options.writeMethod === "volume" ? new VolumeMethod(core, streaming) : new InsertMethod(core, streaming);
}
