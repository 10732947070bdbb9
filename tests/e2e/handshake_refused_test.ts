// A CURVE handshake the server refused is said as such, not as "no
// connection": the command line (exit 3, as for no service) and the client
// library (HandshakeRefused, code handshake_refused), against the real
// service with CURVE and an allow list. A client whose key is not listed is
// told the allow list refused it; one given the wrong server key is told
// the handshake failed. Nothing listening is still "no connection".

import assert from "node:assert/strict";
import {
  HandshakeRefused,
  KeyServiceClient,
  KeyServiceClientError,
  UnreachableError,
} from "../../lib/client/mod.ts";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";
import { cliKeyPair, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { runCli } from "../_helpers/cli.ts";

/** What `fn` rejects with. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  return await fn().then(() => assert.fail("resolved"), (error) => error);
}

Deno.test("a refused CURVE handshake: the CLI and the library say so (not on the allow list, wrong server key)", async () => {
  await withTempDir(async (dir) => {
    const server = await cliKeyPair();
    const keyFile = await writePrivate(`${dir}/server.key`, server.text);
    const libzmq = testLibzmq();
    const listed = await cliKeyPair();
    const listedFile = await writePrivate(`${dir}/listed.key`, listed.text);
    const allowFile = await writePrivate(
      `${dir}/allowed.txt`,
      `${listed.public}\n`,
    );
    const wrongServer = generateCurveKeyPair(libzmq).public;
    await withService(async (service) => {
      const base = ["ping", "--endpoint", service.endpoint];
      // The listed key with the right server key is served: the set-up works.
      const served = await runCli([
        ...base,
        "--curve-server-key",
        server.public,
        "--curve-keypair-file",
        listedFile,
      ]);
      assert.equal(served.code, 0, served.stderr);

      // A fresh key pair (the default): not on the allow list.
      const unlisted = await runCli([
        ...base,
        "--curve-server-key",
        server.public,
      ]);
      assert.equal(unlisted.code, 3, unlisted.stderr);
      assert.match(
        unlisted.stderr,
        /^keyservice: the server refused the CURVE handshake: this client's key is not on its allow list/,
      );
      assert.doesNotMatch(unlisted.stderr, /no connection/);

      // The listed pair, but another server key than the service's.
      const wrongKey = await runCli([
        ...base,
        "--curve-server-key",
        wrongServer,
        "--curve-keypair-file",
        listedFile,
        "--timeout",
        "1",
      ]);
      assert.equal(wrongKey.code, 3, wrongKey.stderr);
      assert.match(
        wrongKey.stderr,
        /^keyservice: the CURVE handshake failed: the server's key is not --curve-server-key/,
      );

      // Without CURVE, to a service that speaks it.
      const plain = await runCli([...base, "--timeout", "1"]);
      assert.equal(plain.code, 3, plain.stderr);
      assert.match(
        plain.stderr,
        /^keyservice: the handshake failed: the server speaks CURVE; give its key/,
      );

      // The library: a typed error, never sent.
      const client = new KeyServiceClient({
        endpoints: service.endpoint,
        timeoutMs: 1000,
        retries: 1,
        curve: { serverKey: server.public },
      });
      try {
        const error = await rejection(() => client.ping());
        assert.ok(error instanceof HandshakeRefused, `${error}`);
        assert.ok(error instanceof KeyServiceClientError);
        assert.ok(!(error instanceof UnreachableError));
        assert.equal(error.code, "handshake_refused");
        assert.equal(HandshakeRefused.code, "handshake_refused");
        assert.equal(error.reason, "not_allowed");
        assert.deepEqual(error.endpoints, [service.endpoint]);
      } finally {
        client.close();
      }
      const wrong = new KeyServiceClient({
        endpoints: service.endpoint,
        timeoutMs: 1000,
        retries: 0,
        curve: { serverKey: wrongServer, keyPairFile: listedFile },
      });
      try {
        const error = await rejection(() => wrong.ping());
        assert.ok(error instanceof HandshakeRefused, `${error}`);
        assert.equal(error.reason, "handshake_failed");
      } finally {
        wrong.close();
      }
    }, ["--curve-secret-key-file", keyFile, "--curve-allow", allowFile]);
  });
});

Deno.test("nothing listening is still no connection, not a refused handshake", async () => {
  const libzmq = testLibzmq();
  const none = await runCli([
    "ping",
    "--endpoint",
    "tcp://127.0.0.1:1",
    "--curve-server-key",
    generateCurveKeyPair(libzmq).public,
    "--timeout",
    "0.3",
  ]);
  assert.equal(none.code, 3, none.stderr);
  assert.match(
    none.stderr,
    /^keyservice: no connection to tcp:\/\/127\.0\.0\.1:1 /,
  );
});
