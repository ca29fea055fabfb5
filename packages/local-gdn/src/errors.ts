/**
 * GDN error envelope `{error, code, errorNum, errorMessage}` and the errorNums the live server uses.
 * @packageDocumentation
 */
import { LOCAL_GDN_ERRORS, gdnErrorMessage, type LocalGdnErrorCode } from "./error-codes.js";

export const ErrorNum = {
  BAD_PARAMETER: 10,
  FORBIDDEN: 11,
  HTTP_NOT_FOUND: 404,
  HTTP_BAD_PARAMETER: 400,
  CONFLICT: 1200,
  DOCUMENT_NOT_FOUND: 1202,
  COLLECTION_NOT_FOUND: 1203,
  DOCUMENT_KEY_BAD: 1221,
  DUPLICATE_NAME: 1207,
  ILLEGAL_NAME: 1208,
  UNIQUE_CONSTRAINT: 1210,
  DOCUMENT_TYPE_INVALID: 1227,
  FABRIC_NOT_FOUND: 1228,
  QUERY_KILLED: 1500,
  QUERY_PARSE: 1501,
  QUERY_EMPTY: 1502,
  QUERY_NUMBER_OUT_OF_RANGE: 1504,
  QUERY_VARIABLE_NAME_UNKNOWN: 1512,
  QUERY_BIND_PARAMETER_MISSING: 1551,
  QUERY_BIND_PARAMETER_UNDECLARED: 1552,
  QUERY_BIND_PARAMETER_TYPE: 1553,
  CURSOR_NOT_FOUND: 1600,
  INVALID_API_KEY_ID: 100015,
  STREAM_NOT_FOUND: 100016,
  DATACENTER_NOT_FOUND: 102024,
} as const;

/** An error answered to the client as an envelope; `extra` fields join the envelope (e.g. `_rev`). */
export class GdnHttpError extends Error {
  constructor(
    readonly code: number,
    readonly errorNum: number,
    message: string,
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  envelope(): Record<string, unknown> {
    return { error: true, code: this.code, errorNum: this.errorNum, errorMessage: this.message, ...this.extra };
  }
}

/**
 * The error of `code` (error-codes.ts) as an envelope-carrying error. `extra` fields join the
 * envelope (e.g. `_rev`); `status` overrides the table's where one code has two (see the table).
 */
export function gdnFail(
  code: LocalGdnErrorCode,
  values: Readonly<Record<string, unknown>> = {},
  options: { extra?: Record<string, unknown>; headers?: Record<string, string>; status?: number } = {},
): GdnHttpError {
  const entry = LOCAL_GDN_ERRORS[code];
  return new GdnHttpError(options.status ?? entry.status, entry.errorNum, gdnErrorMessage(code, values), options.extra, options.headers);
}

export const notFoundDocument = (): GdnHttpError => gdnFail("DOCUMENT_NOT_FOUND");
export const notFoundCollection = (name: string): GdnHttpError => gdnFail("COLLECTION_NOT_FOUND", { name });
export const notFoundFabric = (): GdnHttpError => gdnFail("FABRIC_NOT_FOUND");
export const badParameter = (message: string): GdnHttpError => gdnFail("BAD_PARAMETER", { message });
export const uniqueViolation = (collection: string): GdnHttpError => gdnFail("UNIQUE_KEY_VIOLATED", { collection });
export const queryError = (message: string): GdnHttpError => gdnFail("QUERY_PARSE", { message });
