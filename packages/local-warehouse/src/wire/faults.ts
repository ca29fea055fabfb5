/**
 * Fault injection for tests of clients' recovery: a statement that runs but whose reply never
 * arrives (the connection is cut after the work is done), as when a network path or a proxy drops
 * a response. The client cannot tell whether the statement ran; only statements safe to repeat may
 * be resent.
 * @packageDocumentation
 */

export class WireFaults {
  private readonly drops: { marker: Buffer; left: number; onDropped: (() => void) | undefined }[] = [];

  /**
   * The next `count` requests whose Thrift body contains `text` (e.g. a statement's first words)
   * are executed, then the connection is destroyed instead of answered. `onDropped` runs at that
   * moment (the work is done, the client has no answer): a crash test kills its client there.
   */
  dropReply(text: string, count = 1, onDropped?: () => void): void {
    this.drops.push({ marker: Buffer.from(text, "utf8"), left: count, onDropped });
  }

  /** The drop armed for this request, if any (consumes it); call the result when the work is done. */
  takeDrop(body: Buffer): (() => void) | undefined {
    const rule = this.drops.find((d) => d.left > 0 && body.includes(d.marker));
    if (!rule) return undefined;
    rule.left--;
    return () => rule.onDropped?.();
  }

  /** How many armed drops have not fired yet. */
  pending(): number {
    return this.drops.reduce((n, d) => n + d.left, 0);
  }
}
