// CurveZMQ with the real Python client: pyzmq REQ sockets (run by
// /usr/bin/python3, see tests/interop/python/curve_client.py) against the
// service started with a secret-key file and an allow list.
//
// Without /usr/bin/python3 and its packages the test is ignored (and says
// why), unless KEYSERVICE_REQUIRE_INTEROP=1, which turns that into a
// failure.

import assert from "node:assert/strict";
import {
  type CurveKeyPair,
  generateCurveKeyPair,
} from "../../lib/zmq/curve.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";
import {
  assertNoSecrets,
  refusedLine,
  withTempDir,
  writePrivate,
} from "../_helpers/curve.ts";
import { interopGate, python, type PythonRun } from "../_helpers/python.ts";
import { waitForLog } from "../_helpers/wait.ts";

const CURVE_CLIENT = "tests/interop/python/curve_client.py";

const gate = await interopGate("pyzmq CURVE tests");

Deno.test({
  name: "pyzmq CURVE clients: a listed key is served, others get no reply",
  ignore: gate.ignore,
  async fn() {
    gate.assertRunnable();
    await withTempDir(async (dir) => {
      const libzmq = testLibzmq();
      const server = generateCurveKeyPair(libzmq);
      const allowed = generateCurveKeyPair(libzmq);
      const refused = generateCurveKeyPair(libzmq);
      const keyFile = await writePrivate(
        `${dir}/server.key`,
        `public ${server.public}\nsecret ${server.secret}\n`,
      );
      const allowFile = await writePrivate(
        `${dir}/allowed.txt`,
        `${allowed.public} python client\n`,
      );
      const service = await withService(async (service) => {
        const client = (pair: CurveKeyPair, serverKey = server.public) =>
          python([
            CURVE_CLIENT,
            service.endpoint,
            serverKey,
            pair.public,
            pair.secret,
          ]);
        const [ok, notListed, plain] = await Promise.all([
          client(allowed),
          client(refused),
          client(allowed, "-"),
        ]);
        const explain = (run: PythonRun) =>
          `exit ${run.code}\n--- stdout ---\n${run.stdout}--- stderr ---\n` +
          `${run.stderr}--- service ---\n${service.stderr()}`;
        for (const run of [ok, notListed, plain]) {
          assert.equal(run.code, 0, explain(run));
        }
        assert.deepEqual(JSON.parse(ok.stdout).status, "ok", explain(ok));
        assert.equal(notListed.stdout, "NO REPLY\n", explain(notListed));
        assert.equal(plain.stdout, "NO REPLY\n", explain(plain));
        await waitForLog(service, refusedLine(refused.public));
        // A generate_keys from pyzmq after the refusals.
        const keys = await python([
          CURVE_CLIENT,
          service.endpoint,
          server.public,
          allowed.public,
          allowed.secret,
          '{"type": "generate_keys"}',
        ]);
        assert.equal(keys.code, 0, explain(keys));
        const reply = JSON.parse(keys.stdout);
        assert.match(reply.fernet, /^[A-Za-z0-9_-]{43}=$/, explain(keys));
        assert.match(reply.rsa.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
      }, [
        "--curve-secret-key-file",
        keyFile,
        "--curve-allow",
        allowFile,
        "--pool-size",
        "1",
      ]);
      assertNoSecrets(service, {
        "the server's secret key": server.secret,
        "the allowed client's secret key": allowed.secret,
        "the refused client's secret key": refused.secret,
      });
    });
  },
});
