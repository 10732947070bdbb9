// The service's limits, end to end: request size, frame size (libzmq's
// ZMQ_MAXMSGSIZE), RSA modulus size, and frames per request.

import assert from "node:assert/strict";
import { ReplyTimeout } from "../../lib/zmq/client.ts";
import {
  ask,
  jsonBytes,
  withClient,
  withService,
} from "../_helpers/service.ts";
import { waitForLog } from "../_helpers/wait.ts";

const encoder = new TextEncoder();

/** A `ping` request padded with an unknown field to exactly `bytes` bytes. */
function paddedPing(bytes: number): Uint8Array {
  const head = '{"type":"ping","padding":"';
  const tail = '"}';
  const body = encoder.encode(
    head + "x".repeat(bytes - head.length - tail.length) + tail,
  );
  assert.equal(body.length, bytes);
  JSON.parse(new TextDecoder().decode(body)); // valid JSON
  return body;
}

function assertError(reply: Record<string, unknown>, code: string): void {
  assert.equal(reply.code, code, JSON.stringify(reply));
  assert.equal(typeof reply.error, "string", JSON.stringify(reply));
  assert.deepEqual(Object.keys(reply).sort(), ["code", "error"]);
}

/** 2 KiB requests, no key pool, and a log line per request. */
const SMALL_REQUESTS = [
  "--max-request-bytes",
  "2048",
  "--pool-size",
  "0",
  "--log-level",
  "debug",
];

Deno.test("--max-request-bytes 2048: a 3000-byte request gets request_too_large", async () => {
  await withService(async (service) => {
    await withClient(service, async (client) => {
      assertError(await ask(client, paddedPing(3000)), "request_too_large");
      // The same client, answered, asks again.
      assert.equal(
        (await ask(client, jsonBytes({ type: "ping" }))).status,
        "ok",
      );
      // At the limit exactly: answered (ping ignores unknown fields, or says
      // what is wrong with them, but never request_too_large).
      const atLimit = await ask(client, paddedPing(2048));
      assert.notEqual(atLimit.code, "request_too_large");
      assertError(await ask(client, paddedPing(2049)), "request_too_large");
    });
    // Each request's log line follows its reply: wait for it.
    await waitForLog(
      service,
      / DEBUG request type=invalid code=request_too_large /,
    );
  }, SMALL_REQUESTS);
});

Deno.test("--max-frame-bytes 4096: a larger frame gets no reply, and the service lives on", async () => {
  await withService(async (service) => {
    // Within the frame limit but over the request limit: an error reply.
    await withClient(service, async (client) => {
      assertError(await ask(client, paddedPing(3000)), "request_too_large");
    });
    // Over the frame limit: libzmq drops the connection; no reply at all.
    await withClient(service, async (client) => {
      await assert.rejects(
        client.request(paddedPing(10_000), 2000),
        (error: unknown) => {
          assert.ok(error instanceof ReplyTimeout, String(error));
          return true;
        },
      );
    });
    // A new client is served.
    await withClient(service, async (client) => {
      assert.equal(
        (await ask(client, jsonBytes({ type: "ping" }))).status,
        "ok",
      );
    });
    // Only the first request and the ping reached the service; the frame
    // never did. (Each log line follows its reply: wait for both.)
    const requests = await waitForLog(service, / DEBUG request /, {
      count: 2,
    });
    assert.equal(
      requests.length,
      2,
      `the oversized frame reached the service:\n${service.stderr()}`,
    );
    assert.match(requests[0], / type=invalid code=request_too_large /);
    assert.match(requests[1], / type=ping code=ok /);
  }, ["--max-frame-bytes", "4096", ...SMALL_REQUESTS]);
});

Deno.test("--min-key-bits 3072: a 2048-bit key gets invalid_key", async () => {
  await withService(async (service) => {
    await withClient(service, async (client) => {
      const keys = await ask(client, jsonBytes({ type: "generate_keys" }));
      const rsa = keys.rsa as { public: string; private: string };
      assert.match(rsa.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
      const encrypt = await ask(
        client,
        jsonBytes({
          type: "encrypt_fernet",
          fernet: keys.fernet,
          rsa_public: rsa.public,
        }),
      );
      assertError(encrypt, "invalid_key");
      // The message says what is wrong, never the key.
      assert.ok(
        !String(encrypt.error).includes("BEGIN"),
        String(encrypt.error),
      );
      const decrypt = await ask(
        client,
        jsonBytes({
          type: "decrypt_fernet",
          encrypted_fernet: "A".repeat(342) + "==",
          rsa_private: rsa.private,
        }),
      );
      assertError(decrypt, "invalid_key");
      assert.equal(
        (await ask(client, jsonBytes({ type: "ping" }))).status,
        "ok",
      );
    });
  }, ["--min-key-bits", "3072", "--pool-size", "0"]);
});

Deno.test("a three-frame request gets multipart_request; the client carries on", async () => {
  await withService(async (service) => {
    await withClient(service, async (client) => {
      const ping = jsonBytes({ type: "ping" });
      assertError(await ask(client, [ping, ping, ping]), "multipart_request");
      assert.equal((await ask(client, ping)).status, "ok");
      assertError(
        await ask(client, [ping, new Uint8Array(0), ping]),
        "multipart_request",
      );
      assert.equal((await ask(client, ping)).status, "ok");
    });
  }, ["--pool-size", "0"]);
});
