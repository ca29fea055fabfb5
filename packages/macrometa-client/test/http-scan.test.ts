import { describe, expect, it } from "vitest";
import { GdnError, parseApiKey, parseRetryAfter, resolveGdnUrl, splitResultArray, tenantFromApiKey } from "../src/index.js";

describe("splitResultArray", () => {
  it("cuts the result array into element texts, keeping number lexemes and escapes", () => {
    const body = `{ "result" : [ {"a":1.0,"b":12345678901234567890123,"s":"x\\"]}\\\\","n":{"c":[1,{"d":2}]}} , 7, "q\\\\", null,[1,2] ],"hasMore":true,"id":"42","count":5,"extra":{"w":[]},"error":false,"code":201}`;
    const { items, envelope } = splitResultArray(body);
    expect(items).toEqual([`{"a":1.0,"b":12345678901234567890123,"s":"x\\"]}\\\\","n":{"c":[1,{"d":2}]}}`, "7", `"q\\\\"`, "null", "[1,2]"]);
    expect(envelope).toEqual({ hasMore: true, id: "42", count: 5, extra: { w: [] }, error: false, code: 201 });
  });

  it("handles an empty, missing or late result", () => {
    expect(splitResultArray(`{"result":[],"hasMore":false}`)).toEqual({ items: [], envelope: { hasMore: false } });
    expect(splitResultArray(`{"hasMore":false}`)).toEqual({ items: [], envelope: { hasMore: false } });
    expect(splitResultArray(`{"hasMore":false,"result":[{"x":"result"}]}`).items).toEqual([`{"x":"result"}`]);
  });

  it("rejects text that is not a JSON object", () => {
    expect(() => splitResultArray(`[1,2]`)).toThrow(SyntaxError);
    expect(() => splitResultArray(`{"result":[{"a":1}`)).toThrow(SyntaxError);
  });

  it("agrees with JSON.parse on a page of generated documents", () => {
    const docs = Array.from({ length: 200 }, (_, i) => ({ _key: `k${i}`, s: `"${"\\".repeat(i % 4)}]}`, arr: [i, { x: [i] }], u: "ü日本" }));
    const { items } = splitResultArray(JSON.stringify({ result: docs, hasMore: false }));
    expect(items.map((t) => JSON.parse(t))).toEqual(docs);
  });
});

describe("region URL and API key helpers", () => {
  it("maps a bare host to https://api-<host> and keeps explicit origins", () => {
    expect(resolveGdnUrl("play.paas.macrometa.io")).toBe("https://api-play.paas.macrometa.io");
    expect(resolveGdnUrl("api-play.paas.macrometa.io")).toBe("https://api-play.paas.macrometa.io");
    expect(resolveGdnUrl("http://127.0.0.1:8529/")).toBe("http://127.0.0.1:8529");
    expect(() => resolveGdnUrl("ftp://x")).toThrow(GdnError);
    // The key would travel in clear: plain http is for this machine only.
    expect(() => resolveGdnUrl("http://gdn.example.com:8529")).toThrow(/plain http would send the API key in clear/);
    expect(() => resolveGdnUrl("http://10.0.0.5")).toThrow(GdnError);
    expect(resolveGdnUrl("http://localhost:8529")).toBe("http://localhost:8529");
    expect(resolveGdnUrl("http://[::1]:8529")).toBe("http://[::1]:8529");
    expect(resolveGdnUrl("https://gdn.example.com")).toBe("https://gdn.example.com");
    expect(() => resolveGdnUrl("")).toThrow(GdnError);
  });

  it("parses keys with dotted tenants and the apikey prefix, never echoing the key", () => {
    expect(parseApiKey("apikey me_x.com.key1.s3cr3tvalue")).toEqual({ key: "me_x.com.key1.s3cr3tvalue", tenant: "me_x.com", keyId: "key1" });
    expect(tenantFromApiKey("t.k.s")).toBe("t");
    let err: unknown;
    try {
      parseApiKey("s3cr3t-without-dots");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GdnError);
    expect(String((err as Error).message)).not.toContain("s3cr3t");
  });

  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
  });
});
