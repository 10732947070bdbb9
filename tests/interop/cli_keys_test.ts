// What `keyservice keys new` writes, opened by the Python client stack:
// python-rsa loads the PKCS#1 pair, pyca/cryptography the pair encrypted
// under a passphrase, and Fernet takes fernet.key.

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { withTempDir, writePrivate } from "../_helpers/curve.ts";
import { interopGate, python } from "../_helpers/python.ts";
import { withService } from "../_helpers/service.ts";

const pythonGate = await interopGate("keys new interop tests");

Deno.test({
  name: "interop: Python opens the key sets `keys new` wrote",
  ignore: pythonGate.ignore,
  async fn() {
    pythonGate.assertRunnable();
    await withTempDir(async (dir) => {
      const pass = await writePrivate(`${dir}/pass`, "open sesame\n");
      await withService(async (service) => {
        const at = ["--endpoint", service.endpoint];
        for (
          const [out, extra] of [["plain", []], ["locked", [
            "--passphrase-file",
            pass,
          ]]] as const
        ) {
          const made = await runCli([
            "keys",
            "new",
            "--out",
            `${dir}/${out}`,
            ...extra,
            ...at,
          ]);
          assert.equal(made.code, 0, made.stderr);
          const opened = await python([
            "tests/interop/python/open_keys.py",
            `${dir}/${out}`,
            ...(extra.length ? [pass] : []),
          ]);
          assert.equal(opened.code, 0, opened.stdout + opened.stderr);
          assert.match(opened.stdout, /ALL OK\n$/);
        }
      }, ["--pbkdf2-iterations", "100000"]);
    });
  },
});
