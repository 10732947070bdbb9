// Interoperability with the real Python clients: pyzmq REQ sockets,
// python-rsa and pyca/cryptography, run by /usr/bin/python3 against the
// service started with `deno task start` (see tests/interop/python/seed_client.py).
//
// Without /usr/bin/python3 and its packages the tests are ignored (and say
// why), unless KEYSERVICE_REQUIRE_INTEROP=1, which turns that into a
// failure. KEYSERVICE_INTEROP_PYTHON names another interpreter; it exists
// only to exercise those two paths.

import assert from "node:assert/strict";
import { type RunningService, withService } from "../_helpers/service.ts";
import {
  interopGate,
  PYTHON,
  python,
  type PythonRun,
} from "../_helpers/python.ts";
import { detectLibcrypto } from "../_helpers/gate.ts";

const SEED_CLIENT = "tests/interop/python/seed_client.py";
const CONCURRENT_CLIENTS = 4;

const gate = await interopGate("interop tests");
/**
 * The tests below are ignored whenever the stack is missing: under
 * KEYSERVICE_REQUIRE_INTEROP=1 the next test fails instead, saying why.
 */
const ignore = !gate.ok;

Deno.test({
  name: `interop: ${PYTHON} has zmq, rsa and cryptography`,
  ignore: gate.ignore,
  fn() {
    gate.assertRunnable();
  },
});

/** Explains a failed Python run, with the service's log. */
function describe(
  run: PythonRun,
  service: RunningService,
  label = "seed_client.py",
): string {
  return `${label} exited ${run.code}\n--- stdout ---\n${run.stdout}` +
    `--- stderr ---\n${run.stderr}--- service stderr ---\n${service.stderr()}`;
}

function assertPassed(
  run: PythonRun,
  service: RunningService,
  label?: string,
): void {
  assert.equal(run.code, 0, describe(run, service, label));
  assert.ok(
    run.stdout.split("\n").includes("ALL OK"),
    `no "ALL OK" line\n${describe(run, service, label)}`,
  );
  assert.ok(!/^FAIL/m.test(run.stdout), describe(run, service, label));
}

function timingLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("timing "));
}

Deno.test({
  name: "interop: a Python seed client (pyzmq, rsa, cryptography) passes",
  ignore,
  async fn() {
    await withService(async (service) => {
      // The default backend: OpenSSL where libcrypto 3 loads, else the
      // node fallback (which has its own test below).
      assert.match(
        (await service.ping()).crypto,
        detectLibcrypto().ok ? /^openssl-3\./ : /^node$/,
      );
      const run = await python([SEED_CLIENT, service.endpoint]);
      assertPassed(run, service);
      const timings = timingLines(run.stdout);
      assert.deepEqual(
        timings.map((line) => line.split(" ")[1]),
        ["generate_keys", "encrypt_fernet", "decrypt_fernet"],
        `timing lines missing:\n${run.stdout}`,
      );
      const checks = run.stdout.split("\n").filter((l) => l.startsWith("ok "));
      console.log(`${checks.length} Python checks passed`);
      for (const line of timings) console.log(line);
    });
  },
});

Deno.test({
  name:
    "interop: a Python seed client passes against a --crypto-backend node service too",
  ignore,
  async fn() {
    await withService(async (service) => {
      // The other backend indeed: the tests above run on the default, OpenSSL.
      assert.equal((await service.ping()).crypto, "node");
      const run = await python([SEED_CLIENT, service.endpoint]);
      assertPassed(run, service, "seed_client.py (node backend)");
      assert.match(
        service.stderr(),
        /DEBUG request type=decrypt_fernet code=ok/,
        "the seed client's decryptions did not reach the service",
      );
    }, ["--crypto-backend", "node", "--log-level", "debug"]);
  },
});

Deno.test({
  name: `interop: ${CONCURRENT_CLIENTS} Python seed clients at once all pass`,
  ignore,
  async fn() {
    await withService(async (service) => {
      const runs = await Promise.all(
        Array.from(
          { length: CONCURRENT_CLIENTS },
          () => python([SEED_CLIENT, service.endpoint]),
        ),
      );
      runs.forEach((run, i) =>
        assertPassed(run, service, `concurrent seed_client.py #${i}`)
      );
      console.log(`${CONCURRENT_CLIENTS} concurrent clients passed`);
      runs.forEach((run, i) => {
        for (const line of timingLines(run.stdout)) {
          console.log(`client ${i} (concurrent): ${line}`);
        }
      });
    });
  },
});

/** What seed_client.py writes to its secrets file. */
interface Secrets {
  private_pems: string[];
  public_pems: string[];
  fernet_keys: string[];
}

/** Strings none of which may appear in a log line, with what each is. */
function secretNeedles(secrets: Secrets): Map<string, string> {
  const needles = new Map<string, string>();
  for (const key of secrets.fernet_keys) needles.set(key, "a Fernet key");
  const pems: [string[], string][] = [
    [secrets.private_pems, "private"],
    [secrets.public_pems, "public"],
  ];
  for (const [list, kind] of pems) {
    for (const pem of list) {
      needles.set(pem.trim(), `a whole ${kind} PEM`);
      for (const line of pem.split("\n")) {
        // Every body line; 16+ characters cannot match by chance.
        if (!line.startsWith("-----") && line.length >= 16) {
          needles.set(line, `a base64 line of a ${kind} PEM`);
        }
      }
    }
  }
  return needles;
}

/** `[stream, line number, what leaked]` for each leak. */
function leaks(
  streams: Record<string, string>,
  needles: Map<string, string>,
): string[] {
  const found: string[] = [];
  for (const [stream, text] of Object.entries(streams)) {
    text.split("\n").forEach((line, i) => {
      for (const [needle, what] of needles) {
        if (line.includes(needle)) {
          found.push(`${stream} line ${i + 1} holds ${what}`);
        }
      }
    });
  }
  return found;
}

Deno.test({
  name: "interop: no key material from a Python run reaches the service logs",
  ignore,
  async fn() {
    const secretsFile = await Deno.makeTempFile({
      prefix: "keyservice-secrets-",
      suffix: ".json",
    });
    try {
      // The most verbose level: no level may log key material.
      const service = await withService(async (service) => {
        const run = await python([SEED_CLIENT, service.endpoint, secretsFile]);
        assertPassed(run, service);
      }, ["--log-level", "debug"]);
      const secrets: Secrets = JSON.parse(await Deno.readTextFile(secretsFile));
      // 1 + 10 (timing) + alice + bob from the service, 1 of python-rsa's own.
      assert.ok(secrets.private_pems.length >= 14, "too few private PEMs");
      assert.ok(secrets.public_pems.length >= 14, "too few public PEMs");
      assert.ok(secrets.fernet_keys.length >= 14, "too few Fernet keys");
      const needles = secretNeedles(secrets);
      assert.ok(needles.size > 14 * 24, `only ${needles.size} needles`);
      // The search itself finds a secret embedded in a log-like line.
      const [someLine] = secrets.private_pems[0].split("\n").slice(3, 4);
      assert.equal(
        leaks({ probe: `x msg="...${someLine}..."\n` }, needles).length,
        1,
      );
      const stderr = service.stderr();
      assert.match(stderr, /DEBUG request type=decrypt_fernet code=ok/);
      const found = leaks(
        { stderr, stdout: service.stdout() },
        needles,
      );
      assert.deepEqual(
        found,
        [],
        `the service logged key material:\n${found.join("\n")}`,
      );
      console.log(
        `checked ${
          stderr.split("\n").length
        } stderr lines against ${needles.size} secret strings: none found`,
      );
    } finally {
      await Deno.remove(secretsFile);
    }
  },
});
