// CurveZMQ end to end: `curve-keypair`, the secret-key file, the allow list
// (clients admitted or refused), start-up failures, and the refusal to bind
// off loopback without CURVE. The same with pyzmq clients is in
// tests/interop/python_curve_test.ts.

import assert from "node:assert/strict";
import { ReplyTimeout, type ReqClient } from "../../lib/zmq/client.ts";
import {
  curvePublicKey,
  generateCurveKeyPair,
  isZ85Key,
} from "../../lib/zmq/curve.ts";
import {
  ask,
  type RunningService,
  runService,
  testLibzmq,
  withService,
} from "../_helpers/service.ts";
import {
  assertNoSecrets,
  cliKeyPair,
  curveClient,
  logged,
  refusedLine,
  withTempDir,
  writePrivate,
} from "../_helpers/curve.ts";
import { logLines, waitForLog } from "../_helpers/wait.ts";

/** How long a refused client waits for the reply that never comes. */
const NO_REPLY_MS = 2000;

/** Asserts that `client` gets no reply to a ping, then closes it. */
async function assertNoReply(client: ReqClient, who: string): Promise<void> {
  try {
    await assert.rejects(
      ask(client, { type: "ping" }, NO_REPLY_MS),
      (error: unknown) => {
        assert.ok(error instanceof ReplyTimeout, `${who}: ${error}`);
        return true;
      },
      `${who} got a reply`,
    );
  } finally {
    client.close();
  }
}

/** The start-up line. */
function listeningLine(service: RunningService): string {
  const [line] = logLines(service, / INFO listening /);
  assert.ok(line, service.stderr());
  return line;
}

/** A generate_keys, encrypt_fernet, decrypt_fernet round trip on `client`. */
async function roundTrip(client: ReqClient): Promise<void> {
  const keys = await ask(client, { type: "generate_keys" });
  const rsa = keys.rsa as { public: string; private: string };
  const fernet = keys.fernet as string;
  assert.match(fernet, /^[A-Za-z0-9_-]{43}=$/);
  const encrypted = await ask(client, {
    type: "encrypt_fernet",
    fernet,
    rsa_public: rsa.public,
  });
  assert.equal(typeof encrypted.encrypted_fernet, "string", `${encrypted}`);
  const decrypted = await ask(client, {
    type: "decrypt_fernet",
    encrypted_fernet: encrypted.encrypted_fernet,
    rsa_private: rsa.private,
  });
  assert.deepEqual(decrypted, { fernet });
}

Deno.test("curve-keypair prints a valid key pair, a new one each run", async () => {
  const [first, second] = await Promise.all([cliKeyPair(), cliKeyPair()]);
  const libzmq = testLibzmq();
  for (const pair of [first, second]) {
    assert.ok(isZ85Key(libzmq, pair.public), pair.public);
    assert.ok(isZ85Key(libzmq, pair.secret), "secret is not Z85");
    assert.equal(curvePublicKey(libzmq, pair.secret), pair.public);
    assert.notEqual(pair.public, pair.secret);
  }
  assert.notEqual(first.public, second.public);
  assert.notEqual(first.secret, second.secret);
});

Deno.test("CURVE with an allow list: listed clients are served, others refused and logged", async () => {
  await withTempDir(async (dir) => {
    const server = await cliKeyPair();
    // The key file holds the whole `curve-keypair` output.
    const keyFile = await writePrivate(`${dir}/server.key`, server.text);
    const libzmq = testLibzmq();
    const alice = generateCurveKeyPair(libzmq);
    const bob = generateCurveKeyPair(libzmq);
    const mallory = generateCurveKeyPair(libzmq);
    const allowFile = await writePrivate(
      `${dir}/allowed.txt`,
      `# clients admitted\n\n${alice.public}  alice's desktop\n` +
        `${bob.public}\tbob\n#${mallory.public} (commented out)\n`,
    );
    const service = await withService(async (service) => {
      const line = listeningLine(service);
      assert.ok(line.includes(` curve="on allow=2"`), line);
      assert.ok(line.includes(` server_key=${logged(server.public)}`), line);
      assert.ok(!/curve-key-file-readable/.test(service.stderr()));

      const aliceClient = curveClient(service, server.public, alice);
      try {
        assert.equal((await ask(aliceClient, { type: "ping" })).status, "ok");
        await roundTrip(aliceClient);

        // Refused, each in its own way, at once: an unlisted key; no CURVE;
        // alice's public key without her secret key.
        await Promise.all([
          assertNoReply(
            curveClient(service, server.public, mallory),
            "an unlisted key",
          ),
          assertNoReply(service.client(), "a client without CURVE"),
          assertNoReply(
            curveClient(service, server.public, {
              public: alice.public,
              secret: mallory.secret,
            }),
            "alice's public key with another secret key",
          ),
        ]);
        await waitForLog(service, refusedLine(mallory.public));

        // Still serving the listed clients, old connections and new.
        assert.equal((await ask(aliceClient, { type: "ping" })).status, "ok");
        const bobClient = curveClient(service, server.public, bob);
        try {
          assert.equal((await ask(bobClient, { type: "ping" })).status, "ok");
          await roundTrip(bobClient);
        } finally {
          bobClient.close();
        }
      } finally {
        aliceClient.close();
      }
    }, [
      "--curve-secret-key-file",
      keyFile,
      "--curve-allow",
      allowFile,
      "--pool-size",
      "2",
      "--log-level",
      "debug",
    ]);
    const refusals = logLines(service, /WARN auth-refused/);
    assert.ok(refusals.length >= 1);
    for (const refusal of refusals) {
      assert.match(refusal, / address=127\.0\.0\.1$/);
      // Alice's key is listed: the impostor fails the CURVE handshake
      // itself, before any allow-list check, so it is never logged refused.
      assert.ok(refusal.includes(logged(mallory.public)), refusal);
    }
    assert.match(
      service.stderr(),
      / DEBUG request type=decrypt_fernet code=ok/,
    );
    assertNoSecrets(service, {
      "the server's secret key": server.secret,
      "alice's secret key": alice.secret,
      "bob's secret key": bob.secret,
      "mallory's secret key": mallory.secret,
    });
  });
});

Deno.test("CURVE without an allow list: any client knowing the server key gets in", async () => {
  await withTempDir(async (dir) => {
    const libzmq = testLibzmq();
    const server = generateCurveKeyPair(libzmq);
    const stranger = generateCurveKeyPair(libzmq);
    // The key file holds just the secret key.
    const keyFile = await writePrivate(`${dir}/server.key`, server.secret);
    const clients = [
      generateCurveKeyPair(libzmq),
      generateCurveKeyPair(libzmq),
    ];
    const service = await withService(
      async (service) => {
        const line = listeningLine(service);
        assert.match(line, / curve=on /);
        assert.ok(line.includes(` server_key=${logged(server.public)}`), line);
        for (const pair of clients) {
          const client = curveClient(service, server.public, pair);
          try {
            assert.equal((await ask(client, { type: "ping" })).status, "ok");
          } finally {
            client.close();
          }
        }
        await Promise.all([
          assertNoReply(service.client(), "a client without CURVE"),
          assertNoReply(
            curveClient(service, stranger.public, clients[0]),
            "a client trusting another server key",
          ),
        ]);
        const client = curveClient(service, server.public, clients[1]);
        try {
          await roundTrip(client);
        } finally {
          client.close();
        }
      },
      ["--curve-secret-key-file", keyFile, "--pool-size", "1"],
    );
    assert.ok(!service.stderr().includes("auth-refused"));
    assertNoSecrets(service, {
      "the server's secret key": server.secret,
      "a client's secret key": clients[0].secret,
      "another client's secret key": clients[1].secret,
    });
  });
});

Deno.test("CURVE start-up failures exit non-zero with one line, never echoing the key", async () => {
  await withTempDir(async (dir) => {
    const libzmq = testLibzmq();
    const server = generateCurveKeyPair(libzmq);
    const goodKey = await writePrivate(`${dir}/good.key`, server.secret);
    const shortKey = await writePrivate(`${dir}/short.key`, "shortSecret\n");
    const badAllow = await writePrivate(
      `${dir}/bad-allow.txt`,
      `# list\n${generateCurveKeyPair(libzmq).public}\nnotAKey\n`,
    );
    // 40 characters, but "~" and "," are not Z85.
    const notZ85 = "~".repeat(20) + ",".repeat(20);
    const [direct, file, wrongAlphabet, allowOnly, allowBad] = await Promise
      .all([
        runService(["--curve-secret-key", "shortSecret"]),
        runService(["--curve-secret-key-file", shortKey]),
        runService(["--curve-secret-key", notZ85]),
        runService(["--curve-allow", badAllow]),
        runService([
          "--curve-secret-key-file",
          goodKey,
          "--curve-allow",
          badAllow,
        ]),
      ]);
    for (
      const [name, run] of [
        ["--curve-secret-key short", direct],
        ["--curve-secret-key-file with a short key", file],
        ["--curve-secret-key not Z85", wrongAlphabet],
        ["--curve-allow without a secret key", allowOnly],
        ["an allow list with a bad line", allowBad],
      ] as const
    ) {
      assert.notEqual(run.code, 0, name);
      const lines = run.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${name}:\n${run.stderr}`);
      assert.match(lines[0], /^keyservice: /, name);
      assert.ok(!/ INFO listening /.test(run.stderr), name);
      for (const secret of ["shortSecret", notZ85, server.secret]) {
        assert.ok(!run.stderr.includes(secret), `${name} echoed the key`);
      }
    }
    assert.equal(allowOnly.code, 2, allowOnly.stderr);
    assert.match(allowOnly.stderr, /--curve-allow needs CURVE/);
    assert.match(direct.stderr, /not 40 characters of Z85/);
    assert.match(file.stderr, /not 40 characters of Z85/);
    assert.match(allowBad.stderr, /line 3 /);
  });
});

Deno.test("without CURVE, binding off loopback is refused (exit 1, one line)", async () => {
  const [flag, wildcard, env] = await Promise.all([
    runService(["--endpoint", "tcp://0.0.0.0:*"]),
    runService(["--endpoint", "tcp://*:*"]),
    runService([], { KEYSERVICE_ENDPOINT: "tcp://0.0.0.0:*" }),
  ]);
  for (
    const [endpoint, run] of [
      ["tcp://0.0.0.0:*", flag],
      ["tcp://*:*", wildcard],
      ["tcp://0.0.0.0:*", env],
    ] as const
  ) {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.ok(
      run.stderr.startsWith(`keyservice: refusing to bind ${endpoint} `),
      run.stderr,
    );
    assert.match(run.stderr, /--allow-insecure-network/);
    assert.equal(run.stdout, "");
  }
});

Deno.test("with CURVE but no allow list, binding off loopback is refused unless --allow-any-curve-client", async () => {
  await withTempDir(async (dir) => {
    const pair = await cliKeyPair();
    const keyFile = await writePrivate(`${dir}/server.key`, pair.text);
    const args = [
      "--endpoint",
      "tcp://0.0.0.0:*",
      "--curve-secret-key-file",
      keyFile,
    ];
    const refused = await runService(args);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^keyservice: refusing to bind tcp:\/\/0\.0\.0\.0:\* with CURVE but no allow list/,
    );
    assert.ok(!refused.stderr.includes(pair.secret));
    // Started: withService waits for the start-up line, and stops it.
    await withService((service) => {
      assert.match(service.stderr(), /listening/);
      return Promise.resolve();
    }, [...args, "--allow-any-curve-client"]);
  });
});
