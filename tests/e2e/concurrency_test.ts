// Concurrency, end to end against the real service process: the in-flight
// bound, decryption answered while a key pair is generated on demand, the
// pool and workers in `ping`, and generate_keys from a drained pool.
// Assertions are about outcomes and the order replies arrive in, never
// about durations.

import assert from "node:assert/strict";
import type { ReqClient } from "../../lib/zmq/client.ts";
import { encryptPkcs1v15, parsePublicKey } from "../../lib/crypto/mod.ts";
import { VERSION } from "../../lib/cli/version.ts";
import {
  jsonBytes,
  parseReply,
  type RunningService,
  withService,
} from "../_helpers/service.ts";

const encoder = new TextEncoder();

/** Resolves after `ms`. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One request on `client`; the parsed reply. */
async function ask(
  client: ReqClient,
  body: unknown,
): Promise<Record<string, unknown>> {
  return parseReply(await client.request(jsonBytes(body), 60_000));
}

/** `count` clients of `service`, each answered once (so connected). */
async function connectedClients(
  service: RunningService,
  count: number,
): Promise<ReqClient[]> {
  const clients = Array.from({ length: count }, () => service.client());
  try {
    for (
      const reply of await Promise.all(
        clients.map((client) => ask(client, { type: "ping" })),
      )
    ) {
      assert.equal(reply.status, "ok", JSON.stringify(reply));
    }
  } catch (error) {
    for (const client of clients) client.close();
    throw error;
  }
  return clients;
}

function closeAll(clients: ReqClient[]): void {
  for (const client of clients) client.close();
}

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

Deno.test("a decrypt is answered while a key pair is generated on demand", async () => {
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
    const [a, b] = await connectedClients(service, 2);
    try {
      const order: string[] = [];
      const generated = ask(a, { type: "generate_keys" }).then((reply) => {
        order.push("A");
        return reply;
      });
      const decrypted = (async () => {
        const replies = [];
        for (const [i, ciphertext] of ciphertexts.entries()) {
          const reply = await ask(b, {
            type: "decrypt_fernet",
            encrypted_fernet: ciphertext,
            rsa_private: pair.rsa.private,
          });
          order.push(`B${i}`);
          replies.push(reply);
        }
        return replies;
      })();
      const [keys, replies] = await Promise.all([generated, decrypted]);
      assertKeys(keys);
      assert.deepEqual(replies.map((reply) => reply.fernet), fernets);
      assert.deepEqual(order, ["B0", "B1", "B2", "A"]);
    } finally {
      closeAll([a, b]);
    }
  }, ["--pool-size", "0"]);
});

Deno.test("ping reports the pool's depth and size, workers, in_flight and version", async () => {
  await withService(async (service) => {
    const deadline = performance.now() + 30_000;
    let reply: Record<string, unknown>;
    while (true) {
      reply = await service.request({ type: "ping" });
      const pool = reply.pool as { depth: number } | undefined;
      if (pool?.depth === 3) break;
      if (performance.now() > deadline) {
        assert.fail(`the pool did not fill: ${JSON.stringify(reply)}`);
      }
      await delay(50);
    }
    assert.equal(reply.status, "ok");
    assert.equal(reply.version, VERSION);
    assert.equal(reply.workers, 1);
    assert.equal(reply.in_flight, 0);
    const pool = reply.pool as Record<string, unknown>;
    assert.equal(pool.size, 3);
    assert.equal(pool.depth, 3);
    assert.equal(pool.generating, 0);
    // Taking a pair lowers the depth; the pool then refills.
    assertKeys(await service.request({ type: "generate_keys" }));
    const after = (await service.request({ type: "ping" })).pool as {
      depth: number;
      generating: number;
    };
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
