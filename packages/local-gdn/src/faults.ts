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

  private gate: { promise: Promise<void>; open: () => void } | undefined;
  /** HTTP requests waiting at the gate {@link hold} closed. */
  heldRequests = 0;

  /**
   * Every HTTP request arriving from now on waits (unanswered, as behind a stalled network) until
   * {@link release}: a test holds a client at a known point, acts, then lets it go on.
   */
  hold(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
  }
  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }
  /** Resolves once no hold is in force. */
  async passGate(): Promise<void> {
    while (this.gate) {
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
      held: this.gate !== undefined,
      heldRequests: this.heldRequests,
    };
  }
}
