// Fernet keys: 44 characters of URL-safe base64 of 32 random bytes, as
// cryptography's Fernet.generate_key() makes them.

import assert from "node:assert/strict";
import {
  FERNET_KEY_BYTES,
  generateFernetKey,
} from "../../../lib/crypto/fernet.ts";

Deno.test("a Fernet key is 44 characters long", () => {
  assert.equal(generateFernetKey().length, 44);
});

Deno.test("a Fernet key uses the URL-safe alphabet with one '=' of padding", () => {
  for (let i = 0; i < 200; i++) {
    assert.match(generateFernetKey(), /^[A-Za-z0-9_-]{43}=$/);
  }
});

Deno.test("a Fernet key never holds '+' or '/'", () => {
  const keys = Array.from({ length: 200 }, generateFernetKey).join("");
  assert.ok(!keys.includes("+") && !keys.includes("/"));
});

Deno.test("a Fernet key decodes (strict URL-safe base64) to 32 bytes", () => {
  const bytes = Uint8Array.fromBase64(generateFernetKey(), {
    alphabet: "base64url",
    lastChunkHandling: "strict",
  });
  assert.equal(bytes.length, 32);
  assert.equal(bytes.length, FERNET_KEY_BYTES);
});

Deno.test("a Fernet key re-encodes to itself", () => {
  const key = generateFernetKey();
  const bytes = Uint8Array.fromBase64(key, { alphabet: "base64url" });
  assert.equal(bytes.toBase64({ alphabet: "base64url" }), key);
});

Deno.test("Fernet keys differ from one another", () => {
  const keys = new Set(Array.from({ length: 100 }, generateFernetKey));
  assert.equal(keys.size, 100);
});

Deno.test("Fernet key bytes look random: not constant", () => {
  const bytes = Uint8Array.fromBase64(generateFernetKey(), {
    alphabet: "base64url",
  });
  assert.ok(new Set(bytes).size > 8);
});
