/**
 * A `tenant` option that disagrees with the credentials' tenant is warned about (once, naming both
 * tenants, never the credential); one that agrees, or none, is not. The API key names its tenant
 * as `<tenant>.<keyid>.<secret>` (wire contract §1); the JWT is one local-gdn issues from
 * `POST /_open/auth`, whose payload carries a `tenant` claim.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CaseInsensitiveOptions, createMemoryLogger, JobMetrics } from "@macrometa-spark/core";
import { tenantDisagreement, tenantOfJwt } from "@macrometa-spark/macrometa-client";
import { startLocalGdn } from "@macrometa-spark/local-gdn";
import { collectionProvider } from "../src/index.js";

let gdn: Awaited<ReturnType<typeof startLocalGdn>>;
let jwt: string;

beforeAll(async () => {
  gdn = await startLocalGdn({ port: 0, host: "127.0.0.1", users: [{ email: "ada@example.com", password: "pw-123456" }] });
  const res = await fetch(`${gdn.url}/_open/auth`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "ada@example.com", password: "pw-123456" }) });
  const body = (await res.json()) as { jwt: string; tenant: string };
  expect(body.tenant).toBe(gdn.tenant);
  jwt = body.jwt;
});

afterAll(async () => {
  await gdn?.close();
});

async function warningsFor(options: Record<string, string>): Promise<string[]> {
  const logger = createMemoryLogger();
  const table = await collectionProvider.getTable(undefined, new CaseInsensitiveOptions({ regionUrl: gdn.url, collection: "c", ...options }, "com.macrometa.spark.collection"), { logger, metrics: new JobMetrics() });
  await table.close?.();
  return logger.events.filter((e) => e.level === "warn").map((e) => e.message);
}

it("reads the tenant of an API key (dots allowed in the tenant) and of a JWT's claim", () => {
  expect(tenantDisagreement("acme", { apiKey: "ada@acme.io.key1.abcdefghijklmnopqrstuvwx0123" })).toEqual({ option: "acme", credential: "ada@acme.io", from: "apiKey" });
  expect(tenantDisagreement("ada@acme.io", { apiKey: "ada@acme.io.key1.abcdefghijklmnopqrstuvwx0123" })).toBeUndefined();
  expect(tenantOfJwt(jwt)).toBe(gdn.tenant);
  expect(tenantOfJwt("not-a-jwt")).toBeUndefined();
  expect(tenantDisagreement(undefined, { jwt })).toBeUndefined();
});

it("warns when the tenant option disagrees with the API key's tenant, and not when it agrees", async () => {
  const wrong = await warningsFor({ apiKey: gdn.apiKey, tenant: "someone-else" });
  expect(wrong).toEqual([
    `option 'tenant' is 'someone-else' but the API key is for tenant '${gdn.tenant}'; collections are reached through regionUrl and fabric as that key's tenant; the 'tenant' option changes nothing here — fix or remove it`,
  ]);
  expect(wrong.join("\n")).not.toContain(gdn.apiKey.split(".").at(-1)!);
  expect(await warningsFor({ apiKey: gdn.apiKey, tenant: gdn.tenant })).toEqual([]);
  expect(await warningsFor({ apiKey: gdn.apiKey })).toEqual([]);
});

it("warns when the tenant option disagrees with the JWT's tenant", async () => {
  const wrong = await warningsFor({ jwt, tenant: "someone-else" });
  expect(wrong).toHaveLength(1);
  expect(wrong[0]).toMatch(new RegExp(`^option 'tenant' is 'someone-else' but the JWT is for tenant '${gdn.tenant}';`));
  expect(await warningsFor({ jwt, tenant: gdn.tenant })).toEqual([]);
});
