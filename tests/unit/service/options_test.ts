// The v1.1 request options (bits, format, passphrase, padding) and
// encrypt_fernet_many, as parseRequest reads them: defaults when absent,
// each accepted value, and invalid_field / missing_field naming the field
// for anything else (strict JSON types: "2048" is not 2048).

import assert from "node:assert/strict";
import { parseRequest, type Request } from "../../../lib/service/protocol.ts";
import { MAX_FIELD_LENGTH } from "../../../lib/contract/mod.ts";
import {
  InvalidField,
  KeyServiceError,
  MissingField,
} from "../../../lib/service/errors.ts";

const encoder = new TextEncoder();

function parse(value: unknown): Request {
  return parseRequest(encoder.encode(JSON.stringify(value)));
}

function parseText(text: string): Request {
  return parseRequest(encoder.encode(text));
}

/** Asserts parsing `value` throws `code` about `field`; returns the error. */
function assertFieldError(
  value: unknown,
  code: "invalid_field" | "missing_field",
  field: string,
): KeyServiceError {
  let caught: unknown;
  assert.throws(
    () => parse(value),
    (error: unknown) => {
      caught = error;
      assert.ok(error instanceof KeyServiceError, `not a KeyServiceError`);
      assert.equal(
        error.code,
        code,
        `${JSON.stringify(value)}: ${error.message}`,
      );
      assert.ok(
        error instanceof InvalidField || error instanceof MissingField,
      );
      assert.equal(error.field, field, error.message);
      assert.ok(error.message.includes(`"${field}"`), error.message);
      return true;
    },
    JSON.stringify(value)?.slice(0, 200),
  );
  return caught as KeyServiceError;
}

const ENCRYPT = { type: "encrypt_fernet", fernet: "F", rsa_public: "PUB" };
const DECRYPT = {
  type: "decrypt_fernet",
  encrypted_fernet: "CT",
  rsa_private: "PRIV",
};
const MANY = { type: "encrypt_fernet_many", fernet: "F", rsa_publics: ["A"] };

/** JSON values of every type but the one a field wants. */
const NOT_STRINGS = [null, true, false, 0, 1, 2048, [], ["x"], {}, { a: "x" }];

// --- generate_keys: bits -----------------------------------------------------

Deno.test("generate_keys with no options is 2048 bits, pkcs1, no passphrase", () => {
  assert.deepEqual(parse({ type: "generate_keys" }), {
    type: "generate_keys",
    bits: 2048,
    format: "pkcs1",
    passphrase: undefined,
  });
});

Deno.test("generate_keys reads bits 2048, 3072 and 4096", () => {
  for (const bits of [2048, 3072, 4096]) {
    assert.deepEqual(parse({ type: "generate_keys", bits }), {
      type: "generate_keys",
      bits,
      format: "pkcs1",
      passphrase: undefined,
    });
  }
});

Deno.test("bits written 3072.0 or 3.072e3 in the JSON text is the number 3072", () => {
  for (const text of ["3072.0", "3.072e3", "3072E0"]) {
    const request = parseText(`{"type":"generate_keys","bits":${text}}`);
    assert.equal(request.type === "generate_keys" && request.bits, 3072);
  }
});

Deno.test("bits of another size is invalid_field naming bits", () => {
  for (
    const bits of [0, -2048, 1024, 2047, 2049, 2048.5, 3071, 8192, 16384, 1e9]
  ) {
    assertFieldError({ type: "generate_keys", bits }, "invalid_field", "bits");
  }
});

Deno.test("bits as a string, boolean, null, array or object is invalid_field (strict types)", () => {
  for (
    const bits of ["2048", "3072", "4096", "", true, null, [2048], { 2048: 1 }]
  ) {
    const error = assertFieldError(
      { type: "generate_keys", bits },
      "invalid_field",
      "bits",
    );
    assert.ok(error.message.includes("2048"), error.message);
  }
});

Deno.test("bits too large for a double (1e400) is invalid_field", () => {
  assert.throws(
    () => parseText('{"type":"generate_keys","bits":1e400}'),
    (error: unknown) => error instanceof InvalidField && error.field === "bits",
  );
});

// --- generate_keys: format ---------------------------------------------------

Deno.test("generate_keys reads format pkcs1 and pkcs8", () => {
  for (const format of ["pkcs1", "pkcs8"]) {
    const request = parse({ type: "generate_keys", format });
    assert.equal(request.type === "generate_keys" && request.format, format);
  }
});

Deno.test("format other than pkcs1 or pkcs8 is invalid_field naming format", () => {
  for (
    const format of [
      "PKCS8",
      "Pkcs1",
      "pkcs8 ",
      " pkcs1",
      "pkcs12",
      "spki",
      "der",
      "pem",
      "",
      8,
      1,
      null,
      true,
      ["pkcs8"],
      { pkcs8: true },
    ]
  ) {
    assertFieldError(
      { type: "generate_keys", format },
      "invalid_field",
      "format",
    );
  }
});

// --- generate_keys: passphrase -----------------------------------------------

Deno.test("a passphrase alone makes the format pkcs8", () => {
  assert.deepEqual(parse({ type: "generate_keys", passphrase: "pw" }), {
    type: "generate_keys",
    bits: 2048,
    format: "pkcs8",
    passphrase: "pw",
  });
});

Deno.test("a passphrase with format pkcs8 and bits 4096 is read as given", () => {
  assert.deepEqual(
    parse({
      type: "generate_keys",
      bits: 4096,
      format: "pkcs8",
      passphrase: "pässwörd ✓ 鍵",
    }),
    {
      type: "generate_keys",
      bits: 4096,
      format: "pkcs8",
      passphrase: "pässwörd ✓ 鍵",
    },
  );
});

Deno.test("a passphrase with format pkcs1 is invalid_field naming format, without the passphrase", () => {
  const error = assertFieldError(
    { type: "generate_keys", format: "pkcs1", passphrase: "s3cret-pass" },
    "invalid_field",
    "format",
  );
  assert.ok(error.message.includes("pkcs8"), error.message);
  assert.ok(!error.message.includes("s3cret-pass"), error.message);
});

Deno.test("an empty passphrase is invalid_field naming passphrase", () => {
  assertFieldError(
    { type: "generate_keys", passphrase: "" },
    "invalid_field",
    "passphrase",
  );
  assertFieldError(
    { ...DECRYPT, passphrase: "" },
    "invalid_field",
    "passphrase",
  );
});

Deno.test("a passphrase that is not a string is invalid_field naming passphrase", () => {
  for (const passphrase of NOT_STRINGS) {
    assertFieldError(
      { type: "generate_keys", passphrase },
      "invalid_field",
      "passphrase",
    );
    assertFieldError({ ...DECRYPT, passphrase }, "invalid_field", "passphrase");
  }
});

Deno.test("a passphrase of MAX_FIELD_LENGTH is read; one more character is invalid_field", () => {
  const longest = "p".repeat(MAX_FIELD_LENGTH);
  const request = parse({ type: "generate_keys", passphrase: longest });
  assert.equal(request.type === "generate_keys" && request.passphrase, longest);
  assertFieldError(
    { type: "generate_keys", passphrase: longest + "p" },
    "invalid_field",
    "passphrase",
  );
});

Deno.test("a passphrase with a lone surrogate is invalid_field", () => {
  for (const request of [{ type: "generate_keys" }, DECRYPT]) {
    assert.throws(
      () =>
        parseText(
          JSON.stringify(request).slice(0, -1) + ',"passphrase":"ab\\ud800"}',
        ),
      (error: unknown) =>
        error instanceof InvalidField && error.field === "passphrase",
    );
  }
});

Deno.test("passphrase errors hold no part of the passphrase", () => {
  const secret = "Tr0ub4dor&3-horse";
  for (
    const request of [
      { type: "generate_keys", format: "pkcs1", passphrase: secret },
      { type: "generate_keys", passphrase: secret.repeat(1000) },
    ]
  ) {
    try {
      parse(request);
      assert.fail("accepted");
    } catch (error) {
      assert.ok(!(error as Error).message.includes("Tr0ub"));
    }
  }
});

// --- padding -----------------------------------------------------------------

Deno.test("encrypt_fernet, decrypt_fernet and encrypt_fernet_many default padding to pkcs1v15", () => {
  for (const request of [ENCRYPT, DECRYPT, MANY]) {
    const parsed = parse(request) as { padding?: string };
    assert.equal(parsed.padding, "pkcs1v15");
  }
});

Deno.test("encrypt_fernet, decrypt_fernet and encrypt_fernet_many read padding pkcs1v15 and oaep-sha256", () => {
  for (const request of [ENCRYPT, DECRYPT, MANY]) {
    for (const padding of ["pkcs1v15", "oaep-sha256"]) {
      const parsed = parse({ ...request, padding }) as { padding?: string };
      assert.equal(parsed.padding, padding);
    }
  }
});

Deno.test("padding other than pkcs1v15 or oaep-sha256 is invalid_field naming padding", () => {
  const paddings = [
    "oaep",
    "OAEP-SHA256",
    "oaep-sha1",
    "oaep_sha256",
    "oaep-sha256 ",
    "pkcs1",
    "PKCS1v15",
    "none",
    "",
    null,
    0,
    true,
    ["oaep-sha256"],
    { name: "oaep-sha256" },
  ];
  for (const request of [ENCRYPT, DECRYPT, MANY]) {
    for (const padding of paddings) {
      assertFieldError({ ...request, padding }, "invalid_field", "padding");
    }
  }
});

Deno.test("bits, format and padding errors hold no part of the value sent", () => {
  const secret = "Tr0ub4dor&3-horse";
  const requests = [
    { type: "generate_keys", bits: secret },
    { type: "generate_keys", format: secret },
    { type: "generate_keys", format: secret.repeat(1000) },
    { ...ENCRYPT, padding: secret },
    { ...DECRYPT, padding: secret },
    { ...MANY, padding: secret },
  ];
  for (const request of requests) {
    try {
      parse(request);
      assert.fail("accepted");
    } catch (error) {
      assert.ok(error instanceof InvalidField);
      assert.ok(!error.message.includes("Tr0ub"), error.message);
    }
  }
});

// --- decrypt_fernet: passphrase ------------------------------------------------

Deno.test("decrypt_fernet reads a passphrase, and has none by default", () => {
  assert.deepEqual(parse(DECRYPT), {
    type: "decrypt_fernet",
    encryptedFernet: "CT",
    rsaPrivate: "PRIV",
    padding: "pkcs1v15",
    passphrase: undefined,
  });
  assert.deepEqual(
    parse({ ...DECRYPT, padding: "oaep-sha256", passphrase: "pw" }),
    {
      type: "decrypt_fernet",
      encryptedFernet: "CT",
      rsaPrivate: "PRIV",
      padding: "oaep-sha256",
      passphrase: "pw",
    },
  );
});

Deno.test("options a type does not take are ignored, whatever their value", () => {
  assert.deepEqual(
    parse({ ...ENCRYPT, passphrase: 5, bits: "x", format: null }),
    {
      type: "encrypt_fernet",
      fernet: "F",
      rsaPublic: "PUB",
      padding: "pkcs1v15",
    },
  );
  assert.deepEqual(
    parse({ type: "generate_keys", padding: "nonsense" }),
    {
      type: "generate_keys",
      bits: 2048,
      format: "pkcs1",
      passphrase: undefined,
    },
  );
  assert.deepEqual(
    parse({ type: "ping", bits: "x", padding: 1, passphrase: "" }),
    { type: "ping" },
  );
  assert.deepEqual(parse({ ...DECRYPT, bits: [], format: 1 }), parse(DECRYPT));
});

Deno.test("options inherited through __proto__ are not read", () => {
  const request = parseText(
    '{"type":"generate_keys","__proto__":{"bits":4096,"format":"pkcs8","passphrase":"x"}}',
  );
  assert.deepEqual(request, {
    type: "generate_keys",
    bits: 2048,
    format: "pkcs1",
    passphrase: undefined,
  });
});

// --- encrypt_fernet_many -------------------------------------------------------

Deno.test("encrypt_fernet_many reads fernet, rsa_publics in order, and padding", () => {
  assert.deepEqual(
    parse({
      type: "encrypt_fernet_many",
      fernet: "F",
      rsa_publics: ["A", "B", "C", "A"],
      padding: "oaep-sha256",
    }),
    {
      type: "encrypt_fernet_many",
      fernet: "F",
      rsaPublics: ["A", "B", "C", "A"],
      padding: "oaep-sha256",
    },
  );
});

Deno.test("encrypt_fernet_many reads 1 and 256 recipients; 0 and 257 are invalid_field", () => {
  for (const count of [1, 256]) {
    const request = parse({ ...MANY, rsa_publics: Array(count).fill("K") });
    assert.equal(
      request.type === "encrypt_fernet_many" && request.rsaPublics.length,
      count,
    );
  }
  for (const count of [0, 257, 1000]) {
    const error = assertFieldError(
      { ...MANY, rsa_publics: Array(count).fill("K") },
      "invalid_field",
      "rsa_publics",
    );
    assert.ok(error.message.includes("256"), error.message);
  }
});

Deno.test("encrypt_fernet_many without fernet or rsa_publics is missing_field naming it", () => {
  assertFieldError(
    { type: "encrypt_fernet_many", rsa_publics: ["A"] },
    "missing_field",
    "fernet",
  );
  assertFieldError(
    { type: "encrypt_fernet_many", fernet: "F" },
    "missing_field",
    "rsa_publics",
  );
  // The singular field of encrypt_fernet does not stand in for the list.
  assertFieldError(
    { type: "encrypt_fernet_many", fernet: "F", rsa_public: "A" },
    "missing_field",
    "rsa_publics",
  );
});

Deno.test("rsa_publics that is not an array is invalid_field naming rsa_publics", () => {
  for (
    const rsa_publics of ["A", "", null, true, 1, {}, { 0: "A", length: 1 }]
  ) {
    assertFieldError({ ...MANY, rsa_publics }, "invalid_field", "rsa_publics");
  }
});

Deno.test("a recipient that is not a string is invalid_field naming rsa_publics[i]", () => {
  for (const entry of NOT_STRINGS) {
    assertFieldError(
      { ...MANY, rsa_publics: ["A", "B", entry, "D"] },
      "invalid_field",
      "rsa_publics[2]",
    );
  }
});

Deno.test("a recipient over MAX_FIELD_LENGTH or with a lone surrogate is invalid_field naming rsa_publics[i]", () => {
  assertFieldError(
    { ...MANY, rsa_publics: ["A", "k".repeat(MAX_FIELD_LENGTH + 1)] },
    "invalid_field",
    "rsa_publics[1]",
  );
  const request = parse({
    ...MANY,
    rsa_publics: ["k".repeat(MAX_FIELD_LENGTH)],
  });
  assert.equal(request.type, "encrypt_fernet_many");
  assert.throws(
    () =>
      parseText(
        '{"type":"encrypt_fernet_many","fernet":"F","rsa_publics":["A","B","C","x\\udc00"]}',
      ),
    (error: unknown) =>
      error instanceof InvalidField && error.field === "rsa_publics[3]",
  );
});

Deno.test("encrypt_fernet_many with a fernet that is not a string is invalid_field naming fernet", () => {
  for (const fernet of NOT_STRINGS) {
    assertFieldError({ ...MANY, fernet }, "invalid_field", "fernet");
  }
});

Deno.test("the first bad recipient is the one named", () => {
  assertFieldError(
    { ...MANY, rsa_publics: ["A", 1, 2] },
    "invalid_field",
    "rsa_publics[1]",
  );
});
