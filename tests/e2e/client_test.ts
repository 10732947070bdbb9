// The client library (lib/client) against the real service: every
// operation with its typed result, error replies as their classes,
// `overloaded` retried after a backoff, TimeoutError and UnreachableError,
// a retry that succeeds once the service is back on its port, failover
// and spreading between endpoints, and CURVE.

import { Buffer } from "node:buffer";
import { createPublicKey } from "node:crypto";
import assert from "node:assert/strict";
import {
  DecryptionFailed,
  HandshakeRefused,
  InvalidCiphertext,
  InvalidField,
  InvalidPassphrase,
  InvalidPem,
  KeyServiceClient,
  type KeyServiceClientOptions,
  MissingField,
  Overloaded,
  PlaintextTooLong,
  type RetryEvent,
  type ServiceError,
  TimeoutError,
  UnreachableError,
  WrongKeyType,
} from "../../lib/client/mod.ts";
import { RouterServer } from "../../lib/zmq/router.ts";
import { cliKeyPair, withTempDir, writePrivate } from "../_helpers/curve.ts";
import {
  type RunningService,
  startService,
  testLibzmq,
  withService,
} from "../_helpers/service.ts";
import { logLines, waitFor } from "../_helpers/wait.ts";

/** A client of `endpoints` that records its retries; closed after `fn`. */
async function withClient<T>(
  options: KeyServiceClientOptions,
  fn: (client: KeyServiceClient, retries: RetryEvent[]) => Promise<T>,
): Promise<T> {
  const retries: RetryEvent[] = [];
  const client = new KeyServiceClient({
    libzmq: testLibzmq(),
    onRetry: (event) => retries.push(event),
    ...options,
  });
  try {
    return await fn(client, retries);
  } finally {
    client.close();
  }
}

/** A TCP port nothing listens on (it was free a moment ago). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("the client: every operation, with typed results", async () => {
  await withService(async (service) => {
    await withClient({ endpoints: service.endpoint }, async (client) => {
      const keys = await client.generateKeys();
      assert.match(keys.rsa.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
      assert.match(keys.rsa.private, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      assert.equal(keys.fernet.length, 44);
      for (const padding of ["pkcs1v15", "oaep-sha256"] as const) {
        const wrapped = await client.encryptFernet(
          keys.fernet,
          keys.rsa.public,
          {
            padding,
          },
        );
        assert.equal(
          await client.decryptFernet(wrapped, keys.rsa.private, { padding }),
          keys.fernet,
        );
      }
      const locked = await client.generateKeys({
        format: "pkcs8",
        passphrase: "correct horse",
      });
      assert.match(locked.rsa.private, /^-----BEGIN ENCRYPTED PRIVATE KEY/);
      const wrapped = await client.encryptFernet(
        keys.fernet,
        locked.rsa.public,
      );
      assert.equal(
        await client.decryptFernet(wrapped, locked.rsa.private, {
          passphrase: "correct horse",
        }),
        keys.fernet,
      );
      const many = await client.encryptFernetMany(keys.fernet, [
        keys.rsa.public,
        "junk",
      ]);
      assert.ok("encryptedFernet" in many[0]);
      assert.ok("error" in many[1] && many[1].error instanceof InvalidPem);
      const ping = await client.ping();
      assert.equal(ping.status, "ok");
      assert.ok(ping.capabilities?.operations.includes("encrypt_fernet_many"));
    });
  }, ["--pbkdf2-iterations", "100000"]);
});

Deno.test("the client: each error reply is its class, with the reply's code", async () => {
  await withService(async (service) => {
    await withClient({ endpoints: service.endpoint }, async (client) => {
      const b = await client.generateKeys({
        format: "pkcs8",
        passphrase: "pw",
      });
      // a's modulus below b's: a ciphertext under a is then below b's
      // modulus too, so b's decryption fails (decryption_failed) instead of
      // refusing the ciphertext (invalid_ciphertext), whatever the keys drawn.
      let a = await client.generateKeys();
      while (modulus(a.rsa.public) >= modulus(b.rsa.public)) {
        a = await client.generateKeys();
      }
      const wrapped = await client.encryptFernet(a.fernet, a.rsa.public);
      const cases: [() => Promise<unknown>, typeof ServiceError, string][] = [
        [
          () =>
            client.decryptFernet(wrapped, b.rsa.private, { passphrase: "pw" }),
          DecryptionFailed,
          "decryption_failed",
        ],
        [
          () => client.decryptFernet(wrapped, a.rsa.public),
          WrongKeyType,
          "wrong_key_type",
        ],
        [
          () => client.encryptFernet(a.fernet, "junk"),
          InvalidPem,
          "invalid_pem",
        ],
        [
          () => client.decryptFernet("!!", a.rsa.private),
          InvalidCiphertext,
          "invalid_ciphertext",
        ],
        [
          () =>
            client.encryptFernet(a.fernet, a.rsa.public, {
              padding: "rot13" as "pkcs1v15",
            }),
          InvalidField,
          "invalid_field",
        ],
        [
          () =>
            client.decryptFernet(wrapped, b.rsa.private, {
              passphrase: "wrong",
            }),
          InvalidPassphrase,
          "invalid_passphrase",
        ],
        [
          () => client.decryptFernet(wrapped, b.rsa.private),
          MissingField,
          "missing_field",
        ],
        [
          () => client.encryptFernet("x".repeat(300), a.rsa.public),
          PlaintextTooLong,
          "plaintext_too_long",
        ],
      ];
      for (const [call, kind, code] of cases) {
        await assert.rejects(call, (error: unknown) => {
          assert.ok(error instanceof kind, `${code}: ${error}`);
          assert.equal((error as ServiceError).code, code);
          return true;
        });
      }
    });
  }, ["--pbkdf2-iterations", "100000"]);
});

Deno.test("the client: overloaded is an error without retries, and retried after a backoff with them", async () => {
  await withService(async (service) => {
    const slow = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
      timeoutMs: 120_000,
    });
    // Seconds of work that hold the only slot, and the reserve a client
    // with nothing in flight may use (as large again): two requests, each
    // on a socket of its own.
    const busy = Promise.all([
      slow.generateKeys({ bits: 3072 }),
      slow.generateKeys({ bits: 3072 }),
    ]);
    try {
      await withClient(
        { endpoints: service.endpoint, retries: 0 },
        async (client) => {
          await assert.rejects(async () => {
            while (true) await client.ping(); // until the slow request is in
          }, Overloaded);
        },
      );
      await withClient(
        { endpoints: service.endpoint, retries: 60, backoffMs: 50 },
        async (client, retries) => {
          assert.equal((await client.ping()).status, "ok");
          assert.ok(
            retries.some((r) => r.reason === "overloaded"),
            JSON.stringify(retries),
          );
        },
      );
    } finally {
      await busy;
      slow.close();
    }
  }, ["--max-inflight", "1", "--pool-size", "0"]);
});

Deno.test("the client: TimeoutError when the request goes unanswered, after its retries", async () => {
  // A real socket that takes requests and never answers them.
  const silent = RouterServer.bind(testLibzmq(), {
    endpoint: "tcp://127.0.0.1:*",
  });
  const swallowing = (async () => {
    for await (const _ of silent) { /* never answered */ }
  })();
  try {
    await withClient(
      { endpoints: silent.endpoint, timeoutMs: 300, retries: 2 },
      async (client, retries) => {
        await assert.rejects(client.ping(), (error: unknown) => {
          assert.ok(error instanceof TimeoutError, String(error));
          assert.equal(error.code, "timeout");
          assert.equal(error.attempts, 3);
          return true;
        });
        assert.deepEqual(retries.map((r) => r.reason), ["timeout", "timeout"]);
      },
    );
  } finally {
    silent.close(0);
    await swallowing;
  }
});

Deno.test("the client: UnreachableError when nothing listens", async () => {
  const endpoint = `tcp://127.0.0.1:${freePort()}`;
  await withClient(
    { endpoints: endpoint, timeoutMs: 200, retries: 1 },
    async (client) => {
      await assert.rejects(client.ping(), (error: unknown) => {
        assert.ok(error instanceof UnreachableError, String(error));
        assert.equal(error.code, "unreachable");
        assert.deepEqual(error.endpoints, [endpoint]);
        return true;
      });
    },
  );
});

Deno.test("the client: a request retried until the service is back on the same port is answered", async () => {
  // The helper binds `:*` first; a later --endpoint wins: this fixed port.
  const args = ["--endpoint", `tcp://127.0.0.1:${freePort()}`];
  let service = await startService(args);
  try {
    await withClient(
      { endpoints: service.endpoint, timeoutMs: 500, retries: 200 },
      async (client, retries) => {
        assert.equal((await client.ping()).status, "ok");
        await service.stop();
        const reply = client.ping();
        // The request is out, and failing, before the service is back.
        await waitFor(() => retries.length > 0, { what: "a first retry" });
        service = await startService(args);
        assert.equal((await reply).status, "ok");
        // While the service is down: unreachable. A try that connects while
        // the new one starts (bound, its request threads not yet up) may
        // time out on a loaded machine before it is answered.
        assert.equal(retries[0].reason, "unreachable", JSON.stringify(retries));
        assert.ok(
          retries.every((r) => ["unreachable", "timeout"].includes(r.reason)),
          JSON.stringify(retries),
        );
      },
    );
  } finally {
    await service.shutDown();
  }
});

Deno.test("the client: fails over from an endpoint that does not answer to one that does", async () => {
  const dead = `tcp://127.0.0.1:${freePort()}`;
  await withService(async (service) => {
    await withClient(
      {
        endpoints: [dead, service.endpoint],
        strategy: "failover",
        timeoutMs: 300,
      },
      async (client, retries) => {
        assert.equal((await client.ping()).status, "ok");
        assert.deepEqual(retries, [{
          attempt: 1,
          endpoint: dead,
          reason: "unreachable",
        }]);
        // The dead endpoint is tried last for a while: no second timeout.
        assert.equal((await client.ping()).status, "ok");
        assert.equal(retries.length, 1);
      },
    );
  });
});

Deno.test("the client: spreads its requests over several endpoints", async () => {
  const debug = ["--log-level", "debug"];
  const a = await startService(debug);
  try {
    await withService(async (b) => {
      await withClient(
        { endpoints: [a.endpoint, b.endpoint] },
        async (client) => {
          for (let i = 0; i < 10; i++) await client.ping();
        },
      );
      const count = (s: RunningService) =>
        logLines(s, / DEBUG request type=ping /).length;
      // Each service logs a request after its reply has gone, and its
      // stderr is read as it comes: wait for all ten lines.
      await waitFor(() => count(a) + count(b) >= 10, {
        what: "ten request lines",
      });
      assert.deepEqual([count(a), count(b)], [5, 5]);
    }, debug);
  } finally {
    await a.stop();
  }
});

Deno.test("the client: CURVE with key files, and HandshakeRefused for a key the server refuses", async () => {
  await withTempDir(async (dir) => {
    const server = await cliKeyPair();
    const client = await cliKeyPair();
    const serverFile = await writePrivate(`${dir}/server.key`, server.text);
    const clientFile = await writePrivate(`${dir}/client.key`, client.text);
    const allow = await writePrivate(`${dir}/allow`, `${client.public}\n`);
    await withService(async (service) => {
      await withClient({
        endpoints: service.endpoint,
        curve: { serverKeyFile: serverFile, keyPairFile: clientFile },
      }, async (c) => assert.equal((await c.ping()).status, "ok"));
      await withClient({
        endpoints: service.endpoint,
        curve: { serverKey: server.public, secretKey: client.secret },
      }, async (c) => assert.equal((await c.ping()).status, "ok"));
      // A fresh pair, not on the allow list: the server refuses it.
      await withClient({
        endpoints: service.endpoint,
        curve: { serverKey: server.public },
        timeoutMs: 500,
        retries: 1,
      }, async (c) => await assert.rejects(c.ping(), HandshakeRefused));
    }, ["--curve-secret-key-file", serverFile, "--curve-allow", allow]);
  });
});

Deno.test("the client: `using` closes it at the end of the block, and close() again is harmless", async () => {
  const service = await startService();
  try {
    let outer: KeyServiceClient;
    {
      using client = new KeyServiceClient({ endpoints: service.endpoint });
      outer = client;
      assert.equal((await client.ping()).status, "ok");
    }
    // Disposed: a closed client refuses work rather than reopening sockets.
    await assert.rejects(outer.ping());
    outer.close();
  } finally {
    await service.shutDown();
  }
});

/** The modulus of a PEM public key. */
function modulus(pem: string): bigint {
  const { n } = createPublicKey(pem).export({ format: "jwk" });
  return BigInt(`0x${Buffer.from(n!, "base64url").toString("hex")}`);
}
