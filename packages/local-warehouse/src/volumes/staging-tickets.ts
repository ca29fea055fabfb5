/**
 * @packageDocumentation
 * One-time tickets behind the presigned URLs of the driver's staging operations. A real warehouse
 * hands out a cloud-storage URL signed for one method on one object; here the warehouse serves the
 * URL itself, at `/local-warehouse/staging/<ticket>`, and a ticket is good for one request, within
 * its lifetime, for the method it was issued for.
 */
import { randomBytes } from "node:crypto";
import type { VolumePath } from "./paths.js";

/** The path prefix presigned URLs live under, on the warehouse's own HTTP server. */
export const STAGING_PREFIX = "/local-warehouse/staging/";

/** How long a presigned URL stays valid. Default: 15 minutes, in ms. */
const TICKET_TTL_MS = 15 * 60 * 1000;

export interface StagingTicket {
  method: "PUT" | "GET" | "DELETE";
  path: VolumePath;
  /** PUT only: replace an existing file. */
  overwrite: boolean;
  expiresAt: number;
}

export class StagingTickets {
  private readonly tickets = new Map<string, StagingTicket>();

  issue(ticket: Omit<StagingTicket, "expiresAt">): string {
    const now = Date.now();
    for (const [id, t] of this.tickets) if (t.expiresAt < now) this.tickets.delete(id);
    const id = randomBytes(24).toString("base64url");
    this.tickets.set(id, { ...ticket, expiresAt: now + TICKET_TTL_MS });
    return id;
  }

  /** Redeems a ticket: undefined when unknown, used, expired, or issued for another method. */
  take(id: string, method: string): StagingTicket | undefined {
    const t = this.tickets.get(id);
    if (!t || t.method !== method) return undefined;
    this.tickets.delete(id);
    return t.expiresAt >= Date.now() ? t : undefined;
  }

  clear(): void {
    this.tickets.clear();
  }
}
