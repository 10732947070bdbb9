// RSAES-PKCS1-v1_5: encryption's padding and size limit, decryption's
// failures (all one error), and the ciphertext checks.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { constants, publicEncrypt } from "node:crypto";
import {
  checkCiphertext,
  DecryptionError,
  encryptPkcs1v15,
  MalformedCiphertext,
  MessageTooLong,
  PKCS1_OVERHEAD,
} from "../../../lib/crypto/mod.ts";
import { decryptPkcs1v15 } from "../../../lib/crypto/node_decrypt.ts";
import { bigintToBytes, bytesToBigint } from "../../_helpers/der.ts";
import {
  assertCode,
  isPkcs1Padded,
  message,
  N,
  other,
  otherPrivate,
  pair,
  privateInts,
  privateKey,
  publicKey,
  rawDecrypt,
  rawEncrypt,
} from "./_fixtures.ts";

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

Deno.test("a plaintext of size - 10 bytes (246) throws MessageTooLong", () => {
  assertCode(
    () => encryptPkcs1v15(publicKey, new Uint8Array(246)),
    "message_too_long",
  );
  assert.throws(
    () => encryptPkcs1v15(publicKey, new Uint8Array(246)),
    MessageTooLong,
  );
});

Deno.test("an empty plaintext round-trips", () => {
  const ciphertext = encryptPkcs1v15(publicKey, new Uint8Array(0));
  assert.deepEqual(decryptPkcs1v15(privateKey, ciphertext), new Uint8Array(0));
});

Deno.test("decrypting with the wrong key throws DecryptionError", () => {
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
    "decryption_error",
  );
  assert.throws(
    () => decryptPkcs1v15(otherPrivate, ciphertext),
    DecryptionError,
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
      "decryption_error",
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
      "decryption_error",
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
      "malformed_ciphertext",
    );
  }
  assert.throws(
    () => checkCiphertext(publicKey, new Uint8Array(255)),
    MalformedCiphertext,
  );
});

Deno.test("checkCiphertext rejects a value equal to or above the modulus", () => {
  for (const value of [N, N + 1n, (1n << 2048n) - 1n]) {
    const ciphertext = bigintToBytes(value, 256);
    assertCode(
      () => checkCiphertext(publicKey, ciphertext),
      "malformed_ciphertext",
    );
    assertCode(
      () => decryptPkcs1v15(privateKey, ciphertext),
      "malformed_ciphertext",
    );
  }
});

Deno.test("checkCiphertext accepts n - 1 and zero", () => {
  checkCiphertext(publicKey, bigintToBytes(N - 1n, 256));
  checkCiphertext(publicKey, new Uint8Array(256));
});
