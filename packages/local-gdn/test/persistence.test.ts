import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalGdn } from "../src/index.js";
import { api } from "./support.js";

const dataDir = mkdtempSync(join(tmpdir(), "local-gdn-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("restart with dataDir", () => {
  it("keeps fabrics, collections and documents (lossless) across a restart, and deletes stay deleted", async () => {
    const apiKeys = ["acme.k1.s3cret"];
    const first = await startLocalGdn({ dataDir, apiKeys });
    const a = api(first, "f1");
    await api(first)("POST", "database", { name: "f1" });
    await a("POST", "collection", { name: "keep", stream: true });
    await a("POST", "import/keep", { data: Array.from({ length: 50 }, (_, i) => ({ _key: `k${i}`, i })) });
    await a("POST", "document/keep", '{"_key":"big","n":12345678901234567890,"f":1.0}');
    await a("DELETE", "document/keep/k0");
    await a("PATCH", "document/keep/k1", { patched: true });
    await a("POST", "collection", { name: "gone" });
    await a("POST", "document/gone", { _key: "x" });
    await a("DELETE", "collection/gone");
    await first.close();

    const second = await startLocalGdn({ dataDir, apiKeys });
    try {
      expect(second.tenant).toBe("acme");
      const b = api(second, "f1");
      expect((await b("GET", "collection/keep/count")).json.count).toBe(50);
      expect((await b("GET", "document/keep/big")).text).toContain('"n":12345678901234567890,"f":1.0');
      expect((await b("GET", "document/keep/k0")).status).toBe(404);
      expect((await b("GET", "document/keep/k1")).json).toMatchObject({ i: 1, patched: true });
      expect((await b("GET", "collection/keep")).json.hasStream).toBe(true);
      expect((await b("GET", "collection/gone")).status).toBe(404);
      const ins = await b("POST", "document/keep", {});
      expect(ins.status).toBe(202);
      expect((await b("GET", "collection/keep/count")).json.count).toBe(51);
    } finally {
      await second.close();
    }
  });

  it("recovers writes from the journal when the process did not snapshot at close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-gdn-j-"));
    try {
      const apiKeys = ["acme.k1.s3cret"];
      const g = await startLocalGdn({ dataDir: dir, apiKeys });
      await api(g)("POST", "collection", { name: "j" });
      await api(g)("POST", "document/j?waitForSync=true", { _key: "w", v: 2.50 });
      // Simulate a crash: copy the on-disk state as it is now, before close() snapshots.
      const { cpSync } = await import("node:fs");
      const crashed = mkdtempSync(join(tmpdir(), "local-gdn-crash-"));
      cpSync(join(dir, "gdn"), join(crashed, "gdn"), { recursive: true });
      await g.close();
      const h = await startLocalGdn({ dataDir: crashed, apiKeys });
      try {
        expect((await api(h)("GET", "document/j/w")).json.v).toBe(2.5);
      } finally {
        await h.close();
        rmSync(crashed, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
