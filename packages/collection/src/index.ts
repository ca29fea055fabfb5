/**
 * @packageDocumentation Table provider for `com.macrometa.spark.collection` (and its
 * `.MacrometaTableProvider` class name). Importing this package registers both names.
 */
import { registerProvider } from "@macrometa-spark/core";
import { MacrometaCollectionProvider } from "./provider.js";

export { parseCollectionOptions, defaultQuery, FORMAT_NAMES, KNOWN_OPTIONS, type CollectionOptions } from "./options.js";
export { COLLECTION_OPTIONS } from "./option-table.js";
export { MacrometaCollectionProvider, CollectionTable } from "./provider.js";
export { COLLECTION_ERROR_CODES, type CollectionErrorCode } from "./error-codes.js";
export { CollectionScan, type CollectionPartition } from "./read.js";
export { CollectionBatchWrite, CollectionDataWriter } from "./write.js";
export { CollectionStreamingWrite } from "./stream-write.js";

/** The provider instance registered on import. */
export const collectionProvider = new MacrometaCollectionProvider();
registerProvider(collectionProvider);
