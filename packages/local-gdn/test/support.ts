/** A tiny raw-HTTP helper for local-gdn tests (deliberately not our client package). */
import type { LocalGdn } from "../src/index.js";

export interface Answer {
  status: number;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export function api(gdn: LocalGdn, fabric = "_system") {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const init: RequestInit = {
      method,
      headers: { Authorization: `apikey ${gdn.apiKey}`, "content-type": "application/json", ...headers },
    };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const url = path.startsWith("/") ? `${gdn.url}${path}` : `${gdn.url}/_fabric/${fabric}/_api/${path}`;
    const res = await fetch(url, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  };
}

/** Polls `check` until it holds, up to `timeoutMs`; fails with `what` otherwise. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}
