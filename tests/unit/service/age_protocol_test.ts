import assert from "node:assert/strict";
import { ageRequestFrom } from "../../../lib/service/age_protocol.ts";
import { KeyServiceError } from "../../../lib/service/errors.ts";

const code = (object: Record<string, unknown>) => {
  try {
    ageRequestFrom(object);
    return "ok";
  } catch (error) {
    assert.ok(error instanceof KeyServiceError);
    return error.code;
  }
};

Deno.test("a request naming no age field is not an age request (its v1/v1.1 handling stays)", () => {
  for (
    const object of [
      { type: "generate_keys" },
      { type: "generate_keys", key_type: "rsa", bits: 4096 },
      { type: "encrypt_fernet", fernet: "k", rsa_public: "pem" },
      { type: "encrypt_fernet_many", fernet: "k", rsa_publics: ["pem"] },
      { type: "decrypt_fernet", encrypted_fernet: "c", rsa_private: "pem" },
      { type: "ping", identity: "x" },
    ]
  ) {
    assert.equal(ageRequestFrom(object), undefined, JSON.stringify(object));
  }
});

const REFUSED: [Record<string, unknown>, string][] = [
  [{ type: "generate_keys", key_type: "x25519", bits: 2048 }, "invalid_field"],
  [{ type: "generate_keys", key_type: "X25519" }, "invalid_field"],
  [
    {
      type: "encrypt_fernet",
      fernet: "k",
      recipient: "a",
      padding: "pkcs1v15",
    },
    "invalid_field",
  ],
  [
    { type: "encrypt_fernet", fernet: "k", recipient: "a", rsa_public: "p" },
    "mixed_recipients",
  ],
  [{
    type: "encrypt_fernet_many",
    fernet: "k",
    recipients: ["a"],
    rsa_publics: [],
  }, "mixed_recipients"],
  [
    {
      type: "encrypt_fernet_many",
      fernet: "k",
      recipients: ["a", `-----BEGIN PUBLIC KEY-----\n${"A".repeat(3000)}`],
    },
    "mixed_recipients",
  ],
  [
    { type: "encrypt_fernet_many", fernet: "k", recipients: [] },
    "invalid_field",
  ],
  [{
    type: "encrypt_fernet_many",
    fernet: "k",
    recipients: Array(257).fill("a"),
  }, "invalid_field"],
  [
    { type: "encrypt_fernet_many", fernet: "k", recipients: "a" },
    "invalid_field",
  ],
  [{ type: "encrypt_fernet", recipient: "a" }, "missing_field"],
  [
    { type: "decrypt_fernet", identity: "A", rsa_private: "p" },
    "invalid_field",
  ],
  [{ type: "decrypt_fernet", identity: "A", passphrase: "p" }, "invalid_field"],
  [{ type: "decrypt_fernet", identity: "A" }, "missing_field"],
  [
    {
      type: "decrypt_fernet",
      identity: "x".repeat(2049),
      encrypted_fernet: "",
    },
    "invalid_field",
  ],
];

Deno.test("age fields: RSA options beside them, mixing, and wrong types are refused", () => {
  for (const [object, expected] of REFUSED) {
    assert.equal(code(object), expected, JSON.stringify(object).slice(0, 120));
  }
});
