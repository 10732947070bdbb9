// PEM armour: python-rsa's exact layout when writing, strict reading (one
// block, the right label, a valid base64 body), errors without key bytes.

import assert from "node:assert/strict";
import { decodePem, encodePem } from "../../../lib/crypto/pem.ts";
import {
  CryptoError,
  MalformedKey,
  UnexpectedKeyType,
} from "../../../lib/crypto/errors.ts";

const LABEL = "RSA PUBLIC KEY";

/** Deterministic sample bytes of the given length. */
function sample(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

function assertCode(fn: () => unknown, code: string, type?: unknown): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CryptoError, `not a CryptoError`);
    assert.equal(error.code, code);
    if (type !== undefined) {
      assert.ok(error instanceof (type as typeof CryptoError));
    }
    return true;
  });
}

function block(body: string, begin = LABEL, end = begin): string {
  return `-----BEGIN ${begin}-----\n${body}\n-----END ${end}-----\n`;
}

Deno.test("encodePem writes exact BEGIN and END lines", () => {
  const lines = encodePem(LABEL, sample(10)).split("\n");
  assert.equal(lines[0], "-----BEGIN RSA PUBLIC KEY-----");
  assert.equal(lines.at(-2), "-----END RSA PUBLIC KEY-----");
});

Deno.test("encodePem ends with a single final LF", () => {
  const pem = encodePem(LABEL, sample(10));
  assert.ok(pem.endsWith("-----\n"));
  assert.ok(!pem.endsWith("\n\n"));
});

Deno.test("encodePem uses LF only, never CR", () => {
  assert.ok(!encodePem(LABEL, sample(300)).includes("\r"));
});

Deno.test("encodePem wraps the body in 64-column lines, last line shorter", () => {
  const der = sample(300); // 400 base64 characters: 6 lines of 64, one of 16
  const lines = encodePem(LABEL, der).split("\n").slice(1, -2);
  assert.deepEqual(lines.map((line) => line.length), [
    64,
    64,
    64,
    64,
    64,
    64,
    16,
  ]);
  assert.equal(lines.join(""), der.toBase64());
});

Deno.test("encodePem makes no empty line when the body is a multiple of 64", () => {
  const der = sample(96); // exactly 128 base64 characters
  const lines = encodePem(LABEL, der).split("\n");
  assert.deepEqual(lines.map((line) => line.length), [30, 64, 64, 28, 0]);
});

Deno.test("encodePem matches the documented example byte for byte", () => {
  assert.equal(
    encodePem(LABEL, new Uint8Array([48, 0])),
    "-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n",
  );
});

Deno.test("decodePem round-trips encodePem", () => {
  for (const length of [1, 2, 3, 47, 48, 49, 96, 300, 1200]) {
    const der = sample(length);
    assert.deepEqual(decodePem(encodePem(LABEL, der), LABEL), der);
  }
});

Deno.test("decodePem accepts CRLF line ends", () => {
  const der = sample(300);
  const pem = encodePem(LABEL, der).replaceAll("\n", "\r\n");
  assert.deepEqual(decodePem(pem, LABEL), der);
});

Deno.test("decodePem accepts surrounding white space", () => {
  const der = sample(100);
  const pem = ` \n\t\r\n${encodePem(LABEL, der)}\n\n  \t`;
  assert.deepEqual(decodePem(pem, LABEL), der);
});

Deno.test("decodePem accepts a block without the final LF", () => {
  const der = sample(100);
  assert.deepEqual(
    decodePem(encodePem(LABEL, der).trimEnd(), LABEL),
    der,
  );
});

Deno.test("decodePem with another label throws UnexpectedKeyType (unexpected_key_type)", () => {
  const pem = encodePem("RSA PRIVATE KEY", sample(20));
  assertCode(
    () => decodePem(pem, LABEL),
    "unexpected_key_type",
    UnexpectedKeyType,
  );
});

Deno.test("decodePem of a PKCS#8 PUBLIC KEY label throws unexpected_key_type", () => {
  const pem = encodePem("PUBLIC KEY", sample(20));
  assertCode(
    () => decodePem(pem, LABEL),
    "unexpected_key_type",
    UnexpectedKeyType,
  );
});

Deno.test("decodePem with BEGIN and END labels that differ throws malformed_key", () => {
  const pem = block(sample(20).toBase64(), LABEL, "RSA PRIVATE KEY");
  assertCode(() => decodePem(pem, LABEL), "malformed_key", MalformedKey);
});

Deno.test("decodePem of garbage throws malformed_key", () => {
  for (
    const text of ["", "   ", "hello", "-----BEGIN-----", "MAA=", "\u0000"]
  ) {
    assertCode(() => decodePem(text, LABEL), "malformed_key", MalformedKey);
  }
});

Deno.test("decodePem of two blocks throws malformed_key", () => {
  const one = encodePem(LABEL, sample(20));
  assertCode(
    () => decodePem(one + one, LABEL),
    "malformed_key",
    MalformedKey,
  );
});

Deno.test("decodePem with text before the block throws malformed_key", () => {
  const pem = "Comment: hi\n" + encodePem(LABEL, sample(20));
  assertCode(() => decodePem(pem, LABEL), "malformed_key", MalformedKey);
});

Deno.test("decodePem with text after the block throws malformed_key", () => {
  const pem = encodePem(LABEL, sample(20)) + "trailer\n";
  assertCode(() => decodePem(pem, LABEL), "malformed_key", MalformedKey);
});

Deno.test("decodePem with a bad base64 body throws malformed_key", () => {
  for (
    const body of [
      "MAA", // missing padding
      "MA==MA==", // padding in the middle
      "MB==", // non-zero bits past the end
      "M===", // too much padding
      "MA!=", // not in the alphabet
      "MA-_", // URL-safe alphabet
    ]
  ) {
    assertCode(
      () => decodePem(block(body), LABEL),
      "malformed_key",
      MalformedKey,
    );
  }
});

Deno.test("decodePem with an empty body throws malformed_key", () => {
  for (
    const pem of [
      `-----BEGIN ${LABEL}-----\n-----END ${LABEL}-----\n`,
      `-----BEGIN ${LABEL}-----\n\n-----END ${LABEL}-----\n`,
      block("===="),
    ]
  ) {
    assertCode(() => decodePem(pem, LABEL), "malformed_key", MalformedKey);
  }
});

Deno.test("decodePem errors name no request field and hold none of the input", () => {
  const body = sample(30).toBase64();
  const pem = "junk " + block(body);
  try {
    decodePem(pem, LABEL);
    assert.fail("decodePem accepted junk");
  } catch (error) {
    assert.ok(error instanceof MalformedKey);
    assert.match(error.message, /^Not a valid PEM key: /);
    assert.doesNotMatch(error.message, /rsa_|field/i);
    assert.ok(!error.message.includes(body));
  }
});
