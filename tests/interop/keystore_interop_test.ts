// Interop of contract v1.2 with pyca/cryptography (/usr/bin/python3): a
// Fernet key that cryptography wraps, under both paddings, with each public
// key `show_key` returns, decrypts by key id and version.

import assert from "node:assert/strict";
import { withService } from "../_helpers/service.ts";
import { interopGate, python } from "../_helpers/python.ts";

const GATE = await interopGate("v1.2 keystore interop tests (Python)");

Deno.test({
  name:
    "keystore interop: cryptography wraps with show_key's public keys (both paddings); decrypted by key id and version",
  ignore: GATE.ignore,
  fn: async () => {
    GATE.assertRunnable();
    await withService(async (service) => {
      const run = await python([
        "tests/interop/python/keystore_client.py",
        service.endpoint,
        "interop-key",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), "ok");
    });
  },
});
