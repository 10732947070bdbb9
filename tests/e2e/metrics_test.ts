// The operator's HTTP listener (--metrics): a real scrape of a service that
// has served every operation and some errors passes `promtool check
// metrics`; counters and gauges move as requests come; no label holds what
// a client sent; /healthz answers 200 while serving and 503 while draining;
// without --metrics nothing listens.

import assert from "node:assert/strict";
import { detectTool, gate } from "../_helpers/gate.ts";
import {
  ask,
  type RunningService,
  runService,
  startService,
  testLibzmq,
  waitForInFlight,
  withService,
} from "../_helpers/service.ts";
import { promtoolCheck } from "../_helpers/metrics.ts";
import { roundTrip } from "../_helpers/round_trip.ts";
import { waitFor, waitForLog } from "../_helpers/wait.ts";
import { curveClient, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";

const promtool = gate(
  "promtool test (Prometheus's checker of the metrics format)",
  await detectTool(
    "promtool",
    ["--version"],
    "Debian: apt-get install prometheus",
  ),
);

const encoder = new TextEncoder();

/** GET `path` on the service's metrics listener. */
async function get(
  service: RunningService,
  path: string,
): Promise<{ status: number; text: string; type: string | null }> {
  assert.ok(service.metrics, "the start-up line names the metrics listener");
  const response = await fetch(`${service.metrics}${path}`);
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get("content-type"),
  };
}

/** The scrape's text. */
async function scrape(service: RunningService): Promise<string> {
  const { status, text, type } = await get(service, "/metrics");
  assert.equal(status, 200, text);
  assert.match(type ?? "", /^text\/plain; version=0\.0\.4/);
  return text;
}

/**
 * The value of the sample `name{labels}` (labels in any order, all given);
 * undefined when there is no such sample.
 */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((
        m,
      ) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

/** One of each operation, and some errors; resolves to the keys seen. */
async function everyOperation(service: RunningService): Promise<string[]> {
  const { keys, encrypted: encrypted_fernet } = await roundTrip(service);
  const many = await service.request({
    type: "encrypt_fernet_many",
    fernet: keys.fernet,
    rsa_publics: [keys.rsa.public, "junk"],
    padding: "oaep-sha256",
  }) as { results: unknown[] };
  assert.equal(many.results.length, 2);
  assert.equal((await service.request({ type: "ping" })).status, "ok");
  // Errors: bad JSON, an unknown type (with a value no label may hold), a
  // bad key, a ciphertext that does not decrypt.
  await service.request(encoder.encode("{not json"));
  await service.request({ type: 'x"}\n evil_label{a="b"} 1' });
  await service.request({
    type: "encrypt_fernet",
    fernet: keys.fernet,
    rsa_public: "junk",
  });
  const wrong = await service.request({
    type: "decrypt_fernet",
    encrypted_fernet: new Uint8Array(256).fill(1).toBase64(),
    rsa_private: keys.rsa.private,
  });
  assert.ok("error" in wrong);
  return [keys.fernet, keys.rsa.private, encrypted_fernet];
}

Deno.test({
  name:
    "a scrape after every operation and some errors passes promtool check metrics",
  ignore: promtool.ignore,
  async fn() {
    promtool.assertRunnable();
    await withService(async (service) => {
      await everyOperation(service);
      const text = await scrape(service);
      const check = await promtoolCheck(text);
      assert.ok(check.ok, `promtool check metrics:\n${check.output}\n${text}`);
      // promtool prints lint problems and still exits 0 for some: none.
      assert.equal(check.output.trim(), "", check.output);
    }, ["--metrics", "127.0.0.1:0"]);
  },
});

Deno.test("the metrics count requests by operation and code, decryptions, and key generations", async () => {
  await withService(async (service) => {
    await waitFor(async () => (await service.ping()).pool.depth === 2, {
      what: "the pool to fill",
    });
    const secrets = await everyOperation(service);
    const before = await scrape(service);
    const count = (text: string, operation: string, code: string) =>
      sample(text, "keyservice_requests_total", { operation, code });

    for (
      const [operation, code] of [
        ["generate_keys", "ok"],
        ["encrypt_fernet", "ok"],
        ["decrypt_fernet", "ok"],
        ["encrypt_fernet_many", "ok"],
        ["invalid", "invalid_json"],
        ["invalid", "unknown_type"],
        ["encrypt_fernet", "invalid_pem"],
        ["decrypt_fernet", "decryption_failed"],
      ]
    ) {
      assert.equal(count(before, operation, code), 1, `${operation} ${code}`);
      assert.ok(
        sample(before, "keyservice_request_duration_seconds_count", {
          operation,
        })! >= 1,
        operation,
      );
    }
    // The client's type is nowhere: an unknown type is "invalid".
    assert.ok(!before.includes("evil"), before);
    for (const secret of secrets) assert.ok(!before.includes(secret));

    // A request bumps its counter by one; a scrape is no request.
    const pings = count(before, "ping", "ok")!;
    await service.ping();
    const after = await scrape(service);
    assert.equal(count(after, "ping", "ok"), pings + 1);

    // Two decryptions ran in the backend, in PKCS#1 v1.5.
    const crypto = (await service.ping()).crypto;
    assert.equal(
      sample(after, "keyservice_decryptions_total", {
        backend: crypto.startsWith("openssl") ? "openssl" : "node",
        padding: "pkcs1v15",
      }),
      2,
    );
    // The pool's two pairs and the one taken's replacement were timed.
    assert.ok(
      sample(after, "keyservice_key_generation_duration_seconds_count", {
        bits: "2048",
      })! >= 2,
    );
    assert.equal(sample(after, "keyservice_key_pool_size"), 2);
    assert.equal(
      sample(after, "keyservice_build_info", {
        version: (await service.ping()).version,
        crypto,
      }),
      1,
    );
    assert.ok(sample(after, "process_resident_memory_bytes")! > 1e6);
    assert.equal(sample(after, "keyservice_requests_in_flight"), 0);
  }, ["--metrics", "127.0.0.1:0"]);
});

Deno.test("the pool gauge falls after generate_keys takes its pairs", async () => {
  await withService(async (service) => {
    const size = 6;
    await waitFor(async () => (await service.ping()).pool.depth === size, {
      what: "the pool to fill",
      timeoutMs: 60_000,
    });
    const full = await scrape(service);
    assert.equal(sample(full, "keyservice_key_pool_depth"), size);
    // Six pairs taken at once; the refill makes one at a time, each a
    // WebCrypto generation, far from six by the time of the scrape.
    await Promise.all(
      Array.from(
        { length: size },
        () => service.request({ type: "generate_keys" }),
      ),
    );
    const taken = await scrape(service);
    assert.ok(
      sample(taken, "keyservice_key_pool_depth")! < size,
      `pool depth after ${size} generate_keys:\n${taken}`,
    );
    assert.equal(
      sample(taken, "keyservice_requests_total", {
        operation: "generate_keys",
        code: "ok",
      }),
      size,
    );
  }, ["--metrics", "127.0.0.1:0", "--pool-size", "6"]);
});

Deno.test("keyservice_key_generations_running counts an on-demand 4096-bit generation", async () => {
  // No pool: nothing generates but the request's own key.
  await withService(async (service) => {
    let done = false;
    const reply = service.request({ type: "generate_keys", bits: 4096 })
      .finally(() => done = true);
    // A 4096-bit generation runs for seconds; the gauge shows it before the
    // reply comes, or never (the bug: it counted the pool only).
    const seen = await waitFor(async () => {
      const running = sample(
        await scrape(service),
        "keyservice_key_generations_running",
      )!;
      return running >= 1 ? running : done && -1;
    }, { what: "a scrape during the generation", timeoutMs: 60_000 });
    assert.ok(seen >= 1, "the reply came, the gauge never left 0");
    assert.ok("rsa" in await reply, "the generation succeeded");
    assert.equal(
      sample(await scrape(service), "keyservice_key_generations_running"),
      0,
    );
  }, ["--metrics", "127.0.0.1:0", "--pool-size", "0"]);
});

Deno.test("no sample is pre-created for an outcome that cannot happen", async () => {
  await withService(async (service) => {
    const text = await scrape(service);
    // An invalid request never succeeds.
    assert.equal(
      sample(text, "keyservice_requests_total", {
        operation: "invalid",
        code: "ok",
      }),
      undefined,
      text,
    );
    // Real operations keep their zeros, for rates from the first scrape.
    assert.equal(
      sample(text, "keyservice_requests_total", {
        operation: "ping",
        code: "ok",
      }),
      0,
    );
  }, ["--metrics", "127.0.0.1:0", "--pool-size", "0"]);
});

Deno.test("the scrape has the process's CPU seconds under the standard name", async () => {
  await withService(async (service) => {
    const text = await scrape(service);
    assert.ok(sample(text, "process_cpu_seconds_total")! > 0, text);
    assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  }, ["--metrics", "127.0.0.1:0", "--pool-size", "0"]);
});

Deno.test("refused CURVE handshakes are counted, by reason", async () => {
  await withTempDir(async (dir) => {
    const libzmq = testLibzmq();
    const server = generateCurveKeyPair(libzmq);
    const alice = generateCurveKeyPair(libzmq);
    const mallory = generateCurveKeyPair(libzmq);
    const keyFile = await writePrivate(`${dir}/server.key`, server.secret);
    const allowFile = await writePrivate(`${dir}/allow`, `${alice.public}\n`);
    await withService(async (service) => {
      // Connecting is enough: the handshake runs before any request.
      const unlisted = curveClient(service, server.public, mallory);
      const plain = service.client();
      try {
        for (const reason of ["not_allowed", "handshake_failed"]) {
          await waitFor(async () =>
            sample(
              await scrape(service),
              "keyservice_curve_handshakes_refused_total",
              { reason },
            )! >= 1, { what: `a refused handshake counted as ${reason}` });
        }
      } finally {
        unlisted.close();
        plain.close();
      }
    }, [
      "--metrics",
      "127.0.0.1:0",
      "--curve-secret-key-file",
      keyFile,
      "--curve-allow",
      allowFile,
    ]);
  });
});

Deno.test("/healthz answers 200 while serving and 503 while draining", async () => {
  // The drain waits as long as the generation takes, on a busy machine too.
  const service = await startService([
    "--metrics",
    "127.0.0.1:0",
    "--pool-size",
    "0",
    "--drain-seconds",
    "300",
  ]);
  try {
    const serving = await get(service, "/healthz");
    assert.equal(serving.status, 200, serving.text);
    // A 4096-bit key made on demand takes seconds: the drain waits for it.
    const client = service.client();
    try {
      const reply = ask(client, { type: "generate_keys", bits: 4096 }, 300_000);
      await waitForInFlight(service, 1, { unless: reply });
      service.signal("SIGTERM");
      await waitForLog(service, /INFO stopping /);
      const draining = await get(service, "/healthz");
      assert.equal(draining.status, 503, draining.text);
      // The metrics are still served while draining.
      assert.equal((await get(service, "/metrics")).status, 200);
      assert.ok("rsa" in await reply, "the request in flight is answered");
    } finally {
      client.close();
    }
    assert.equal(await service.exited, 0, service.stderr());
  } finally {
    await service.shutDown();
  }
});

Deno.test("without --metrics the start-up line says metrics=off", async () => {
  const service = await withService((service) => {
    assert.equal(service.metrics, undefined);
    return Promise.resolve();
  });
  assert.match(service.stderr(), / metrics=off\n/);
});

Deno.test("an unusable --metrics address fails the start with one line", async () => {
  const run = await runService([
    "--endpoint",
    "tcp://127.0.0.1:*",
    "--metrics",
    "127.0.0.1:99999",
  ]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /--metrics must be PORT or HOST:PORT/);
  assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
});
