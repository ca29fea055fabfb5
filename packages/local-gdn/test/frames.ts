/**
 * Test helper: a raw `ws` socket whose JSON frames are collected; `until(n)` waits, with a bound,
 * for n of them and takes them off the queue.
 */
import WebSocket from "ws";

export type Frame = Record<string, unknown>;
export interface FrameSocket {
  ws: WebSocket;
  frames: Frame[];
  until(n: number): Promise<Frame[]>;
}

export function openFrameSocket(url: string, headers: Record<string, string> = {}, waitMs = 5000): Promise<FrameSocket> {
  const ws = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  let wake = (): void => {};
  ws.on("message", (d) => {
    frames.push(JSON.parse(d.toString()) as Frame);
    wake();
  });
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        ws,
        frames,
        async until(n: number): Promise<Frame[]> {
          const deadline = Date.now() + waitMs;
          while (frames.length < n) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`timed out waiting for ${n} frames (have ${frames.length})`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
          }
          return frames.splice(0, n);
        },
      }),
    );
  });
}
