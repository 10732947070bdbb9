/**
 * `deno task bench`: starts the service as a subprocess (or takes
 * `--target ENDPOINT`, any implementation of the contract) and drives it with
 * concurrent REQ clients, per operation and in a mix. Beside it, in the same
 * run, it measures the raw primitives (WebCrypto key generation one at a time
 * and on all cores at once, one decryption), so that the service's
 * throughput can be read as a share of what the machine can do. Prints a
 * markdown table and writes the results as JSON, and as SVG charts beside it
 * (scripts/_bench_chart.ts: latency per scenario, RSS over the mix).
 *
 * @example
 * ```sh
 * deno task bench                       # everything, a 60 s mix
 * deno task bench --mix-seconds 10      # a shorter mix
 * deno task bench --target tcp://127.0.0.1:5555 --only encrypt,decrypt
 * deno task bench --only encrypt-oaep,decrypt-oaep,generate-3072,generate-4096,decrypt-passphrase,many
 * ```
 *
 * Scenarios (`--only` takes a comma-separated list): `generate`, `encrypt`,
 * `decrypt`, `mix`; and those of contract v1.1: `encrypt-oaep`,
 * `decrypt-oaep` (`"padding": "oaep-sha256"`), `generate-3072`,
 * `generate-4096` (made on demand), `decrypt-passphrase` (an `ENCRYPTED
 * PRIVATE KEY` at the service's PBKDF2 iterations, 600,000 by default), and
 * `many` (`encrypt_fernet_many` to 10 and to 100 recipients).
 *
 * Issue 9's ratios, each measured against its reference in the same run:
 * `floor` (`ping` against a bare echo server on the same transport,
 * scripts/_bench_echo.ts, back to back and one every 300 ms), `openssl`
 * (`openssl speed rsa2048` on one core and with `-multi <cores>`, the
 * reference for `decrypt`'s targets), `refill` (`encrypt_fernet` right after
 * 30 keys are taken, while the pool refills, against a quiet service),
 * `warm300` (`generate_keys` from a warm pool against `ping`, one every 300
 * ms), `idle` (the service's RSS once started and its pool full), and
 * `soak` (8 clients of mixed operations for `--soak-seconds N`, off by
 * default: RSS after one minute and at the end), and `decrypt-cached`
 * (`decrypt_fernet` on a service with `--prepared-keys 16`).
 *
 * ```sh
 * deno task bench --only floor,openssl,refill,warm300,idle,decrypt
 * deno task bench --only soak --soak-seconds 600
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { constants, createPrivateKey, privateDecrypt } from "node:crypto";
import { Buffer } from "node:buffer";
// @ts-types="@types/node-forge"
import forge from "node-forge";
import { ReqClient } from "../lib/zmq/client.ts";
import { loadLibzmq } from "../lib/zmq/libzmq.ts";
import {
  encryptOaepSha256,
  encryptPkcs1v15,
  exportKeyPair,
  generateRsaKeyPair,
  loadLibcrypto,
  parsePrivateKey,
  parsePublicKey,
  type RsaKeyPairPem,
} from "../lib/crypto/mod.ts";
import { percentile } from "../tests/_helpers/stats.ts";
import { checkDenoVersion } from "./_pin.ts";
import { type OpensslSpeed, opensslSpeed } from "./_bench_openssl.ts";
import { writeCharts } from "./_bench_chart.ts";

const ROOT = new URL("..", import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const libzmq = loadLibzmq();

/** Latency and throughput of one scenario. */
interface Result {
  name: string;
  clients: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  note?: string;
}

/**
 * The CPU's name, from a subprocess (Deno gives /proc/cpuinfo to --allow-all
 * only): /proc/cpuinfo's `model name` (x86) or `Hardware`/`Model` line
 * (arm64), macOS's `sysctl`, else the architecture.
 */
function cpuName(): string {
  const probes: [string, string[], RegExp][] = [
    ["cat", ["/proc/cpuinfo"], /^(?:model name|Hardware|Model)\s*:\s*(.+)$/m],
    ["sysctl", ["-n", "machdep.cpu.brand_string"], /^(.+)$/m],
  ];
  for (const [command, args, pattern] of probes) {
    try {
      const out = new Deno.Command(command, { args, stderr: "null" })
        .outputSync();
      const name = pattern.exec(new TextDecoder().decode(out.stdout))?.[1];
      if (out.success && name) return name.trim();
    } catch {
      // no such command here
    }
  }
  return `an unnamed ${Deno.build.arch} CPU`;
}

function summarize(
  name: string,
  clients: number,
  latencies: number[],
  errors: number,
  seconds: number,
): Result {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    clients,
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

type Body = () => Record<string, unknown>;

/** `clients` REQ clients, each sending `body()` back to back until done. */
async function drive(
  endpoint: string,
  name: string,
  clients: number,
  body: Body,
  until: { requests?: number; seconds?: number; gapMs?: number },
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = until.seconds === undefined
    ? Infinity
    : started + until.seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    const client = ReqClient.connect(libzmq, { endpoint });
    try {
      while (performance.now() < deadline) {
        if (until.requests !== undefined && issued >= until.requests) break;
        issued++;
        const request = encoder.encode(JSON.stringify(body()));
        const t0 = performance.now();
        const [reply] = await client.request(request, 120_000);
        latencies.push(performance.now() - t0);
        if ("error" in JSON.parse(decoder.decode(reply))) errors++;
        if (until.gapMs) await new Promise((r) => setTimeout(r, until.gapMs));
      }
    } finally {
      client.close();
    }
  }));
  return summarize(
    name,
    clients,
    latencies,
    errors,
    (performance.now() - started) / 1000,
  );
}

async function request(
  endpoint: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const client = ReqClient.connect(libzmq, { endpoint });
  try {
    const [reply] = await client.request(
      encoder.encode(JSON.stringify(body)),
      120_000,
    );
    return JSON.parse(decoder.decode(reply));
  } finally {
    client.close();
  }
}

interface Started {
  endpoint: string;
  /** The start-up line's `crypto=` (the decryption backend), if it has one. */
  crypto?: string;
  stop(): Promise<void>;
}

async function startService(args: string[]): Promise<Started> {
  // As users run it: info-level logs, one line per request; and a ping
  // that tells the pool's depth and the memory, which the scenarios read.
  return await startChild([
    "task",
    "-q",
    "start",
    "--endpoint",
    "tcp://127.0.0.1:*",
    "--ping-detail",
    "full",
    ...args,
  ]);
}

/** The bare echo server of scripts/_bench_echo.ts, in its own process. */
async function startEcho(): Promise<Started> {
  return await startChild([
    "run",
    "--allow-env",
    "--allow-read",
    "--allow-ffi",
    new URL("./_bench_echo.ts", import.meta.url).pathname,
    "tcp://127.0.0.1:*",
  ]);
}

/** A `deno` subprocess, once it has logged `listening endpoint=...`. */
async function startChild(args: string[]): Promise<Started> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`service did not start:\n${text}`);
    text += value;
    const match = /listening endpoint=(\S+)/.exec(text);
    if (match) {
      // Keep draining stderr so the service never blocks on it.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })();
      return {
        endpoint: match[1],
        crypto: /\bcrypto=(\S+)/.exec(text)?.[1],
        async stop() {
          child.kill("SIGTERM");
          await child.status;
        },
      };
    }
  }
}

async function waitForPool(endpoint: string, size: number): Promise<void> {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const ping = await request(endpoint, { type: "ping" });
    const pool = ping.pool as { depth: number } | undefined;
    if (pool !== undefined && pool.depth >= size) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the key pool did not fill within 120 s");
}

/**
 * Waits until the service is quiet: its pool full (depth = size) and no
 * key being generated. Resolves to that `ping` reply.
 */
async function waitForQuiet(
  endpoint: string,
): Promise<Record<string, unknown>> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    const ping = await request(endpoint, { type: "ping" });
    const pool = ping.pool as
      | { depth: number; size: number; generating: number }
      | undefined;
    if (
      pool === undefined ||
      (pool.depth >= pool.size && pool.generating === 0)
    ) {
      return ping;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the service did not become quiet within 180 s");
}

/** The raw cost of the primitives, in this process. */
async function primitives(pair: RsaKeyPairPem, parallel: number) {
  // RSA key generation time varies a lot from key to key (the prime
  // search), so both rates are taken over 16 keys.
  const keys = 16;
  let t0 = performance.now();
  for (let i = 0; i < keys; i++) await generateRsaKeyPair();
  const keygenMs = (performance.now() - t0) / keys;
  // All cores: `parallel` generations kept in flight until 16 are done.
  const parallelN = parallel;
  let started = 0;
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallelN }, async () => {
      while (started < keys) {
        started++;
        await generateRsaKeyPair();
      }
    }),
  );
  const keygenParallelPerSecond = keys / ((performance.now() - t0) / 1000);

  const key = parsePublicKey(pair.public);
  const message = encoder.encode("x".repeat(44));
  const ciphertext = Buffer.from(encryptPkcs1v15(key, message));
  const der = Buffer.from(parsePrivateKey(pair.private).der);
  const decryptOnce = () =>
    privateDecrypt(
      {
        key: createPrivateKey({ key: der, format: "der", type: "pkcs1" }),
        padding: constants.RSA_PKCS1_PADDING,
      },
      ciphertext,
    );
  const time = (n: number, fn: () => unknown) => {
    for (let i = 0; i < Math.min(n, 20); i++) fn();
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    return (performance.now() - t) / n;
  };
  const decryptMs = time(100, decryptOnce);
  const forgePrivate = forge.pki.privateKeyFromPem(pair.private);
  const forgeDecryptMs = time(
    20,
    () =>
      forgePrivate.decrypt(ciphertext.toString("binary"), "RSAES-PKCS1-V1_5"),
  );
  const encryptMs = time(500, () => encryptPkcs1v15(key, message));
  const forgePublic = forge.pki.publicKeyFromPem(pair.public);
  // forge's RSA operation on a block padded as the service pads it
  // (forge's own padding draws on its PRNG, which stalls here).
  const block = String.fromCharCode(
    ...new Uint8Array(key.size).map((_, i) => i === 1 ? 2 : i === 0 ? 0 : 0x5a),
  );
  const forgeEncryptMs = time(100, () => forgePublic.encrypt(block, "RAW"));
  const libcrypto = await libcryptoDecrypts(pair, ciphertext, parallel);
  return {
    libcrypto,
    keygenMs,
    keygenPerSecond: 1000 / keygenMs,
    keygenParallelPerSecond,
    keygenParallelism: parallelN,
    decryptMs,
    forgeDecryptMs,
    encryptMs,
    forgeEncryptMs,
  };
}

/**
 * OpenSSL's decryption through the service's FFI, on one key: loaded for
 * each call (what the service does) and prepared once (what an opt-in
 * cache of prepared keys would buy), one at a time and 400 at once.
 */
async function libcryptoDecrypts(
  pair: RsaKeyPairPem,
  ciphertext: Uint8Array,
  parallel: number,
) {
  let libcrypto;
  try {
    libcrypto = loadLibcrypto();
  } catch (error) {
    return { ok: false as const, reason: (error as Error).message };
  }
  const key = parsePrivateKey(pair.private);
  const prepared = libcrypto.prepare(key);
  const fresh = () => libcrypto.decrypt("pkcs1v15", key, ciphertext);
  const reused = () => prepared.decrypt("pkcs1v15", ciphertext);
  const serialMs = async (fn: () => Promise<unknown>, n: number) => {
    for (let i = 0; i < 20; i++) await fn();
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - t) / n;
  };
  const ratePerSecond = async (fn: () => Promise<unknown>, n: number) => {
    const t = performance.now();
    await Promise.all(Array.from({ length: n }, fn));
    return n / ((performance.now() - t) / 1000);
  };
  try {
    return {
      ok: true as const,
      parallel,
      freshMs: await serialMs(fresh, 300),
      preparedMs: await serialMs(reused, 300),
      freshPerSecond: await ratePerSecond(fresh, 400),
      preparedPerSecond: await ratePerSecond(reused, 400),
    };
  } finally {
    prepared.close();
  }
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

function table(results: Result[]): string {
  const lines = [
    "| scenario | clients | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | note |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${r.clients} | ${r.requests} | ${r.errors} | ${
        fmt(r.throughput, 1)
      } | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${
        r.note ?? ""
      } |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  checkDenoVersion();
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string" },
      "mix-seconds": { type: "string", default: "60" },
      "mix-clients": { type: "string", default: "16" },
      only: { type: "string" },
      "soak-seconds": { type: "string", default: "0" },
      json: { type: "string", default: "bench-results/latest.json" },
    },
  });
  const only = values.only?.split(",");
  const want = (name: string) => only === undefined || only.includes(name);
  const mixSeconds = Number(values["mix-seconds"]);
  const mixClients = Number(values["mix-clients"]);
  const soakSeconds = Number(values["soak-seconds"]);
  if (!(soakSeconds >= 0)) {
    throw new Error(`--soak-seconds: not a number of seconds`);
  }
  const cores = navigator.hardwareConcurrency || 1;
  const own = values.target === undefined;

  const pair = await generateRsaKeyPair();
  const fernet = new Uint8Array(32).fill(7).toBase64({ alphabet: "base64url" });
  const encrypted = encryptPkcs1v15(
    parsePublicKey(pair.public),
    encoder.encode(fernet),
  )
    .toBase64();

  // The primitives first, with nothing else running.
  console.error(`bench: measuring primitives (${cores} cores)...`);
  const raw = await primitives(pair, cores);
  // OpenSSL's own speed, also with nothing else running.
  let openssl: OpensslSpeed | undefined;
  if (want("openssl")) {
    console.error(
      `bench: openssl speed -seconds 3 rsa2048, then -multi ${cores}...`,
    );
    openssl = await opensslSpeed(3, cores);
    if (!openssl.ok) {
      console.error(`bench: OpenSSL not measured: ${openssl.reason}`);
    }
  }

  const results: Result[] = [];
  // `met` null: the target could not be measured.
  const checks: { target: string; value: string; met: boolean | null }[] = [];
  const check = (target: string, value: string, met: boolean | null) =>
    checks.push({ target, value, met });
  const ratioValue = (ratio: number, a: number, b: number, unit = "ms") =>
    `${fmt(ratio)} x (${fmt(a)} vs ${fmt(b)} ${unit})`;
  const ownOnly = (what: string) =>
    console.error(
      `bench: ${what}: skipped, it needs the bench's own service (no --target)`,
    );
  const extra: Record<string, unknown> = {};

  const service = own ? await startService(["--pool-size", "32"]) : undefined;
  const endpoint = service?.endpoint ?? values.target!;
  try {
    if (want("idle")) {
      if (own) {
        // Right after start, once the pool is full: no request yet but pings.
        console.error("bench: idle RSS...");
        const ping = await waitForQuiet(endpoint);
        const rss = ping.rss_bytes as number;
        extra.idleRssBytes = rss;
        check(
          "idle RSS (just started, pool of 32 full) < 64 MB",
          `${fmt(rss / 2 ** 20, 1)} MB`,
          rss < 64 * 2 ** 20,
        );
      } else ownOnly("idle");
    }

    const encryptBody = () => ({
      type: "encrypt_fernet",
      fernet,
      rsa_public: pair.public,
    });
    const decryptBody = () => ({
      type: "decrypt_fernet",
      encrypted_fernet: encrypted,
      rsa_private: pair.private,
    });
    // Warm up the connection path and the JIT.
    await drive(endpoint, "warm-up", 2, encryptBody, { requests: 200 });
    await drive(endpoint, "warm-up", 2, decryptBody, { requests: 50 });

    const pingBody = () => ({ type: "ping" });
    const paced300 = { requests: 30, gapMs: 300 };
    // `ping` one every 300 ms on a quiet service, measured once for both
    // `floor` and `warm300`.
    let ping300: Result | undefined;
    const pingEvery300 = async () => {
      if (ping300 === undefined) {
        await waitForQuiet(endpoint);
        ping300 = await drive(
          endpoint,
          "ping, one every 300 ms",
          1,
          pingBody,
          paced300,
        );
        results.push(ping300);
      }
      return ping300;
    };

    if (want("floor")) {
      if (own) {
        // The floor: a bare echo server on the same transport, driven by
        // the same client code with the same bytes as `ping`.
        console.error("bench: floor, echo server against ping...");
        const echo = await startEcho();
        try {
          await drive(echo.endpoint, "warm-up", 2, pingBody, {
            requests: 200,
          });
          await waitForQuiet(endpoint);
          const echoB2b = await drive(
            echo.endpoint,
            "echo, bare RouterServer (floor), back to back",
            1,
            pingBody,
            { requests: 2000 },
          );
          const pingB2b = await drive(
            endpoint,
            "ping, back to back",
            1,
            pingBody,
            { requests: 2000 },
          );
          const echo300 = await drive(
            echo.endpoint,
            "echo, bare RouterServer (floor), one every 300 ms",
            1,
            pingBody,
            paced300,
          );
          results.push(echoB2b, pingB2b, echo300);
          const ping = await pingEvery300();
          for (
            const [pace, p, e] of [
              ["back to back", pingB2b, echoB2b],
              ["one every 300 ms", ping, echo300],
            ] as const
          ) {
            const ratio = p.p50 / e.p50;
            p.note = `${fmt(ratio)} x echo p50`;
            check(
              `ping p50 <= 1.5 x bare echo p50, ${pace}`,
              ratioValue(ratio, p.p50, e.p50),
              ratio <= 1.5 && p.errors === 0,
            );
          }
        } finally {
          await echo.stop();
        }
      } else ownOnly("floor");
    }

    if (want("warm300")) {
      if (own) {
        console.error("bench: generate_keys, warm pool, one every 300 ms...");
        const ping = await pingEvery300();
        await waitForQuiet(endpoint);
        const warm = await drive(
          endpoint,
          "generate_keys, warm pool, one every 300 ms",
          1,
          () => ({ type: "generate_keys" }),
          paced300,
        );
        const ratio = warm.p50 / ping.p50;
        warm.note = `${fmt(ratio)} x ping p50 at the same pace`;
        results.push(warm);
        check(
          "generate_keys warm, one every 300 ms: p50 <= 2 x ping p50",
          ratioValue(ratio, warm.p50, ping.p50),
          ratio <= 2 && warm.errors === 0,
        );
      } else ownOnly("warm300");
    }

    if (want("refill")) {
      if (own) {
        console.error("bench: encrypt_fernet, quiet and while refilling...");
        await waitForQuiet(endpoint);
        // Back to work after the wait, as the refill run is after the take.
        await drive(endpoint, "warm-up", 1, encryptBody, { requests: 50 });
        const quiet = await drive(
          endpoint,
          "encrypt_fernet, quiet service (pool full)",
          1,
          encryptBody,
          { requests: 200 },
        );
        // Take 30 of the 32 keys, then measure at once: the pool refills
        // (30 key generations) while the requests run.
        const taker = await drive(endpoint, "take 30 keys", 1, () => ({
          type: "generate_keys",
        }), { requests: 30 });
        const refill = await drive(
          endpoint,
          "encrypt_fernet, pool refilling (30 keys just taken)",
          1,
          encryptBody,
          { requests: 200 },
        );
        const after = (await request(endpoint, { type: "ping" })).pool as
          | { depth: number; size: number; generating: number }
          | undefined;
        const ratio = refill.p50 / quiet.p50;
        refill.note = `${fmt(ratio)} x quiet p50; ${
          after
            ? `pool ${after.depth}/${after.size}, ${after.generating} generating at the end`
            : ""
        }`;
        results.push(quiet, refill);
        check(
          "encrypt_fernet while the pool refills: p50 <= 1.3 x quiet p50",
          ratioValue(ratio, refill.p50, quiet.p50),
          ratio <= 1.3 && refill.errors === 0 && taker.errors === 0,
        );
        await waitForQuiet(endpoint);
      } else ownOnly("refill");
    }

    if (want("generate")) {
      if (own) await waitForPool(endpoint, 32);
      console.error("bench: generate_keys, warm pool...");
      const warm = await drive(
        endpoint,
        "generate_keys, warm pool, 5 req/s",
        1,
        () => ({
          type: "generate_keys",
        }),
        { requests: 25, gapMs: 200 },
      );
      results.push(warm);
      if (own) {
        // The floor at this pace: a ping touches no key, so what it costs
        // is the round trip itself (thread wake-ups on an idle machine).
        results.push(
          await drive(endpoint, "ping, 5 req/s (round-trip floor)", 1, () => ({
            type: "ping",
          }), { requests: 25, gapMs: 200 }),
        );
      }
      check(
        "generate_keys warm: p50 <= 1 ms",
        `${fmt(warm.p50)} ms`,
        warm.p50 <= 1,
      );
      check(
        "generate_keys warm: p99 <= 5 ms",
        `${fmt(warm.p99)} ms`,
        warm.p99 <= 5,
      );
    }

    if (want("encrypt")) {
      console.error("bench: encrypt_fernet...");
      const one = await drive(endpoint, "encrypt_fernet", 1, encryptBody, {
        requests: 1000,
      });
      results.push(one);
      check(
        "encrypt_fernet: p50 <= 0.5 ms",
        `${fmt(one.p50)} ms`,
        one.p50 <= 0.5,
      );
      results.push(
        await drive(endpoint, "encrypt_fernet", 4, encryptBody, {
          requests: 2000,
        }),
      );
    }

    if (want("decrypt")) {
      console.error("bench: decrypt_fernet...");
      const one = await drive(endpoint, "decrypt_fernet", 1, decryptBody, {
        requests: 300,
      });
      const four = await drive(endpoint, "decrypt_fernet", 4, decryptBody, {
        requests: 800,
      });
      const ratio = four.throughput / one.throughput;
      one.note = `${
        fmt(one.throughput / (1000 / raw.decryptMs) * 100, 0)
      }% of one raw decrypt loop`;
      four.note = `${fmt(ratio)} x one client`;
      results.push(one, four);
      check(
        "decrypt_fernet: p50 <= 3 ms, one client",
        `${fmt(one.p50)} ms`,
        one.p50 <= 3,
      );
      check(
        "decrypt_fernet: 4 clients >= 1.7 x one",
        `${fmt(ratio)} x`,
        ratio >= 1.7,
      );
      if (openssl?.ok) {
        const single = one.p50 / openssl.single.signMs;
        check(
          "decrypt_fernet, one client: p50 <= 3 x OpenSSL's one-core private op",
          ratioValue(single, one.p50, openssl.single.signMs),
          single <= 3 && one.errors === 0,
        );
        const all = four.throughput / openssl.multi.signPerSecond;
        check(
          `decrypt_fernet, 4 clients: >= 0.35 x OpenSSL's all-core rate (-multi ${openssl.processes})`,
          ratioValue(
            all,
            four.throughput,
            openssl.multi.signPerSecond,
            "/s",
          ),
          all >= 0.35 && four.errors === 0,
        );
      } else if (openssl !== undefined) {
        const why = `not measured: ${openssl.reason}`;
        check(
          "decrypt_fernet, one client: p50 <= 3 x OpenSSL's one-core private op",
          why,
          null,
        );
        check(
          "decrypt_fernet, 4 clients: >= 0.35 x OpenSSL's all-core rate",
          why,
          null,
        );
      }
    }

    if (want("decrypt-cached")) {
      if (own) {
        // The opt-in cache of prepared keys (--prepared-keys): what it buys
        // a client that decrypts many Fernet keys with one private key.
        console.error("bench: decrypt_fernet with --prepared-keys 16...");
        const cached = await startService(["--prepared-keys", "16"]);
        try {
          const one = await drive(
            cached.endpoint,
            "decrypt_fernet, --prepared-keys 16",
            1,
            decryptBody,
            { requests: 300 },
          );
          const four = await drive(
            cached.endpoint,
            "decrypt_fernet, --prepared-keys 16",
            4,
            decryptBody,
            { requests: 800 },
          );
          results.push(one, four);
          if (openssl?.ok) {
            const single = one.p50 / openssl.single.signMs;
            one.note = `${fmt(single)} x OpenSSL's one-core private op`;
            const all = four.throughput / openssl.multi.signPerSecond;
            four.note = `${fmt(all)} x OpenSSL's all-core rate`;
          }
        } finally {
          await cached.stop();
        }
      } else ownOnly("decrypt-cached");
    }

    if (want("generate")) {
      // The pool drained: a service with no pool, so every key is made on
      // demand while 8 clients ask back to back.
      const drainedService = own
        ? await startService(["--pool-size", "0"])
        : undefined;
      try {
        console.error("bench: generate_keys, pool drained...");
        const drained = await drive(
          drainedService?.endpoint ?? endpoint,
          "generate_keys, pool drained",
          8,
          () => ({ type: "generate_keys" }),
          { requests: 48 },
        );
        const share = drained.throughput / raw.keygenParallelPerSecond;
        drained.note = `${fmt(share)} x raw all-cores keygen (${
          fmt(raw.keygenParallelPerSecond, 1)
        }/s)`;
        results.push(drained);
        check(
          "generate_keys drained, 8 clients: >= 0.8 x raw all-cores rate",
          `${fmt(share)} x`,
          share >= 0.8 && drained.errors === 0,
        );
      } finally {
        await drainedService?.stop();
      }
    }

    // Contract v1.1.
    if (want("encrypt-oaep")) {
      console.error("bench: encrypt_fernet, OAEP...");
      const body = () => ({ ...encryptBody(), padding: "oaep-sha256" });
      results.push(
        await drive(endpoint, "encrypt_fernet, oaep-sha256", 1, body, {
          requests: 1000,
        }),
        await drive(endpoint, "encrypt_fernet, oaep-sha256", 4, body, {
          requests: 2000,
        }),
      );
    }

    if (want("decrypt-oaep")) {
      console.error("bench: decrypt_fernet, OAEP...");
      const ciphertext = encryptOaepSha256(
        parsePublicKey(pair.public),
        encoder.encode(fernet),
      ).toBase64();
      const body = () => ({
        ...decryptBody(),
        encrypted_fernet: ciphertext,
        padding: "oaep-sha256",
      });
      const one = await drive(
        endpoint,
        "decrypt_fernet, oaep-sha256",
        1,
        body,
        { requests: 300 },
      );
      const four = await drive(
        endpoint,
        "decrypt_fernet, oaep-sha256",
        4,
        body,
        { requests: 800 },
      );
      four.note = `${fmt(four.throughput / one.throughput)} x one client`;
      results.push(one, four);
    }

    for (const bits of [3072, 4096] as const) {
      if (!want(`generate-${bits}`)) continue;
      // Made on demand (the pool holds 2048-bit pairs only): one client,
      // one at a time, so each latency is one key's generation.
      console.error(`bench: generate_keys, ${bits} bits...`);
      const requests = 6;
      const r = await drive(
        endpoint,
        `generate_keys, bits ${bits} (on demand)`,
        1,
        () => ({ type: "generate_keys", bits }),
        { requests },
      );
      r.note = `mean ${fmt(r.seconds * 1000 / r.requests, 0)} ms per key; ${
        raw.keygenMs > 0
          ? fmt(r.seconds * 1000 / r.requests / raw.keygenMs, 0)
          : "-"
      } x a raw 2048-bit keygen`;
      results.push(r);
    }

    if (want("decrypt-passphrase")) {
      // A sealed key written as the service writes it (PBES2, the
      // service's default 600,000 PBKDF2 iterations when it is ours).
      console.error("bench: decrypt_fernet, passphrase-protected key...");
      const passphrase = "correct horse battery staple";
      const sealed = await exportKeyPair(pair, {
        format: "pkcs8",
        passphrase,
        iterations: 600_000,
      });
      const body = () => ({
        ...decryptBody(),
        rsa_private: sealed.private,
        passphrase,
      });
      const one = await drive(
        endpoint,
        "decrypt_fernet, ENCRYPTED PRIVATE KEY (600,000 PBKDF2 iterations)",
        1,
        body,
        { requests: 20 },
      );
      one.note = `PBKDF2 per request; the RSA decryption alone is ${
        fmt(raw.decryptMs)
      } ms raw`;
      const two = await drive(
        endpoint,
        "decrypt_fernet, ENCRYPTED PRIVATE KEY (600,000 PBKDF2 iterations)",
        cores,
        body,
        { requests: 10 * cores },
      );
      two.note = `${fmt(two.throughput / one.throughput)} x one client`;
      results.push(one, two);
    }

    if (want("many")) {
      console.error("bench: encrypt_fernet_many...");
      // Recipients alternate PKCS#1 and SPKI, all well-formed keys.
      const spki = (await exportKeyPair(pair, { format: "pkcs8" })).public;
      for (const recipients of [10, 100]) {
        const rsaPublics = Array.from(
          { length: recipients },
          (_, i) => i % 2 === 0 ? pair.public : spki,
        );
        const r = await drive(
          endpoint,
          `encrypt_fernet_many, ${recipients} recipients`,
          1,
          () => ({
            type: "encrypt_fernet_many",
            fernet,
            rsa_publics: rsaPublics,
          }),
          { requests: recipients === 10 ? 300 : 60 },
        );
        r.note = `p50 ${fmt(r.p50 / recipients, 3)} ms per recipient`;
        results.push(r);
      }
    }

    if (want("mix") && mixSeconds > 0) {
      console.error(`bench: mix, ${mixClients} clients, ${mixSeconds} s...`);
      const bodies: Body[] = [
        () => ({ type: "generate_keys" }),
        encryptBody,
        encryptBody,
        encryptBody,
        decryptBody,
        decryptBody,
        decryptBody,
        () => ({ type: own ? "ping" : "generate_keys" }),
      ];
      const rss: number[] = [];
      const sampler = own
        ? setInterval(async () => {
          const ping = await request(endpoint, { type: "ping" });
          rss.push(ping.rss_bytes as number);
          if (rss.length % 10 === 0) {
            console.error(
              `bench: ${rss.length} s: RSS ${
                fmt(rss[rss.length - 1] / 1e6, 1)
              } MB, heap ${fmt((ping.heap_used_bytes as number) / 1e6, 1)} MB`,
            );
          }
        }, 1000)
        : undefined;
      let rssAfter10 = NaN;
      const mark = setTimeout(() => rssAfter10 = rss[rss.length - 1], 10_500);
      const mix = await drive(
        endpoint,
        "mix of all operations",
        mixClients,
        () => bodies[Math.floor(Math.random() * bodies.length)](),
        { seconds: mixSeconds },
      );
      clearInterval(sampler);
      clearTimeout(mark);
      const rssEnd = rss[rss.length - 1];
      const growth = (rssEnd - rssAfter10) / 1e6;
      mix.note = own
        ? `RSS ${fmt(rssAfter10 / 1e6, 1)} MB at 10 s, ${
          fmt(rssEnd / 1e6, 1)
        } MB at end`
        : "";
      results.push(mix);
      if (own) extra.mixRss = { clients: mixClients, seconds: mixSeconds, rss };
      if (own && mixSeconds >= 20) {
        check(
          `mix, ${mixClients} clients, ${mixSeconds} s: no errors, RSS growth after 10 s < 20 MB`,
          `${mix.errors} errors, ${fmt(growth, 1)} MB`,
          mix.errors === 0 && growth < 20,
        );
      } else {
        check(`mix: no errors`, `${mix.errors} errors`, mix.errors === 0);
      }
    }

    if (want("soak") && soakSeconds > 0) {
      if (own) {
        console.error(`bench: soak, 8 clients, ${soakSeconds} s...`);
        const bodies: Body[] = [
          () => ({ type: "generate_keys" }),
          encryptBody,
          decryptBody,
          pingBody,
        ];
        const rss: number[] = [];
        let sampling = false;
        const sampler = setInterval(async () => {
          if (sampling) return;
          sampling = true;
          try {
            const ping = await request(endpoint, { type: "ping" });
            rss.push(ping.rss_bytes as number);
          } finally {
            sampling = false;
          }
        }, 1000);
        let rssAtMinute = NaN;
        const mark = setTimeout(async () => {
          const ping = await request(endpoint, { type: "ping" });
          rssAtMinute = ping.rss_bytes as number;
          console.error(
            `bench: soak, 60 s: RSS ${fmt(rssAtMinute / 2 ** 20, 1)} MB`,
          );
        }, 60_000);
        const soak = await drive(
          endpoint,
          "soak, mixed operations",
          8,
          () => bodies[Math.floor(Math.random() * bodies.length)](),
          { seconds: soakSeconds },
        );
        clearInterval(sampler);
        clearTimeout(mark);
        const rssEnd = (await request(endpoint, { type: "ping" }))
          .rss_bytes as number;
        const peak = Math.max(rssEnd, ...rss);
        soak.note = `RSS ${
          Number.isFinite(rssAtMinute)
            ? `${fmt(rssAtMinute / 2 ** 20, 1)} MB at 60 s, `
            : ""
        }${fmt(rssEnd / 2 ** 20, 1)} MB at end, ${
          fmt(peak / 2 ** 20, 1)
        } MB peak`;
        results.push(soak);
        extra.soak = { seconds: soakSeconds, rssAtMinute, rssEnd, rss };
        if (Number.isFinite(rssAtMinute)) {
          const growth = (rssEnd - rssAtMinute) / 2 ** 20;
          check(
            `soak, 8 clients, ${soakSeconds} s: no errors, RSS at end within 16 MB of RSS at 60 s`,
            `${soak.errors} errors, ${growth >= 0 ? "+" : ""}${
              fmt(growth, 1)
            } MB`,
            soak.errors === 0 && Math.abs(growth) <= 16,
          );
        } else {
          check(
            `soak, ${soakSeconds} s: RSS at end within 16 MB of RSS at 60 s`,
            "not measured: the soak ended before 60 s",
            null,
          );
        }
      } else ownOnly("soak");
    }
  } finally {
    await service?.stop();
  }

  const machine = {
    cores,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    cpu: cpuName(),
    deno: Deno.version.deno,
    libzmq: libzmq.version,
    crypto: own
      ? service?.crypto ?? "not in the start-up line"
      : "unknown (--target)",
  };
  const primitivesTable = [
    "| primitive (in-process, same run) | cost |",
    "|---|---:|",
    `| WebCrypto RSA-2048 keygen, one at a time | ${fmt(raw.keygenMs, 1)} ms (${
      fmt(raw.keygenPerSecond, 1)
    }/s) |`,
    `| WebCrypto RSA-2048 keygen, ${raw.keygenParallelism} at a time | ${
      fmt(raw.keygenParallelPerSecond, 1)
    }/s |`,
    `| decrypt, node:crypto privateDecrypt (PKCS#1 v1.5) | ${
      fmt(raw.decryptMs)
    } ms |`,
    `| decrypt, node-forge | ${fmt(raw.forgeDecryptMs)} ms |`,
    ...(raw.libcrypto.ok
      ? [
        `| decrypt, OpenSSL through FFI, key loaded for each call (the service) | ${
          fmt(raw.libcrypto.freshMs, 3)
        } ms; 400 at once ${fmt(raw.libcrypto.freshPerSecond, 0)}/s |`,
        `| decrypt, OpenSSL through FFI, key prepared once (a cache would buy) | ${
          fmt(raw.libcrypto.preparedMs, 3)
        } ms; 400 at once ${fmt(raw.libcrypto.preparedPerSecond, 0)}/s |`,
      ]
      : [
        `| decrypt, OpenSSL through FFI | not measured: ${raw.libcrypto.reason} |`,
      ]),
    `| encrypt, service's bigint RSAES-PKCS1-v1_5 | ${
      fmt(raw.encryptMs, 3)
    } ms |`,
    `| encrypt, node-forge | ${fmt(raw.forgeEncryptMs, 3)} ms |`,
    ...(openssl === undefined ? [] : openssl.ok
      ? [
        `| OpenSSL speed rsa2048, sign (private-key op), one core (${openssl.version}, ${openssl.seconds} s) | ${
          fmt(openssl.single.signMs, 3)
        } ms (${fmt(openssl.single.signPerSecond, 1)}/s) |`,
        `| OpenSSL speed rsa2048, sign, -multi ${openssl.processes} | ${
          fmt(openssl.multi.signPerSecond, 1)
        }/s (${fmt(openssl.multi.signMs, 3)} ms per op) |`,
      ]
      : [
        `| OpenSSL speed rsa2048, one core and -multi ${cores} | not measured: ${openssl.reason} |`,
      ]),
  ].join("\n");
  const checksTable = [
    "| target | measured | met |",
    "|---|---:|---|",
    ...checks.map((c) =>
      `| ${c.target} | ${c.value} | ${
        c.met === null ? "n/a" : c.met ? "yes" : "NO"
      } |`
    ),
  ].join("\n");
  const report = [
    `Machine: ${machine.cores} cores, ${machine.cpu}, ${machine.os}; Deno ${machine.deno}, libzmq ${machine.libzmq}; crypto ${machine.crypto}; target ${
      own ? "this service (deno task start)" : values.target
    }; ${new Date().toISOString()}`,
    "",
    table(results),
    "",
    primitivesTable,
    "",
    checksTable,
  ].join("\n");
  console.log(report);
  await Deno.mkdir(new URL("bench-results/", ROOT), { recursive: true });
  const jsonPath = new URL(values.json!, ROOT);
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify(
      {
        machine,
        target: values.target ?? "self",
        results,
        primitives: raw,
        openssl,
        ...extra,
        checks,
      },
      null,
      2,
    ) + "\n",
  );
  console.error(`bench: wrote ${values.json}`);
  const charts = await writeCharts(jsonPath, {
    machine,
    results,
    mixRss: extra.mixRss as { clients: number; seconds: number; rss: number[] },
  });
  console.error(`bench: wrote ${charts.join(", ")}`);
}

if (import.meta.main) await main();
