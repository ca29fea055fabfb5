/**
 * `GdnHttpClient`: the transport with every resource's calls on it (collections, documents,
 * cursors, streams, keys; one module each), and `gdnClientFor`, the one way callers build a client
 * from connection options. Each resource module declares its methods once; the class takes them
 * from there, so a call is written in one place and the client stays one flat object.
 * @packageDocumentation
 */
import type { Logger } from "@macrometa-spark/kit";
import { collectionMethods } from "./collections.js";
import { cursorMethods } from "./cursors.js";
import { documentMethods } from "./documents.js";
import { keyMethods } from "./keys.js";
import { streamMethods } from "./streams.js";
import { GdnTransport, type GdnHttpClientOptions } from "./transport.js";

type CollectionCalls = typeof collectionMethods;
type DocumentCalls = typeof documentMethods;
type CursorCalls = typeof cursorMethods;
type StreamCalls = typeof streamMethods;
type KeyCalls = typeof keyMethods;

// The methods are attached to the prototype below; this declaration gives them their types.
export interface GdnHttpClient extends CollectionCalls, DocumentCalls, CursorCalls, StreamCalls, KeyCalls {}

/** A GDN client: see the transport module for retries and errors, the resource modules for calls. */
export class GdnHttpClient extends GdnTransport {
  constructor(options: GdnHttpClientOptions) {
    super(options);
  }
}

Object.assign(GdnHttpClient.prototype, collectionMethods, documentMethods, cursorMethods, streamMethods, keyMethods);

/**
 * Connection options as every caller holds them: the collection format's validated options
 * satisfy this shape, and the CLI and demo pass the same fields.
 */
export interface GdnConnection {
  /** `regionUrl` resolved to an origin, or a host (→ `https://api-<host>`). */
  origin: string;
  /** API key, bare or `apikey <key>`. Secret. */
  apiKey?: string | undefined;
  /** JWT; takes precedence over `apiKey`. Secret. */
  jwt?: string | undefined;
  /** Default: "_system". */
  fabric?: string;
  /** Requests in flight the caller plans: the pool keeps max(4, parallelism + 2) sockets. Default: 8 sockets. */
  parallelism?: number;
  /** Retries after the first attempt. Default: kit's defaultRetryPolicy() (4). */
  maxRetries?: number;
  /** Per-request time limit. Default: 60000 (ms). */
  requestTimeoutMs?: number;
}

/** What a client takes from its surroundings (a provider's context, the CLI's). */
export interface GdnClientContext {
  logger?: Logger;
}

/** The one way to build a client from connection options (collection provider, CLI runner, sync, demo). */
export function gdnClientFor(options: GdnConnection, ctx: GdnClientContext = {}): GdnHttpClient {
  return new GdnHttpClient({
    url: options.origin,
    ...(options.jwt !== undefined ? { jwt: options.jwt } : options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.fabric !== undefined ? { fabric: options.fabric } : {}),
    ...(options.parallelism !== undefined ? { connections: Math.max(4, options.parallelism + 2) } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.maxRetries !== undefined ? { retry: { maxAttempts: options.maxRetries + 1 } } : {}),
    ...(ctx.logger !== undefined ? { logger: ctx.logger } : {}),
  });
}
