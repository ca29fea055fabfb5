/**
 * Streams over REST: list, create, delete, publish one message, backlog. (Consuming and producing at volume go over WebSockets: src/stream/.)
 * @packageDocumentation
 */
import { parseBacklog } from "./parsers.js";
import { type GdnTransport, enc } from "./transport.js";
import type { StreamInfo } from "./types.js";

export const streamMethods = {
  /** `GET _api/streams?global=` (idempotent). */
  async listStreams(this: GdnTransport, global: boolean, signal?: AbortSignal): Promise<StreamInfo[]> {
    const body = await this.requestJson<{ result: StreamInfo[] }>({ method: "GET", path: this.fabricPath("streams"), query: { global }, retry: "idempotent", signal });
    return body.result ?? [];
  },

  /**
   * `POST _api/streams/<name>?global=` → the stream id (`c8globals.<name>` / `c8locals.<name>`).
   * Refusals-only; a 409 means it exists.
   */
  async createStream(this: GdnTransport, name: string, global: boolean, signal?: AbortSignal): Promise<string> {
    const body = await this.requestJson<{ result?: Record<string, unknown> }>({
      method: "POST",
      path: this.fabricPath(`streams/${enc(name)}`),
      query: { global },
      retry: "refusals",
      context: { stream: name },
      signal,
    });
    const id = body.result?.["stream-id"];
    return typeof id === "string" ? id : `${global ? "c8globals" : "c8locals"}.${name}`;
  },

  /** `DELETE _api/streams/<topic>` (idempotent; `topic` is the full `c8locals.x` / `c8globals.x` name). */
  async deleteStream(this: GdnTransport, topic: string, global?: boolean, signal?: AbortSignal): Promise<void> {
    await this.request({
      method: "DELETE",
      path: this.fabricPath(`streams/${enc(topic)}`),
      query: { global },
      retry: "idempotent",
      context: { stream: topic },
      signal,
    });
  },

  /** `POST _api/streams/<topic>/publish?global=` with a raw string body (refusals-only: a repeat would duplicate the message). */
  async publish(this: GdnTransport, topic: string, payload: string, global: boolean, signal?: AbortSignal): Promise<void> {
    await this.request({
      method: "POST",
      path: this.fabricPath(`streams/${enc(topic)}/publish`),
      query: { global },
      body: payload,
      contentType: "text/plain",
      retry: "refusals",
      context: { stream: topic },
      signal,
    });
  },

  /** `GET _api/streams/<topic>/backlog` (idempotent). The server sends `result` as a JSON string; it is parsed here. */
  async backlog(this: GdnTransport, topic: string, global: boolean, signal?: AbortSignal): Promise<unknown> {
    const body = await this.requestJson<{ result?: unknown }>({
      method: "GET",
      path: this.fabricPath(`streams/${enc(topic)}/backlog`),
      query: { global },
      retry: "idempotent",
      context: { stream: topic },
      signal,
    });
    return parseBacklog(body.result);
  },
};
