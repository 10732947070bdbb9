// The request handler in process: each operation's reply, every error
// reply byte for byte, the in-flight bound, and no key material in errors.

import assert from "node:assert/strict";
import { KeyService } from "../../../lib/service/key_service.ts";
import type { KeyPairSource } from "../../../lib/service/types.ts";
import {
  encryptPkcs1v15,
  generateRsaKeyPair,
  parsePrivateKey,
  parsePublicKey,
  type RsaKeyPairPem,
} from "../../../lib/crypto/mod.ts";
import { CAPABILITIES, MAX_FIELD_LENGTH } from "../../../lib/contract/mod.ts";
import { Overloaded } from "../../../lib/service/errors.ts";
import {
  bigintToBytes,
  bytesToBigint,
  modPow,
  pemIntegers,
} from "../../_helpers/der.ts";
import { FIXED_PAIR, SECOND_PAIR } from "../../_helpers/fixed_key.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Key generation is slow (~150 ms): two pairs for the whole file, plus the
// one the generate_keys test makes.
const pairA: RsaKeyPairPem = FIXED_PAIR;
const pairB: RsaKeyPairPem = SECOND_PAIR;
const publicA = parsePublicKey(pairA.public);
const publicB = parsePublicKey(pairB.public);
const privateA = parsePrivateKey(pairA.private);

/** A source that hands out pairA: no generation in tests that need none. */
const fixedPairs: KeyPairSource = { take: () => Promise.resolve(pairA) };

function frame(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function parse(reply: Uint8Array): Record<string, unknown> {
  const value = JSON.parse(decoder.decode(reply));
  assert.equal(typeof value, "object");
  assert.ok(value !== null && !Array.isArray(value));
  return value;
}

async function handle(
  request: unknown,
  service = new KeyService({ keyPairs: fixedPairs }),
): Promise<{ reply: Record<string, unknown>; code: string; raw: string }> {
  const parts = request instanceof Uint8Array ? [request] : [frame(request)];
  const outcome = await service.handle(parts);
  return {
    reply: parse(outcome.reply),
    code: outcome.code,
    raw: decoder.decode(outcome.reply),
  };
}

/** Asserts the reply is exactly {"error": string, "code": code}. */
function assertErrorReply(
  result: { reply: Record<string, unknown>; code: string },
  code: string,
): void {
  assert.deepEqual(Object.keys(result.reply).sort(), ["code", "error"]);
  assert.equal(typeof result.reply.error, "string");
  assert.notEqual(result.reply.error, "");
  assert.equal(result.reply.code, code, String(result.reply.error));
  assert.equal(result.code, code);
}

const D_A = pemIntegers(pairA.private)![3];

/** Whether c decrypts, under key A, to a well-formed PKCS#1 v1.5 block. */
function wellPaddedUnderA(ciphertext: Uint8Array): boolean {
  const em = bigintToBytes(
    modPow(bytesToBigint(ciphertext), D_A, publicA.n),
    256,
  );
  return em[0] === 0 && em[1] === 2 && em.indexOf(0, 2) >= 10;
}

function decryptRequest(ciphertext: Uint8Array, key = pairA.private) {
  return {
    type: "decrypt_fernet",
    encrypted_fernet: ciphertext.toBase64(),
    rsa_private: key,
  };
}

// --- Successful requests -------------------------------------------------

Deno.test("generate_keys replies {rsa: {public, private}, fernet} with code ok", async () => {
  const service = new KeyService(); // generates on demand
  const outcome = await service.handle([frame({ type: "generate_keys" })]);
  assert.equal(outcome.code, "ok");
  assert.equal(outcome.type, "generate_keys");
  const reply = parse(outcome.reply);
  assert.deepEqual(Object.keys(reply).sort(), ["fernet", "rsa"]);
  const rsa = reply.rsa as Record<string, unknown>;
  assert.deepEqual(Object.keys(rsa).sort(), ["private", "public"]);
  assert.equal(typeof rsa.public, "string");
  assert.equal(typeof rsa.private, "string");
  assert.ok(
    (rsa.public as string).startsWith("-----BEGIN RSA PUBLIC KEY-----\n"),
  );
  assert.ok(
    (rsa.private as string).startsWith("-----BEGIN RSA PRIVATE KEY-----\n"),
  );
  assert.equal(parsePublicKey(rsa.public as string).size, 256);
  assert.equal(
    parsePrivateKey(rsa.private as string).n,
    parsePublicKey(rsa.public as string).n,
  );
  assert.match(reply.fernet as string, /^[A-Za-z0-9_-]{43}=$/);
});

Deno.test("generate_keys hands out the source's pair and a new Fernet key each time", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  const a = await handle({ type: "generate_keys" }, service);
  const b = await handle({ type: "generate_keys" }, service);
  assert.deepEqual(a.reply.rsa, {
    public: pairA.public,
    private: pairA.private,
  });
  assert.notEqual(a.reply.fernet, b.reply.fernet);
});

Deno.test("encrypt_fernet then decrypt_fernet through handle round-trips", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  const keys = await handle({ type: "generate_keys" }, service);
  const fernet = keys.reply.fernet as string;
  const rsa = keys.reply.rsa as { public: string; private: string };
  const encrypted = await handle(
    { type: "encrypt_fernet", fernet, rsa_public: rsa.public },
    service,
  );
  assert.equal(encrypted.code, "ok");
  assert.deepEqual(Object.keys(encrypted.reply), ["encrypted_fernet"]);
  const b64 = encrypted.reply.encrypted_fernet as string;
  assert.match(b64, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(Uint8Array.fromBase64(b64).length, 256);
  const decrypted = await handle(
    { type: "decrypt_fernet", encrypted_fernet: b64, rsa_private: rsa.private },
    service,
  );
  assert.equal(decrypted.code, "ok");
  assert.deepEqual(decrypted.reply, { fernet });
});

Deno.test("encrypt_fernet encrypts the UTF-8 bytes of the string as sent", async () => {
  const fernet = "clé ✓ 😀";
  const { reply } = await handle({
    type: "encrypt_fernet",
    fernet,
    rsa_public: pairA.public,
  });
  const ciphertext = Uint8Array.fromBase64(reply.encrypted_fernet as string);
  const em = bigintToBytes(
    modPow(bytesToBigint(ciphertext), D_A, publicA.n),
    256,
  );
  const message = encoder.encode(fernet);
  assert.deepEqual(em.subarray(256 - message.length), message);
  assert.equal(em[256 - message.length - 1], 0);
});

Deno.test("decrypt_fernet returns a valid UTF-8 plaintext as a string", async () => {
  const text = "héllo ✓ 😀 Zm9v";
  const ciphertext = encryptPkcs1v15(publicA, encoder.encode(text));
  const result = await handle(decryptRequest(ciphertext));
  assert.equal(result.code, "ok");
  assert.deepEqual(result.reply, { fernet: text });
});

Deno.test("decrypt_fernet of an empty plaintext returns an empty string", async () => {
  const ciphertext = encryptPkcs1v15(publicA, new Uint8Array(0));
  assert.deepEqual((await handle(decryptRequest(ciphertext))).reply, {
    fernet: "",
  });
});

Deno.test("ping replies status ok and the version it was given", async () => {
  const service = new KeyService({
    keyPairs: fixedPairs,
    version: "9.8.7",
    pingDetail: "full",
  });
  const result = await handle({ type: "ping" }, service);
  assert.equal(result.code, "ok");
  assert.equal(result.reply.status, "ok");
  assert.equal(result.reply.version, "9.8.7");
  assert.equal(result.reply.in_flight, 0);
});

Deno.test("ping adds the status() fields at detail full", async () => {
  const service = new KeyService({
    status: () => ({ pool: 3 }),
    pingDetail: "full",
  });
  const result = await handle({ type: "ping" }, service);
  assert.equal(result.reply.pool, 3);
  assert.equal(result.reply.status, "ok");
});

Deno.test("by default ping tells only status, version and capabilities", async () => {
  let asked = 0;
  const service = new KeyService({
    version: "9.8.7",
    status: () => ({ pool: 3, rss_bytes: ++asked }),
  });
  const result = await handle({ type: "ping" }, service);
  assert.deepEqual(Object.keys(result.reply), [
    "status",
    "version",
    "capabilities",
  ]);
  assert.equal(asked, 0, "status() is not even read");
});

Deno.test("ping's capabilities are the contract's operations, bits, paddings and formats", async () => {
  const result = await handle({ type: "ping" }, new KeyService());
  assert.deepEqual(
    result.reply.capabilities,
    JSON.parse(JSON.stringify(CAPABILITIES)),
  );
});

Deno.test("handle reports the request type in its outcome", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  assert.equal((await service.handle([frame({ type: "ping" })])).type, "ping");
  assert.equal((await service.handle([frame([])])).type, "invalid");
  assert.equal(
    (await service.handle([frame({ type: "encrypt_fernet" })])).type,
    "invalid", // the request did not parse
  );
});

// --- Error replies: exactly {"error", "code"} -----------------------------

const longFernet = "x".repeat(246); // one byte over 256 - 11

const errorCases: [string, unknown, string][] = [
  ["bytes that are not UTF-8", Uint8Array.of(0x7b, 0xff, 0x7d), "invalid_json"],
  ["bytes that are not JSON", encoder.encode("{type: ping}"), "invalid_json"],
  ["a JSON array", [], "not_an_object"],
  ["JSON null", null, "not_an_object"],
  ["an unknown type", { type: "coffee" }, "unknown_type"],
  ["a missing type", {}, "unknown_type"],
  ["a missing field", { type: "encrypt_fernet", fernet: "F" }, "missing_field"],
  [
    "a non-string field",
    { type: "encrypt_fernet", fernet: 1, rsa_public: pairA.public },
    "invalid_field",
  ],
  [
    "an over-long field",
    {
      type: "encrypt_fernet",
      fernet: "a".repeat(MAX_FIELD_LENGTH + 1),
      rsa_public: pairA.public,
    },
    "invalid_field",
  ],
  [
    "a public key that is not PEM",
    { type: "encrypt_fernet", fernet: "F", rsa_public: "not a key" },
    "invalid_pem",
  ],
  [
    "a private key as rsa_public",
    { type: "encrypt_fernet", fernet: "F", rsa_public: pairA.private },
    "wrong_key_type",
  ],
  [
    "a public key as rsa_private",
    {
      type: "decrypt_fernet",
      encrypted_fernet: "AAAA",
      rsa_private: pairA.public,
    },
    "wrong_key_type",
  ],
  [
    "a plaintext too long for the key",
    { type: "encrypt_fernet", fernet: longFernet, rsa_public: pairA.public },
    "plaintext_too_long",
  ],
  [
    "a ciphertext that is not base64",
    {
      type: "decrypt_fernet",
      encrypted_fernet: "not base64!",
      rsa_private: pairA.private,
    },
    "invalid_ciphertext",
  ],
  [
    "a ciphertext in URL-safe base64",
    {
      type: "decrypt_fernet",
      encrypted_fernet: new Uint8Array(256).fill(0xfb).toBase64({
        alphabet: "base64url",
      }),
      rsa_private: pairA.private,
    },
    "invalid_ciphertext",
  ],
  [
    "a ciphertext with missing padding",
    {
      type: "decrypt_fernet",
      encrypted_fernet: "AAA",
      rsa_private: pairA.private,
    },
    "invalid_ciphertext",
  ],
  [
    "a ciphertext of the wrong length",
    decryptRequest(new Uint8Array(255).fill(1)),
    "invalid_ciphertext",
  ],
  [
    "a ciphertext one byte too long",
    decryptRequest(new Uint8Array(257).fill(1)),
    "invalid_ciphertext",
  ],
  [
    "a ciphertext not below the modulus",
    decryptRequest(new Uint8Array(256).fill(0xff)),
    "invalid_ciphertext",
  ],
];

for (const [what, request, code] of errorCases) {
  Deno.test(`${what} gets exactly {"error", "code": "${code}"}`, async () => {
    assertErrorReply(await handle(request), code);
  });
}

Deno.test("an invalid key gets exactly {error, code: invalid_key}", async () => {
  const small = await generateRsaKeyPair(1024);
  assertErrorReply(
    await handle({
      type: "encrypt_fernet",
      fernet: "F",
      rsa_public: small.public,
    }),
    "invalid_key",
  );
  assertErrorReply(
    await handle(decryptRequest(new Uint8Array(128), small.private)),
    "invalid_key",
  );
});

Deno.test("a key within keyLimits is accepted, the same key outside them is not", async () => {
  const request = {
    type: "encrypt_fernet",
    fernet: "F",
    rsa_public: pairA.public,
  };
  const within = new KeyService({ keyLimits: { maxBits: 2048 } });
  assert.equal((await handle(request, within)).code, "ok");
  const outside = new KeyService({ keyLimits: { maxBits: 2047 } });
  assertErrorReply(await handle(request, outside), "invalid_key");
});

Deno.test("an unknown type gets the seed's message 'Invalid request type'", async () => {
  const { raw } = await handle({ type: "coffee" });
  assert.equal(raw, '{"error":"Invalid request type","code":"unknown_type"}');
});

Deno.test("two frames get multipart_request", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  const outcome = await service.handle([frame({ type: "ping" }), frame({})]);
  assertErrorReply(
    { reply: parse(outcome.reply), code: outcome.code },
    "multipart_request",
  );
});

Deno.test("zero frames get multipart_request", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  const outcome = await service.handle([]);
  assertErrorReply(
    { reply: parse(outcome.reply), code: outcome.code },
    "multipart_request",
  );
});

Deno.test("a request over maxRequestBytes gets request_too_large", async () => {
  const service = new KeyService({ maxRequestBytes: 100 });
  const big = encoder.encode(`{"type":"ping","pad":"${"x".repeat(100)}"}`);
  assertErrorReply(await handle(big, service), "request_too_large");
});

Deno.test("a request of exactly maxRequestBytes is handled", async () => {
  const body = encoder.encode(`{"type":"ping","pad":"${"x".repeat(70)}"}`);
  const service = new KeyService({ maxRequestBytes: body.length });
  assert.equal((await handle(body, service)).code, "ok");
});

Deno.test("the default request limit (64 KiB) rejects a larger request", async () => {
  const big = encoder.encode(
    `{"type":"ping","pad":"${"x".repeat(64 * 1024)}"}`,
  );
  assertErrorReply(await handle(big), "request_too_large");
});

Deno.test("error replies never echo key material from the request", async () => {
  const body = pairA.private.split("\n")[3];
  for (
    const request of [
      {
        type: "decrypt_fernet",
        encrypted_fernet: "!",
        rsa_private: pairA.private,
      },
      { type: "encrypt_fernet", fernet: longFernet, rsa_public: pairA.private },
      { type: pairA.private },
    ]
  ) {
    const { raw } = await handle(request);
    assert.ok(!raw.includes(body), raw);
    assert.ok(!raw.includes("xxxxxxxxxx"), raw);
  }
});

// --- Decryption failures: one reply, whatever the cause -------------------

Deno.test("decryption failures give byte-identical replies whatever the cause", async () => {
  // 1. Random bytes below n that do not decrypt to a well-formed block.
  let random: Uint8Array;
  do {
    random = crypto.getRandomValues(new Uint8Array(256));
  } while (bytesToBigint(random) >= publicA.n || wellPaddedUnderA(random));
  // 2. A ciphertext made with another key (that fits key A's modulus).
  let otherKey: Uint8Array;
  do {
    otherKey = encryptPkcs1v15(publicB, encoder.encode("a fernet key"));
  } while (bytesToBigint(otherKey) >= publicA.n || wellPaddedUnderA(otherKey));
  // 3. A well-formed ciphertext whose plaintext is not UTF-8.
  const notUtf8 = encryptPkcs1v15(publicA, Uint8Array.of(0xff, 0xfe));

  const replies = [];
  for (const ciphertext of [random, otherKey, notUtf8]) {
    const result = await handle(decryptRequest(ciphertext));
    assertErrorReply(result, "decryption_failed");
    replies.push(result.raw);
  }
  assert.equal(replies[0], replies[1]);
  assert.equal(replies[1], replies[2]);
  assert.equal(
    replies[0],
    '{"error":"Decryption failed","code":"decryption_failed"}',
  );
});

Deno.test("a plaintext with a lone surrogate encoded as UTF-8 is decryption_failed", async () => {
  const ciphertext = encryptPkcs1v15(
    publicA,
    Uint8Array.of(0x41, 0xed, 0xa0, 0x80),
  );
  assertErrorReply(
    await handle(decryptRequest(ciphertext)),
    "decryption_failed",
  );
});

Deno.test("a custom decryptor receives the checked ciphertext", async () => {
  const seen: Uint8Array[] = [];
  const service = new KeyService({
    decrypt: (key, ciphertext) => {
      assert.equal(key.n, privateA.n);
      seen.push(ciphertext);
      return Promise.resolve(encoder.encode("from worker"));
    },
  });
  const ciphertext = encryptPkcs1v15(publicA, encoder.encode("x"));
  const result = await handle(decryptRequest(ciphertext), service);
  assert.deepEqual(result.reply, { fernet: "from worker" });
  assert.deepEqual(seen, [ciphertext]);
});

// --- Concurrency and internal errors ----------------------------------------

Deno.test("past maxInflight a request gets overloaded at once", async () => {
  let release: ((pair: RsaKeyPairPem) => void) | undefined;
  const blocked: KeyPairSource = {
    take: () => new Promise((resolve) => release = resolve),
  };
  const service = new KeyService({ maxInflight: 1, keyPairs: blocked });
  const first = service.handle([frame({ type: "generate_keys" })]);
  assert.equal(service.inflight, 1);
  const second = await service.handle([frame({ type: "ping" })]);
  assertErrorReply(
    { reply: parse(second.reply), code: second.code },
    "overloaded",
  );
  assert.equal(service.inflight, 1);
  release!(pairA);
  assert.equal((await first).code, "ok");
  assert.equal(service.inflight, 0);
  // With the slot free again, requests are served.
  assert.equal((await service.handle([frame({ type: "ping" })])).code, "ok");
});

Deno.test("inflight counts down after errors too", async () => {
  const service = new KeyService({ maxInflight: 1 });
  for (let i = 0; i < 3; i++) {
    assert.equal((await service.handle([frame([])])).code, "not_an_object");
  }
  assert.equal(service.inflight, 0);
  assert.equal((await service.handle([frame({ type: "ping" })])).code, "ok");
});

Deno.test("a non-KeyServiceError from the key source gives internal_error and calls onInternalError", async () => {
  const failure = new Error("disk on fire: secret details");
  const seen: unknown[] = [];
  const service = new KeyService({
    keyPairs: { take: () => Promise.reject(failure) },
    onInternalError: (error) => seen.push(error),
  });
  const outcome = await service.handle([frame({ type: "generate_keys" })]);
  assertErrorReply(
    { reply: parse(outcome.reply), code: outcome.code },
    "internal_error",
  );
  assert.equal(outcome.type, "generate_keys");
  assert.equal(
    decoder.decode(outcome.reply),
    '{"error":"Internal error","code":"internal_error"}',
  );
  assert.deepEqual(seen, [failure]);
  assert.equal(service.inflight, 0);
});

Deno.test("a synchronous throw from the key source also gives internal_error", async () => {
  const seen: unknown[] = [];
  const service = new KeyService({
    keyPairs: {
      take: () => {
        throw new TypeError("boom");
      },
    },
    onInternalError: (error) => seen.push(error),
  });
  const outcome = await service.handle([frame({ type: "generate_keys" })]);
  assert.equal(outcome.code, "internal_error");
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof TypeError);
});

Deno.test("a KeyServiceError from the key source is passed through, not internal", async () => {
  const seen: unknown[] = [];
  const service = new KeyService({
    keyPairs: { take: () => Promise.reject(new Overloaded()) },
    onInternalError: (error) => seen.push(error),
  });
  const outcome = await service.handle([frame({ type: "generate_keys" })]);
  assert.equal(outcome.code, "overloaded");
  assert.deepEqual(seen, []);
});

Deno.test("handle never rejects, even for odd frames", async () => {
  const service = new KeyService({ keyPairs: fixedPairs });
  for (
    const parts of [
      [new Uint8Array(0)],
      [Uint8Array.of(0)],
      [encoder.encode("\ufeff{}")],
      [encoder.encode(
        '{"type":"decrypt_fernet","encrypted_fernet":"","rsa_private":""}',
      )],
    ]
  ) {
    const outcome = await service.handle(parts);
    assert.equal(typeof parse(outcome.reply).error, "string");
  }
});
