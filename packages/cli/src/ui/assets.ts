/**
 * The page's files, read once when the server starts: the page itself from this package's `web/`
 * folder and uPlot from node_modules, so the page works with no internet (nothing from a CDN).
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export interface Asset {
  type: string;
  body: Buffer;
}

const WEB = new URL("../../web/", import.meta.url);

/** URL path → file, type. */
const FILES: [string, () => string | URL, string][] = [
  ["/", () => new URL("index.html", WEB), "text/html; charset=utf-8"],
  ["/assets/app.js", () => new URL("app.js", WEB), "text/javascript; charset=utf-8"],
  ["/assets/app.css", () => new URL("app.css", WEB), "text/css; charset=utf-8"],
  ["/assets/uPlot.iife.min.js", () => createRequire(import.meta.url).resolve("uplot/dist/uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
  ["/assets/uPlot.min.css", () => createRequire(import.meta.url).resolve("uplot/dist/uPlot.min.css"), "text/css; charset=utf-8"],
];

/** Loads every asset; fails (before the server listens) when one is missing. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  await Promise.all(
    FILES.map(async ([path, file, type]) => {
      out.set(path, { type, body: await readFile(file()) });
    }),
  );
  return out;
}
