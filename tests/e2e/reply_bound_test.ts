// The largest reply, and what clients that never read it can make the
// service hold. The largest reply follows from the limits (MAX_REPLY_BYTES
// in lib/service/protocol.ts: 256 recipients, each a 4096-bit key's
// ciphertext or an error entry of at most 320 bytes); a request built to
// make long error messages gets entries of fixed words instead; and clients
// that fill their reply queues (64 each) with the largest replies and never
// read them grow the service's RSS by no more than SECURITY.md's bound per
// such client.

import assert from "node:assert/strict";
import { Dealer } from "../_helpers/dealer.ts";
import { derSequence, pem, tlv } from "../_helpers/der.ts";
import { jsonBytes, withService } from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";
import {
  MAX_ERROR_REPLY_BYTES,
  MAX_REPLY_BYTES,
} from "../../lib/service/protocol.ts";

const EMPTY = new Uint8Array(0);
const FERNET = "x".repeat(44);
const MB = 1024 * 1024;

/** Replies libzmq queues for one client (ZMQ_SNDHWM). */
const QUEUED_REPLIES = 64;
/**
 * SECURITY.md's bound on the RSS one never-reading client adds: its queue
 * full of the largest replies, twice over for the allocators (measured:
 * 1.75 times).
 */
const PER_CLIENT_BOUND = 2 * QUEUED_REPLIES * MAX_REPLY_BYTES;
/** And for the work in flight and the garbage not yet collected. */
const WORKING_BOUND = 48 * MB;

async function publicPem(bits: number): Promise<string> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: "SHA-256",
    },
    true,
    ["sign"],
  );
  return pem(
    "PUBLIC KEY",
    new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
  );
}

/**
 * A public key whose algorithm is an OID of one 6,000-bit arc: the old
 * service named it in the error, 1,800 digits for 1.2 KB of request.
 */
const LONG_OID_KEY = pem(
  "PUBLIC KEY",
  derSequence(
    derSequence(
      tlv(0x06, Uint8Array.of(0x2a, ...Array(860).fill(0xff), 0x7f)),
      Uint8Array.of(0x05, 0x00),
    ),
    tlv(0x03, Uint8Array.of(0x00, 0x30, 0x00)),
  ),
);

Deno.test("256 recipients whose errors would be long: each entry at most 320 bytes, the reply within the largest", async () => {
  await withService(async (service) => {
    const request = jsonBytes({
      type: "encrypt_fernet_many",
      fernet: FERNET,
      rsa_publics: Array(256).fill(LONG_OID_KEY),
    });
    assert.ok(request.length > 300_000, `${request.length} bytes`);
    const client = Dealer.connect(service.endpoint);
    try {
      client.send([EMPTY, request]);
      const [reply] = await client.receive(1, 60_000);
      const body = reply.at(-1)!;
      const results = JSON.parse(new TextDecoder().decode(body)).results;
      console.log(
        `a ${request.length}-byte request of long-OID keys: a ` +
          `${body.length}-byte reply (the largest allowed: ${MAX_REPLY_BYTES})`,
      );
      assert.equal(results.length, 256);
      for (const entry of results) {
        assert.equal(typeof entry.code, "string");
        assert.ok(jsonBytes(entry).length <= MAX_ERROR_REPLY_BYTES);
      }
      assert.ok(body.length <= MAX_REPLY_BYTES);
    } finally {
      client.close();
    }
  });
});

Deno.test("never-reading clients whose queues fill with the largest replies: RSS grows within SECURITY.md's bound per client", async () => {
  const CLIENTS = 4;
  const WAVES = 9; // 72 replies each: the queue's 64, and more dropped
  const key = await publicPem(4096);
  const request = jsonBytes({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: Array(256).fill(key),
  });
  await withService(
    async (service) => {
      // Warm-up: the same requests from a client that reads its replies, so
      // that what any load costs once (code, heap, threads) is in the start.
      const reader = Dealer.connect(service.endpoint);
      try {
        for (let wave = 0; wave < 2 * CLIENTS; wave++) {
          for (let i = 0; i < 8; i++) reader.send([EMPTY, request]);
          assert.equal((await reader.receive(8, 300_000)).length, 8);
        }
      } finally {
        reader.close();
      }
      const first = await service.ping();
      const slow = Array.from(
        { length: CLIENTS },
        () => Dealer.connect(service.endpoint, { receiveQueue: 1 }),
      );
      try {
        let largest = 0;
        for (let wave = 0; wave < WAVES; wave++) {
          // Waves of 8, the per-client cap, each answered before the next:
          // every request makes a reply of the largest size.
          for (const dealer of slow) {
            for (let i = 0; i < 8; i++) dealer.send([EMPTY, request]);
          }
          await waitFor(async () => {
            const ping = await service.ping();
            return ping.in_flight === 0 ? ping : undefined;
          }, { timeoutMs: 300_000, what: "the wave answered" });
          largest = Math.max(largest, (await service.ping()).rss_bytes);
        }
        const last = await service.ping();
        const grown = Math.max(largest, last.rss_bytes) - first.rss_bytes;
        console.log(
          `${CLIENTS} clients never reading, ${WAVES * 8} replies of ` +
            `${MAX_REPLY_BYTES} bytes sent to each: RSS ` +
            `${(first.rss_bytes / MB).toFixed(1)} MB at start, at most ` +
            `${(largest / MB).toFixed(1)} MB, grown ${
              (grown / MB).toFixed(1)
            } ` +
            `MB (bound ${WORKING_BOUND / MB} + ${CLIENTS} x ` +
            `${(PER_CLIENT_BOUND / MB).toFixed(1)} MB)`,
        );
        assert.ok(grown <= WORKING_BOUND + CLIENTS * PER_CLIENT_BOUND);
        // And a client that reads is still served.
        const reply = await service.request({ type: "ping" });
        assert.equal(reply.status, "ok");
      } finally {
        for (const dealer of slow) dealer.close();
      }
    },
  );
});
