// Issue 16, finding 12: the service starts and serves through `deno task
// start`, with the task's scoped permissions (tests/unit/project/
// permissions_test.ts), on each path that needs one: libzmq, libcrypto and
// libc through FFI, a CURVE key read from a file, KEYSERVICE_* variables,
// the metrics listener, and the node:crypto backend's workers.

import assert from "node:assert/strict";
import { curveClient, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { ask, withService } from "../_helpers/service.ts";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import { testLibzmq } from "../_helpers/service.ts";

Deno.test("deno task start serves with its scoped permissions: FFI, a key file, variables, metrics", async () => {
  const server = generateCurveKeyPair(testLibzmq());
  const client = generateCurveKeyPair(testLibzmq());
  await withTempDir(async (dir) => {
    const keyFile = await writePrivate(`${dir}/server.key`, server.secret);
    const allow = await writePrivate(`${dir}/clients.allow`, client.public);
    await withService(
      async (service) => {
        assert.match(service.stderr(), /crypto=openssl-3/);
        const zmq = curveClient(service, server.public, client);
        try {
          const reply = await ask(zmq, { type: "ping" });
          assert.equal(reply.status, "ok");
        } finally {
          zmq.close();
        }
        const health = await fetch(`${service.metrics}/healthz`);
        assert.equal(health.status, 200);
        await health.body?.cancel();
      },
      ["--metrics", "0"],
      {
        KEYSERVICE_CURVE_SECRET_KEY_FILE: keyFile,
        KEYSERVICE_CURVE_ALLOW: allow,
        KEYSERVICE_CRYPTO_BACKEND: "openssl",
      },
    );
  });
});

Deno.test("deno task start serves decryption on node:crypto workers with its scoped permissions", async () => {
  await withService(async (service) => {
    const keys = await service.request({ type: "generate_keys" });
    const rsa = keys.rsa as { public: string; private: string };
    const wrapped = await service.request({
      type: "encrypt_fernet",
      fernet: keys.fernet,
      rsa_public: rsa.public,
    });
    const unwrapped = await service.request({
      type: "decrypt_fernet",
      encrypted_fernet: wrapped.encrypted_fernet,
      rsa_private: rsa.private,
    });
    assert.equal(unwrapped.fernet, keys.fernet);
    assert.match(service.stderr(), /crypto=node/);
  }, ["--crypto-backend", "node"]);
});
