// Concurrency, end to end against the real service process: the in-flight
// bound, decryption answered while a key pair is generated on demand, the
// pool and workers in `ping`, and generate_keys from a drained pool.
// Assertions are about outcomes, never about durations or about which of
// two concurrent requests is answered first (that is the benchmark's
// business).

import assert from "node:assert/strict";
import { encryptPkcs1v15, parsePublicKey } from "../../lib/crypto/mod.ts";
import { VERSION } from "../../lib/runtime/version.ts";
import {
  ask,
  closeAll,
  connectedClients,
  type PingReply,
  requestInFlight,
  withService,
} from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";

const encoder = new TextEncoder();

interface KeysReply {
  rsa: { public: string; private: string };
  fernet: string;
}

function assertKeys(reply: Record<string, unknown>): KeysReply {
  assert.equal(reply.error, undefined, JSON.stringify(reply));
  const rsa = reply.rsa as KeysReply["rsa"];
  assert.match(rsa.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
  assert.match(rsa.private, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.equal(typeof reply.fernet, "string");
  return reply as unknown as KeysReply;
}

Deno.test("requests past --max-inflight get overloaded; the rest succeed", async () => {
  await withService(async (service) => {
    // Connected (and answered) first, so that the six generate_keys arrive
    // together; each is slow, generated on demand.
    const clients = await connectedClients(service, 6);
    try {
      const replies = await Promise.all(
        clients.map((client) => ask(client, { type: "generate_keys" })),
      );
      const overloaded = replies.filter((reply) => reply.code === "overloaded");
      assert.ok(
        overloaded.length >= 1,
        `no overloaded reply: ${JSON.stringify(replies.map((r) => r.code))}`,
      );
      for (const reply of overloaded) {
        assert.equal(typeof reply.error, "string");
        assert.notEqual(reply.error, "");
        assert.deepEqual(Object.keys(reply).sort(), ["code", "error"]);
      }
      const served = replies.filter((reply) => reply.code !== "overloaded");
      // The first two to arrive are within the bound.
      assert.ok(served.length >= 2, `${served.length} served`);
      for (const reply of served) assertKeys(reply);
      // Overloaded clients were answered, so they can ask again.
      for (const client of clients) {
        assert.equal((await ask(client, { type: "ping" })).status, "ok");
      }
    } finally {
      closeAll(clients);
    }
    assert.equal((await service.request({ type: "ping" })).status, "ok");
  }, ["--max-inflight", "2", "--pool-size", "0"]);
});

Deno.test("decrypts sent while a generate_keys is in flight are answered, and so is the generate_keys", async () => {
  await withService(async (service) => {
    // A key pair from the service, and ciphertexts under it, before A asks.
    const pair = assertKeys(await service.request({ type: "generate_keys" }));
    const publicKey = parsePublicKey(pair.rsa.public);
    const fernets = ["first", "second", "third"].map((word) =>
      `${word}-${"k".repeat(30)}`
    );
    const ciphertexts = fernets.map((fernet) =>
      encryptPkcs1v15(publicKey, encoder.encode(fernet)).toBase64()
    );
    const [b] = await connectedClients(service, 1);
    // A's generate_keys (on demand: no pool), seen in flight by a ping
    // before B sends its decrypts. Which is answered first is not checked.
    const a = await requestInFlight(service, { type: "generate_keys" });
    try {
      const replies = [];
      for (const ciphertext of ciphertexts) {
        replies.push(
          await ask(b, {
            type: "decrypt_fernet",
            encrypted_fernet: ciphertext,
            rsa_private: pair.rsa.private,
          }),
        );
      }
      assert.deepEqual(replies.map((reply) => reply.fernet), fernets);
      const keys = assertKeys(await a.reply);
      assert.notEqual(keys.rsa.public, pair.rsa.public);
    } finally {
      closeAll([a.client, b]);
    }
  }, ["--pool-size", "0"]);
});

Deno.test("ping reports the pool's depth and size, workers, in_flight and version", async () => {
  await withService(async (service) => {
    let last: PingReply | undefined;
    const reply = await waitFor(async () => {
      last = await service.ping();
      return last.pool?.depth === 3 ? last : undefined;
    }, {
      timeoutMs: 30_000,
      what: "the pool to fill",
      explain: () => JSON.stringify(last),
    });
    assert.equal(reply.status, "ok");
    assert.equal(reply.version, VERSION);
    assert.equal(reply.workers, 1);
    assert.equal(reply.in_flight, 0);
    const pool = reply.pool;
    assert.equal(pool.size, 3);
    assert.equal(pool.depth, 3);
    assert.equal(pool.generating, 0);
    // Taking a pair lowers the depth; the pool then refills.
    assertKeys(await service.request({ type: "generate_keys" }));
    const after = (await service.ping()).pool;
    assert.ok(after.depth <= 3);
    assert.ok(after.depth + after.generating <= 3, JSON.stringify(after));
  }, ["--pool-size", "3", "--workers", "1"]);
});

Deno.test("generate_keys from a drained pool still succeeds, with distinct keys", async () => {
  await withService(async (service) => {
    const clients = await connectedClients(service, 3);
    try {
      const replies = await Promise.all(
        clients.map((client) => ask(client, { type: "generate_keys" })),
      );
      const keys = replies.map(assertKeys);
      assert.equal(new Set(keys.map((k) => k.rsa.public)).size, 3);
      assert.equal(new Set(keys.map((k) => k.rsa.private)).size, 3);
      assert.equal(new Set(keys.map((k) => k.fernet)).size, 3);
    } finally {
      closeAll(clients);
    }
  }, ["--pool-size", "1"]);
});
