// CurveZMQ end to end: `curve-keypair`, the secret-key file, the allow list
// (Deno and pyzmq clients admitted or refused), start-up failures, and the
// refusal to bind off loopback without CURVE.
//
// The pyzmq tests need /usr/bin/python3 with zmq, rsa and cryptography, as
// tests/interop_test.ts does: without them they are ignored (and say why),
// unless KEYSERVICE_REQUIRE_INTEROP=1, which turns that into a failure.

import assert from "node:assert/strict";
import { isLocalEndpoint } from "../../lib/cli/config.ts";
import { ReplyTimeout, ReqClient } from "../../lib/zmq/client.ts";
import {
  type CurveKeyPair,
  curvePublicKey,
  generateCurveKeyPair,
  isZ85Key,
} from "../../lib/zmq/curve.ts";
import {
  jsonBytes,
  parseReply,
  type RunningService,
  startService,
  testLibzmq,
} from "../_helpers/service.ts";
import { detectPython, python, type PythonRun, REQUIRED } from "../_helpers/python.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const CURVE_CLIENT = "tests/interop/python/curve_client.py";
/** How long a refused client waits for the reply that never comes. */
const NO_REPLY_MS = 2000;
const decoder = new TextDecoder();

/**
 * Variables that would change what these tests start: blanked, so that the
 * flags given alone decide (an empty variable counts as unset).
 */
const CLEAN_ENV: Record<string, string> = {
  KEYSERVICE_ENDPOINT: "",
  KEYSERVICE_CURVE_SECRET_KEY: "",
  KEYSERVICE_CURVE_SECRET_KEY_FILE: "",
  KEYSERVICE_CURVE_ALLOW: "",
  KEYSERVICE_ALLOW_INSECURE_NETWORK: "",
};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `deno task -q start ...args` to its exit. */
async function runMain(
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", ...args],
    cwd: ROOT,
    env: { ...CLEAN_ENV, ...env },
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A value as the service's logger writes it: bare, or quoted JSON. */
function logged(value: string): string {
  return /^[!#-<>-~]+$/.test(value) ? value : JSON.stringify(value);
}

/** The key pair `deno task -q start curve-keypair` prints. */
async function cliKeyPair(): Promise<CurveKeyPair & { text: string }> {
  const run = await runMain(["curve-keypair"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const match = /^public (\S{40})\nsecret (\S{40})\n$/.exec(run.stdout);
  assert.ok(match, `not two key lines:\n${run.stdout}`);
  return { public: match[1], secret: match[2], text: run.stdout };
}

/** Writes a file only its owner can read. */
async function writePrivate(path: string, text: string): Promise<string> {
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return path;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-curve-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` against a fresh service; then stops it and checks exit 0. */
async function withCurveService(
  args: string[],
  fn: (service: RunningService) => Promise<void>,
): Promise<RunningService> {
  const service = await startService(args, CLEAN_ENV);
  let stopped = false;
  try {
    await fn(service);
    stopped = true;
    const code = await service.stop();
    assert.equal(code, 0, `exit ${code} on SIGTERM:\n${service.stderr()}`);
  } finally {
    if (!stopped) await service.stop();
  }
  return service;
}

/** A REQ client speaking CURVE with `pair`, trusting `serverKey`. */
function curveClient(
  service: RunningService,
  serverKey: string,
  pair: CurveKeyPair,
): ReqClient {
  return ReqClient.connect(testLibzmq(), {
    endpoint: service.endpoint,
    curveServerKey: serverKey,
    curvePublicKey: pair.public,
    curveSecretKey: pair.secret,
  });
}

/** One request on `client`; the parsed reply. Does not close it. */
async function ask(
  client: ReqClient,
  body: unknown,
): Promise<Record<string, unknown>> {
  return parseReply(await client.request(jsonBytes(body), 30_000));
}

/** Asserts that `client` gets no reply to a ping, then closes it. */
async function assertNoReply(client: ReqClient, who: string): Promise<void> {
  try {
    await assert.rejects(
      client.request(jsonBytes({ type: "ping" }), NO_REPLY_MS),
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

/** Waits until `service` has logged something matching `pattern`. */
async function waitForLog(
  service: RunningService,
  pattern: string,
  ms = 5000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!service.stderr().includes(pattern)) {
    if (performance.now() > deadline) {
      assert.fail(`no "${pattern}" in the log:\n${service.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The start-up line. */
function listeningLine(service: RunningService): string {
  const line = service.stderr().split("\n").find((l) =>
    / INFO listening /.test(l)
  );
  assert.ok(line, service.stderr());
  return line;
}

/** Asserts that none of `secrets` appears in the service's output. */
function assertNoSecrets(
  service: RunningService,
  secrets: Record<string, string>,
): void {
  const output = service.stderr() + service.stdout();
  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(!output.includes(secret), `the service logged ${what}`);
  }
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
    const service = await withCurveService([
      "--curve-secret-key-file",
      keyFile,
      "--curve-allow",
      allowFile,
      "--pool-size",
      "2",
    ], async (service) => {
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
        await waitForLog(
          service,
          `WARN auth-refused client_key=${
            logged(mallory.public)
          } address=127.0.0.1`,
        );

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
    });
    const refusals = service.stderr().split("\n").filter((l) =>
      l.includes("WARN auth-refused")
    );
    assert.ok(refusals.length >= 1);
    for (const refusal of refusals) {
      assert.match(refusal, / address=127\.0\.0\.1$/);
      // Alice's key is listed: the impostor fails the CURVE handshake
      // itself, before any allow-list check, so it is never logged refused.
      assert.ok(refusal.includes(logged(mallory.public)), refusal);
    }
    assert.match(service.stderr(), / INFO request type=decrypt_fernet code=ok/);
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
    const service = await withCurveService(
      ["--curve-secret-key-file", keyFile, "--pool-size", "1"],
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
        runMain(["--curve-secret-key", "shortSecret"]),
        runMain(["--curve-secret-key-file", shortKey]),
        runMain(["--curve-secret-key", notZ85]),
        runMain(["--curve-allow", badAllow]),
        runMain([
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
    runMain(["--endpoint", "tcp://0.0.0.0:*"]),
    runMain(["--endpoint", "tcp://*:*"]),
    runMain([], { KEYSERVICE_ENDPOINT: "tcp://0.0.0.0:*" }),
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

Deno.test("isLocalEndpoint: loopback, ipc and inproc only", () => {
  const local = [
    "tcp://127.0.0.1:5555",
    "tcp://127.0.0.1:*",
    "tcp://127.1.2.3:5555",
    "tcp://localhost:1",
    "tcp://[::1]:5",
    "ipc:///tmp/x",
    "inproc://x",
  ];
  const remote = [
    "tcp://0.0.0.0:5555",
    "tcp://0.0.0.0:*",
    "tcp://*:5555",
    "tcp://10.0.0.1:5555",
    "tcp://192.168.1.1:5555",
    "tcp://eth0:5555",
    "tcp://127.0.0.1.evil.com:5",
    "tcp://localhost.evil.com:5",
    "tcp://[::]:5",
    "tcp://[::ffff:10.0.0.1]:5",
    "tcp://127.0.0.1;10.0.0.1:5555",
    "tcp://127.0.0.1",
    "pgm://eth0;239.192.1.1:5555",
    "epgm://eth0;239.192.1.1:5555",
    "udp://127.0.0.1:5555",
    "ws://127.0.0.1:5555",
    "",
  ];
  for (const endpoint of local) {
    assert.equal(isLocalEndpoint(endpoint), true, endpoint);
  }
  for (const endpoint of remote) {
    assert.equal(isLocalEndpoint(endpoint), false, endpoint);
  }
});

// ---- pyzmq clients ----

const python3 = await detectPython();
if (!python3.ok) {
  console.log(
    REQUIRED
      ? `pyzmq CURVE tests CANNOT RUN and KEYSERVICE_REQUIRE_INTEROP=1: ${python3.reason}`
      : `pyzmq CURVE tests IGNORED (not run, not passed): ${python3.reason}. ` +
        "Set KEYSERVICE_REQUIRE_INTEROP=1 to make this a failure.",
  );
}

Deno.test({
  name: "pyzmq CURVE clients: a listed key is served, others get no reply",
  ignore: !python3.ok && !REQUIRED,
  async fn() {
    assert.ok(
      python3.ok,
      `KEYSERVICE_REQUIRE_INTEROP=1 but the pyzmq tests cannot run: ${python3.reason}`,
    );
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
      const service = await withCurveService([
        "--curve-secret-key-file",
        keyFile,
        "--curve-allow",
        allowFile,
        "--pool-size",
        "1",
      ], async (service) => {
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
        await waitForLog(
          service,
          `WARN auth-refused client_key=${
            logged(refused.public)
          } address=127.0.0.1`,
        );
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
      });
      assertNoSecrets(service, {
        "the server's secret key": server.secret,
        "the allowed client's secret key": allowed.secret,
        "the refused client's secret key": refused.secret,
      });
    });
  },
});
