/**
 * Document ⇄ row codecs: the decoder (matching rules and parse modes are documented in
 * `codec/decode`), the row writers, and the option types. Only these names leave the folder.
 * @packageDocumentation
 */
export { PARSE_MODES, type ParseMode, type FieldMatching, type DocumentDecoderOptions } from "./options.js";
export { createDocumentDecoder, withCorruptRecordColumn, objectToRow, type DocumentDecoder, type CompiledDocumentDecoder } from "./decode.js";
export { rowToObject, rowToJson, type RowToJsonOptions } from "./encode.js";
export { createRescuingDecoder, withRescuedDataColumn, RESCUED_DATA_COLUMN, type RescueOptions, type RescuingDecoder } from "./rescue.js";
