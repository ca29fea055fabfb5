/**
 * The GDN `errorNum` values the client and its callers act on, by name, as the live service sends
 * them (HTTP status / errorNum pairs recorded against a live GDN: shared reference
 * macrometa-wire-contract.md §4). A bare number anywhere else is a bug waiting to be misread.
 * @packageDocumentation
 */
export const GDN_ERROR_NUM = {
  /** 400: a parameter the server does not accept. */
  BAD_PARAMETER: 10,
  /** 401: the key or token may not do this. */
  FORBIDDEN: 11,
  /** 412 (single) or per item (bulk): `_rev` does not match. */
  CONFLICT: 1200,
  /** 404: no document with that key. */
  DOCUMENT_NOT_FOUND: 1202,
  /** 404: no collection or view of that name. */
  COLLECTION_NOT_FOUND: 1203,
  /** 409, or per item in an import: a document with that `_key` exists. */
  UNIQUE_CONSTRAINT_VIOLATED: 1210,
  /** 404: no fabric of that name. */
  FABRIC_NOT_FOUND: 1228,
  /** 410: the query was killed. */
  QUERY_KILLED: 1500,
  /** 400: the C8QL does not parse. */
  QUERY_PARSE: 1501,
  /** 404: no cursor of that id (an exhausted cursor is deleted by the server). */
  CURSOR_NOT_FOUND: 1600,
  /** 404: no API key of that id. */
  API_KEY_NOT_FOUND: 100015,
  /** 404: no stream of that name. */
  STREAM_NOT_FOUND: 100016,
} as const;

export type GdnErrorName = keyof typeof GDN_ERROR_NUM;

const NAMES = new Map<number, GdnErrorName>(Object.entries(GDN_ERROR_NUM).map(([name, num]) => [num, name as GdnErrorName]));

/** The name of an `errorNum` (`1203` → `COLLECTION_NOT_FOUND`), or undefined for one we do not know. */
export function gdnErrorName(errorNum: number | undefined): GdnErrorName | undefined {
  return errorNum === undefined ? undefined : NAMES.get(errorNum);
}
