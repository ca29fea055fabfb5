/**
 * Fault injection shared by the HTTP server and the stream broker. Off by default; tests turn
 * faults on through the object `startLocalGdn` returns or `POST /_local/faults`.
 * @packageDocumentation
 */

export interface FaultSettings {
  /** Close a consumer's socket after every N deliveries to it (0 = off). */
  consumerCloseEvery: number;
  /** Extra latency added to every HTTP response, in ms (0 = off). */
  latencyMs: number;
}

/** Which requests a hold stops: all those with this method (any when absent) and a path containing `path`. */
export interface HoldFilter {
  method?: string;
  path?: string;
}

function matches(only: HoldFilter, method: string, path: string): boolean {
  return (only.method === undefined || only.method.toUpperCase() === method.toUpperCase()) && (only.path === undefined || path.includes(only.path));
}

export class Faults implements FaultSettings {
  consumerCloseEvery = 0;
  latencyMs = 0;
  private httpFailures: { remaining: number; status: 429 | 503 } = { remaining: 0, status: 503 };
  /** Retry-After seconds sent with injected 429/503 answers (undefined = no header). */
  retryAfterSeconds: number | undefined = undefined;
  private readonly closeHooks = new Set<() => void>();
  private readonly dropHooks = new Set<() => void>();

  /** Answer the next `count` HTTP requests with `status`. */
  failNextHttp(count: number, status: 429 | 503 = 503, retryAfterSeconds?: number): void {
    this.httpFailures = { remaining: count, status };
    this.retryAfterSeconds = retryAfterSeconds;
  }
  /** Consumes one injected HTTP failure, if any is pending. */
  takeHttpFailure(): 429 | 503 | undefined {
    if (this.httpFailures.remaining <= 0) return undefined;
    this.httpFailures.remaining--;
    return this.httpFailures.status;
  }
  /** Drop (destroy) the TCP connection of the next HTTP request without answering. */
  dropNextConnections = 0;
  /**
   * The next import skips its last N documents and reports them only as `ignored` (the
   * ArangoDB-style count), for clients that must not take an import answer's silence as success.
   */
  importIgnoreNext = 0;

  private gate: { promise: Promise<void>; open: () => void; only: HoldFilter } | undefined;
  /** HTTP requests waiting at the gate {@link hold} closed. */
  heldRequests = 0;

  /**
   * HTTP requests arriving from now on (those `only` matches; default all) wait unanswered, as
   * behind a stalled network, until {@link release}: a test holds a client at a known point (e.g.
   * `{ method: "PUT", path: "/_api/cursor/" }`: a cursor's next page), acts, then lets it go on.
   */
  hold(only: HoldFilter = {}): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open, only };
  }
  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }
  /** Resolves once no hold is in force for this request. */
  async passGate(method: string, path: string): Promise<void> {
    while (this.gate && matches(this.gate.only, method, path)) {
      this.heldRequests++;
      try {
        await this.gate.promise;
      } finally {
        this.heldRequests--;
      }
    }
  }

  /** Close every open WebSocket now. */
  closeAllWebSockets(): void {
    for (const hook of this.closeHooks) hook();
  }
  /** Registered by the stream broker. */
  onCloseAllWebSockets(hook: () => void): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }
  /** Everything back to off. */
  reset(): void {
    this.consumerCloseEvery = 0;
    this.latencyMs = 0;
    this.httpFailures = { remaining: 0, status: 503 };
    this.retryAfterSeconds = undefined;
    this.dropNextConnections = 0;
    this.importIgnoreNext = 0;
    this.release();
    void this.dropHooks;
  }
  toJSON(): Record<string, unknown> {
    return {
      consumerCloseEvery: this.consumerCloseEvery,
      latencyMs: this.latencyMs,
      pendingHttpFailures: this.httpFailures.remaining,
      httpFailureStatus: this.httpFailures.status,
      dropNextConnections: this.dropNextConnections,
      importIgnoreNext: this.importIgnoreNext,
      held: this.gate ? this.gate.only : false,
      heldRequests: this.heldRequests,
    };
  }
}
