import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  constants,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
} from "node:crypto";
import {
  checkCiphertext,
  decryptPkcs1v15,
  encryptPkcs1v15,
  generateRsaKeyPair,
  modPow,
  parsePrivateKey,
  parsePublicKey,
  PKCS1_OVERHEAD,
  PRIVATE_LABEL,
  PUBLIC_LABEL,
  type RsaKeyPairPem,
} from "../../../lib/crypto/rsa.ts";
import {
  bigintToBytes,
  bitLength,
  bytesToBigint,
  decodeIntegerSequence,
  encodeIntegerSequence,
} from "../../../lib/crypto/_der.ts";
import { decodePem, encodePem } from "../../../lib/crypto/pem.ts";
import {
  DecryptionFailed,
  InvalidCiphertext,
  KeyServiceError,
  PlaintextTooLong,
} from "../../../lib/service/errors.ts";

// Key generation is slow (~150 ms): two pairs for the whole file.
const pair: RsaKeyPairPem = await generateRsaKeyPair();
const other: RsaKeyPairPem = await generateRsaKeyPair();

const publicKey = parsePublicKey(pair.public);
const privateKey = parsePrivateKey(pair.private);
const otherPrivate = parsePrivateKey(other.private);

/** The nine integers of a private key PEM: version, n, e, d, p, q, dp, dq, qi. */
function privateInts(pem: string): bigint[] {
  const values = decodeIntegerSequence(decodePem(pem, PRIVATE_LABEL, "x"));
  assert.ok(values !== null);
  return values;
}

const [, N, E, D, P, Q, DP, DQ, QI] = privateInts(pair.private);

function publicPem(values: bigint[]): string {
  return encodePem(PUBLIC_LABEL, encodeIntegerSequence(values));
}

function privatePem(values: bigint[]): string {
  return encodePem(PRIVATE_LABEL, encodeIntegerSequence(values));
}

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KeyServiceError, `not a KeyServiceError`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** The encoded message m = c^d mod n, as k bytes, using the key's own d. */
function rawDecrypt(ciphertext: Uint8Array, n = N, d = D): Uint8Array {
  return bigintToBytes(modPow(bytesToBigint(ciphertext), d, n), 256);
}

/** Whether `em` is a well-formed RSAES-PKCS1-v1_5 encoded message. */
function isPkcs1Padded(em: Uint8Array): boolean {
  if (em[0] !== 0 || em[1] !== 2) return false;
  const separator = em.indexOf(0, 2);
  return separator >= 10;
}

/** c = em^e mod n: a ciphertext whose decryption is exactly `em`. */
function rawEncrypt(em: Uint8Array): Uint8Array {
  return bigintToBytes(modPow(bytesToBigint(em), E, N), 256);
}

function pemLayoutProblems(pem: string, label: string): string[] {
  const problems: string[] = [];
  if (pem.includes("\r")) problems.push("has CR");
  if (!pem.endsWith("\n") || pem.endsWith("\n\n")) {
    problems.push("not one final LF");
  }
  const lines = pem.split("\n");
  if (lines.at(-1) !== "") problems.push("no final LF");
  lines.pop();
  if (lines[0] !== `-----BEGIN ${label}-----`) problems.push("BEGIN line");
  if (lines.at(-1) !== `-----END ${label}-----`) problems.push("END line");
  const body = lines.slice(1, -1);
  body.forEach((line, i) => {
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) problems.push(`line ${i} alphabet`);
    if (i < body.length - 1 && line.length !== 64) {
      problems.push(`line ${i} is ${line.length} long`);
    }
    if (i === body.length - 1 && (line.length === 0 || line.length > 64)) {
      problems.push(`last line is ${line.length} long`);
    }
  });
  return problems;
}

// --- Generated keys ------------------------------------------------------

Deno.test("generated public PEM has python-rsa's layout and label", () => {
  assert.deepEqual(pemLayoutProblems(pair.public, "RSA PUBLIC KEY"), []);
});

Deno.test("generated private PEM has python-rsa's layout and label", () => {
  assert.deepEqual(pemLayoutProblems(pair.private, "RSA PRIVATE KEY"), []);
});

Deno.test("generated public key has a 2048-bit modulus and e = 65537", () => {
  assert.equal(bitLength(publicKey.n), 2048);
  assert.equal(publicKey.e, 65537n);
  assert.equal(publicKey.size, 256);
});

Deno.test("generated public PEM holds exactly n and e of the private PEM", () => {
  const values = decodeIntegerSequence(
    decodePem(pair.public, PUBLIC_LABEL, "x"),
  );
  assert.deepEqual(values, [N, E]);
});

Deno.test("generated private key is version 0 with eight consistent integers", () => {
  const values = privateInts(pair.private);
  assert.equal(values.length, 9);
  assert.equal(values[0], 0n);
  assert.equal(bitLength(N), 2048);
  assert.equal(E, 65537n);
  assert.equal(P * Q, N);
  // d inverts e modulo lcm(p-1, q-1).
  assert.ok(D > 0n && D < N);
  assert.equal((E * D) % ((P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n)), 1n);
  assert.equal(modPow(modPow(12345n, E, N), D, N), 12345n);
  assert.equal(DP, D % (P - 1n));
  assert.equal(DQ, D % (Q - 1n));
  assert.equal((QI * Q) % P, 1n);
  assert.ok(QI < P);
});

Deno.test("parsePrivateKey accepts the generated private key", () => {
  assert.equal(privateKey.n, N);
  assert.equal(privateKey.e, E);
  assert.equal(privateKey.size, 256);
  assert.deepEqual(
    privateKey.der,
    decodePem(pair.private, PRIVATE_LABEL, "x"),
  );
});

Deno.test("two generated key pairs differ", () => {
  assert.notEqual(pair.public, other.public);
  assert.notEqual(pair.private, other.private);
  assert.notEqual(otherPrivate.n, privateKey.n);
});

Deno.test("node:crypto loads the generated private PEM", () => {
  const key = createPrivateKey({ key: pair.private, format: "pem" });
  assert.equal(key.type, "private");
  assert.equal(key.asymmetricKeyType, "rsa");
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
});

Deno.test("node:crypto loads the generated public PEM", () => {
  const key = createPublicKey({ key: pair.public, format: "pem" });
  assert.equal(key.type, "public");
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
});

// --- Encryption and decryption -------------------------------------------

const message = new TextEncoder().encode(
  "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=",
);

Deno.test("encryptPkcs1v15 then decryptPkcs1v15 gives the message back", () => {
  const ciphertext = encryptPkcs1v15(publicKey, message);
  assert.deepEqual(decryptPkcs1v15(privateKey, ciphertext), message);
});

Deno.test("ciphertext is exactly as long as the modulus (256 bytes)", () => {
  for (const length of [0, 1, 44, 245]) {
    const ciphertext = encryptPkcs1v15(publicKey, new Uint8Array(length));
    assert.equal(ciphertext.length, 256);
  }
});

Deno.test("ciphertext decrypts raw to 00 02, >= 8 non-zero bytes, 00, message", () => {
  for (const plaintext of [message, new Uint8Array(245), new Uint8Array(0)]) {
    const em = rawDecrypt(encryptPkcs1v15(publicKey, plaintext));
    assert.equal(em.length, 256);
    assert.equal(em[0], 0x00);
    assert.equal(em[1], 0x02);
    const separator = em.indexOf(0, 2);
    assert.equal(separator, 256 - plaintext.length - 1);
    const padding = em.subarray(2, separator);
    assert.ok(padding.length >= 8, `padding is ${padding.length} bytes`);
    assert.ok(padding.every((byte) => byte !== 0));
    assert.deepEqual(em.subarray(separator + 1), plaintext);
  }
});

Deno.test("padding bytes are random: not one repeated value", () => {
  const em = rawDecrypt(encryptPkcs1v15(publicKey, message));
  const padding = em.subarray(2, 256 - message.length - 1);
  assert.ok(new Set(padding).size > 50);
});

Deno.test("two encryptions of the same message differ", () => {
  const a = encryptPkcs1v15(publicKey, message);
  const b = encryptPkcs1v15(publicKey, message);
  assert.notDeepEqual(a, b);
  assert.deepEqual(
    decryptPkcs1v15(privateKey, a),
    decryptPkcs1v15(privateKey, b),
  );
});

Deno.test("a plaintext of size - 11 bytes (245) encrypts and decrypts", () => {
  const plaintext = Uint8Array.from(
    { length: 256 - PKCS1_OVERHEAD },
    (_, i) => i,
  );
  assert.equal(plaintext.length, 245);
  const ciphertext = encryptPkcs1v15(publicKey, plaintext);
  assert.deepEqual(decryptPkcs1v15(privateKey, ciphertext), plaintext);
});

Deno.test("a plaintext of size - 10 bytes (246) throws PlaintextTooLong", () => {
  assertCode(
    () => encryptPkcs1v15(publicKey, new Uint8Array(246)),
    "plaintext_too_long",
  );
  assert.throws(
    () => encryptPkcs1v15(publicKey, new Uint8Array(246)),
    PlaintextTooLong,
  );
});

Deno.test("an empty plaintext round-trips", () => {
  const ciphertext = encryptPkcs1v15(publicKey, new Uint8Array(0));
  assert.deepEqual(decryptPkcs1v15(privateKey, ciphertext), new Uint8Array(0));
});

Deno.test("decrypting with the wrong key throws DecryptionFailed", () => {
  // Pick a ciphertext that fits the other modulus and does not decrypt
  // (by chance, about once in 10^5) to a well-formed block under it.
  let ciphertext: Uint8Array;
  do {
    ciphertext = encryptPkcs1v15(publicKey, message);
  } while (
    bytesToBigint(ciphertext) >= otherPrivate.n ||
    isPkcs1Padded(
      rawDecrypt(ciphertext, otherPrivate.n, privateInts(other.private)[3]),
    )
  );
  assertCode(
    () => decryptPkcs1v15(otherPrivate, ciphertext),
    "decryption_failed",
  );
  assert.throws(
    () => decryptPkcs1v15(otherPrivate, ciphertext),
    DecryptionFailed,
  );
});

Deno.test("decryption rejects a block with fewer than 8 padding bytes", () => {
  for (const psLength of [0, 1, 7]) {
    const em = new Uint8Array(256);
    em[1] = 2;
    em.fill(0x55, 2, 2 + psLength);
    em.fill(0x41, 3 + psLength); // separator at 2 + psLength stays 0
    assertCode(
      () => decryptPkcs1v15(privateKey, rawEncrypt(em)),
      "decryption_failed",
    );
  }
});

Deno.test("decryption accepts a block with exactly 8 padding bytes", () => {
  const em = new Uint8Array(256);
  em[1] = 2;
  em.fill(0x55, 2, 10);
  em.fill(0x41, 11);
  assert.deepEqual(
    decryptPkcs1v15(privateKey, rawEncrypt(em)),
    new Uint8Array(245).fill(0x41),
  );
});

Deno.test("decryption rejects block type 1, a non-zero first byte, no separator", () => {
  const blockType1 = new Uint8Array(256);
  blockType1[1] = 1;
  blockType1.fill(0xff, 2, 20);
  blockType1.fill(0x41, 21);
  const firstByte = new Uint8Array(256);
  firstByte[0] = 1;
  firstByte[1] = 2;
  firstByte.fill(0x55, 2, 20);
  firstByte.fill(0x41, 21);
  const noSeparator = new Uint8Array(256);
  noSeparator[1] = 2;
  noSeparator.fill(0x55, 2);
  for (const em of [blockType1, firstByte, noSeparator]) {
    assertCode(
      () => decryptPkcs1v15(privateKey, rawEncrypt(em)),
      "decryption_failed",
    );
  }
});

Deno.test("node:crypto publicEncrypt PKCS#1 output decrypts with decryptPkcs1v15", () => {
  const ciphertext = publicEncrypt(
    { key: pair.public, format: "pem", padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(message),
  );
  assert.equal(ciphertext.length, 256);
  assert.deepEqual(
    decryptPkcs1v15(privateKey, new Uint8Array(ciphertext)),
    message,
  );
});

// --- checkCiphertext -----------------------------------------------------

Deno.test("checkCiphertext rejects a ciphertext of the wrong length", () => {
  for (const length of [0, 1, 255, 257, 512]) {
    assertCode(
      () => checkCiphertext(publicKey, new Uint8Array(length)),
      "invalid_ciphertext",
    );
  }
  assert.throws(
    () => checkCiphertext(publicKey, new Uint8Array(255)),
    InvalidCiphertext,
  );
});

Deno.test("checkCiphertext rejects a value equal to or above the modulus", () => {
  for (const value of [N, N + 1n, (1n << 2048n) - 1n]) {
    const ciphertext = bigintToBytes(value, 256);
    assertCode(
      () => checkCiphertext(publicKey, ciphertext),
      "invalid_ciphertext",
    );
    assertCode(
      () => decryptPkcs1v15(privateKey, ciphertext),
      "invalid_ciphertext",
    );
  }
});

Deno.test("checkCiphertext accepts n - 1 and zero", () => {
  checkCiphertext(publicKey, bigintToBytes(N - 1n, 256));
  checkCiphertext(publicKey, new Uint8Array(256));
});

// --- Key parsing: rejections ----------------------------------------------

/** A 1024-bit PKCS#1 key pair, from the same generator with a smaller size. */
function smallKeyPem(): Promise<{ public: string; private: string }> {
  return generateRsaKeyPair(1024);
}

Deno.test("a 1024-bit modulus is rejected as invalid_key", async () => {
  const small = await smallKeyPem();
  assertCode(() => parsePublicKey(small.public), "invalid_key");
  assertCode(() => parsePrivateKey(small.private), "invalid_key");
  // ...and accepted when the limit allows it, so the size is the reason.
  assert.equal(
    parsePublicKey(small.public, "rsa_public", { minBits: 1024 }).size,
    128,
  );
  assert.equal(
    parsePrivateKey(small.private, "rsa_private", { minBits: 1024 }).size,
    128,
  );
});

Deno.test("a modulus above maxBits is rejected as invalid_key", () => {
  assertCode(
    () => parsePublicKey(pair.public, "rsa_public", { maxBits: 2047 }),
    "invalid_key",
  );
});

Deno.test("an even modulus is rejected as invalid_key", () => {
  assertCode(() => parsePublicKey(publicPem([N + 1n, E])), "invalid_key");
  assertCode(
    () => parsePrivateKey(privatePem([0n, N + 1n, E, D, P, Q, DP, DQ, QI])),
    "invalid_key",
  );
});

Deno.test("an even public exponent is rejected as invalid_key", () => {
  assertCode(() => parsePublicKey(publicPem([N, 65536n])), "invalid_key");
  assertCode(() => parsePublicKey(publicPem([N, 2n])), "invalid_key");
});

Deno.test("public exponent 1 is rejected as invalid_key", () => {
  assertCode(() => parsePublicKey(publicPem([N, 1n])), "invalid_key");
  assertCode(() => parsePublicKey(publicPem([N, 0n])), "invalid_key");
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, 1n, 1n, P, Q, 1n, 1n, QI])),
    "invalid_key",
  );
});

Deno.test("a public exponent of 2^32 or more is rejected as invalid_key", () => {
  assertCode(
    () => parsePublicKey(publicPem([N, (1n << 32n) + 1n])),
    "invalid_key",
  );
});

Deno.test("public exponent 3 is accepted", () => {
  assert.equal(parsePublicKey(publicPem([N, 3n])).e, 3n);
});

/** a^-1 mod m. */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  assert.equal(r0, 1n, "no inverse");
  return ((s0 % m) + m) % m;
}

/** A consistent PKCS#1 private key PEM from two primes and e. */
function keyFrom(p: bigint, q: bigint, e: bigint, modulus: "phi" | "lambda") {
  const phi = (p - 1n) * (q - 1n);
  const d = inverse(e, modulus === "phi" ? phi : phi / gcd(p - 1n, q - 1n));
  return privatePem([
    0n,
    p * q,
    e,
    d,
    p,
    q,
    d % (p - 1n),
    d % (q - 1n),
    inverse(q, p),
  ]);
}

function assertRoundTrip(pem: string): void {
  const key = parsePrivateKey(pem);
  const ciphertext = encryptPkcs1v15(
    parsePublicKey(publicPem([key.n, key.e])),
    message,
  );
  assert.deepEqual(decryptPkcs1v15(key, ciphertext), message);
}

Deno.test("a python-rsa style key (d = e^-1 mod phi) is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(P, Q, E, "phi"));
});

Deno.test("a key with d = e^-1 mod lcm(p-1, q-1) is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(P, Q, E, "lambda"));
});

Deno.test("a key with p and q in the other order is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(Q, P, E, "phi"));
});

Deno.test("keys with a small or a large odd public exponent work end to end", () => {
  const lambda = (P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n);
  const small = [3n, 5n, 17n, 257n].find((e) => gcd(e, lambda) === 1n)!;
  let large = (1n << 32n) - 1n;
  while (gcd(large, lambda) !== 1n) large -= 2n;
  for (const e of [small, large]) assertRoundTrip(keyFrom(P, Q, e, "phi"));
});

Deno.test("a private key with a tampered CRT value is rejected as invalid_key", () => {
  const tampered: [string, bigint[]][] = [
    ["dp", [0n, N, E, D, P, Q, DP + 2n, DQ, QI]],
    ["dq", [0n, N, E, D, P, Q, DP, DQ + 2n, QI]],
    ["qi", [0n, N, E, D, P, Q, DP, DQ, QI + 1n]],
    ["qi + p", [0n, N, E, D, P, Q, DP, DQ, QI + P]],
  ];
  for (const [name, values] of tampered) {
    assert.throws(
      () => parsePrivateKey(privatePem(values)),
      (error: unknown) => {
        assert.ok(error instanceof KeyServiceError, name);
        assert.equal(error.code, "invalid_key", name);
        return true;
      },
    );
  }
});

Deno.test("a private key with a tampered prime is rejected as invalid_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P + 2n, Q, DP, DQ, QI])),
    "invalid_key",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, Q, P, DQ, DP, QI])),
    "invalid_key", // p and q swapped: qi is no longer q^-1 mod p
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, N, 1n, DP, DQ, QI])),
    "invalid_key",
  );
});

Deno.test("a private key with a tampered d or e is rejected as invalid_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D + 2n, P, Q, DP, DQ, QI])),
    "invalid_key",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, 3n, D, P, Q, DP, DQ, QI])),
    "invalid_key",
  );
});

Deno.test("a private key of version 1 is rejected as invalid_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([1n, N, E, D, P, Q, DP, DQ, QI])),
    "invalid_key",
  );
});

Deno.test("a private key with the wrong number of integers is invalid_pem", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P, Q, DP, DQ])),
    "invalid_pem",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P, Q, DP, DQ, QI, 0n])),
    "invalid_pem",
  );
  assertCode(() => parsePublicKey(publicPem([N])), "invalid_pem");
  assertCode(() => parsePublicKey(publicPem([N, E, 0n])), "invalid_pem");
});

/** DER type-length-value, with the length in long form when `long` is set. */
function tlv(tag: number, content: Uint8Array, long = false): Uint8Array {
  const length = content.length;
  let header: number[];
  if (length < 0x80 && !long) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else header = [tag, 0x82, length >> 8, length & 0xff];
  return Uint8Array.of(...header, ...content);
}

function integer(value: bigint, extraZero = false): Uint8Array {
  let bytes = bigintToBytes(value);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes = Uint8Array.of(0, ...bytes);
  if (extraZero) bytes = Uint8Array.of(0, ...bytes);
  return tlv(0x02, bytes);
}

function sequence(...items: Uint8Array[]): Uint8Array {
  const content = new Uint8Array(
    items.reduce((sum, item) => sum + item.length, 0),
  );
  let offset = 0;
  for (const item of items) {
    content.set(item, offset);
    offset += item.length;
  }
  return tlv(0x30, content);
}

Deno.test("the test's DER builder matches encodeIntegerSequence", () => {
  assert.deepEqual(
    sequence(integer(N), integer(E)),
    encodeIntegerSequence([N, E]),
  );
  assert.equal(
    parsePublicKey(encodePem(PUBLIC_LABEL, sequence(integer(N), integer(E)))).n,
    N,
  );
});

Deno.test("a public key DER with trailing bytes is invalid_pem", () => {
  const der = encodeIntegerSequence([N, E]);
  for (const tail of [[0], [0, 0], [5, 0]]) {
    const pem = encodePem(PUBLIC_LABEL, Uint8Array.of(...der, ...tail));
    assertCode(() => parsePublicKey(pem), "invalid_pem");
  }
});

Deno.test("a private key DER with trailing bytes is invalid_pem", () => {
  const der = decodePem(pair.private, PRIVATE_LABEL, "x");
  const pem = encodePem(PRIVATE_LABEL, Uint8Array.of(...der, 0));
  assertCode(() => parsePrivateKey(pem), "invalid_pem");
});

Deno.test("an integer with a redundant leading zero is invalid_pem", () => {
  const pem = encodePem(PUBLIC_LABEL, sequence(integer(N), integer(E, true)));
  assertCode(() => parsePublicKey(pem), "invalid_pem");
});

Deno.test("a long-form length where short form fits is invalid_pem", () => {
  const e = bigintToBytes(E);
  const pem = encodePem(PUBLIC_LABEL, sequence(integer(N), tlv(0x02, e, true)));
  assertCode(() => parsePublicKey(pem), "invalid_pem");
});

Deno.test("a negative integer is invalid_pem", () => {
  const n = bigintToBytes(N); // top bit set: negative without a leading 0
  assert.ok(n[0] & 0x80);
  const pem = encodePem(PUBLIC_LABEL, sequence(tlv(0x02, n), integer(E)));
  assertCode(() => parsePublicKey(pem), "invalid_pem");
});

Deno.test("a DER that is not a SEQUENCE of INTEGERs is invalid_pem", () => {
  const octets = tlv(0x04, bigintToBytes(E));
  for (
    const der of [
      integer(N), // a bare INTEGER
      sequence(integer(N), octets), // an OCTET STRING inside
      sequence(), // empty
      Uint8Array.of(0x30, 0x05, 0x02, 0x01), // truncated
    ]
  ) {
    assertCode(
      () => parsePublicKey(encodePem(PUBLIC_LABEL, der)),
      "invalid_pem",
    );
  }
});

Deno.test("a private key PEM in the public parser is wrong_key_type", () => {
  assertCode(() => parsePublicKey(pair.private), "wrong_key_type");
});

Deno.test("a public key PEM in the private parser is wrong_key_type", () => {
  assertCode(() => parsePrivateKey(pair.public), "wrong_key_type");
});

Deno.test("a PKCS#8 / SPKI PEM from node:crypto is wrong_key_type", () => {
  const key = createPrivateKey({ key: pair.private, format: "pem" });
  const pkcs8 = key.export({ type: "pkcs8", format: "pem" }) as string;
  const spki = createPublicKey(key).export({
    type: "spki",
    format: "pem",
  }) as string;
  assertCode(() => parsePrivateKey(pkcs8), "wrong_key_type");
  assertCode(() => parsePublicKey(spki), "wrong_key_type");
});

Deno.test("key errors never hold key material", () => {
  const tampered = privatePem([0n, N, E, D + 2n, P, Q, DP, DQ, QI]);
  try {
    parsePrivateKey(tampered);
    assert.fail("accepted a tampered key");
  } catch (error) {
    assert.ok(error instanceof KeyServiceError);
    for (const value of [N, D, P, Q]) {
      assert.ok(!error.message.includes(value.toString()));
      assert.ok(!error.message.includes(value.toString(16)));
    }
    assert.ok(!error.message.includes(tampered.split("\n")[1]));
  }
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
