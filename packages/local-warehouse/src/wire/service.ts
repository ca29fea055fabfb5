/**
 * @packageDocumentation
 * The TCLIService handler: sessions, operations and their fetch state. A statement that finishes quickly
 * is answered with its first page as direct results, so it is one round trip; a longer one is answered
 * RUNNING and polled (runAsync), and can be cancelled or time out meanwhile. Larger results stay here and
 * are paged out by FetchResults.
 */
import { randomUUID } from "node:crypto";
import { isSqlError, SqlError, sqlError } from "../errors.js";
import { ArrowEncoder, type ArrowNativeTypes } from "./arrow.js";
import { lz4Available, lz4Frame } from "./lz4.js";

/** What the driver asked of Arrow results: native types, and LZ4 frames around each batch. */
type ArrowRequest = ArrowNativeTypes & { lz4: boolean };
import { MetadataCalls, type MetadataRequest } from "./metadata.js";
import { encodeColumns, tableSchema, type ResultColumn, type ResultSource } from "./results.js";
import { Session } from "./session.js";
import {
  PROTOCOL_V8,
  TOperationState,
  TSparkRowSetType,
  TStatusCode,
  Int64,
  type THandleIdentifier,
  type TOperationHandle,
  type TSessionHandle,
  type TSparkParameter,
} from "./thrift.js";
import type { Warehouse } from "../warehouse.js";

interface Operation {
  session: SessionEntry;
  handle: TOperationHandle;
  state: number;
  error?: SqlError;
  source?: ResultSource;
  columns: readonly ResultColumn[];
  rowsSent: number;
  exhausted: boolean;
  /** Set when the client can read Arrow and the warehouse answers in Arrow. */
  arrow?: ArrowRequest;
  encoder?: ArrowEncoder;
}

interface SessionEntry {
  session: Session;
  operations: Set<string>;
  /** The operation DuckDB is running for this session now, if any. */
  running?: Operation | undefined;
}

const OK = { statusCode: TStatusCode.SUCCESS };

/** A handle id whose guid is a real UUID: the driver parses it as one. */
function newHandleId(): THandleIdentifier {
  return {
    guid: Buffer.from(randomUUID().replace(/-/g, ""), "hex"),
    secret: Buffer.from(randomUUID().replace(/-/g, ""), "hex"),
  };
}

const keyOf = (id: THandleIdentifier | undefined | null): string => (id?.guid ? Buffer.from(id.guid).toString("hex") : "");

function toNumber(value: unknown, fallback: number): number {
  if (typeof value === "number") return value;
  if (value && typeof (value as { toNumber?: unknown }).toNumber === "function") return (value as { toNumber(): number }).toNumber();
  return fallback;
}

const errorStatus = (message: string, code: number = TStatusCode.ERROR) => ({
  statusCode: code,
  errorMessage: message,
  infoMessages: [message],
});

/** How long ExecuteStatement waits for a runAsync statement before answering RUNNING (ms): a statement done by then costs one round trip. */
const ASYNC_REPLY_MS = 1000;

/** TOperationType of each RPC's operation. */
const OperationType = {
  EXECUTE_STATEMENT: 0,
  GET_TYPE_INFO: 1,
  GET_CATALOGS: 2,
  GET_SCHEMAS: 3,
  GET_TABLES: 4,
  GET_TABLE_TYPES: 5,
  GET_COLUMNS: 6,
  GET_FUNCTIONS: 7,
  UNKNOWN: 8,
} as const;

/** Default page size when a client asks for none. */
const DEFAULT_PAGE_ROWS = 10_000;

export interface ServiceStats {
  /** Open sessions. */
  sessions: number;
  /** Operations still holding results or state (closed ones are forgotten). */
  operations: number;
  /** RPCs served, by TCLIService method name. */
  rpcs: Record<string, number>;
}

export interface WarehouseServiceOptions {
  /**
   * Answer in Arrow (ARROW_BASED_SET) when the client says it can read it, as Databricks does; false
   * answers every client in the column format (COLUMN_BASED_SET). Default: true.
   */
  arrowResults?: boolean;
}

export class WarehouseService {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly operations = new Map<string, Operation>();
  private readonly rpcs: Record<string, number> = {};
  private readonly arrowResults: boolean;

  constructor(
    private readonly warehouse: Warehouse,
    options: WarehouseServiceOptions = {},
  ) {
    this.arrowResults = options.arrowResults ?? true;
  }

  stats(): ServiceStats {
    return { sessions: this.sessions.size, operations: this.operations.size, rpcs: { ...this.rpcs } };
  }

  /** The object handed to the generated Processor. Each method takes one argument and returns a promise. */
  handler(): object {
    const unsupportedRpc = (name: string) => async (_req: unknown) => ({
      status: errorStatus(`${name} is not supported by the local warehouse.`),
    });
    const methods: Record<string, (req: never) => Promise<unknown>> = {
      OpenSession: (req: OpenSessionReq) => this.openSession(req),
      CloseSession: (req: { sessionHandle: TSessionHandle }) => this.closeSession(req),
      GetInfo: async (_req: unknown) => ({ status: OK, infoValue: { stringValue: "Databricks SQL (local warehouse on DuckDB)" } }),
      ExecuteStatement: (req: ExecuteStatementReq) => this.executeStatement(req),
      GetOperationStatus: async (req: { operationHandle: TOperationHandle }) => this.operationStatus(req.operationHandle),
      GetResultSetMetadata: async (req: { operationHandle: TOperationHandle }) => this.resultSetMetadata(req.operationHandle),
      FetchResults: (req: FetchResultsReq) => this.fetchResults(req),
      CancelOperation: async (req: { operationHandle: TOperationHandle }) => this.cancelOperation(req.operationHandle),
      CloseOperation: async (req: { operationHandle: TOperationHandle }) => this.closeOperation(req.operationHandle),
      GetTypeInfo: this.metadataCall(OperationType.GET_TYPE_INFO, (m) => m.typeInfo()),
      GetCatalogs: this.metadataCall(OperationType.GET_CATALOGS, (m) => m.catalogs()),
      GetSchemas: this.metadataCall(OperationType.GET_SCHEMAS, (m, r) => m.schemas(r)),
      GetTables: this.metadataCall(OperationType.GET_TABLES, (m, r) => m.tables(r)),
      GetTableTypes: this.metadataCall(OperationType.GET_TABLE_TYPES, (m) => m.tableTypes()),
      GetColumns: this.metadataCall(OperationType.GET_COLUMNS, (m, r) => m.columns(r)),
      GetFunctions: this.metadataCall(OperationType.GET_FUNCTIONS, (m, r) => m.functions(r)),
      GetPrimaryKeys: this.metadataCall(OperationType.UNKNOWN, (m) => m.primaryKeys()),
      GetCrossReference: this.metadataCall(OperationType.UNKNOWN, (m) => m.crossReference()),
      GetDelegationToken: unsupportedRpc("GetDelegationToken"),
      CancelDelegationToken: unsupportedRpc("CancelDelegationToken"),
      RenewDelegationToken: unsupportedRpc("RenewDelegationToken"),
    };
    const counted: Record<string, (req: never) => Promise<unknown>> = {};
    for (const [name, method] of Object.entries(methods)) {
      // Exactly one declared parameter: the generated Processor picks the promise style by arity.
      counted[name] = (req: never) => {
        this.rpcs[name] = (this.rpcs[name] ?? 0) + 1;
        return method(req);
      };
    }
    return counted;
  }

  private async openSession(req: OpenSessionReq) {
    const catalog = req.initialNamespace?.catalogName ?? null;
    const schema = req.initialNamespace?.schemaName ?? null;
    let session: Session;
    try {
      session = await Session.open(this.warehouse, catalog, schema);
    } catch (error) {
      const e = isSqlError(error) ? error : sqlError("INTERNAL_ERROR", String(error));
      return { status: { ...errorStatus(e.displayMessage), sqlState: e.sqlState }, serverProtocolVersion: PROTOCOL_V8 };
    }
    const sessionId = newHandleId();
    this.sessions.set(keyOf(sessionId), { session, operations: new Set() });
    return {
      status: OK,
      serverProtocolVersion: PROTOCOL_V8,
      sessionHandle: { sessionId },
      configuration: {},
      initialNamespace: { catalogName: session.catalog, schemaName: session.schema },
      canUseMultipleCatalogs: true,
    };
  }

  private async closeSession(req: { sessionHandle: TSessionHandle }) {
    const key = keyOf(req.sessionHandle?.sessionId);
    const entry = this.sessions.get(key);
    if (!entry) return { status: errorStatus("Invalid SessionHandle", TStatusCode.INVALID_HANDLE) };
    for (const op of entry.operations) this.operations.delete(op);
    this.sessions.delete(key);
    entry.session.close();
    return { status: OK };
  }

  private async executeStatement(req: ExecuteStatementReq) {
    const entry = this.sessions.get(keyOf(req.sessionHandle?.sessionId));
    if (!entry) return { status: errorStatus("Invalid SessionHandle", TStatusCode.INVALID_HANDLE) };
    let arrow: ArrowRequest | undefined;
    if (this.arrowResults && req.canReadArrowResult) {
      const t = req.useArrowNativeTypes;
      arrow = {
        timestamp: t?.timestampAsArrow === true,
        decimal: t?.decimalAsArrow === true,
        complex: t?.complexTypesAsArrow === true,
        lz4: req.canDecompressLZ4Result === true && lz4Available(),
      };
    }
    // The driver's queryTimeout and the session's STATEMENT_TIMEOUT (seconds; 0 is none): the smaller applies.
    const limits = [toNumber(req.queryTimeout, 0), Number(entry.session.settings.get("STATEMENT_TIMEOUT") ?? 0)].filter((n) => n > 0);
    const timeoutSeconds = limits.length > 0 ? Math.min(...limits) : 0;
    return this.startOperation(entry, req, OperationType.EXECUTE_STATEMENT, () => entry.session.executeNow(req.statement ?? "", req.parameters), { arrow, timeoutSeconds });
  }

  /** A metadata RPC: the same operation life cycle as a statement, answered from the catalog. */
  private metadataCall(type: number, call: (m: MetadataCalls, req: MetadataReq) => Promise<ResultSource>) {
    return async (req: MetadataReq) => {
      const entry = this.sessions.get(keyOf(req.sessionHandle?.sessionId));
      if (!entry) return { status: errorStatus("Invalid SessionHandle", TStatusCode.INVALID_HANDLE) };
      return this.startOperation(entry, req, type, () => call(new MetadataCalls(entry.session), req), {});
    };
  }

  /**
   * Runs an operation on its session's queue. The reply waits for it up to {@link ASYNC_REPLY_MS} (all of
   * it when the client did not ask for runAsync); a longer one is answered RUNNING and polled, and can
   * then be cancelled or time out while it runs, as on a warehouse.
   */
  private async startOperation(
    entry: SessionEntry,
    req: { getDirectResults?: { maxRows?: unknown } | null; runAsync?: boolean | null },
    operationType: number,
    work: () => Promise<ResultSource>,
    options: { arrow?: ArrowRequest | undefined; timeoutSeconds?: number },
  ) {
    const handle: TOperationHandle = { operationId: newHandleId(), operationType, hasResultSet: true };
    const op: Operation = { session: entry, handle, state: TOperationState.RUNNING, columns: [], rowsSent: 0, exhausted: false };
    if (options.arrow) op.arrow = options.arrow;
    const key = keyOf(handle.operationId);
    this.operations.set(key, op);
    entry.operations.add(key);
    let timer: NodeJS.Timeout | undefined;
    const finished = entry.session
      .enqueue(async () => {
        if (op.state !== TOperationState.RUNNING) return undefined; // cancelled while it waited its turn
        entry.running = op;
        const seconds = options.timeoutSeconds ?? 0;
        if (seconds > 0) timer = setTimeout(() => this.expire(op, seconds), seconds * 1000);
        try {
          return await work();
        } finally {
          entry.running = undefined;
          clearTimeout(timer);
        }
      })
      .then(
        (source) => {
          if (op.state !== TOperationState.RUNNING || !source) return;
          op.source = source;
          op.columns = source.columns;
          // The driver loops forever over a result set with no columns; DDL answers "no result set" instead.
          handle.hasResultSet = op.columns.length > 0;
          op.state = TOperationState.FINISHED;
        },
        (error: unknown) => {
          if (op.state !== TOperationState.RUNNING) return;
          op.state = TOperationState.ERROR;
          op.error = isSqlError(error) ? error : sqlError("INTERNAL_ERROR", error instanceof Error ? error.message : String(error));
          // An error keeps hasResultSet so that fetchAll() asks for the status and throws it.
          op.exhausted = true;
        },
      );
    if (req.runAsync) {
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise<void>((resolve) => (wait = setTimeout(resolve, ASYNC_REPLY_MS)))]);
      clearTimeout(wait);
    } else await finished;
    if (op.state === TOperationState.RUNNING) return { status: OK, operationHandle: { ...handle, hasResultSet: true } };
    if (!req.getDirectResults) return { status: OK, operationHandle: handle };

    const directResults: Record<string, unknown> = {
      operationStatus: this.operationStatus(handle),
      resultSetMetadata: this.resultSetMetadata(handle),
    };
    // No rows travel for a result without columns: the driver would keep the page and never finish.
    if (op.state === TOperationState.FINISHED && op.columns.length > 0) {
      const maxRows = toNumber(req.getDirectResults.maxRows, DEFAULT_PAGE_ROWS);
      directResults.resultSet = await this.fetchPage(op, maxRows);
    }
    if (op.exhausted) {
      // The whole outcome is in this reply: the driver reads only these results and never calls back.
      directResults.closeOperation = this.closeOperation(handle);
    }
    return { status: OK, operationHandle: handle, directResults };
  }

  /** STATEMENT_TIMEOUT / queryTimeout reached: the statement is stopped and fails as on Databricks. */
  private expire(op: Operation, seconds: number): void {
    if (op.state !== TOperationState.RUNNING) return;
    op.state = TOperationState.ERROR;
    op.error = sqlError("QUERY_EXECUTION_TIMEOUT_EXCEEDED", `Query execution was cancelled due to exceeding the timeout (${seconds}s).`);
    op.exhausted = true;
    if (op.session.running === op) op.session.session.interrupt();
  }

  private operation(handle: TOperationHandle | undefined): Operation | undefined {
    return this.operations.get(keyOf(handle?.operationId));
  }

  private operationStatus(handle: TOperationHandle) {
    const op = this.operation(handle);
    if (!op) return { status: errorStatus("Invalid OperationHandle", TStatusCode.INVALID_HANDLE) };
    if (op.error) {
      return {
        status: OK,
        operationState: op.state,
        hasResultSet: true,
        sqlState: op.error.sqlState,
        errorCode: 0,
        errorMessage: op.error.message,
        displayMessage: op.error.displayMessage,
        errorDetailsJson: JSON.stringify({ errorClass: op.error.errorClass, sqlState: op.error.sqlState }),
      };
    }
    return { status: OK, operationState: op.state, hasResultSet: op.handle.hasResultSet };
  }

  private resultSetMetadata(handle: TOperationHandle) {
    const op = this.operation(handle);
    if (!op) return { status: errorStatus("Invalid OperationHandle", TStatusCode.INVALID_HANDLE) };
    const encoder = this.encoderOf(op);
    return {
      status: OK,
      schema: tableSchema(op.columns),
      resultFormat: encoder ? TSparkRowSetType.ARROW_BASED_SET : TSparkRowSetType.COLUMN_BASED_SET,
      ...(encoder ? { arrowSchema: encoder.schemaBytes } : {}),
      lz4Compressed: encoder !== undefined && op.arrow?.lz4 === true,
      isStagingOperation: op.source?.staging === true,
    };
  }

  private async fetchPage(op: Operation, maxRows: number) {
    const limit = Math.max(1, Math.min(maxRows, 1_000_000));
    const data = op.source && !op.exhausted ? await op.source.next(limit) : op.columns.map(() => []);
    const rows = data[0]?.length ?? 0;
    if (rows < limit) op.exhausted = true;
    const startRowOffset = new Int64(op.rowsSent);
    op.rowsSent += rows;
    const encoder = this.encoderOf(op);
    if (encoder) {
      // An empty page carries no batch: the driver reads a zero-row batch as the end anyway.
      const batch = rows > 0 ? encoder.encodeBatch(data) : undefined;
      const arrowBatches = batch ? [{ batch: op.arrow?.lz4 ? lz4Frame(batch) : batch, rowCount: new Int64(rows) }] : [];
      return { status: OK, hasMoreRows: !op.exhausted, results: { startRowOffset, rows: [], arrowBatches } };
    }
    return {
      status: OK,
      hasMoreRows: !op.exhausted,
      results: { startRowOffset, rows: [], columns: encodeColumns(op.columns, data) },
    };
  }

  /** The Arrow encoder of an operation whose client reads Arrow, made once its columns are known. */
  private encoderOf(op: Operation): ArrowEncoder | undefined {
    if (!op.arrow || op.columns.length === 0) return undefined;
    op.encoder ??= new ArrowEncoder(op.columns, op.arrow);
    return op.encoder;
  }

  private async fetchResults(req: FetchResultsReq) {
    const op = this.operation(req.operationHandle);
    if (!op) return { status: errorStatus("Invalid OperationHandle", TStatusCode.INVALID_HANDLE) };
    if (req.fetchType === 1) {
      // Query logs: there are none.
      return { status: OK, hasMoreRows: false, results: { startRowOffset: new Int64(0), rows: [], columns: [] } };
    }
    if (op.state === TOperationState.ERROR && op.error)
      return { status: { ...errorStatus(op.error.displayMessage), sqlState: op.error.sqlState } };
    if (op.state !== TOperationState.FINISHED) return { status: errorStatus("The operation was canceled or closed.") };
    return this.fetchPage(op, toNumber(req.maxRows, DEFAULT_PAGE_ROWS));
  }

  private cancelOperation(handle: TOperationHandle) {
    const op = this.operation(handle);
    if (!op) return { status: errorStatus("Invalid OperationHandle", TStatusCode.INVALID_HANDLE) };
    const running = op.state === TOperationState.RUNNING;
    // A running statement is stopped in DuckDB; a finished one drops what is left to fetch.
    op.state = TOperationState.CANCELED;
    op.exhausted = true;
    op.source = undefined;
    if (running && op.session.running === op) op.session.session.interrupt();
    return { status: OK };
  }

  private closeOperation(handle: TOperationHandle) {
    const key = keyOf(handle?.operationId);
    const op = this.operations.get(key);
    if (!op) return { status: errorStatus("Invalid OperationHandle", TStatusCode.INVALID_HANDLE) };
    this.operations.delete(key);
    op.session.operations.delete(key);
    return { status: OK };
  }

  closeAll(): void {
    for (const entry of this.sessions.values()) entry.session.close();
    this.sessions.clear();
    this.operations.clear();
  }
}

interface OpenSessionReq {
  initialNamespace?: { catalogName?: string | null; schemaName?: string | null } | null;
}

interface ExecuteStatementReq {
  sessionHandle: TSessionHandle;
  statement?: string;
  getDirectResults?: { maxRows?: unknown } | null;
  parameters?: TSparkParameter[] | null;
  runAsync?: boolean | null;
  queryTimeout?: unknown;
  canReadArrowResult?: boolean | null;
  useArrowNativeTypes?: { timestampAsArrow?: boolean | null; decimalAsArrow?: boolean | null; complexTypesAsArrow?: boolean | null } | null;
  canDecompressLZ4Result?: boolean | null;
}

interface MetadataReq extends MetadataRequest {
  sessionHandle: TSessionHandle;
  getDirectResults?: { maxRows?: unknown } | null;
  runAsync?: boolean | null;
}

interface FetchResultsReq {
  operationHandle: TOperationHandle;
  maxRows?: unknown;
  fetchType?: number | null;
}
