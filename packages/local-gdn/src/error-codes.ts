/**
 * Every error local-gdn answers with, once: the HTTP status, the GDN `errorNum` and the message
 * template (`{name}` slots filled by the raising site), each as the live service answers it
 * (../shared/reference/macrometa-recordings/ and the wire contract). Raising sites name a code and
 * give values (`gdnFail`); they never restate a status, number or wording, so one mistake answers
 * the same everywhere it is made.
 * @packageDocumentation
 */

interface GdnErrorEntry {
  /** HTTP status of the answer (also the envelope's `code`). */
  readonly status: number;
  readonly errorNum: number;
  /** `errorMessage`, with `{name}` slots. */
  readonly message: string;
}

export const LOCAL_GDN_ERRORS = Object.freeze({
  // request shape
  METHOD_NOT_SUPPORTED: { status: 405, errorNum: 405, message: "method not supported" },
  UNKNOWN_PATH: { status: 404, errorNum: 404, message: "unknown path" },
  UNKNOWN_PATH_AT: { status: 404, errorNum: 404, message: "unknown path {path}" },
  UNKNOWN_PATH_QUOTED: { status: 404, errorNum: 404, message: "unknown path '{path}'" },
  BODY_NOT_JSON: { status: 400, errorNum: 600, message: "VPackError error: {reason}" },
  BAD_PARAMETER: { status: 400, errorNum: 10, message: "{message}" },
  INTERNAL: { status: 500, errorNum: 4, message: "internal server error" },
  /** Injected by the fault plan (faults.ts), as the GDN's gateway answers. */
  TOO_MANY_REQUESTS: { status: 429, errorNum: 429, message: "too many requests" },
  SERVICE_UNAVAILABLE: { status: 503, errorNum: 503, message: "service unavailable" },
  // credentials
  NOT_AUTHORIZED: { status: 401, errorNum: 11, message: "not authorized to execute this request" },
  WRONG_CREDENTIALS: { status: 401, errorNum: 11, message: "wrong credentials" },
  FORBIDDEN: { status: 403, errorNum: 11, message: "forbidden" },
  API_KEY_ID_INVALID: { status: 404, errorNum: 100015, message: "invalid api key id" },
  // fabrics, collections, indexes
  SYSTEM_DATABASE_ONLY: { status: 403, errorNum: 1230, message: "operation only allowed in system database" },
  FABRIC_NOT_FOUND: { status: 404, errorNum: 1228, message: "database not found" },
  DATACENTER_NOT_FOUND: { status: 404, errorNum: 102024, message: "Datacenter does not exist" },
  ILLEGAL_NAME: { status: 400, errorNum: 1208, message: "illegal name" },
  DUPLICATE_NAME: { status: 409, errorNum: 1207, message: "duplicate name" },
  COLLECTION_NOT_FOUND: { status: 404, errorNum: 1203, message: "collection or view not found: {name}" },
  INDEX_NOT_FOUND: { status: 404, errorNum: 1212, message: "index not found" },
  INDEX_NAME_DUPLICATE: { status: 409, errorNum: 1207, message: "duplicate value: an index with this name exists" },
  PRIMARY_INDEX_UNDROPPABLE: { status: 403, errorNum: 11, message: "cannot drop the primary index" },
  // documents
  DOCUMENT_NOT_FOUND: { status: 404, errorNum: 1202, message: "document not found" },
  DOCUMENT_TYPE_INVALID: { status: 400, errorNum: 1227, message: "invalid document type" },
  DOCUMENT_KEY_INVALID: { status: 400, errorNum: 1221, message: "invalid document key" },
  DOCUMENT_KEY_ILLEGAL: { status: 400, errorNum: 1221, message: "illegal document key" },
  PRIMARY_KEY_MISSING: { status: 400, errorNum: 1221, message: "primary key attribute '{attribute}' is missing or not a scalar" },
  USER_KEYS_NOT_ALLOWED: { status: 400, errorNum: 1222, message: "collection does not allow using user-defined keys" },
  CONFLICT: { status: 412, errorNum: 1200, message: "precondition failed" },
  UNIQUE_KEY_VIOLATED: {
    status: 409,
    errorNum: 1210,
    message: "Each document in a collection must have a unique key, and the provided one is already used in collection '{collection}'.",
  },
  /** 409 on a write; a unique index built over existing duplicates answers 400 (the raising site says). */
  UNIQUE_INDEX_VIOLATED: {
    status: 409,
    errorNum: 1210,
    message: "unique constraint violated - in index {index} of type {type} over '{fields}'; conflicting key: {key}",
  },
  // queries and cursors
  QUERY_PARSE: { status: 400, errorNum: 1501, message: "{message}" },
  SQL_UNSUPPORTED: { status: 400, errorNum: 1501, message: "unsupported: SQL queries (_api/cursor/sql) are not supported by local-gdn; use C8QL" },
  QUERY_VARIABLE_UNKNOWN: { status: 400, errorNum: 1512, message: "unknown variable '{name}' at position {position}" },
  QUERY_FUNCTION_ARGUMENT_COUNT: {
    status: 400,
    errorNum: 1541,
    message: "invalid number of arguments for function '{name}()', expected number of arguments: minimum: {min}, maximum: {max}",
  },
  QUERY_BIND_PARAMETER_MISSING: { status: 400, errorNum: 1551, message: "no value specified for declared bind parameter '{name}' (while parsing)" },
  QUERY_BIND_PARAMETER_UNDECLARED: { status: 400, errorNum: 1552, message: "bind parameter '{name}' was not declared in the query (while parsing)" },
  QUERY_BIND_PARAMETER_TYPE: { status: 400, errorNum: 1553, message: "bind parameter '@{name}' has an invalid value or type (while parsing)" },
  QUERY_ARRAY_EXPECTED: { status: 400, errorNum: 1563, message: "query error: FOR loop over a value that is not an array" },
  CURSOR_ID_INVALID: { status: 400, errorNum: 400, message: "invalid cursor ID" },
  CURSOR_NOT_FOUND: { status: 404, errorNum: 1600, message: "cursor not found" },
  // streams (REST and WebSocket upgrades)
  STREAM_NOT_FOUND: { status: 404, errorNum: 100016, message: "stream not found: {name}" },
  STREAM_EXISTS: { status: 409, errorNum: 1207, message: "stream already exists: {name}" },
  STREAM_NAME_TOO_LONG: { status: 400, errorNum: 10, message: "stream name longer than {max} characters" },
  STREAM_METHOD_NOT_ALLOWED: { status: 405, errorNum: 405, message: "method {method} not allowed" },
  STREAM_ROUTE_UNKNOWN: { status: 404, errorNum: 404, message: "unknown streams route: {method} {path}" },
  STREAM_TTL_INVALID: { status: 400, errorNum: 10, message: "ttl must be a whole number of seconds" },
  SUBSCRIPTION_NOT_FOUND: { status: 404, errorNum: 1202, message: "subscription not found: {name}" },
  SUBSCRIPTION_BUSY: { status: 412, errorNum: 1200, message: "subscription {name} has active consumers" },
  SUBSCRIPTION_BUSY_ON: { status: 412, errorNum: 1200, message: "subscription {name} has active consumers on {stream}" },
  SUBSCRIPTION_REFUSED: { status: 409, errorNum: 2, message: "{reason}" },
  SUBSCRIPTION_TYPE_UNKNOWN: { status: 400, errorNum: 10, message: "unknown subscriptionType {type}" },
  WS_PATH_UNKNOWN: { status: 404, errorNum: 404, message: "unknown WebSocket path" },
  WS_PATH_INVALID: { status: 400, errorNum: 10, message: "expected /_ws/ws/v2/<producer|consumer|reader>/persistent/<tenant>/<namespace>/<topic>{subscription}" },
  WS_MESSAGE_ID_INVALID: { status: 400, errorNum: 10, message: "messageId must be earliest, latest or a base64 message id" },
  WS_INTERNAL: { status: 500, errorNum: 8, message: "internal error" },
  STREAM_PATH_MALFORMED: { status: 400, errorNum: 10, message: "malformed percent-encoding in the stream path" },
  STREAM_BROKER_INTERNAL: { status: 500, errorNum: 4, message: "internal error in the stream broker" },
} satisfies Record<string, GdnErrorEntry>);

export type LocalGdnErrorCode = keyof typeof LOCAL_GDN_ERRORS;

/**
 * The message of `code` with its slots filled (a slot without a value stays as written). Not kit's
 * fillTemplate: local-gdn depends on nothing of the code it is a test peer for.
 */
export function gdnErrorMessage(code: LocalGdnErrorCode, values: Readonly<Record<string, unknown>> = {}): string {
  return LOCAL_GDN_ERRORS[code].message.replace(/\{(\w+)\}/g, (slot, name: string) => (values[name] === undefined ? slot : String(values[name])));
}
