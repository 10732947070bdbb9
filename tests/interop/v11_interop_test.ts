// Interoperability of the contract v1.1 options (issue 8) with the real
// client stack: pyca/cryptography and python-rsa (run by /usr/bin/python3,
// see tests/interop/python/v11_client.py) and the `openssl` command
// (OpenSSL 3), against the service started with `deno task start
// --pbkdf2-iterations 100000` (the floor, to keep passphrase runs short).
//
// v1.1: generate_keys "bits" (2048/3072/4096), "format" (pkcs1/pkcs8) and
// "passphrase" (encrypted PKCS#8: PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC);
// "padding" (pkcs1v15/oaep-sha256) on encrypt_fernet and decrypt_fernet;
// SPKI, PKCS#8 and encrypted PKCS#8 key inputs; encrypt_fernet_many; ping
// capabilities.
//
// Without the Python stack the Python tests are ignored (and say why);
// without OpenSSL 3 the openssl tests are. KEYSERVICE_REQUIRE_INTEROP=1
// turns either into a failure.

import assert from "node:assert/strict";
import { type RunningService, withService } from "../_helpers/service.ts";
import {
  interopGate,
  PYTHON,
  python,
  type PythonRun,
} from "../_helpers/python.ts";
import { detectOpensslCommand, gate } from "../_helpers/gate.ts";

const V11_CLIENT = "tests/interop/python/v11_client.py";
/** What the tests start the service with: the floor, to save time. */
const ITERATIONS = 100_000;
const SERVICE_ARGS = ["--pbkdf2-iterations", String(ITERATIONS)];
const PASSPHRASE = "v1.1 interop passphrase";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

const PYTHON_GATE = await interopGate("v1.1 interop tests (Python)");
const ignorePython = !PYTHON_GATE.ok;
const OPENSSL = gate(
  "v1.1 openssl interop tests",
  await detectOpensslCommand(),
);

// --- openssl ---------------------------------------------------------------

interface Output {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly text: string;
  readonly stderr: string;
}

/** Runs `openssl ...args` (stdin from `input`), in `cwd`. */
async function runOpenssl(
  args: string[],
  options: { input?: Uint8Array; cwd?: string } = {},
): Promise<Output> {
  const child = new Deno.Command("openssl", {
    args,
    cwd: options.cwd,
    stdin: options.input ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  if (options.input) {
    const writer = child.stdin.getWriter();
    await writer.write(options.input);
    await writer.close();
  }
  const output = await child.output();
  return {
    code: output.code,
    stdout: output.stdout,
    text: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Like {@linkcode runOpenssl}, failing with its stderr on a non-zero exit. */
async function mustOpenssl(
  args: string[],
  options: { input?: Uint8Array; cwd?: string } = {},
): Promise<Output> {
  const output = await runOpenssl(args, options);
  assert.equal(
    output.code,
    0,
    `openssl ${args.join(" ")} exited ${output.code}:\n${output.stderr}`,
  );
  return output;
}

/** The pkeyutl options of OAEP with SHA-256 and MGF1-SHA-256. */
const OAEP_SHA256 = [
  "-pkeyopt",
  "rsa_padding_mode:oaep",
  "-pkeyopt",
  "rsa_oaep_md:sha256",
  "-pkeyopt",
  "rsa_mgf1_md:sha256",
];

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-v11-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Asserts, by `openssl asn1parse`, that `file` in `dir` is an
 * EncryptedPrivateKeyInfo with PBES2: PBKDF2 with a salt of 16 bytes or
 * more, `iterations` iterations and hmacWithSHA256, and AES-256-CBC with a
 * 16-byte IV.
 */
async function assertPbes2(
  dir: string,
  file: string,
  iterations: number,
): Promise<void> {
  const asn1 = (await mustOpenssl(["asn1parse", "-in", file], { cwd: dir }))
    .text.split("\n");
  const dump = asn1.join("\n");
  const at = (pattern: RegExp) => asn1.findIndex((l) => pattern.test(l));
  assert.ok(at(/OBJECT\s+:PBES2$/) >= 0, dump);
  const kdf = at(/OBJECT\s+:PBKDF2$/);
  assert.ok(kdf >= 0, dump);
  const salt = /l=\s*(\d+) prim: OCTET STRING/.exec(asn1[kdf + 2]);
  assert.ok(salt, `no salt after PBKDF2:\n${dump}`);
  assert.ok(Number(salt[1]) >= 16, `salt of ${salt[1]} bytes`);
  const count = /prim: INTEGER\s+:([0-9A-F]+)$/.exec(asn1[kdf + 3]);
  assert.ok(count, `no iteration count:\n${dump}`);
  assert.equal(parseInt(count[1], 16), iterations, dump);
  assert.ok(at(/OBJECT\s+:hmacWithSHA256$/) > kdf, dump);
  const cipher = at(/OBJECT\s+:aes-256-cbc$/);
  assert.ok(cipher > kdf, dump);
  assert.match(asn1[cipher + 1], /l=\s*16 prim: OCTET STRING/, dump);
}

// --- the service -------------------------------------------------------------

interface KeySet {
  readonly public: string;
  readonly private: string;
  readonly fernet: string;
}

/** A request that must succeed; the reply. */
async function succeed(
  service: RunningService,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const reply = await service.request(body);
  assert.ok(
    !("error" in reply),
    `${JSON.stringify(body).slice(0, 200)} failed: ${JSON.stringify(reply)}`,
  );
  return reply;
}

async function generate(
  service: RunningService,
  options: Record<string, unknown> = {},
): Promise<KeySet> {
  const reply = await succeed(service, { type: "generate_keys", ...options });
  const rsa = reply.rsa as { public: string; private: string };
  assert.equal(typeof rsa?.public, "string", JSON.stringify(reply));
  assert.equal(typeof rsa?.private, "string", JSON.stringify(reply));
  assert.equal(typeof reply.fernet, "string", JSON.stringify(reply));
  return {
    public: rsa.public,
    private: rsa.private,
    fernet: reply.fernet as string,
  };
}

async function encryptFernet(
  service: RunningService,
  fernet: string,
  rsaPublic: string,
  padding?: string,
): Promise<Uint8Array> {
  const reply = await succeed(service, {
    type: "encrypt_fernet",
    fernet,
    rsa_public: rsaPublic,
    ...(padding === undefined ? {} : { padding }),
  });
  assert.equal(typeof reply.encrypted_fernet, "string");
  return Uint8Array.fromBase64(reply.encrypted_fernet as string);
}

async function decryptFernet(
  service: RunningService,
  ciphertext: Uint8Array,
  rsaPrivate: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  return await service.request({
    type: "decrypt_fernet",
    encrypted_fernet: ciphertext.toBase64(),
    rsa_private: rsaPrivate,
    ...extra,
  });
}

/** The first line of a PEM block. */
function armour(pem: string): string {
  return pem.split("\n")[0];
}

// --- Python ------------------------------------------------------------------

/** Explains a v11_client.py run: its failed checks first, then everything. */
function describe(run: PythonRun, service: RunningService): string {
  const failed = run.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
  return `v11_client.py exited ${run.code}; ${failed.length} failed:\n` +
    `${failed.join("\n")}\n--- stdout ---\n${run.stdout}` +
    `--- stderr ---\n${run.stderr}--- service stderr (end) ---\n` +
    service.stderr().slice(-4000);
}

/**
 * Runs one scenario of v11_client.py against a fresh service started with
 * {@linkcode SERVICE_ARGS} and `extraArgs`.
 */
async function pythonScenario(
  scenario: string,
  extraArgs: string[] = [],
): Promise<void> {
  await withService(async (service) => {
    const run = await python([
      V11_CLIENT,
      service.endpoint,
      "--scenario",
      scenario,
      "--iterations",
      String(ITERATIONS),
    ]);
    const lines = run.stdout.split("\n");
    assert.equal(run.code, 0, describe(run, service));
    assert.ok(lines.includes("ALL OK"), describe(run, service));
    assert.ok(!lines.some((l) => l.startsWith("FAIL")), describe(run, service));
    const passed = lines.filter((l) => l.startsWith("ok ")).length;
    assert.ok(passed > 0, describe(run, service));
    console.log(`${scenario}: ${passed} Python checks passed`);
    for (const line of lines.filter((l) => l.startsWith("info "))) {
      console.log(`  ${line}`);
    }
  }, [...SERVICE_ARGS, ...extraArgs]);
}

// --- tests -------------------------------------------------------------------

Deno.test({
  name: `interop v1.1: ${PYTHON} has zmq, rsa and cryptography`,
  ignore: PYTHON_GATE.ignore,
  fn() {
    PYTHON_GATE.assertRunnable();
  },
});

Deno.test({
  name: "interop v1.1: openssl is OpenSSL 3",
  ignore: OPENSSL.ignore,
  fn() {
    OPENSSL.assertRunnable();
  },
});

Deno.test(
  "interop v1.1: ping lists the capabilities: the five operations, bits " +
    "2048/3072/4096, paddings pkcs1v15/oaep-sha256, formats pkcs1/pkcs8",
  async () => {
    await withService(async (service) => {
      const reply = await service.ping();
      const capabilities = (reply as Record<string, unknown>).capabilities as
        | Record<string, unknown>
        | undefined;
      assert.ok(
        typeof capabilities === "object" && capabilities !== null,
        `no capabilities object: ${JSON.stringify(reply)}`,
      );
      const operations = capabilities.operations;
      assert.ok(Array.isArray(operations), JSON.stringify(capabilities));
      for (
        const operation of [
          "generate_keys",
          "encrypt_fernet",
          "decrypt_fernet",
          "encrypt_fernet_many",
          "ping",
        ]
      ) {
        assert.ok(
          operations.includes(operation),
          `${operation} missing: ${JSON.stringify(capabilities)}`,
        );
      }
      assert.deepEqual(capabilities.bits, [2048, 3072, 4096]);
      assert.deepEqual(capabilities.paddings, ["pkcs1v15", "oaep-sha256"]);
      assert.deepEqual(capabilities.formats, ["pkcs1", "pkcs8"]);
    }, SERVICE_ARGS);
  },
);

Deno.test({
  name: "interop v1.1: cryptography opens our SPKI, PKCS#8 (byte-identical " +
    "to its own re-serialisation) and encrypted PKCS#8 (PBES2, PBKDF2-" +
    "HMAC-SHA-256 at --pbkdf2-iterations, salt >= 16 bytes, AES-256-CBC) " +
    "at 2048/3072/4096 bits, both paddings both ways",
  ignore: ignorePython,
  fn: () => pythonScenario("ours"),
});

Deno.test({
  name: "interop v1.1: cryptography's 2048/3072/4096-bit keys as SPKI, " +
    "PKCS#1, PKCS#8 and encrypted PKCS#8 (BestAvailableEncryption) are " +
    "accepted, PKCS#1 v1.5 and OAEP-SHA-256 ciphertexts both ways",
  ignore: ignorePython,
  fn: () => pythonScenario("theirs"),
});

Deno.test({
  name: "interop v1.1: encrypt_fernet_many answers 5 mixed recipients in " +
    "order, a per-recipient wrong_key_type for the EC key, each result " +
    "opened by its recipient with cryptography; garbage and Ed25519 " +
    "recipients get their own errors",
  ignore: ignorePython,
  fn: () => pythonScenario("many"),
});

Deno.test({
  name: "interop v1.1: encrypt_fernet_many takes 256 recipients (2048-bit " +
    "PKCS#1, about 110 kB) and refuses 257 with invalid_field, " +
    "--max-request-bytes raised to 1 MiB",
  ignore: ignorePython,
  fn: () => pythonScenario("many-256", ["--max-request-bytes", "1048576"]),
});

Deno.test({
  name: "interop v1.1: encrypt_fernet_many takes 256 recipients (2048-bit " +
    "PKCS#1) under the default request limit",
  ignore: ignorePython,
  fn: () => pythonScenario("many-256"),
});

Deno.test({
  name: "interop v1.1: generate_keys bits 3072 and 4096 load in cryptography " +
    "and python-rsa with that key size",
  ignore: ignorePython,
  fn: () => pythonScenario("bits"),
});

Deno.test({
  name: "interop v1.1: python-rsa still loads and decrypts every " +
    "default-option reply",
  ignore: ignorePython,
  fn: () => pythonScenario("python-rsa"),
});

Deno.test({
  name: "interop v1.1: error codes over the wire: invalid_passphrase, " +
    "missing_field, wrong_key_type for EC and Ed25519 keys, invalid_field " +
    'for "bits": "2048", "padding": 1 and the other bad options',
  ignore: ignorePython,
  fn: () => pythonScenario("errors"),
});

Deno.test({
  name: "interop v1.1: openssl pkey opens our SPKI, PKCS#8 and encrypted " +
    "PKCS#8 (-passin) and writes the first two back byte for byte; " +
    "asn1parse shows PBES2, hmacWithSHA256, the configured iterations, a " +
    "16-byte salt and aes-256-cbc",
  ignore: OPENSSL.ignore,
  async fn() {
    OPENSSL.assertRunnable();
    await withService(async (service) => {
      await inTempDir(async (dir) => {
        for (const bits of [2048, 3072]) {
          const keys = await generate(service, { format: "pkcs8", bits });
          assert.equal(armour(keys.public), "-----BEGIN PUBLIC KEY-----");
          assert.equal(armour(keys.private), "-----BEGIN PRIVATE KEY-----");
          await Deno.writeTextFile(`${dir}/pub.pem`, keys.public);
          await Deno.writeTextFile(`${dir}/priv.pem`, keys.private);
          const pub = await mustOpenssl(
            ["pkey", "-pubin", "-in", "pub.pem"],
            { cwd: dir },
          );
          assert.equal(pub.text, keys.public, "openssl rewrites our SPKI");
          const priv = await mustOpenssl(["pkey", "-in", "priv.pem"], {
            cwd: dir,
          });
          assert.equal(priv.text, keys.private, "openssl rewrites our PKCS#8");
          const derived = await mustOpenssl(
            ["pkey", "-in", "priv.pem", "-pubout"],
            { cwd: dir },
          );
          assert.equal(derived.text, keys.public, "private/public mismatch");
          const check = await mustOpenssl(
            ["pkey", "-in", "priv.pem", "-check", "-noout"],
            { cwd: dir },
          );
          assert.match(check.text, /Key is valid/);
          const text = await mustOpenssl(
            ["pkey", "-pubin", "-in", "pub.pem", "-noout", "-text"],
            { cwd: dir },
          );
          assert.match(text.text, new RegExp(`Public-Key: \\(${bits} bit\\)`));
        }

        const keys = await generate(service, { passphrase: PASSPHRASE });
        assert.equal(armour(keys.public), "-----BEGIN PUBLIC KEY-----");
        assert.equal(
          armour(keys.private),
          "-----BEGIN ENCRYPTED PRIVATE KEY-----",
        );
        await Deno.writeTextFile(`${dir}/pub.pem`, keys.public);
        await Deno.writeTextFile(`${dir}/enc.pem`, keys.private);
        const pass = `pass:${PASSPHRASE}`;
        const derived = await mustOpenssl(
          ["pkey", "-in", "enc.pem", "-passin", pass, "-pubout"],
          { cwd: dir },
        );
        assert.equal(derived.text, keys.public, "private/public mismatch");
        const check = await mustOpenssl(
          ["pkey", "-in", "enc.pem", "-passin", pass, "-check", "-noout"],
          { cwd: dir },
        );
        assert.match(check.text, /Key is valid/);
        const opened = await mustOpenssl(
          ["pkey", "-in", "enc.pem", "-passin", pass],
          { cwd: dir },
        );
        assert.equal(armour(opened.text), "-----BEGIN PRIVATE KEY-----");
        const wrong = await runOpenssl(
          ["pkey", "-in", "enc.pem", "-passin", "pass:wrong", "-noout"],
          { cwd: dir },
        );
        assert.notEqual(wrong.code, 0, "openssl opened it with a wrong pass");

        await assertPbes2(dir, "enc.pem", ITERATIONS);
      });
    }, SERVICE_ARGS);
  },
});

Deno.test({
  name: "interop v1.1: without --pbkdf2-iterations an encrypted key has " +
    "600000 PBKDF2 iterations (asn1parse) and openssl opens it",
  ignore: OPENSSL.ignore,
  async fn() {
    OPENSSL.assertRunnable();
    await withService(async (service) => {
      await inTempDir(async (dir) => {
        const keys = await generate(service, { passphrase: PASSPHRASE });
        await Deno.writeTextFile(`${dir}/enc.pem`, keys.private);
        await assertPbes2(dir, "enc.pem", 600_000);
        const derived = await mustOpenssl(
          [
            "pkey",
            "-in",
            "enc.pem",
            "-passin",
            `pass:${PASSPHRASE}`,
            "-pubout",
          ],
          { cwd: dir },
        );
        assert.equal(derived.text, keys.public, "private/public mismatch");
      });
    });
  },
});

Deno.test({
  name: "interop v1.1: OAEP-SHA-256 (MGF1-SHA-256) with openssl pkeyutl " +
    "both ways: openssl decrypts our encrypt_fernet, we decrypt openssl's " +
    "ciphertext; PKCS#1 v1.5 stays the default both ways",
  ignore: OPENSSL.ignore,
  async fn() {
    OPENSSL.assertRunnable();
    await withService(async (service) => {
      await inTempDir(async (dir) => {
        for (
          const options of [
            {},
            { format: "pkcs8", bits: 3072 },
            { passphrase: PASSPHRASE, bits: 4096 },
          ]
        ) {
          const label = JSON.stringify(options);
          const keys = await generate(service, options);
          const encrypted = "passphrase" in options;
          const passin = encrypted ? ["-passin", `pass:${PASSPHRASE}`] : [];
          const extra = encrypted ? { passphrase: PASSPHRASE } : {};
          await Deno.writeTextFile(`${dir}/pub.pem`, keys.public);
          await Deno.writeTextFile(`${dir}/priv.pem`, keys.private);

          // Ours, decrypted by openssl.
          const ours = await encryptFernet(
            service,
            keys.fernet,
            keys.public,
            "oaep-sha256",
          );
          await Deno.writeFile(`${dir}/ours.bin`, ours);
          const opened = await mustOpenssl([
            "pkeyutl",
            "-decrypt",
            "-inkey",
            "priv.pem",
            ...passin,
            "-in",
            "ours.bin",
            ...OAEP_SHA256,
          ], { cwd: dir });
          assert.equal(opened.text, keys.fernet, `openssl OAEP ${label}`);
          const v15 = await encryptFernet(service, keys.fernet, keys.public);
          await Deno.writeFile(`${dir}/v15.bin`, v15);
          const openedV15 = await mustOpenssl([
            "pkeyutl",
            "-decrypt",
            "-inkey",
            "priv.pem",
            ...passin,
            "-in",
            "v15.bin",
          ], { cwd: dir });
          assert.equal(openedV15.text, keys.fernet, `openssl v1.5 ${label}`);

          // Openssl's, decrypted by us.
          const theirs = await mustOpenssl([
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-inkey",
            "pub.pem",
            ...OAEP_SHA256,
          ], { cwd: dir, input: encoder.encode(keys.fernet) });
          const reply = await decryptFernet(
            service,
            theirs.stdout,
            keys.private,
            {
              padding: "oaep-sha256",
              ...extra,
            },
          );
          assert.deepEqual(reply, { fernet: keys.fernet }, `ours ${label}`);
          const theirsV15 = await mustOpenssl(
            ["pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem"],
            { cwd: dir, input: encoder.encode(keys.fernet) },
          );
          const replyV15 = await decryptFernet(
            service,
            theirsV15.stdout,
            keys.private,
            extra,
          );
          assert.deepEqual(replyV15, { fernet: keys.fernet }, `v1.5 ${label}`);
        }
      });
    }, SERVICE_ARGS);
  },
});

Deno.test({
  name: "interop v1.1: openssl's encrypted keys (genpkey -aes-256-cbc; pkcs8 " +
    "-topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256, default and 100000 " +
    "iterations) open with the passphrase; a wrong one is invalid_passphrase",
  ignore: OPENSSL.ignore,
  async fn() {
    OPENSSL.assertRunnable();
    await withService(async (service) => {
      await inTempDir(async (dir) => {
        const pass = `pass:${PASSPHRASE}`;
        await mustOpenssl([
          "genpkey",
          "-quiet",
          "-algorithm",
          "RSA",
          "-pkeyopt",
          "rsa_keygen_bits:2048",
          "-aes-256-cbc",
          "-pass",
          pass,
          "-out",
          "genpkey.pem",
        ], { cwd: dir });
        await mustOpenssl([
          "genrsa",
          "-traditional",
          "-out",
          "traditional.pem",
          "3072",
        ], { cwd: dir });
        const fromTraditional = ["-in", "traditional.pem", "-topk8"];
        for (
          const [name, extra] of [
            ["topk8.pem", []],
            ["topk8-iter.pem", ["-iter", String(ITERATIONS)]],
          ] as const
        ) {
          await mustOpenssl([
            "pkcs8",
            ...fromTraditional,
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            ...extra,
            "-passout",
            pass,
            "-out",
            name,
          ], { cwd: dir });
        }
        for (const name of ["genpkey.pem", "topk8.pem", "topk8-iter.pem"]) {
          const pem = await Deno.readTextFile(`${dir}/${name}`);
          assert.equal(armour(pem), "-----BEGIN ENCRYPTED PRIVATE KEY-----");
          const pub = await mustOpenssl(
            ["pkey", "-in", name, "-passin", pass, "-pubout"],
            { cwd: dir },
          );
          const fernet = crypto.getRandomValues(new Uint8Array(32))
            .toBase64({ alphabet: "base64url" });
          for (const padding of ["pkcs1v15", "oaep-sha256"]) {
            await Deno.writeTextFile(`${dir}/pub.pem`, pub.text);
            const ciphertext = await mustOpenssl([
              "pkeyutl",
              "-encrypt",
              "-pubin",
              "-inkey",
              "pub.pem",
              ...(padding === "oaep-sha256" ? OAEP_SHA256 : []),
            ], { cwd: dir, input: encoder.encode(fernet) });
            const reply = await decryptFernet(service, ciphertext.stdout, pem, {
              passphrase: PASSPHRASE,
              padding,
            });
            assert.deepEqual(reply, { fernet }, `${name} ${padding}`);
            // And our encryption to openssl's public key, opened by openssl.
            const ours = await encryptFernet(
              service,
              fernet,
              pub.text,
              padding,
            );
            await Deno.writeFile(`${dir}/ours.bin`, ours);
            const opened = await mustOpenssl([
              "pkeyutl",
              "-decrypt",
              "-inkey",
              name,
              "-passin",
              pass,
              "-in",
              "ours.bin",
              ...(padding === "oaep-sha256" ? OAEP_SHA256 : []),
            ], { cwd: dir });
            assert.equal(opened.text, fernet, `${name} ${padding} (openssl)`);
          }
          const ciphertext = await mustOpenssl(
            ["pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem"],
            { cwd: dir, input: encoder.encode(fernet) },
          );
          const wrong = await decryptFernet(service, ciphertext.stdout, pem, {
            passphrase: PASSPHRASE + "?",
          });
          assert.equal(wrong.code, "invalid_passphrase", JSON.stringify(wrong));
          assert.equal(typeof wrong.error, "string");
          const missing = await decryptFernet(service, ciphertext.stdout, pem);
          assert.equal(missing.code, "missing_field", JSON.stringify(missing));
        }
      });
    }, SERVICE_ARGS);
  },
});

Deno.test({
  name: "interop v1.1: RSASSA-PSS keys from openssl are wrong_key_type as " +
    "rsa_public, rsa_private and encrypted rsa_private",
  ignore: OPENSSL.ignore,
  async fn() {
    OPENSSL.assertRunnable();
    await withService(async (service) => {
      await inTempDir(async (dir) => {
        const pass = `pass:${PASSPHRASE}`;
        await mustOpenssl([
          "genpkey",
          "-quiet",
          "-algorithm",
          "RSA-PSS",
          "-pkeyopt",
          "rsa_keygen_bits:2048",
          "-out",
          "pss.pem",
        ], { cwd: dir });
        const pub = await mustOpenssl(["pkey", "-in", "pss.pem", "-pubout"], {
          cwd: dir,
        });
        await mustOpenssl([
          "pkcs8",
          "-in",
          "pss.pem",
          "-topk8",
          "-v2",
          "aes-256-cbc",
          "-v2prf",
          "hmacWithSHA256",
          "-passout",
          pass,
          "-out",
          "pss-enc.pem",
        ], { cwd: dir });
        const priv = await Deno.readTextFile(`${dir}/pss.pem`);
        const encrypted = await Deno.readTextFile(`${dir}/pss-enc.pem`);
        assert.equal(armour(pub.text), "-----BEGIN PUBLIC KEY-----");
        assert.equal(armour(priv), "-----BEGIN PRIVATE KEY-----");

        const keys = await generate(service);
        const ciphertext = await encryptFernet(
          service,
          keys.fernet,
          keys.public,
        );
        for (const padding of [undefined, "oaep-sha256"]) {
          const asPublic = await service.request({
            type: "encrypt_fernet",
            fernet: keys.fernet,
            rsa_public: pub.text,
            ...(padding ? { padding } : {}),
          });
          assert.equal(
            asPublic.code,
            "wrong_key_type",
            JSON.stringify(asPublic),
          );
          assert.equal(typeof asPublic.error, "string");
        }
        const asPrivate = await decryptFernet(service, ciphertext, priv);
        assert.equal(
          asPrivate.code,
          "wrong_key_type",
          JSON.stringify(asPrivate),
        );
        const asEncrypted = await decryptFernet(
          service,
          ciphertext,
          encrypted,
          {
            passphrase: PASSPHRASE,
          },
        );
        assert.equal(
          asEncrypted.code,
          "wrong_key_type",
          JSON.stringify(asEncrypted),
        );
        const many = await service.request({
          type: "encrypt_fernet_many",
          fernet: keys.fernet,
          rsa_publics: [keys.public, pub.text],
        });
        const results = many.results as Record<string, unknown>[];
        assert.ok(Array.isArray(results), JSON.stringify(many));
        assert.equal(results.length, 2);
        assert.equal(typeof results[0].encrypted_fernet, "string");
        assert.equal(results[1].code, "wrong_key_type", JSON.stringify(many));
      });
    }, SERVICE_ARGS);
  },
});
