import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Code lines (not comments) of every file that talks to a GDN through the client. */
function callerLines(): { where: string; line: string }[] {
  const dirs = readdirSync(join(root, "packages"))
    // The client writes the routes; local-gdn serves them.
    .filter((p) => p !== "macrometa-client" && p !== "local-gdn")
    .map((p) => join(root, "packages", p, "src"));
  // Benchmarks are left out on purpose: they time raw HTTP as the baseline the client is measured against.
  const files = [...dirs, join(root, "examples"), join(root, "test", "e2e")].flatMap((d) => {
    try {
      return sources(d);
    } catch {
      return [];
    }
  });
  return files.flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .map((line, i) => ({ where: `${relative(root, f)}:${i + 1}`, line }))
      .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line)),
  );
}

describe("the GDN client is the only place that knows GDN routes", () => {
  it("has no hand-written GDN path outside macrometa-client", () => {
    const found = callerLines().filter(({ line }) => /["'`][^"'`]*(\/_fabric\/|_api\/|\/apid\/)/.test(line));
    expect(found).toEqual([]);
  });

  it("has every package build its client with gdnClientFor", () => {
    const found = callerLines().filter(({ where, line }) => where.startsWith("packages/") && /new GdnHttpClient\(/.test(line));
    expect(found).toEqual([]);
  });
});
