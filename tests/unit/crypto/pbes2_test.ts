// Passphrase-protected PKCS#8 (PBES2: PBKDF2-HMAC-SHA-256, AES-256-CBC):
// our output read by OpenSSL and pyca/cryptography, OpenSSL's output read by
// us, the structure we write, and every refusal with its code.

import assert from "node:assert/strict";
import {
  CryptoError,
  decryptPkcs8,
  encryptPkcs8,
  MAX_ITERATIONS,
  openPrivateKey,
  parsePrivateKey,
  PassphraseRequired,
  pkcs1FromPkcs8,
  SUPPORTED_ENCRYPTION,
  UnusableKey,
  WrongPassphrase,
} from "../../../lib/crypto/mod.ts";
import {
  bytesToBigint,
  concat,
  derInteger,
  derSequence,
  pem,
  pemBody,
  tlv,
} from "../../_helpers/der.ts";
import { detectOpensslCommand, gate } from "../../_helpers/gate.ts";
import { createPrivateKey } from "node:crypto";
import { FIXED_PRIVATE_PEM } from "../../_helpers/fixed_key.ts";

const encoder = new TextEncoder();

// --- tools -----------------------------------------------------------------

interface Run {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: string;
}

async function run(
  command: string,
  args: string[],
  stdin?: Uint8Array | string,
): Promise<Run> {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(
      typeof stdin === "string" ? encoder.encode(stdin) : stdin,
    );
    await writer.close();
  }
  const output = await child.output();
  return {
    code: output.code,
    stdout: output.stdout,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

const OPENSSL = gate("`openssl` command tests", await detectOpensslCommand());

/** A test that runs the `openssl` command: ignored where it is missing. */
function testWithOpensslCommand(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: OPENSSL.ignore,
    async fn() {
      OPENSSL.assertRunnable();
      await fn();
    },
  });
}

async function openssl(args: string[], stdin?: Uint8Array | string) {
  const result = await run("openssl", args, stdin);
  assert.equal(result.code, 0, `openssl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** PKCS#8 PEM encrypted by `openssl pkcs8 -topk8 ...options`. */
async function opensslEncrypt(
  passphrase: string,
  options: string[],
): Promise<string> {
  return new TextDecoder().decode(
    await openssl(
      ["pkcs8", "-topk8", ...options, "-passout", `pass:${passphrase}`],
      PKCS8_PEM,
    ),
  );
}

/** The header of the DER value at `at`: [content start, content length]. */
function header(der: Uint8Array, at: number): [number, number] {
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  return [start, length];
}

/** The contents of a DER value. */
function content(der: Uint8Array): Uint8Array {
  const [start, length] = header(der, 0);
  return der.subarray(start, start + length);
}

/** The encoded values inside a constructed DER value, in order. */
function children(der: Uint8Array): Uint8Array[] {
  const inner = content(der);
  const out: Uint8Array[] = [];
  for (let at = 0; at < inner.length;) {
    const [start, length] = header(inner, at);
    out.push(inner.subarray(at, start + length));
    at = start + length;
  }
  return out;
}

/** The fields of an EncryptedPrivateKeyInfo with PBES2 and PBKDF2. */
function fieldsOf(der: Uint8Array) {
  const [algorithm, data] = children(der);
  const [scheme, params] = children(algorithm);
  const [kdf, cipher] = children(params);
  const [kdfOid, kdfParams] = children(kdf);
  const [salt, iterations, ...rest] = children(kdfParams);
  const [cipherOid, iv] = children(cipher);
  return {
    scheme: scheme.toHex(),
    kdf: kdfOid.toHex(),
    salt: content(salt),
    iterations: bytesToBigint(content(iterations)),
    rest: rest.map((r) => r.toHex()),
    cipher: cipherOid.toHex(),
    iv: content(iv),
    data: content(data),
    items: children(der).length,
  };
}

function assertCode(error: unknown, code: string): CryptoError {
  assert.ok(error instanceof CryptoError, `not a CryptoError: ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
): Promise<CryptoError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assertCode(error, code);
    return true;
  });
  return caught as CryptoError;
}

// OIDs, encoded.
const PBES2 = Uint8Array.fromHex("06092a864886f70d01050d");
const PBKDF2 = Uint8Array.fromHex("06092a864886f70d01050c");
const HMAC_SHA256 = Uint8Array.fromHex("06082a864886f70d0209");
const HMAC_SHA1 = Uint8Array.fromHex("06082a864886f70d0207");
const AES_256_CBC = Uint8Array.fromHex("060960864801650304012a");
const AES_128_CBC = Uint8Array.fromHex("0609608648016503040102");
const NULL = Uint8Array.of(0x05, 0x00);
const octets = (bytes: Uint8Array) => tlv(0x04, bytes);

interface SealOptions {
  iterations?: number | bigint;
  salt?: Uint8Array;
  iv?: Uint8Array;
  /** The PRF AlgorithmIdentifier; null leaves it out (hmacWithSHA1). */
  prf?: Uint8Array | null;
  keyLength?: bigint;
  cipher?: Uint8Array;
  /** Replaces the encrypted data (then nothing is encrypted). */
  data?: Uint8Array;
}

/**
 * An EncryptedPrivateKeyInfo written here from RFC 8018, independently of
 * lib/crypto/pbes2.ts: PBKDF2-HMAC-SHA-256 and AES-256-CBC in WebCrypto.
 */
async function seal(
  plaintext: Uint8Array,
  passphrase: string,
  options: SealOptions = {},
): Promise<Uint8Array> {
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const iv = options.iv ?? crypto.getRandomValues(new Uint8Array(16));
  const iterations = BigInt(options.iterations ?? 1000);
  let data = options.data;
  if (data === undefined) {
    const base = await crypto.subtle.importKey(
      "raw",
      encoder.encode(passphrase),
      "PBKDF2",
      false,
      ["deriveKey"],
    );
    const key = await crypto.subtle.deriveKey(
      {
        name: "PBKDF2",
        salt: new Uint8Array(salt),
        iterations: Number(iterations),
        hash: "SHA-256",
      },
      base,
      { name: "AES-CBC", length: 256 },
      false,
      ["encrypt"],
    );
    data = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-CBC", iv: new Uint8Array(iv) },
        key,
        new Uint8Array(plaintext),
      ),
    );
  }
  const prf = options.prf === undefined
    ? derSequence(HMAC_SHA256, NULL)
    : options.prf;
  const kdfParams = derSequence(
    octets(salt),
    derInteger(iterations),
    ...(options.keyLength === undefined ? [] : [derInteger(options.keyLength)]),
    ...(prf === null ? [] : [prf]),
  );
  return derSequence(
    derSequence(
      PBES2,
      derSequence(
        derSequence(PBKDF2, kdfParams),
        derSequence(options.cipher ?? AES_256_CBC, octets(iv)),
      ),
    ),
    octets(data),
  );
}

// --- the key: the fixed test key, as PKCS#8 --------------------------------

const PKCS8_PEM = createPrivateKey(FIXED_PRIVATE_PEM).export({
  type: "pkcs8",
  format: "pem",
}) as string;
const PKCS8 = pemBody(PKCS8_PEM)!;
const PKCS1 = pkcs1FromPkcs8(PKCS8);
const KEY = parsePrivateKey(PKCS8_PEM);
const PASS = "correct horse battery staple";

const PYTHON = "/usr/bin/python3";
const pythonCheck = await run(PYTHON, ["-c", "import cryptography"]).catch((
  error,
) => ({ code: -1, stdout: new Uint8Array(), stderr: String(error) }));
const PYCA = gate("pyca/cryptography unit tests", {
  ok: pythonCheck.code === 0,
  reason: pythonCheck.code === 0
    ? "cryptography importable"
    : `python3-cryptography is not importable by ${PYTHON} (${pythonCheck.stderr.trim()}); apt-get install python3-cryptography`,
});

// --- what we write ---------------------------------------------------------

Deno.test("decryptPkcs8(encryptPkcs8(x, p, 1000), p) gives back x's bytes", async () => {
  const sealed = await encryptPkcs8(PKCS8, PASS, 1000);
  assert.deepEqual(await decryptPkcs8(sealed, PASS), PKCS8);
});

Deno.test("encryptPkcs8 writes PBES2, PBKDF2 with hmacWithSHA256 and NULL, AES-256-CBC with a 16-byte IV", async () => {
  const fields = fieldsOf(await encryptPkcs8(PKCS8, PASS, 1000));
  assert.equal(fields.items, 2);
  assert.equal(fields.scheme, PBES2.toHex());
  assert.equal(fields.kdf, PBKDF2.toHex());
  assert.deepEqual(fields.rest, [derSequence(HMAC_SHA256, NULL).toHex()]);
  assert.equal(fields.cipher, AES_256_CBC.toHex());
  assert.equal(fields.iv.length, 16);
  // CBC with PKCS#7 padding: whole blocks, at least one byte of padding.
  assert.equal(fields.data.length % 16, 0);
  assert.ok(fields.data.length > PKCS8.length);
  assert.ok(fields.data.length <= PKCS8.length + 16);
});

Deno.test("encryptPkcs8 writes the iteration count it is given", async () => {
  for (const iterations of [1, 1000, 2048, 70_000]) {
    const fields = fieldsOf(await encryptPkcs8(PKCS8, PASS, iterations));
    assert.equal(fields.iterations, BigInt(iterations));
  }
});

Deno.test("encryptPkcs8's salt is at least 16 bytes, and salt, IV and ciphertext differ on every call", async () => {
  const runs = await Promise.all(
    [1, 2, 3, 4].map(() => encryptPkcs8(PKCS8, PASS, 1000)),
  );
  const fields = runs.map(fieldsOf);
  for (const f of fields) assert.ok(f.salt.length >= 16, `${f.salt.length}`);
  for (const key of ["salt", "iv", "data"] as const) {
    const values = new Set(fields.map((f) => f[key].toHex()));
    assert.equal(values.size, fields.length, `${key} repeated`);
  }
});

testWithOpensslCommand(
  "our encrypted key is opened by `openssl pkey -passin` to the same PKCS#8",
  async () => {
    for (const passphrase of [PASS, "pässwörd ✓", "x"]) {
      const sealed = pem(
        "ENCRYPTED PRIVATE KEY",
        await encryptPkcs8(PKCS8, passphrase, 1000),
      );
      const out = await openssl(
        ["pkey", "-passin", `pass:${passphrase}`],
        sealed,
      );
      const text = new TextDecoder().decode(out);
      assert.ok(text.startsWith("-----BEGIN PRIVATE KEY-----\n"), text);
      assert.equal(pemBody(text)!.toHex(), PKCS8.toHex(), passphrase);
    }
  },
);

testWithOpensslCommand(
  "`openssl pkey` refuses our encrypted key under a wrong passphrase",
  async () => {
    const sealed = pem(
      "ENCRYPTED PRIVATE KEY",
      await encryptPkcs8(PKCS8, PASS, 1000),
    );
    const result = await run(
      "openssl",
      ["pkey", "-passin", "pass:wrong", "-outform", "DER"],
      sealed,
    );
    assert.notEqual(result.code, 0);
  },
);

Deno.test({
  name:
    "our encrypted key is opened by pyca/cryptography's load_pem_private_key to the same PKCS#8",
  ignore: PYCA.ignore,
  fn: async () => {
    PYCA.assertRunnable();
    const passphrase = "pässwörd ✓";
    const sealed = pem(
      "ENCRYPTED PRIVATE KEY",
      await encryptPkcs8(PKCS8, passphrase, 1000),
    );
    const script = [
      "import sys",
      "from cryptography.hazmat.primitives import serialization as s",
      "key = s.load_pem_private_key(sys.stdin.buffer.read(), password=sys.argv[1].encode())",
      "sys.stdout.write(key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()).hex())",
    ].join("\n");
    const result = await run(PYTHON, ["-c", script, passphrase], sealed);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(new TextDecoder().decode(result.stdout), PKCS8.toHex());
  },
});

Deno.test({
  name:
    "a key encrypted by pyca/cryptography's BestAvailableEncryption (PKCS#8) opens with openPrivateKey",
  ignore: PYCA.ignore,
  fn: async () => {
    PYCA.assertRunnable();
    const passphrase = "pässwörd ✓";
    const script = [
      "import sys",
      "from cryptography.hazmat.primitives import serialization as s",
      "key = s.load_pem_private_key(sys.stdin.buffer.read(), password=None)",
      "sys.stdout.buffer.write(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(sys.argv[1].encode())))",
    ].join("\n");
    const result = await run(PYTHON, ["-c", script, passphrase], PKCS8_PEM);
    assert.equal(result.code, 0, result.stderr);
    const sealed = new TextDecoder().decode(result.stdout);
    assert.ok(sealed.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert.deepEqual((await openPrivateKey(sealed, passphrase)).der, PKCS1);
    await rejectsWith(openPrivateKey(sealed, "wrong"), "wrong_passphrase");
  },
});

// --- what OpenSSL writes ---------------------------------------------------

testWithOpensslCommand(
  "an `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 2048` key opens with decryptPkcs8 and openPrivateKey",
  async () => {
    const sealed = await opensslEncrypt(PASS, [
      "-v2",
      "aes-256-cbc",
      "-v2prf",
      "hmacWithSHA256",
      "-iter",
      "2048",
    ]);
    assert.ok(sealed.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert.equal(fieldsOf(pemBody(sealed)!).iterations, 2048n);
    assert.deepEqual(await decryptPkcs8(pemBody(sealed)!, PASS), PKCS8);
    const key = await openPrivateKey(sealed, PASS);
    assert.deepEqual(key, KEY);
    assert.deepEqual(key.der, PKCS1);
  },
);

testWithOpensslCommand(
  "an OpenSSL key with a non-ASCII passphrase opens with the same UTF-8 passphrase",
  async () => {
    const passphrase = "pässwörd ✓ 鍵";
    const sealed = await opensslEncrypt(passphrase, [
      "-v2",
      "aes-256-cbc",
      "-v2prf",
      "hmacWithSHA256",
      "-iter",
      "1000",
    ]);
    assert.deepEqual((await openPrivateKey(sealed, passphrase)).der, PKCS1);
  },
);

testWithOpensslCommand(
  "OpenSSL's default `-topk8` encryption (8-byte salt) opens with openPrivateKey",
  async () => {
    const sealed = await opensslEncrypt(PASS, ["-iter", "1000"]);
    assert.deepEqual((await openPrivateKey(sealed, PASS)).der, PKCS1);
  },
);

testWithOpensslCommand(
  "an independently written PBES2 key opens, with an explicit keyLength of 32",
  async () => {
    const plain = await seal(PKCS8, PASS);
    assert.deepEqual(await decryptPkcs8(plain, PASS), PKCS8);
    const withLength = await seal(PKCS8, PASS, { keyLength: 32n });
    assert.deepEqual(await decryptPkcs8(withLength, PASS), PKCS8);
    const noParams = await seal(PKCS8, PASS, { prf: derSequence(HMAC_SHA256) });
    assert.deepEqual(await decryptPkcs8(noParams, PASS), PKCS8);
  },
);

// --- refusals ----------------------------------------------------------------

const UNSUPPORTED: [string, string[], string][] = [
  [
    "-v2 aes-128-cbc",
    ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA256"],
    "cipher",
  ],
  [
    "-v2prf hmacWithSHA1",
    ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"],
    "SHA-1",
  ],
  [
    "-v2prf hmacWithSHA512",
    ["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"],
    "PRF",
  ],
  ["PBES1 -v1 PBE-SHA1-3DES", ["-v1", "PBE-SHA1-3DES"], "scheme"],
  ["-scrypt", ["-scrypt", "-v2", "aes-256-cbc"], "key derivation"],
];

for (const [name, options, named] of UNSUPPORTED) {
  testWithOpensslCommand(
    `an OpenSSL key made with ${name} is unusable_key naming what is supported`,
    async () => {
      const sealed = await opensslEncrypt(PASS, [...options, "-iter", "1000"]);
      for (
        const attempt of [
          decryptPkcs8(pemBody(sealed)!, PASS),
          openPrivateKey(sealed, PASS),
        ]
      ) {
        const error = await rejectsWith(attempt, "unusable_key");
        assert.ok(error instanceof UnusableKey);
        assert.ok(error.message.includes(SUPPORTED_ENCRYPTION), error.message);
        assert.ok(error.message.includes(named), error.message);
      }
    },
  );
}

Deno.test("SUPPORTED_ENCRYPTION names PBES2, PBKDF2-HMAC-SHA-256 and AES-256-CBC", () => {
  assert.equal(
    SUPPORTED_ENCRYPTION,
    "PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC",
  );
});

Deno.test("hand-built keys with AES-128-CBC, no PRF (SHA-1) or a 16-byte keyLength are unusable_key", async () => {
  const cases: SealOptions[] = [
    { cipher: AES_128_CBC, data: new Uint8Array(32) },
    { prf: null, data: new Uint8Array(32) },
    { prf: derSequence(HMAC_SHA1, NULL), data: new Uint8Array(32) },
    { keyLength: 16n, data: new Uint8Array(32) },
  ];
  for (const options of cases) {
    await rejectsWith(
      decryptPkcs8(await seal(PKCS8, PASS, options), PASS),
      "unusable_key",
    );
  }
});

Deno.test("wrong passphrases are wrong_passphrase, each of them", async () => {
  const sealed = await encryptPkcs8(PKCS8, PASS, 1000);
  const wrong = [
    "",
    "x",
    "correct horse battery stapl",
    "correct horse battery staple ",
    "Correct horse battery staple",
    " correct horse battery staple",
    "correct horse battery staplé",
    "pässwörd",
    "\u0000",
    PASS.repeat(50),
    "0",
    "password",
  ];
  for (const passphrase of wrong) {
    const error = await rejectsWith(
      decryptPkcs8(sealed, passphrase),
      "wrong_passphrase",
    );
    assert.ok(error instanceof WrongPassphrase);
    if (passphrase.length > 3) {
      assert.ok(!error.message.includes(passphrase), "message holds it");
    }
  }
});

testWithOpensslCommand(
  "an OpenSSL key under wrong passphrases is wrong_passphrase from openPrivateKey",
  async () => {
    const sealed = await opensslEncrypt(PASS, ["-iter", "1000"]);
    for (const passphrase of ["", "wrong", PASS.toUpperCase(), PASS + "!"]) {
      await rejectsWith(openPrivateKey(sealed, passphrase), "wrong_passphrase");
    }
  },
);

Deno.test("a decryption that passes the padding check but is not DER is wrong_passphrase", async () => {
  // What a wrong passphrase gives about once in 256 tries, made on purpose.
  const notDer = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03);
  await rejectsWith(
    decryptPkcs8(await seal(notDer, PASS), PASS),
    "wrong_passphrase",
  );
});

Deno.test("an iteration count above MAX_ITERATIONS is unusable_key naming the limit, never the count", async () => {
  const counts = [MAX_ITERATIONS + 1, 2 ** 31, 2n ** 64n];
  for (const iterations of counts) {
    const sealed = await seal(PKCS8, PASS, {
      iterations,
      data: new Uint8Array(PKCS8.length + 16 - PKCS8.length % 16),
    });
    const error = await rejectsWith(decryptPkcs8(sealed, PASS), "unusable_key");
    assert.ok(!error.message.includes(String(iterations)), error.message);
    assert.ok(error.message.includes(String(MAX_ITERATIONS)), error.message);
    await rejectsWith(
      openPrivateKey(pem("ENCRYPTED PRIVATE KEY", sealed), PASS),
      "unusable_key",
    );
  }
});

Deno.test("an iteration count of 0 is unusable_key", async () => {
  const sealed = await seal(PKCS8, PASS, {
    iterations: 0,
    data: new Uint8Array(32),
  });
  await rejectsWith(decryptPkcs8(sealed, PASS), "unusable_key");
});

Deno.test("malformed EncryptedPrivateKeyInfo structures are malformed_key", async () => {
  const good = await seal(PKCS8, PASS);
  const cases: Record<string, Uint8Array> = {
    "a trailing byte": concat(good, [0]),
    "a long-form outer length": tlv(0x30, content(good), { octets: 3 }),
    "an 8-byte IV": await seal(PKCS8, PASS, {
      iv: new Uint8Array(8),
      data: new Uint8Array(32),
    }),
    "an empty salt": await seal(PKCS8, PASS, { salt: new Uint8Array(0) }),
    "data not a whole number of blocks": await seal(PKCS8, PASS, {
      data: new Uint8Array(33),
    }),
    "empty data": await seal(PKCS8, PASS, { data: new Uint8Array(0) }),
    "PRF parameters that are not NULL": await seal(PKCS8, PASS, {
      prf: derSequence(HMAC_SHA256, derInteger(0n)),
    }),
    "a third item": derSequence(...children(good), NULL),
    "no encrypted data": derSequence(children(good)[0]),
    "an empty SEQUENCE": derSequence(),
    "a bare PrivateKeyInfo": PKCS8,
  };
  for (const [what, bytes] of Object.entries(cases)) {
    let caught: unknown;
    try {
      await decryptPkcs8(bytes, PASS);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught !== undefined, `${what}: accepted`);
    assertCode(caught, "malformed_key");
  }
});

// --- the PEM entry points ----------------------------------------------------

Deno.test("parsePrivateKey of an ENCRYPTED PRIVATE KEY is passphrase_required", () => {
  const sealed = pem("ENCRYPTED PRIVATE KEY", new Uint8Array([0x30, 0x00]));
  assert.throws(
    () => parsePrivateKey(sealed),
    (error: unknown) => {
      assert.ok(error instanceof PassphraseRequired);
      assert.equal(error.code, "passphrase_required");
      return true;
    },
  );
});

Deno.test("openPrivateKey reads unencrypted PKCS#1 and PKCS#8 keys whatever the passphrase", async () => {
  assert.deepEqual(await openPrivateKey(PKCS8_PEM, "anything"), KEY);
  assert.deepEqual(
    await openPrivateKey(pem("RSA PRIVATE KEY", PKCS1), "anything"),
    KEY,
  );
});

testWithOpensslCommand(
  "openPrivateKey of an encrypted EC key is unsupported_key_algorithm",
  async () => {
    const ecPem = new TextDecoder().decode(
      await openssl([
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
      ]),
    );
    const sealed = pem(
      "ENCRYPTED PRIVATE KEY",
      await encryptPkcs8(pemBody(ecPem)!, PASS, 1000),
    );
    await rejectsWith(
      openPrivateKey(sealed, PASS),
      "unsupported_key_algorithm",
    );
  },
);

Deno.test("openPrivateKey applies the key limits to an encrypted key", async () => {
  const sealed = pem(
    "ENCRYPTED PRIVATE KEY",
    await encryptPkcs8(PKCS8, PASS, 1000),
  );
  await rejectsWith(
    openPrivateKey(sealed, PASS, { minBits: 3072 }),
    "unusable_key",
  );
});
