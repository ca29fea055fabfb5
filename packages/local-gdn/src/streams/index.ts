/**
 * Stream broker contract (the HTTP server wires it in; the streams work implements it).
 * STUB: replaced by the real broker.
 * @packageDocumentation
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Faults } from "../faults.js";

export interface StreamBrokerOptions {
  tenant: string;
  /** When set, ledgers and subscription positions persist under `<dataDir>/streams`. */
  dataDir?: string;
  faults: Faults;
}

/** A REST call under `/_fabric/<fabric>/_api/streams`, already authenticated. */
export interface StreamRestRequest {
  method: string;
  fabric: string;
  /** The path after `_api/streams`, e.g. `""`, `/c8globals.s1/publish`, `/subscription/sub1`. */
  subpath: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface StreamRestResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface StreamInfo {
  fabric: string;
  /** Topic name as listed: `c8globals.x`, `c8locals.x`, or the collection name for collection streams. */
  topic: string;
  global: boolean;
  isCollectionStream: boolean;
}

export class StreamBroker {
  constructor(readonly options: StreamBrokerOptions) {}
  /** Loads persisted state (ledgers, subscriptions) when `dataDir` is set. */
  async open(): Promise<void> {}
  handleRest(_req: StreamRestRequest): Promise<StreamRestResponse> {
    return Promise.resolve({ status: 501, body: { error: true, code: 501, errorNum: 1, errorMessage: "streams not implemented" } });
  }
  /** Upgrade for `/_ws/ws/v2/...` after the server authenticated the request. */
  handleUpgrade(_req: IncomingMessage, socket: Duplex, _head: Buffer): void {
    socket.destroy();
  }
  /** A collection got a change stream (`stream: true` on create, or `hasStream` set). */
  ensureCollectionStream(_fabric: string, _collection: string): void {}
  /** Publishes a committed change: the new document, or `{_key, _delete: true}` for a delete. */
  publishChange(_fabric: string, _collection: string, _doc: Record<string, unknown>): void {}
  dropCollectionStream(_fabric: string, _collection: string): void {}
  listStreams(_fabric: string): StreamInfo[] {
    return [];
  }
  async close(): Promise<void> {}
}
