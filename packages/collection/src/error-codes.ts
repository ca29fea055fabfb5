/**
 * The collection format's error codes. Raise them with {@link collectionError}.
 * @packageDocumentation
 */
import { type CodedErrorOptions, type MacrometaSparkError, defineErrorCodes, errorFromTable } from "@macrometa-spark/core";

export const COLLECTION_ERROR_CODES = defineErrorCodes({
  /** The fabric named by option 'fabric' does not exist. */
  FABRIC_NOT_FOUND: { retryable: false, message: "fabric '{fabric}' not found (option 'fabric')" },
  /** The GDN refused the key or token. */
  UNAUTHORIZED: { retryable: false, message: "the GDN refused the credentials (option 'apiKey'/'jwt'): {detail}" },
  /** A read of a collection that does not exist. */
  COLLECTION_NOT_FOUND: { retryable: false, message: "collection '{collection}' not found in fabric '{fabric}' (option 'collection')" },
  /** The key may not read (or write) the collection. */
  ACCESS_DENIED: { retryable: false, message: "the API key may not {purpose} collection '{collection}' (access '{access}', need {need})" },
  /** The GDN did not accept option 'query'. */
  INVALID_QUERY: { retryable: false, message: "option 'query': the GDN rejected the query: {detail}" },
  /** A cursor page was lost and the read cannot resume without risking a short result. */
  CURSOR_PAGE_LOST: { retryable: false, message: "collection read: a cursor page of '{collection}' was lost ({cause}) after {received} documents; {why}" },
  /** save mode errorifexists and the collection holds documents. */
  TABLE_NOT_EMPTY: { retryable: false, message: "collection '{collection}' already holds {count} documents (save mode errorifexists)" },
  /** An import answer was lost and repeating it could store documents twice. */
  WRITE_OUTCOME_UNKNOWN: {
    retryable: false,
    message:
      "import into '{collection}': the answer for {documents} documents was lost ({cause}) and they have no explicit keys, " +
      "so repeating the call could store them twice; give the rows a '_key' column or set 'primaryKey' to make writes retryable",
  },
  /** A streaming write met a row without a key (it applies rows by key). */
  MISSING_KEY: { retryable: false, message: "stream write into '{collection}': a row has no value in key column '{column}' (a streaming write applies rows by key)" },
  /** The server rejected documents and onDocumentError is 'fail'. */
  IMPORT_DOCUMENT_ERRORS: {
    retryable: false,
    message:
      "import into '{collection}': {rejected} documents were rejected by the server ({tally}); " +
      "{written} were written before the write stopped (onDocumentError 'fail'; use 'skip' with 'rejectsPath' to keep going)",
  },
});

export type CollectionErrorCode = keyof typeof COLLECTION_ERROR_CODES;

/** An error of one of the collection format's codes. */
export function collectionError(code: CollectionErrorCode, values: Readonly<Record<string, unknown>>, options?: CodedErrorOptions): MacrometaSparkError {
  return errorFromTable(COLLECTION_ERROR_CODES, code, values, options);
}
