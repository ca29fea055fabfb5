import { describe, expect, it } from "vitest";
import { createConsoleLogger, redactFields, redactSecrets, redactText } from "../src/index.js";

describe("credential redaction", () => {
  it.each([
    ["invalid API key: acme.kid1.SuperSecretValue123XYZ", "SuperSecretValue123XYZ"],
    ["apikey: t.k.SECRETSECRET9", "SECRETSECRET9"],
    ["apikey%20abc.def.ghijklmnop1", "ghijklmnop1"],
    ["Authorization: Bearer abc123def", "abc123def"],
    ["Token eyJhbGciOi.eyJzdWIiOiIx.sig12345 is not allowed", "eyJzdWIiOiIx"],
    ['{"token": "dapi0123456789abcdef"}', "0123456789abcdef"],
    ["wss://h/_ws/ws/v2/consumer/x?otp=abc123&a=1", "abc123"],
  ])("masks the secret in %j", (text, secret) => {
    expect(redactText(text)).not.toContain(secret);
  });

  it("leaves ordinary messages alone", () => {
    for (const text of [
      "--token (or DATABRICKS_TOKEN) is required",
      "option 'token': expected a string",
      "GDN 404 on GET /_fabric/_system/_api/collection/orders.v2.archive",
      "see https://api-dino-fra.eng.macrometa.io/_fabric/x",
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });

  it("masks known secrets anywhere and credential-named fields at any depth, arrays included", () => {
    expect(redactSecrets("server said: wrong key plainsecret", ["plainsecret"])).toBe("server said: wrong key ***");
    expect(redactFields({ items: [{ apiKey: "t.k.s" }, { nested: { clientSecret: "x" } }], note: "apikey t.k.zzzz" })).toEqual({
      items: [{ apiKey: "***" }, { nested: { clientSecret: "***" } }],
      note: "apikey ***",
    });
    const lines: string[] = [];
    createConsoleLogger("info", (l) => lines.push(l)).warn("retrying with apikey t.k.verysecret", { headers: [{ authorization: "bearer zzz" }] });
    expect(lines.join("\n")).not.toMatch(/verysecret|zzz/);
  });
});
