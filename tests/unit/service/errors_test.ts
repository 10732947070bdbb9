// Wire errors: each crypto error becomes its wire error, with the field
// named by the service, never by the crypto layer.

import assert from "node:assert/strict";
import {
  DecryptionError,
  MalformedCiphertext,
  MalformedKey,
  MessageTooLong,
  UnexpectedKeyType,
  UnusableKey,
} from "../../../lib/crypto/errors.ts";
import {
  DecryptionFailed,
  KeyServiceError,
  wireError,
} from "../../../lib/service/errors.ts";

function wire(error: Error, field: string): KeyServiceError {
  const mapped = wireError(error, field);
  assert.ok(mapped instanceof KeyServiceError, String(mapped));
  return mapped;
}

Deno.test("wireError maps each crypto error to its code and names the field", () => {
  const cases: [Error, string, string][] = [
    [
      new MalformedKey("the body is empty"),
      "invalid_pem",
      'Field "rsa_public" is not a valid PEM key: the body is empty',
    ],
    [
      new UnexpectedKeyType("RSA PUBLIC KEY"),
      "wrong_key_type",
      'Field "rsa_public" must hold an RSA PUBLIC KEY PEM block, not another label',
    ],
    [
      new UnusableKey("modulus is even"),
      "invalid_key",
      'Field "rsa_public" is not a usable RSA key: modulus is even',
    ],
    [
      new MessageTooLong(300, 245),
      "plaintext_too_long",
      'Field "rsa_public" is longer in UTF-8 than the 245 bytes this key can encrypt',
    ],
    [
      new MalformedCiphertext("is not below the key's modulus"),
      "invalid_ciphertext",
      'Field "rsa_public" is not below the key\'s modulus',
    ],
    [new DecryptionError(), "decryption_failed", "Decryption failed"],
  ];
  for (const [error, code, message] of cases) {
    const mapped = wire(error, "rsa_public");
    assert.equal(mapped.code, code);
    assert.equal(mapped.message, message);
  }
});

Deno.test("wireError says 'a' before a label that starts with a consonant sound", () => {
  const mapped = wire(
    new UnexpectedKeyType("PUBLIC KEY"),
    "rsa_public",
  );
  assert.match(mapped.message, /must hold a PUBLIC KEY PEM block/);
});

Deno.test("wireError returns other errors unchanged", () => {
  const error = new TypeError("unexpected");
  assert.equal(wireError(error, "rsa_public"), error);
  const already = new DecryptionFailed();
  assert.equal(wireError(already, "encrypted_fernet"), already);
});

Deno.test("crypto error messages name no request field", () => {
  for (
    const error of [
      new MalformedKey("the body is empty"),
      new UnexpectedKeyType("RSA PUBLIC KEY"),
      new UnusableKey("modulus is even"),
      new MessageTooLong(300, 245),
      new MalformedCiphertext("is not below the key's modulus"),
      new DecryptionError(),
    ]
  ) {
    assert.doesNotMatch(error.message, /field|rsa_|fernet/i, error.message);
  }
});
