/**
 * @packageDocumentation Table provider for `com.macrometa.spark.collection` (and its
 * `.MacrometaTableProvider` class name). Importing this package registers both names.
 */
import { registerProvider } from "@macrometa-spark/core";
import { MacrometaCollectionProvider } from "./provider.js";

export * from "./options.js";
export * from "./provider.js";
export * from "./read.js";
export * from "./write.js";

/** The provider instance registered on import. */
export const collectionProvider = new MacrometaCollectionProvider();
registerProvider(collectionProvider);
