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

  // Each message carries a secret in a different place (URL, header, option object, JWT) and help
  // text around it: the secret goes, every other word stays.
  it.each([
    [
      "GET https://api-x.eng.macrometa.io/_fabric/_system/_api/collection?apikey=acme.kid1.Zx9secretSecret0000000 failed: 401; check the apiKey option",
      "GET https://api-x.eng.macrometa.io/_fabric/_system/_api/collection?apikey=*** failed: 401; check the apiKey option",
    ],
    [
      "header Authorization: apikey acme.kid1.Zx9secretSecret0000000 was refused; set apiKey to <tenant>.<keyid>.<secret>",
      "header Authorization: apikey *** was refused; set apiKey to <tenant>.<keyid>.<secret>",
    ],
    [
      'options {"apiKey":"acme.kid1.Zx9secretSecret0000000","collection":"orders"} are invalid: collection missing',
      'options {"apiKey":"***","collection":"orders"} are invalid: collection missing',
    ],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnQiOiJkZW1vIn0.c2lnbmF0dXJlMTIz expired; log in again (option jwt)", "jwt *** expired; log in again (option jwt)"],
    ["the token dapi0123456789abcdef0123 is invalid; create a new token under User Settings > Developer", "the token dapi*** is invalid; create a new token under User Settings > Developer"],
  ])("masks only the secret in %j", (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it("leaves help text about credentials readable", () => {
    for (const text of [
      "option 'apiKey': expected <tenant>.<keyid>.<secret>, got 'abc'; set apiKey to a GDN API key",
      "option 'apiKey': apiKey and jwt are both set; give one of them",
      "apikey missing: set apiKey (or MM_API_KEY) to <tenant>.<keyid>.<secret>",
      "bearer token missing: set option token (a personal access token, dapi…) for the Bearer header",
      "option 'token': required; set token=<personal access token> or DATABRICKS_TOKEN",
      "Use apiKey=tenant.keyid.secret",
      "Invalid token: token expired; use option token to pass a new one",
    ]) {
      expect(redactText(text)).toBe(text);
    }
    // Fields about a credential (not holding one) stay too.
    expect(redactFields({ apiKeyId: "kid1", tokenEndpoint: "https://a/b", secretScope: "mmspark", accessToken: "zzz", "x-api-key": "k" })).toEqual({
      apiKeyId: "kid1",
      tokenEndpoint: "https://a/b",
      secretScope: "mmspark",
      accessToken: "***",
      "x-api-key": "***",
    });
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
