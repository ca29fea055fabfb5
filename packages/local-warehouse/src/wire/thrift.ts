/**
 * @packageDocumentation
 * The Thrift runtime and the TCLIService code generated for the real driver. We load the driver's own
 * generated code (rather than generating our own) so the server and the client agree on every field id.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const generatedPath = require.resolve("@databricks/sql/thrift/TCLIService.js");
// Resolve from the generated code's folder so node-int64 and thrift are the very copies it uses.
const generatedRequire = createRequire(generatedPath);

/** The generated Processor; the handler's methods must each take exactly one argument. */
export interface ThriftProcessor {
  process(input: unknown, output: unknown): void;
}

interface ThriftTransportClass {
  new (buffer?: Buffer, onFlush?: (message: Buffer) => void): unknown;
  receiver(callback: (transport: { commitPosition(): void }) => void): (data: Buffer) => void;
}

interface Int64Class {
  new (value: Buffer | number): { buffer: Buffer };
}

const thriftLib = generatedRequire("thrift") as {
  TBufferedTransport: ThriftTransportClass;
  TBinaryProtocol: new (transport: unknown) => unknown;
};

export const TBufferedTransport = thriftLib.TBufferedTransport;
export const TBinaryProtocol = thriftLib.TBinaryProtocol;
export const Int64 = generatedRequire("node-int64") as Int64Class;

const service = require(generatedPath) as { Processor: new (handler: object) => ThriftProcessor };
export const TCLIServiceProcessor = service.Processor;

/** Enum values of the generated types; only the ones this server speaks. */
export const TTypeId = {
  BOOLEAN: 0,
  TINYINT: 1,
  SMALLINT: 2,
  INT: 3,
  BIGINT: 4,
  FLOAT: 5,
  DOUBLE: 6,
  STRING: 7,
  TIMESTAMP: 8,
  BINARY: 9,
  ARRAY: 10,
  MAP: 11,
  STRUCT: 12,
  DECIMAL: 15,
  NULL: 16,
  DATE: 17,
  INTERVAL_YEAR_MONTH: 20,
  INTERVAL_DAY_TIME: 21,
} as const;

export const TStatusCode = { SUCCESS: 0, ERROR: 3, INVALID_HANDLE: 4 } as const;
export const TOperationState = { RUNNING: 1, FINISHED: 2, CANCELED: 3, CLOSED: 4, ERROR: 5 } as const;
export const TSparkRowSetType = { ARROW_BASED_SET: 0, COLUMN_BASED_SET: 1 } as const;
export const TFetchOrientation = { FETCH_NEXT: 0, FETCH_FIRST: 4 } as const;
/** SPARK_CLI_SERVICE_PROTOCOL_V8: the first version the driver sends named parameters to. */
export const PROTOCOL_V8 = 42248;

/** The subset of request shapes the handler reads (the generated .d.ts needs @types/thrift, absent here). */
export interface THandleIdentifier {
  guid: Buffer;
  secret: Buffer;
}
export interface TSessionHandle {
  sessionId: THandleIdentifier;
}
export interface TOperationHandle {
  operationId: THandleIdentifier;
  operationType: number;
  hasResultSet: boolean;
}
export interface TSparkParameter {
  ordinal?: number | null;
  name?: string | null;
  type?: string | null;
  value?: { stringValue?: string | null } | null;
}
