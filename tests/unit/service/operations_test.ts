// The v1.1 options through KeyService.handle, in process: generate_keys with
// bits / format / passphrase, encrypt and decrypt with OAEP, the passphrase
// paths of decrypt_fernet, encrypt_fernet_many's per-recipient results, ping's
// capabilities, and the v1 reply, byte for byte, when no option is named.

import assert from "node:assert/strict";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { KeyService } from "../../../lib/service/key_service.ts";
import { WorkLimiter } from "../../../lib/service/work_limiter.ts";
import type { KeyPairSource } from "../../../lib/service/types.ts";
import {
  DecryptionError,
  encryptOaepSha256,
  encryptPkcs1v15,
  exportKeyPair,
  openPrivateKey,
  parsePrivateKey,
  parsePublicKey,
  type RsaKeyPairPem,
  SUPPORTED_ENCRYPTION,
} from "../../../lib/crypto/mod.ts";
import {
  decryptOaepSha256,
  decryptPkcs1v15,
} from "../../../lib/crypto/node_decrypt.ts";
import {
  bigintToBytes,
  bytesToBigint,
  derInteger,
  derSequence,
  modPow,
  pem,
  pemBody,
  tlv,
} from "../../_helpers/der.ts";
import {
  FIXED_INTEGERS,
  FIXED_PRIVATE_PEM,
  FIXED_PUBLIC_PEM,
} from "../../_helpers/fixed_key.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function exported(key: KeyObject, type: string, format: "pem" | "der") {
  return key.export({ type, format } as never);
}

const INTEGERS = FIXED_INTEGERS;
const PRIVATE_PEM = FIXED_PRIVATE_PEM;
const PUBLIC_PEM = FIXED_PUBLIC_PEM;
const rsa = {
  privateKey: createPrivateKey(PRIVATE_PEM),
  publicKey: createPublicKey(PRIVATE_PEM),
};
const PAIR: RsaKeyPairPem = { public: PUBLIC_PEM, private: PRIVATE_PEM };
const SPKI_PEM = exported(rsa.publicKey, "spki", "pem") as string;
const PKCS8_PEM = exported(rsa.privateKey, "pkcs8", "pem") as string;
const NODE_SPKI = new Uint8Array(exported(rsa.publicKey, "spki", "der"));
const NODE_PKCS8 = new Uint8Array(exported(rsa.privateKey, "pkcs8", "der"));
const PUBLIC = parsePublicKey(PAIR.public);
const PRIVATE = parsePrivateKey(PAIR.private);
const D = INTEGERS.d;

const PASS = "correct horse battery staple";
const ITERATIONS = 1000;
/** The pair's private key under PASS (PBES2, 1000 iterations). */
const ENCRYPTED = (await exportKeyPair(PAIR, {
  format: "pkcs8",
  passphrase: PASS,
  iterations: ITERATIONS,
})).private;

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed25519 = generateKeyPairSync("ed25519");

const FERNET = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=";

const OAEP = { name: "RSA-OAEP", hash: "SHA-256" };
const webPublic = await crypto.subtle.importKey(
  "spki",
  NODE_SPKI,
  OAEP,
  false,
  ["encrypt"],
);
const webPrivate = await crypto.subtle.importKey(
  "pkcs8",
  NODE_PKCS8,
  OAEP,
  false,
  ["decrypt"],
);

// --- the service under test ----------------------------------------------------

/** A WorkLimiter that counts the tasks it is given. */
class CountingLimiter extends WorkLimiter {
  runs = 0;
  readonly clients: string[] = [];
  override run<T>(task: () => Promise<T>, client = ""): Promise<T> {
    this.runs++;
    this.clients.push(client);
    return super.run(task, client);
  }
}

/** A service whose pool hands out PAIR and whose generator records sizes. */
function setup(
  options: ConstructorParameters<typeof KeyService>[0] = {},
) {
  const calls = { take: 0, generate: [] as number[] };
  const keyPairs: KeyPairSource = {
    take: () => {
      calls.take++;
      return Promise.resolve(PAIR);
    },
  };
  const limiter = new CountingLimiter(2);
  const service = new KeyService({
    keyPairs,
    generate: (bits) => {
      calls.generate.push(bits);
      return Promise.resolve(PAIR);
    },
    // One counting limiter for both kinds of heavy work.
    limiter,
    passphraseLimiter: limiter,
    pbkdf2Iterations: ITERATIONS,
    ...options,
  });
  return { service, calls, limiter };
}

interface Result {
  readonly reply: Record<string, unknown>;
  readonly code: string;
  readonly raw: string;
}

async function handle(
  request: unknown,
  service = setup().service,
): Promise<Result> {
  const outcome = await service.handle([
    encoder.encode(JSON.stringify(request)),
  ]);
  const raw = decoder.decode(outcome.reply);
  return { reply: JSON.parse(raw), code: outcome.code, raw };
}

/** Asserts an error reply: exactly {error, code}, the code, a field named. */
function assertError(result: Result, code: string, field?: string): void {
  assert.deepEqual(Object.keys(result.reply), ["error", "code"], result.raw);
  assert.equal(result.reply.code, code, result.raw);
  assert.equal(result.code, code);
  if (field !== undefined) {
    assert.ok(
      (result.reply.error as string).includes(`"${field}"`),
      result.raw,
    );
  }
}

/** The encoded message c^d mod n under the pair. */
function rawDecrypt(ciphertext: Uint8Array): Uint8Array {
  return bigintToBytes(modPow(bytesToBigint(ciphertext), D, PUBLIC.n), 256);
}

function isPkcs1Padded(em: Uint8Array): boolean {
  return em[0] === 0 && em[1] === 2 && em.indexOf(0, 2) >= 10;
}

/** An OAEP ciphertext of `text` whose block fails the v1.5 padding check. */
function oaepNotV15(text = FERNET): Uint8Array {
  for (;;) {
    const ciphertext = encryptOaepSha256(PUBLIC, encoder.encode(text));
    if (!isPkcs1Padded(rawDecrypt(ciphertext))) return ciphertext;
  }
}

async function webDecrypt(ciphertext: Uint8Array): Promise<string> {
  return decoder.decode(
    await crypto.subtle.decrypt(
      { name: "RSA-OAEP" },
      webPrivate,
      new Uint8Array(ciphertext),
    ),
  );
}

/** The PBKDF2 iteration count of an ENCRYPTED PRIVATE KEY PEM (PBES2). */
function iterationsOf(text: string): bigint {
  const der = pemBody(text)!;
  // 30 82 LL LL | 30 LL | 06 09 pbes2 | 30 LL | 30 LL | 06 09 pbkdf2 | 30 LL |
  // 04 LL salt | 02 LL count
  let at = 4 + 2 + 11 + 2 + 2 + 11 + 2;
  assert.equal(der[at], 0x04);
  at += 2 + der[at + 1];
  assert.equal(der[at], 0x02);
  return bytesToBigint(der.subarray(at + 2, at + 2 + der[at + 1]));
}

const decryptRequest = (
  ciphertext: Uint8Array,
  extra: Record<string, unknown> = {},
  key = PAIR.private,
) => ({
  type: "decrypt_fernet",
  encrypted_fernet: ciphertext.toBase64(),
  rsa_private: key,
  ...extra,
});

// --- no option named: the v1 replies ------------------------------------------

Deno.test("generate_keys with no option is byte for byte the v1 reply: the pool's PKCS#1 pair and a Fernet key", async () => {
  const { service, calls, limiter } = setup();
  const result = await handle({ type: "generate_keys" }, service);
  assert.equal(result.code, "ok");
  const fernet = result.reply.fernet as string;
  assert.match(fernet, /^[A-Za-z0-9_-]{43}=$/);
  assert.equal(
    result.raw,
    JSON.stringify({
      rsa: { public: PAIR.public, private: PAIR.private },
      fernet,
    }),
  );
  assert.deepEqual(calls, { take: 1, generate: [] });
  assert.equal(limiter.runs, 0);
});

Deno.test("encrypt_fernet with no option is the v1 reply: {encrypted_fernet} of PKCS#1 v1.5", async () => {
  const result = await handle({
    type: "encrypt_fernet",
    fernet: FERNET,
    rsa_public: PAIR.public,
  });
  assert.deepEqual(Object.keys(result.reply), ["encrypted_fernet"]);
  const b64 = result.reply.encrypted_fernet as string;
  assert.equal(result.raw, JSON.stringify({ encrypted_fernet: b64 }));
  const em = rawDecrypt(Uint8Array.fromBase64(b64));
  assert.ok(isPkcs1Padded(em));
  assert.equal(decoder.decode(em.subarray(256 - FERNET.length)), FERNET);
});

Deno.test("decrypt_fernet with no option is the v1 reply: {fernet} of a PKCS#1 v1.5 ciphertext", async () => {
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const result = await handle(decryptRequest(ciphertext));
  assert.equal(result.raw, JSON.stringify({ fernet: FERNET }));
});

// --- generate_keys: bits, format, passphrase ------------------------------------

Deno.test("bits 3072 and 4096 are generated on demand, behind the limiter, not taken from the pool", async () => {
  for (const bits of [3072, 4096]) {
    const { service, calls, limiter } = setup();
    const result = await handle({ type: "generate_keys", bits }, service);
    assert.equal(result.code, "ok", result.raw);
    assert.deepEqual(calls, { take: 0, generate: [bits] });
    assert.equal(limiter.runs, 1);
    assert.deepEqual(result.reply.rsa, {
      public: PAIR.public,
      private: PAIR.private,
    });
  }
});

Deno.test("bits 2048 named explicitly comes from the pool, as with no bits", async () => {
  const { service, calls, limiter } = setup();
  const result = await handle({ type: "generate_keys", bits: 2048 }, service);
  assert.equal(
    result.raw,
    JSON.stringify({
      rsa: { public: PAIR.public, private: PAIR.private },
      fernet: result.reply.fernet,
    }),
  );
  assert.deepEqual(calls, { take: 1, generate: [] });
  assert.equal(limiter.runs, 0);
});

Deno.test("format pkcs8 replies PUBLIC KEY and PRIVATE KEY PEMs of the pool's pair, as node:crypto writes them", async () => {
  const result = await handle({ type: "generate_keys", format: "pkcs8" });
  const pair = result.reply.rsa as RsaKeyPairPem;
  assert.deepEqual(Object.keys(result.reply), ["rsa", "fernet"]);
  assert.equal(pair.public, SPKI_PEM);
  assert.equal(pair.private, PKCS8_PEM);
  assert.deepEqual(parsePublicKey(pair.public), PUBLIC);
  assert.deepEqual(parsePrivateKey(pair.private), PRIVATE);
});

Deno.test("format pkcs1 named explicitly is the v1 PKCS#1 pair", async () => {
  const result = await handle({ type: "generate_keys", format: "pkcs1" });
  assert.deepEqual(result.reply.rsa, {
    public: PAIR.public,
    private: PAIR.private,
  });
});

Deno.test("a passphrase replies SPKI and an ENCRYPTED PRIVATE KEY that opens with it to the pool's key", async () => {
  for (
    const request of [
      { type: "generate_keys", passphrase: PASS },
      { type: "generate_keys", passphrase: PASS, format: "pkcs8" },
    ]
  ) {
    const { service, limiter } = setup();
    const result = await handle(request, service);
    assert.equal(result.code, "ok", result.raw);
    const pair = result.reply.rsa as RsaKeyPairPem;
    assert.equal(pair.public, SPKI_PEM);
    assert.ok(
      pair.private.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
    );
    assert.deepEqual(await openPrivateKey(pair.private, PASS), PRIVATE);
    assert.equal(limiter.runs, 1); // PBKDF2 waits behind the limiter
  }
});

Deno.test("a passphrase-protected key carries the service's pbkdf2Iterations", async () => {
  const { service } = setup({ pbkdf2Iterations: 1234 });
  const result = await handle(
    { type: "generate_keys", passphrase: PASS },
    service,
  );
  const pair = result.reply.rsa as RsaKeyPairPem;
  assert.equal(iterationsOf(pair.private), 1234n);
});

Deno.test("without pbkdf2Iterations, a protected key carries 600,000 iterations", async () => {
  const service = new KeyService({
    keyPairs: { take: () => Promise.resolve(PAIR) },
  });
  const result = await handle(
    { type: "generate_keys", passphrase: PASS },
    service,
  );
  const pair = result.reply.rsa as RsaKeyPairPem;
  assert.equal(iterationsOf(pair.private), 600_000n);
});

Deno.test("a passphrase with bits 3072 generates, then encrypts, each behind the limiter", async () => {
  const { service, calls, limiter } = setup();
  const result = await handle(
    { type: "generate_keys", bits: 3072, passphrase: PASS },
    service,
  );
  assert.equal(result.code, "ok", result.raw);
  assert.deepEqual(calls, { take: 0, generate: [3072] });
  assert.equal(limiter.runs, 2);
});

Deno.test("a passphrase with format pkcs1 is invalid_field naming format; no key is taken", async () => {
  const { service, calls } = setup();
  const result = await handle(
    { type: "generate_keys", passphrase: PASS, format: "pkcs1" },
    service,
  );
  assertError(result, "invalid_field", "format");
  assert.ok(!result.raw.includes(PASS));
  assert.deepEqual(calls, { take: 0, generate: [] });
});

Deno.test("generate_keys options of the wrong type or value are invalid_field naming them", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ bits: "2048" }, "bits"],
    [{ bits: 1024 }, "bits"],
    [{ format: "PKCS8" }, "format"],
    [{ passphrase: null }, "passphrase"],
    [{ passphrase: "" }, "passphrase"],
  ];
  for (const [options, field] of cases) {
    const { service, calls } = setup();
    const result = await handle({ type: "generate_keys", ...options }, service);
    assertError(result, "invalid_field", field);
    assert.deepEqual(calls, { take: 0, generate: [] });
  }
});

// --- OAEP ------------------------------------------------------------------------

Deno.test("encrypt_fernet with padding oaep-sha256 writes OAEP that WebCrypto decrypts", async () => {
  for (const rsaPublic of [PAIR.public, SPKI_PEM]) {
    const result = await handle({
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: rsaPublic,
      padding: "oaep-sha256",
    });
    assert.deepEqual(Object.keys(result.reply), ["encrypted_fernet"]);
    const ciphertext = Uint8Array.fromBase64(
      result.reply.encrypted_fernet as string,
    );
    assert.equal(await webDecrypt(ciphertext), FERNET);
    assert.equal(
      decoder.decode(decryptOaepSha256(PRIVATE, ciphertext)),
      FERNET,
    );
  }
});

Deno.test("decrypt_fernet with padding oaep-sha256 reads WebCrypto's OAEP, with a PKCS#1 or PKCS#8 key", async () => {
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "RSA-OAEP" },
      webPublic,
      encoder.encode(FERNET),
    ),
  );
  for (const key of [PAIR.private, PKCS8_PEM]) {
    const result = await handle(
      decryptRequest(ciphertext, { padding: "oaep-sha256" }, key),
    );
    assert.equal(result.raw, JSON.stringify({ fernet: FERNET }));
  }
});

Deno.test("encrypt_fernet then decrypt_fernet, both oaep-sha256, round-trips through the service", async () => {
  const fernet = "clé ✓ 😀";
  const encrypted = await handle({
    type: "encrypt_fernet",
    fernet,
    rsa_public: SPKI_PEM,
    padding: "oaep-sha256",
  });
  const decrypted = await handle({
    type: "decrypt_fernet",
    encrypted_fernet: encrypted.reply.encrypted_fernet,
    rsa_private: PKCS8_PEM,
    padding: "oaep-sha256",
  });
  assert.deepEqual(decrypted.reply, { fernet });
});

Deno.test("a ciphertext decrypted under the other padding is decryption_failed, byte-identical to v1's failure", async () => {
  const v15 = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const oaep = oaepNotV15();
  const underOaep = await handle(
    decryptRequest(v15, { padding: "oaep-sha256" }),
  );
  const underV15 = await handle(decryptRequest(oaep));
  const underV15Named = await handle(
    decryptRequest(oaep, { padding: "pkcs1v15" }),
  );
  // v1's failure: a block of zeros is no v1.5 block.
  const v1 = await handle(decryptRequest(new Uint8Array(256)));
  assertError(v1, "decryption_failed");
  for (const result of [underOaep, underV15, underV15Named]) {
    assert.equal(result.raw, v1.raw);
  }
});

Deno.test("under oaep-sha256 a 2048-bit key takes 190 bytes; 191 is plaintext_too_long naming fernet", async () => {
  const ok = await handle({
    type: "encrypt_fernet",
    fernet: "f".repeat(190),
    rsa_public: PAIR.public,
    padding: "oaep-sha256",
  });
  assert.equal(ok.code, "ok");
  const tooLong = await handle({
    type: "encrypt_fernet",
    fernet: "f".repeat(191),
    rsa_public: PAIR.public,
    padding: "oaep-sha256",
  });
  assertError(tooLong, "plaintext_too_long", "fernet");
  assert.ok((tooLong.reply.error as string).includes("190"), tooLong.raw);
  // The same 191 bytes fit PKCS#1 v1.5 (k - 11 = 245).
  const v15 = await handle({
    type: "encrypt_fernet",
    fernet: "f".repeat(191),
    rsa_public: PAIR.public,
  });
  assert.equal(v15.code, "ok");
});

// --- keys of other algorithms ----------------------------------------------------

Deno.test("EC and Ed25519 keys are wrong_key_type naming the field and the algorithm", async () => {
  const cases: [KeyObject, KeyObject, string][] = [
    [ec.publicKey, ec.privateKey, "an EC key"],
    [ed25519.publicKey, ed25519.privateKey, "an Ed25519 key"],
  ];
  for (const [publicKey, privateKey, algorithm] of cases) {
    const encrypted = await handle({
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: exported(publicKey, "spki", "pem"),
    });
    assertError(encrypted, "wrong_key_type", "rsa_public");
    assert.ok((encrypted.reply.error as string).includes(algorithm));
    const decrypted = await handle(
      decryptRequest(
        new Uint8Array(256),
        {},
        exported(privateKey, "pkcs8", "pem") as string,
      ),
    );
    assertError(decrypted, "wrong_key_type", "rsa_private");
    assert.ok((decrypted.reply.error as string).includes(algorithm));
  }
});

// --- decrypt_fernet with a passphrase --------------------------------------------

Deno.test("an encrypted key with its passphrase decrypts, under both paddings, behind the limiter", async () => {
  const { service, limiter } = setup();
  const v15 = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const oaep = encryptOaepSha256(PUBLIC, encoder.encode(FERNET));
  const a = await handle(
    decryptRequest(v15, { passphrase: PASS }, ENCRYPTED),
    service,
  );
  const b = await handle(
    decryptRequest(
      oaep,
      { passphrase: PASS, padding: "oaep-sha256" },
      ENCRYPTED,
    ),
    service,
  );
  assert.equal(a.raw, JSON.stringify({ fernet: FERNET }));
  assert.equal(b.raw, JSON.stringify({ fernet: FERNET }));
  assert.equal(limiter.runs, 2);
});

Deno.test("an encrypted key without a passphrase is missing_field naming passphrase", async () => {
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const result = await handle(decryptRequest(ciphertext, {}, ENCRYPTED));
  assertError(result, "missing_field", "passphrase");
});

Deno.test("wrong passphrases are invalid_passphrase, and the reply holds none of them", async () => {
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const replies = new Set<string>();
  for (
    const passphrase of [
      "wrong",
      PASS.toUpperCase(),
      PASS + " ",
      "pässwörd",
      "x",
    ]
  ) {
    const result = await handle(
      decryptRequest(ciphertext, { passphrase }, ENCRYPTED),
    );
    assertError(result, "invalid_passphrase", "passphrase");
    replies.add(result.raw);
  }
  assert.equal(replies.size, 1);
  assert.ok(![...replies][0].includes("wrong"));
});

/** ENCRYPTED's DER with one byte sequence replaced by another as long. */
function encryptedWith(from: string, to: string): string {
  const hex = pemBody(ENCRYPTED)!.toHex();
  assert.ok(hex.includes(from));
  return pem(
    "ENCRYPTED PRIVATE KEY",
    Uint8Array.fromHex(hex.replace(from, to)),
  );
}

Deno.test("a key encrypted with AES-128-CBC or hmacWithSHA1 is invalid_key naming what is supported", async () => {
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const keys = [
    // aes-256-cbc (…01 2a) becomes aes-128-cbc (…01 02).
    encryptedWith("060960864801650304012a", "0609608648016503040102"),
    // hmacWithSHA256 (…02 09) becomes hmacWithSHA1 (…02 07).
    encryptedWith("06082a864886f70d0209", "06082a864886f70d0207"),
  ];
  for (const key of keys) {
    const result = await handle(
      decryptRequest(ciphertext, { passphrase: PASS }, key),
    );
    assertError(result, "invalid_key", "rsa_private");
    assert.ok(
      (result.reply.error as string).includes(SUPPORTED_ENCRYPTION),
      result.raw,
    );
  }
});

/**
 * An EncryptedPrivateKeyInfo DER as the service writes it (PBES2, PBKDF2
 * with HMAC-SHA-256, AES-256-CBC), with `iterations` and `dataBytes` of
 * zeros for data: for tests where the data is never decrypted.
 */
function handSealed(iterations: bigint, dataBytes: number): Uint8Array {
  const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
  return derSequence(
    derSequence(
      Uint8Array.fromHex("06092a864886f70d01050d"), // PBES2
      derSequence(
        derSequence(
          Uint8Array.fromHex("06092a864886f70d01050c"), // PBKDF2
          derSequence(
            octets(new Uint8Array(16)),
            derInteger(iterations),
            derSequence(
              Uint8Array.fromHex("06082a864886f70d0209"), // hmacWithSHA256
              Uint8Array.of(0x05, 0x00),
            ),
          ),
        ),
        derSequence(
          Uint8Array.fromHex("060960864801650304012a"), // aes-256-cbc
          octets(new Uint8Array(16)),
        ),
      ),
    ),
    octets(new Uint8Array(dataBytes)),
  );
}

Deno.test("a key asking for more than 10,000,000 iterations is invalid_key", async () => {
  // PBES2 as the service writes it, but 16,777,215 iterations.
  const sealed = handSealed(16_777_215n, 1232);
  const result = await handle(
    decryptRequest(
      encryptPkcs1v15(PUBLIC, encoder.encode(FERNET)),
      { passphrase: PASS },
      pem("ENCRYPTED PRIVATE KEY", sealed),
    ),
  );
  assertError(result, "invalid_key", "rsa_private");
  // Fixed words: the count the request asked for is not echoed.
  assert.ok(!(result.reply.error as string).includes("16777215"), result.raw);
});

Deno.test("a malformed ENCRYPTED PRIVATE KEY with a passphrase is invalid_pem naming rsa_private", async () => {
  const result = await handle(
    decryptRequest(
      new Uint8Array(256),
      { passphrase: PASS },
      pem("ENCRYPTED PRIVATE KEY", Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)),
    ),
  );
  assertError(result, "invalid_pem", "rsa_private");
});

Deno.test("an encrypted key with its passphrase and a bad ciphertext is invalid_ciphertext", async () => {
  const result = await handle(
    decryptRequest(new Uint8Array(255), { passphrase: PASS }, ENCRYPTED),
  );
  assertError(result, "invalid_ciphertext", "encrypted_fernet");
});

Deno.test("an encrypted key with a junk ciphertext is invalid_ciphertext before any key derivation", async () => {
  const { service, limiter } = setup();
  const result = await handle({
    type: "decrypt_fernet",
    encrypted_fernet: "not base64!",
    rsa_private: ENCRYPTED,
    passphrase: PASS,
  }, service);
  assertError(result, "invalid_ciphertext", "encrypted_fernet");
  assert.equal(limiter.runs, 0, "no PBKDF2 ran");
});

Deno.test("a legacy-encrypted PKCS#1 key (Proc-Type headers) is invalid_pem, as in v1", async () => {
  // A request naming no v1.1 option gets v1's reply: the PEM armour with
  // headers is not one bare block.
  const legacy = rsa.privateKey.export({
    type: "pkcs1",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase: PASS,
  }) as string;
  assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
  const result = await handle(decryptRequest(new Uint8Array(256), {}, legacy));
  assertError(result, "invalid_pem", "rsa_private");
});

Deno.test("an encrypt_fernet_many over its own limit is request_too_large naming that limit; others keep theirs", async () => {
  const service = new KeyService({
    keyPairs: { take: () => Promise.resolve(PAIR) },
    maxRequestBytes: 4096,
    maxManyRequestBytes: 8192,
  });
  const many = (count: number) => ({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: Array(count).fill(SPKI_PEM),
  });
  assert.equal((await handle(many(10), service)).code, "ok");
  const tooMany = await handle(many(40), service);
  assert.equal(tooMany.code, "request_too_large");
  assert.match(String(tooMany.reply.error), /limit of 8192 bytes/);
  const single = await handle({
    type: "encrypt_fernet",
    fernet: "x".repeat(5000),
    rsa_public: SPKI_PEM,
  }, service);
  assert.equal(single.code, "request_too_large");
  assert.match(String(single.reply.error), /limit of 4096 bytes/);
});

Deno.test("a passphrase sent with an unencrypted key is not used: the key decrypts", async () => {
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  for (const key of [PAIR.private, PKCS8_PEM]) {
    const result = await handle(
      decryptRequest(ciphertext, { passphrase: "unused" }, key),
    );
    assert.deepEqual(result.reply, { fernet: FERNET });
  }
});

// --- encrypt_fernet_many ----------------------------------------------------------

Deno.test("encrypt_fernet_many replies one result per key, in order, each ciphertext or that key's error", async () => {
  const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const keys = [
    PAIR.public,
    SPKI_PEM,
    "junk",
    exported(ec.publicKey, "spki", "pem") as string,
    PAIR.private,
    exported(small.publicKey, "pkcs1", "pem") as string,
    PAIR.public,
  ];
  const result = await handle({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: keys,
    padding: "oaep-sha256",
  });
  assert.equal(result.code, "ok");
  assert.deepEqual(Object.keys(result.reply), ["results"]);
  const results = result.reply.results as Record<string, unknown>[];
  assert.equal(results.length, keys.length);
  const expected: (string | null)[] = [
    null,
    null,
    "invalid_pem",
    "wrong_key_type",
    "wrong_key_type",
    "invalid_key",
    null,
  ];
  for (const [i, code] of expected.entries()) {
    if (code === null) {
      assert.deepEqual(Object.keys(results[i]), ["encrypted_fernet"]);
      const ciphertext = Uint8Array.fromBase64(
        results[i].encrypted_fernet as string,
      );
      assert.equal(await webDecrypt(ciphertext), FERNET, `result ${i}`);
    } else {
      assert.deepEqual(Object.keys(results[i]), ["error", "code"]);
      assert.equal(results[i].code, code, `result ${i}`);
      assert.ok(
        (results[i].error as string).includes(`"rsa_publics[${i}]"`),
        String(results[i].error),
      );
    }
  }
});

Deno.test("encrypt_fernet_many without padding writes PKCS#1 v1.5 for every recipient", async () => {
  const result = await handle({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: [PAIR.public, SPKI_PEM],
  });
  for (const entry of result.reply.results as { encrypted_fernet: string }[]) {
    const ciphertext = Uint8Array.fromBase64(entry.encrypted_fernet);
    assert.equal(decoder.decode(decryptPkcs1v15(PRIVATE, ciphertext)), FERNET);
  }
});

Deno.test("encrypt_fernet_many with a fernet too long under OAEP gives each recipient plaintext_too_long", async () => {
  const result = await handle({
    type: "encrypt_fernet_many",
    fernet: "f".repeat(191),
    rsa_publics: [PAIR.public, "junk", SPKI_PEM],
    padding: "oaep-sha256",
  });
  const results = result.reply.results as { code: string; error: string }[];
  assert.deepEqual(results.map((r) => r.code), [
    "plaintext_too_long",
    "invalid_pem",
    "plaintext_too_long",
  ]);
  assert.ok(results[0].error.includes('"fernet"'), results[0].error);
});

Deno.test("encrypt_fernet_many of 40 recipients (past one batch of 16) keeps every result in order", async () => {
  const keys = Array.from(
    { length: 40 },
    (_, i) => (i % 5 === 4 ? `junk ${i}` : i % 2 ? SPKI_PEM : PAIR.public),
  );
  const result = await handle({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: keys,
  });
  const results = result.reply.results as Record<string, string>[];
  assert.equal(results.length, 40);
  results.forEach((entry, i) => {
    if (i % 5 === 4) {
      assert.equal(entry.code, "invalid_pem");
      assert.ok(entry.error.includes(`"rsa_publics[${i}]"`), entry.error);
    } else {
      const ciphertext = Uint8Array.fromBase64(entry.encrypted_fernet);
      assert.equal(
        decoder.decode(decryptPkcs1v15(PRIVATE, ciphertext)),
        FERNET,
      );
    }
  });
});

Deno.test("encrypt_fernet_many of 256 SPKI keys fits the default request limits", async () => {
  const service = new KeyService({
    keyPairs: { take: () => Promise.resolve(PAIR) },
  });
  const request = {
    type: "encrypt_fernet_many",
    fernet: FERNET,
    rsa_publics: Array(256).fill(SPKI_PEM),
  };
  assert.ok(JSON.stringify(request).length > 64 * 1024);
  const result = await handle(request, service);
  assert.equal(result.code, "ok", result.raw.slice(0, 200));
  assert.equal((result.reply.results as unknown[]).length, 256);
});

Deno.test("encrypt_fernet_many request errors are for the whole request", async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ rsa_publics: [] }, "invalid_field", "rsa_publics"],
    [{ rsa_publics: PAIR.public }, "invalid_field", "rsa_publics"],
    [{ rsa_publics: [PAIR.public, 7] }, "invalid_field", "rsa_publics[1]"],
    [{ rsa_publics: Array(257).fill("k") }, "invalid_field", "rsa_publics"],
    [
      { rsa_publics: [PAIR.public], padding: "oaep" },
      "invalid_field",
      "padding",
    ],
    [{}, "missing_field", "rsa_publics"],
  ];
  for (const [fields, code, field] of cases) {
    const result = await handle({
      type: "encrypt_fernet_many",
      fernet: FERNET,
      ...fields,
    });
    assertError(result, code, field);
  }
});

// --- ping -----------------------------------------------------------------------

Deno.test("ping lists the capabilities: operations, bits, paddings, formats and key types", async () => {
  const { service } = setup({ version: "1.1.0", pingDetail: "full" });
  const result = await handle({ type: "ping" }, service);
  assert.deepEqual(Object.keys(result.reply), [
    "status",
    "version",
    "in_flight",
    "capabilities",
  ]);
  assert.deepEqual(result.reply, {
    status: "ok",
    version: "1.1.0",
    in_flight: 0,
    capabilities: {
      operations: [
        "generate_keys",
        "encrypt_fernet",
        "decrypt_fernet",
        "encrypt_fernet_many",
        "ping",
      ],
      bits: [2048, 3072, 4096],
      paddings: ["pkcs1v15", "oaep-sha256"],
      formats: ["pkcs1", "pkcs8"],
      key_types: ["rsa", "mlkem768x25519", "x25519"],
    },
  });
});

Deno.test("ping's status() fields do not replace its capabilities", async () => {
  const { service } = setup({
    status: () => ({ pool: 5, capabilities: "none" }),
    pingDetail: "full",
  });
  const result = await handle({ type: "ping" }, service);
  assert.equal(result.reply.pool, 5);
  assert.deepEqual(
    (result.reply.capabilities as { paddings: string[] }).paddings,
    ["pkcs1v15", "oaep-sha256"],
  );
});

Deno.test("what ping lists is what the service accepts", async () => {
  const { service } = setup();
  const ping = await handle({ type: "ping" }, service);
  const capabilities = ping.reply.capabilities as {
    bits: number[];
    paddings: string[];
    formats: string[];
  };
  for (const bits of capabilities.bits) {
    assert.equal(
      (await handle({ type: "generate_keys", bits }, service)).code,
      "ok",
    );
  }
  for (const format of capabilities.formats) {
    assert.equal(
      (await handle({ type: "generate_keys", format }, service)).code,
      "ok",
    );
  }
  for (const padding of capabilities.paddings) {
    const result = await handle(
      { type: "encrypt_fernet", fernet: FERNET, rsa_public: SPKI_PEM, padding },
      service,
    );
    assert.equal(result.code, "ok");
  }
});

Deno.test("decrypt_fernet wipes the private key's DER and the plaintext bytes once the reply is made", async () => {
  const seen: { der?: Uint8Array; plaintext?: Uint8Array } = {};
  const { service } = setup({
    decrypt: (key, ciphertext) => {
      seen.der = key.der;
      seen.plaintext = decryptPkcs1v15(key, ciphertext);
      return Promise.resolve(seen.plaintext);
    },
  });
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  const result = await handle(decryptRequest(ciphertext), service);
  assert.deepEqual(result.reply, { fernet: FERNET });
  assert.ok(seen.der!.length > 1000 && seen.der!.every((b) => b === 0));
  assert.ok(seen.plaintext!.length === 44);
  assert.ok(seen.plaintext!.every((b) => b === 0));
});

Deno.test("decrypt_fernet wipes the private key's DER when decryption fails too", async () => {
  let der: Uint8Array | undefined;
  const { service } = setup({
    decrypt: (key) => {
      der = key.der;
      return Promise.reject(new DecryptionError());
    },
  });
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  assertError(
    await handle(decryptRequest(ciphertext), service),
    "decryption_failed",
  );
  assert.ok(der!.length > 1000 && der!.every((b) => b === 0));
});

// --- issue 16, finding 10: what is cheap is checked before PBKDF2 ------------

Deno.test("an encrypted key's ciphertext of a length no allowed key size has is invalid_ciphertext before any PBKDF2", async () => {
  // 100 bytes: below 2048 bits; 513: past 4096.
  for (const length of [100, 513]) {
    const { service, limiter } = setup();
    const result = await handle(
      decryptRequest(new Uint8Array(length), { passphrase: PASS }, ENCRYPTED),
      service,
    );
    assertError(result, "invalid_ciphertext", "encrypted_fernet");
    assert.equal(limiter.runs, 0, "PBKDF2 was queued");
  }
});

Deno.test("an encrypted key asking for more iterations than keyLimits.maxIterations is invalid_key before any PBKDF2, in fixed words", async () => {
  const { service, limiter } = setup({
    keyLimits: { maxIterations: ITERATIONS - 1 },
  });
  const result = await handle(
    decryptRequest(
      encryptPkcs1v15(PUBLIC, encoder.encode(FERNET)),
      { passphrase: PASS },
      ENCRYPTED,
    ),
    service,
  );
  assertError(result, "invalid_key", "rsa_private");
  assert.ok(!(result.reply.error as string).includes(`${ITERATIONS}`));
  assert.equal(limiter.runs, 0, "PBKDF2 was queued");
});

Deno.test("PBKDF2 and on-demand generation wait their turn as the client that asked", async () => {
  const { service, limiter } = setup();
  const ciphertext = encryptPkcs1v15(PUBLIC, encoder.encode(FERNET));
  await service.handle([
    encoder.encode(
      JSON.stringify(
        decryptRequest(ciphertext, { passphrase: PASS }, ENCRYPTED),
      ),
    ),
  ], "client-a");
  await service.handle([
    encoder.encode(JSON.stringify({ type: "generate_keys", bits: 3072 })),
  ], "client-b");
  assert.deepEqual(limiter.clients, ["client-a", "client-b"]);
});
