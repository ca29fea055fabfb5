import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, it } from "vitest";
import { isDeepStrictEqual } from "node:util";
import type { DBSQLClient } from "@databricks/sql";
import { startLocalWarehouse, type LocalWarehouse } from "../src/index.js";
import { connectClient, type Session } from "./client.js";
import { comparable, expectedOutcome, runCase, type GoldenCase } from "./spark-golden-case.js";
const groups = JSON.parse(readFileSync("/work/golden-failing.json", "utf8")) as Record<string, { cases: GoldenCase[] }>;
const only = (process.env["GROUPS"] ?? "").split(",").filter(Boolean);
let warehouse: LocalWarehouse; let client: DBSQLClient; let session: Session;
beforeAll(async () => { warehouse = await startLocalWarehouse({ port: 0 }); client = await connectClient(warehouse, { exactNumbers: true }); session = await client.openSession(); });
afterAll(async () => { await session?.close(); await client?.close(); await warehouse?.close(); });
it("probe", async () => {
  const passing: GoldenCase[] = []; const report: string[] = [];
  for (const [group, g] of Object.entries(groups)) {
    if (only.length && !only.includes(group)) continue;
    let ok = 0;
    for (const c of g.cases as any[]) {
      const { actual, cause, ...clean } = c;
      let outcome; try { outcome = comparable(await runCase(client, session, clean)); } catch (e) { outcome = String(e); }
      if (isDeepStrictEqual(outcome, expectedOutcome(clean))) { ok++; passing.push(clean); } else report.push(`${group}: ${c.query.slice(0, 100)} => ${JSON.stringify(outcome).slice(0, 200)}`);
    }
    report.unshift(`GROUP ${group}: ${ok}/${g.cases.length}`);
  }
  writeFileSync("/work/golden-now-passing.json", JSON.stringify(passing, null, 2));
  writeFileSync("/work/golden-probe.txt", report.join("\n"));
});
