/*
 * Drives local-gdn with Macrometa's own JS SDK (jsc8) and prints what it saw as one JSON line.
 * Run by jsc8.test.ts in a child process started with NODE_EXTRA_CA_CERTS (the server's test
 * certificate), because jsc8 opens its WebSockets with default TLS options.
 * Env: GDN_URL (https://<host>:<port>), GDN_KEY.
 */
"use strict";
const dns = require("node:dns");

// jsc8 talks to "api-" + the configured host, so the test uses names under .local-gdn.test; this
// is the hosts-file entry for them (everything else resolves as usual).
const systemLookup = dns.lookup;
dns.lookup = function lookup(host, options, callback) {
  const cb = typeof options === "function" ? options : callback;
  const opts = typeof options === "object" && options !== null ? options : {};
  if (typeof host === "string" && host.endsWith(".local-gdn.test")) {
    if (opts.all) return process.nextTick(cb, null, [{ address: "127.0.0.1", family: 4 }]);
    return process.nextTick(cb, null, "127.0.0.1", 4);
  }
  return systemLookup.call(dns, host, options, callback);
};

const jsc8 = require("jsc8");

const errorOf = (e) => ({ errorNum: e && e.errorNum, code: e && e.code, message: String((e && e.message) || e) });
async function attempt(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: errorOf(e) };
  }
}
function once(emitter, event, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    emitter.once(event, (...args) => {
      clearTimeout(t);
      resolve(args);
    });
    emitter.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

async function main() {
  const url = process.env.GDN_URL;
  const key = process.env.GDN_KEY;
  const out = {};
  const client = new jsc8({ url, fabricName: "_system" });
  await client.loginWithApiKey(key);
  out.tenant = client._connection.getTenantName();
  out.badLogin = await attempt(() => new jsc8({ url, fabricName: "_system" }).loginWithApiKey(`${out.tenant}.nokey.nosecret`));

  const C = "jsc8_people";
  await client.createCollection(C);
  out.hasCollection = await client.hasCollection(C);
  out.collections = (await client.getCollections()).map((c) => c.name);
  out.inserted = await client.insertDocument(C, { _key: "a", name: "Ann", age: 31, email: "ann@x" });
  out.insertedMany = await client.insertDocumentMany(C, [
    { _key: "b", name: "Bo", age: 25, email: "bo@x" },
    { _key: "c", name: "Cid", age: 40, email: "cid@x" },
  ]);
  out.fetched = await client.getDocument(C, "a");
  out.updated = await client.updateDocument(C, "a", { age: 32 }, { returnNew: true });
  out.deleted = await client.deleteDocument(C, "b");
  out.missing = await attempt(() => client.getDocument(C, "b"));

  out.query = await client.executeQuery("FOR p IN @@c FILTER LENGTH(p.name) > 2 SORT p._key RETURN {n: UPPER(p.name), age: p.age}", { "@c": C });
  const cursor = await client.query(`FOR i IN 1..5 RETURN i * 2`, {}, { batchSize: 2, count: true });
  out.cursorCount = cursor.count;
  out.cursorAll = await cursor.all();
  out.collectQuery = await client.executeQuery(`FOR p IN ${C} COLLECT old = p.age > 30 WITH COUNT INTO n RETURN {old, n}`);
  out.badQuery = await attempt(() => client.executeQuery("FOR p IN jsc8_people RETURN REGEX_TEST(p.name, 'A')"));

  out.index = await client.addPersistentIndex(C, ["email"], { unique: true, name: "byEmail" });
  out.ttlIndex = await client.addTtlIndex(C, ["expires"], 3600, "ttl1");
  out.indexes = (await client.listCollectionIndexes(C)).map((i) => ({ type: i.type, name: i.name, unique: i.unique }));
  out.uniqueViolation = await attempt(() => client.insertDocument(C, { _key: "d", email: "ann@x" }));
  out.dropIndex = await client.deleteIndex(C, "byEmail");
  out.afterDrop = await attempt(() => client.insertDocument(C, { _key: "d", email: "ann@x" }));

  const KV = "jsc8_kv";
  out.kvCreate = await client.createKVCollection(KV);
  out.kvPut = await client.insertKVPairs(KV, [
    { _key: "k1", value: "v1", expireAt: -1 },
    { _key: "k2", value: { n: 2 }, expireAt: -1 },
  ]);
  out.kvGet = await client.getValueForKey(KV, "k2");
  out.kvCount = await client.getKVCount(KV);
  out.kvKeys = await client.getKVKeys(KV);
  out.kvDelete = await client.deleteEntryForKey(KV, "k1");
  out.kvCollections = await client.getKVCollections();

  const S = "jsc8_stream";
  out.streamCreate = await client.createStream(S, true);
  out.hasStream = await client.hasStream(S, true);
  const localDc = await client.getLocalDc();
  out.localDcTags = localDc.tags;
  const consumer = await client.subscribe(S, true, false, "jsc8-sub", undefined, { subscriptionType: "Exclusive" });
  const producer = await client.createStreamProducer(S, true, false, undefined);
  await Promise.all([once(consumer, "open"), once(producer, "open")]);
  // Listen before sending: the delivery may arrive in the same turn as the producer's ack.
  const delivered = once(consumer, "message");
  const acked = once(producer, "message");
  producer.send(JSON.stringify({ payload: Buffer.from("hello from jsc8").toString("base64") }));
  const [ack] = await acked;
  out.producerAck = JSON.parse(String(ack));
  const [delivery] = await delivered;
  const msg = JSON.parse(String(delivery));
  out.delivered = Buffer.from(msg.payload, "base64").toString();
  consumer.send(JSON.stringify({ messageId: msg.messageId }));
  producer.close();
  consumer.close();
  out.streamStats = await attempt(() => client.getStreamBacklog(S, true));
  out.deleteStream = await client.deleteStream(`c8locals.${S}`);
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stdout.write(JSON.stringify({ fatal: errorOf(e), stack: e && e.stack }) + "\n");
    process.exit(1);
  },
);
