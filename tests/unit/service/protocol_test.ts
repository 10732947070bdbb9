// The wire protocol: request bytes to typed requests (strict fields, own
// properties only), and replies to bytes.

import assert from "node:assert/strict";
import { performAge } from "../../../lib/service/age_ops.ts";
import type { AgeRequest } from "../../../lib/service/age_protocol.ts";
import {
  encodeReply,
  errorReply,
  MAX_AGE_REPLY_BYTES,
  MAX_ERROR_REPLY_BYTES,
  MAX_REPLY_BYTES,
  MAX_RSA_REPLY_BYTES,
  parseRequest,
} from "../../../lib/service/protocol.ts";
import {
  MAX_FIELD_LENGTH,
  MAX_RECIPIENTS,
  REQUEST_TYPES,
} from "../../../lib/contract/mod.ts";
import {
  InvalidField,
  KeyServiceError,
  MissingField,
  UnknownType,
} from "../../../lib/service/errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

function json(value: unknown): Uint8Array {
  return bytes(JSON.stringify(value));
}

function assertCode(body: Uint8Array, code: string, message?: string): void {
  assert.throws(() => parseRequest(body), (error: unknown) => {
    assert.ok(error instanceof KeyServiceError, "not a KeyServiceError");
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

const ENCRYPT = { type: "encrypt_fernet", fernet: "F", rsa_public: "PUB" };
const DECRYPT = {
  type: "decrypt_fernet",
  encrypted_fernet: "CT",
  rsa_private: "PRIV",
};

// --- Each type -----------------------------------------------------------

Deno.test("parseRequest reads generate_keys", () => {
  assert.deepEqual(parseRequest(json({ type: "generate_keys" })), {
    type: "generate_keys",
    bits: 2048,
    format: "pkcs1",
    passphrase: undefined,
  });
});

Deno.test("parseRequest reads ping", () => {
  assert.deepEqual(parseRequest(json({ type: "ping" })), { type: "ping" });
});

Deno.test("parseRequest reads encrypt_fernet fields into camelCase", () => {
  assert.deepEqual(parseRequest(json(ENCRYPT)), {
    type: "encrypt_fernet",
    fernet: "F",
    rsaPublic: "PUB",
    padding: "pkcs1v15",
  });
});

Deno.test("parseRequest reads decrypt_fernet fields into camelCase", () => {
  assert.deepEqual(parseRequest(json(DECRYPT)), {
    type: "decrypt_fernet",
    encryptedFernet: "CT",
    rsaPrivate: "PRIV",
    padding: "pkcs1v15",
    passphrase: undefined,
  });
});

Deno.test("parseRequest reads every type of the contract's REQUEST_TYPES", () => {
  const fields = {
    fernet: "F",
    rsa_public: "P",
    rsa_publics: ["P"],
    encrypted_fernet: "E",
    rsa_private: "K",
  };
  const parsed = REQUEST_TYPES.map((type) =>
    parseRequest(encoder.encode(JSON.stringify({ type, ...fields }))).type
  );
  assert.deepEqual(parsed, [...REQUEST_TYPES]);
});

Deno.test("parseRequest ignores fields the contract does not name", () => {
  assert.deepEqual(
    parseRequest(json({ ...ENCRYPT, extra: 1, rsa_private: "x", id: [1] })),
    {
      type: "encrypt_fernet",
      fernet: "F",
      rsaPublic: "PUB",
      padding: "pkcs1v15",
    },
  );
  assert.deepEqual(
    parseRequest(json({ type: "generate_keys", fernet: 5, size: 4096 })),
    {
      type: "generate_keys",
      bits: 2048,
      format: "pkcs1",
      passphrase: undefined,
    },
  );
});

Deno.test("parseRequest does not read camelCase field names from the wire", () => {
  assertCode(
    json({ type: "encrypt_fernet", fernet: "F", rsaPublic: "PUB" }),
    "missing_field",
  );
});

Deno.test("parseRequest accepts white space around the JSON and unicode fields", () => {
  assert.deepEqual(
    parseRequest(
      bytes(
        ' \n {"type":"encrypt_fernet","fernet":"h\\u00e9 ✓","rsa_public":""}\n ',
      ),
    ),
    {
      type: "encrypt_fernet",
      fernet: "hé ✓",
      rsaPublic: "",
      padding: "pkcs1v15",
    },
  );
});

Deno.test("parseRequest keeps a field of exactly MAX_FIELD_LENGTH", () => {
  const fernet = "a".repeat(MAX_FIELD_LENGTH);
  const request = parseRequest(json({ ...ENCRYPT, fernet }));
  assert.equal(request.type === "encrypt_fernet" && request.fernet, fernet);
});

// --- invalid_json --------------------------------------------------------

Deno.test("invalid UTF-8 is invalid_json", () => {
  for (
    const body of [
      Uint8Array.of(0x7b, 0xff, 0x7d),
      Uint8Array.of(...bytes('{"type":"'), 0xc0, 0xaf, ...bytes('"}')), // overlong
      Uint8Array.of(...bytes('{"type":"'), 0xed, 0xa0, 0x80, ...bytes('"}')), // UTF-8 surrogate
      Uint8Array.of(...bytes('{"type":"'), 0xe2, 0x82, ...bytes('"}')), // truncated
    ]
  ) {
    assertCode(body, "invalid_json");
  }
});

Deno.test("invalid JSON is invalid_json", () => {
  for (
    const text of [
      "",
      " ",
      "{",
      "{'type': 'ping'}",
      '{"type":"ping",}',
      '{"type":"ping"} {}',
      "type=ping",
      "NaN",
    ]
  ) {
    assertCode(bytes(text), "invalid_json");
  }
});

// --- not_an_object -------------------------------------------------------

Deno.test("an array is not_an_object", () => {
  assertCode(bytes('[{"type":"ping"}]'), "not_an_object");
  assertCode(bytes("[]"), "not_an_object");
});

Deno.test("a number is not_an_object", () => {
  assertCode(bytes("42"), "not_an_object");
});

Deno.test("a string is not_an_object", () => {
  assertCode(bytes('"ping"'), "not_an_object");
});

Deno.test("null is not_an_object", () => {
  assertCode(bytes("null"), "not_an_object");
});

Deno.test("a boolean is not_an_object", () => {
  assertCode(bytes("true"), "not_an_object");
});

// --- unknown_type --------------------------------------------------------

Deno.test("an unknown type is unknown_type with message 'Invalid request type'", () => {
  assertCode(
    json({ type: "make_coffee" }),
    "unknown_type",
    "Invalid request type",
  );
  assertCode(json({ type: "PING" }), "unknown_type", "Invalid request type");
  assertCode(json({ type: "" }), "unknown_type", "Invalid request type");
  assertCode(json({ type: " ping" }), "unknown_type", "Invalid request type");
});

Deno.test("a missing type is unknown_type with message 'Invalid request type'", () => {
  assertCode(json({}), "unknown_type", "Invalid request type");
  assertCode(json({ fernet: "F" }), "unknown_type", "Invalid request type");
});

Deno.test("a non-string type is unknown_type with message 'Invalid request type'", () => {
  for (const type of [null, 1, true, ["ping"], { ping: 1 }]) {
    assertCode(json({ type }), "unknown_type", "Invalid request type");
  }
});

Deno.test("prototype names as type are unknown_type", () => {
  for (
    const type of [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
    ]
  ) {
    assertCode(json({ type }), "unknown_type", "Invalid request type");
  }
});

Deno.test("unknown_type is an UnknownType error", () => {
  assert.throws(() => parseRequest(json({ type: "x" })), UnknownType);
});

// --- Fields --------------------------------------------------------------

Deno.test("a missing field is missing_field naming the field", () => {
  const cases: [Record<string, string>, string][] = [
    [{ type: "encrypt_fernet", rsa_public: "P" }, "fernet"],
    [{ type: "encrypt_fernet", fernet: "F" }, "rsa_public"],
    [{ type: "decrypt_fernet", rsa_private: "P" }, "encrypted_fernet"],
    [{ type: "decrypt_fernet", encrypted_fernet: "C" }, "rsa_private"],
  ];
  for (const [request, name] of cases) {
    assert.throws(() => parseRequest(json(request)), (error: unknown) => {
      assert.ok(error instanceof MissingField);
      assert.equal(error.code, "missing_field");
      assert.equal(error.field, name);
      return true;
    });
  }
});

Deno.test("a non-string field is invalid_field", () => {
  for (const value of [null, 0, 1.5, true, false, [], ["x"], {}, { a: "b" }]) {
    for (const name of ["fernet", "rsa_public"]) {
      assert.throws(
        () => parseRequest(json({ ...ENCRYPT, [name]: value })),
        (error: unknown) => {
          assert.ok(error instanceof InvalidField);
          assert.equal(error.code, "invalid_field");
          assert.equal(error.field, name);
          return true;
        },
      );
    }
  }
  assertCode(json({ ...DECRYPT, encrypted_fernet: 12 }), "invalid_field");
  assertCode(json({ ...DECRYPT, rsa_private: null }), "invalid_field");
});

Deno.test("a field of MAX_FIELD_LENGTH + 1 characters is invalid_field", () => {
  const long = "a".repeat(MAX_FIELD_LENGTH + 1);
  assertCode(json({ ...ENCRYPT, fernet: long }), "invalid_field");
  assertCode(json({ ...ENCRYPT, rsa_public: long }), "invalid_field");
  assertCode(json({ ...DECRYPT, encrypted_fernet: long }), "invalid_field");
  assertCode(json({ ...DECRYPT, rsa_private: long }), "invalid_field");
});

Deno.test("a lone surrogate in a field is invalid_field", () => {
  for (const escaped of ["\\ud800", "a\\udfffb", "\\udc00\\ud800"]) {
    assertCode(
      bytes(`{"type":"encrypt_fernet","fernet":"${escaped}","rsa_public":"P"}`),
      "invalid_field",
    );
    assertCode(
      bytes(
        `{"type":"decrypt_fernet","encrypted_fernet":"C","rsa_private":"${escaped}"}`,
      ),
      "invalid_field",
    );
  }
});

Deno.test("a surrogate pair in a field is accepted", () => {
  const request = parseRequest(
    bytes(
      '{"type":"encrypt_fernet","fernet":"\\ud83d\\ude00","rsa_public":"P"}',
    ),
  );
  assert.equal(request.type === "encrypt_fernet" && request.fernet, "😀");
});

Deno.test("a '__proto__' key in the request does not supply fields", () => {
  assertCode(
    bytes(
      '{"type":"encrypt_fernet","__proto__":{"fernet":"F","rsa_public":"P"}}',
    ),
    "missing_field",
  );
  assertCode(bytes('{"__proto__":{"type":"ping"}}'), "unknown_type");
});

Deno.test("a '__proto__' key beside real fields does not change them", () => {
  assert.deepEqual(
    parseRequest(
      bytes(
        '{"__proto__":{"fernet":"evil"},"type":"encrypt_fernet","fernet":"F","rsa_public":"P"}',
      ),
    ),
    {
      type: "encrypt_fernet",
      fernet: "F",
      rsaPublic: "P",
      padding: "pkcs1v15",
    },
  );
});

Deno.test("the last of duplicated keys wins, as in JSON.parse", () => {
  assert.deepEqual(
    parseRequest(bytes('{"type":"bogus","type":"ping"}')),
    { type: "ping" },
  );
});

Deno.test("field errors hold no part of the field's value", () => {
  const secret = "SECRET-KEY-MATERIAL";
  for (
    const body of [
      json({ ...ENCRYPT, fernet: secret + "x".repeat(MAX_FIELD_LENGTH) }),
      json({ type: secret }),
      bytes(`{"type":"${secret}`),
    ]
  ) {
    try {
      parseRequest(body);
      assert.fail("accepted");
    } catch (error) {
      assert.ok(error instanceof KeyServiceError);
      assert.ok(!error.message.includes(secret));
    }
  }
});

// --- Replies -------------------------------------------------------------

Deno.test("encodeReply gives the UTF-8 bytes of the JSON object", () => {
  const reply = { fernet: "héllo", nested: { a: [1, 2] } };
  const encoded = encodeReply(reply);
  assert.ok(encoded instanceof Uint8Array);
  assert.equal(
    decoder.decode(encoded),
    '{"fernet":"héllo","nested":{"a":[1,2]}}',
  );
  assert.deepEqual(JSON.parse(decoder.decode(encoded)), reply);
});

Deno.test("encodeReply of the generate_keys shape keeps the contract's keys", () => {
  const reply = { rsa: { public: "A", private: "B" }, fernet: "C" };
  assert.equal(
    decoder.decode(encodeReply(reply)),
    '{"rsa":{"public":"A","private":"B"},"fernet":"C"}',
  );
});

Deno.test("errorReply is exactly {error: message, code: code}", () => {
  const error = new UnknownType();
  assert.deepEqual(errorReply(error), {
    error: "Invalid request type",
    code: "unknown_type",
  });
  assert.deepEqual(Object.keys(errorReply(error)), ["error", "code"]);
  assert.equal(
    decoder.decode(encodeReply(errorReply(error))),
    '{"error":"Invalid request type","code":"unknown_type"}',
  );
});

Deno.test("errorReply carries a field error's message and code", () => {
  const error = new MissingField("rsa_public");
  assert.deepEqual(errorReply(error), {
    error: 'Missing field "rsa_public"',
    code: "missing_field",
  });
});

Deno.test("an error reply is at most MAX_ERROR_REPLY_BYTES: a longer message becomes fixed words, the code kept", () => {
  const long = new InvalidField(
    "rsa_publics[0]",
    `found ${"\u0001".repeat(400)}`,
  );
  const reply = errorReply(long);
  assert.ok(encodeReply(reply).length <= MAX_ERROR_REPLY_BYTES);
  assert.equal(reply.code, "invalid_field");
  assert.ok(!String(reply.error).includes("\u0001"));
  // A short one is as it was.
  const short = new UnknownType();
  assert.deepEqual(errorReply(short), {
    error: short.message,
    code: short.code,
  });
});

Deno.test("MAX_RSA_REPLY_BYTES: 256 entries of a 4096-bit ciphertext's base64 under the longest ks:v<n>: prefix (or an error entry, smaller)", () => {
  const entry = JSON.stringify({
    encrypted_fernet: `ks:v999999999:${"A".repeat(684)}`,
  });
  assert.ok(entry.length >= MAX_ERROR_REPLY_BYTES);
  const largest = `{"results":[${
    Array(MAX_RECIPIENTS).fill(entry).join(",")
  }]}`;
  assert.equal(MAX_RSA_REPLY_BYTES, largest.length);
  assert.equal(MAX_RSA_REPLY_BYTES, 184_845);
});

Deno.test("MAX_AGE_REPLY_BYTES: a real file to 256 hybrid recipients of the longest fernet", async () => {
  const generated = await performAge({
    type: "generate_keys",
    age: true,
    keyType: "mlkem768x25519",
  } as AgeRequest) as { age: { recipient: string } };
  const recipient = generated.age.recipient;
  const reply = await performAge({
    type: "encrypt_fernet_many",
    age: true,
    // 3 UTF-8 bytes for each UTF-16 unit: the most bytes the limit allows.
    fernet: "\u20ac".repeat(MAX_FIELD_LENGTH),
    recipients: Array.from(
      { length: MAX_RECIPIENTS },
      (_, i) => ({ field: `recipients[${i}]`, value: recipient }),
    ),
  });
  assert.equal(encodeReply(reply).length, MAX_AGE_REPLY_BYTES);
  assert.equal(MAX_AGE_REPLY_BYTES, 615_883);
});

Deno.test("MAX_REPLY_BYTES: the largest of every kind of reply", () => {
  assert.equal(
    MAX_REPLY_BYTES,
    Math.max(MAX_AGE_REPLY_BYTES, MAX_RSA_REPLY_BYTES),
  );
});
