import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COLLECTION_ERROR_CODES } from "@macrometa-spark/collection";
import { CORE_ERROR_CODES, KIT_ERROR_CODES, MacrometaSparkError, OptionError, errorFromTable, hasErrorCode, isOptionError } from "@macrometa-spark/core";
import { DATABRICKS_ERROR_CODES, DatabricksError, isDatabricksError } from "@macrometa-spark/databricks";
import { GDN_ERROR_CODES, GdnError, gdnError, isGdnError } from "@macrometa-spark/macrometa-client";
import { STREAM_ERROR_CODES } from "@macrometa-spark/stream";
import { CLI_ERROR_CODES } from "../src/index.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** Every code a package's source raises by name: `code: "X"` and `…Error("X"` calls. */
function raisedCodes(pkg: string): Set<string> {
  const codes = new Set<string>();
  for (const file of sources(join(packages, pkg, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bcode: "([A-Z][A-Z0-9_]+)"/g)) codes.add(m[1]!);
    for (const m of text.matchAll(/\b(?:core|collection|stream|cli|gdn)Error\(\s*"([A-Z][A-Z0-9_]+)"/g)) codes.add(m[1]!);
    for (const m of text.matchAll(/new StreamError\([^;]*?"(STREAM_[A-Z_]+)"/gs)) codes.add(m[1]!);
  }
  return codes;
}

const tables: Record<string, object[]> = {
  kit: [KIT_ERROR_CODES],
  core: [CORE_ERROR_CODES, KIT_ERROR_CODES],
  "macrometa-client": [GDN_ERROR_CODES, KIT_ERROR_CODES],
  collection: [COLLECTION_ERROR_CODES, KIT_ERROR_CODES],
  stream: [STREAM_ERROR_CODES, KIT_ERROR_CODES],
  databricks: [DATABRICKS_ERROR_CODES, KIT_ERROR_CODES],
  cli: [CLI_ERROR_CODES, KIT_ERROR_CODES],
};

describe("one error-code table per package", () => {
  it.each(Object.keys(tables))("%s raises only codes of its table", (pkg) => {
    const known = new Set(tables[pkg]!.flatMap((t) => Object.keys(t)));
    const raised = [...raisedCodes(pkg)];
    expect(raised.length).toBeGreaterThan(0);
    expect(raised.filter((c) => !known.has(c))).toEqual([]);
  });

  it("fills a code's message template and takes its retryability from the table", () => {
    const err = errorFromTable(CORE_ERROR_CODES, "TIMEOUT", { operation: "wait", timeoutMs: 5 });
    expect(err.message).toBe("wait timed out after 5 ms");
    expect(err.retryable).toBe(true);
    expect(err.code).toBe("TIMEOUT");
    const gdn = gdnError("GDN_CONNECT_FAILED", { origin: "https://x", reason: "ECONNREFUSED", route: "GET /r" });
    expect(gdn.message).toBe("cannot connect to https://x (ECONNREFUSED): GET /r");
    expect(gdn.retryable).toBe(GDN_ERROR_CODES.GDN_CONNECT_FAILED.retryable);
  });
});

describe("brand checks instead of instanceof", () => {
  // A process may load two copies of a package (two versions in node_modules); instanceof then
  // fails across them, a brand does not. A copy is simulated by an object carrying the brands.
  function foreignCopy(err: Error): object {
    const copy = Object.create(Object.getPrototypeOf(Object.prototype)) as Record<PropertyKey, unknown>;
    for (const key of Reflect.ownKeys(err)) copy[key] = (err as unknown as Record<PropertyKey, unknown>)[key];
    return copy;
  }

  it("recognises the errors of another copy by brand and code", () => {
    const option = foreignCopy(new OptionError("fabric", "is empty"));
    expect(option instanceof OptionError).toBe(false);
    expect(isOptionError(option)).toBe(true);
    expect(hasErrorCode(option, "INVALID_OPTION")).toBe(true);
    const gdn = foreignCopy(new GdnError("x", { code: "GDN_TIMEOUT" }));
    expect(gdn instanceof GdnError).toBe(false);
    expect(isGdnError(gdn)).toBe(true);
    const dbx = foreignCopy(new DatabricksError("x", { code: "DATABRICKS_SQL" }));
    expect(isDatabricksError(dbx)).toBe(true);
    expect(isGdnError(dbx)).toBe(false);
    expect(isDatabricksError(new MacrometaSparkError("x", { code: "X" }))).toBe(false);
  });
});
