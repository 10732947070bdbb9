// Issue 16, finding 4: every DER element is read up to what its structure
// needs. An identifier longer than any known is refused unread, and
// compared as bytes, never decoded; an integer longer than the largest
// modulus is left undecoded; a salt or encrypted data past any real key's
// is refused. Each such key gets its error, in fixed words.

import assert from "node:assert/strict";
import {
  decodeIntegerSequence,
  MAX_OID_BYTES,
  objectId,
  parseDer,
  readInteger,
  readObjectId,
  sameObjectId,
  TOO_LONG,
} from "../../../lib/crypto/_der.ts";
import { CryptoError, parsePublicKey } from "../../../lib/crypto/mod.ts";
import { checkSealedKey } from "../../../lib/crypto/rsa_keys.ts";
import {
  longInteger,
  longOid,
  oversizedKeys,
} from "../../_helpers/oversized_der.ts";

const CODES: Record<string, string> = {
  invalid_pem: "malformed_key",
  invalid_key: "unusable_key",
};

Deno.test("an OBJECT IDENTIFIER is read up to MAX_OID_BYTES and compared as bytes", () => {
  const rsa = objectId("1.2.840.113549.1.1.1");
  const read = readObjectId(rsa);
  assert.ok(read !== null && sameObjectId(read, "1.2.840.113549.1.1.1"));
  assert.ok(!sameObjectId(read, "1.2.840.113549.1.1.10"));
  assert.notEqual(readObjectId(parseDer(longOid(MAX_OID_BYTES))!), null);
  assert.equal(readObjectId(parseDer(longOid(MAX_OID_BYTES + 1))!), null);
  assert.equal(readObjectId(parseDer(longOid(12_000))!), null);
});

Deno.test("an INTEGER longer than asked is TOO_LONG, undecoded; a sequence longer than asked is refused", () => {
  const node = parseDer(longInteger(600))!;
  assert.equal(readInteger(node, 513), TOO_LONG);
  assert.notEqual(readInteger(node), TOO_LONG);
  const three = Uint8Array.fromHex("3009020103020103020103");
  assert.deepEqual(decodeIntegerSequence(three), [3n, 3n, 3n]);
  assert.equal(decodeIntegerSequence(three, { maxItems: 2 }), null);
  assert.deepEqual(decodeIntegerSequence(three, { maxBytes: 0 }), [
    TOO_LONG,
    TOO_LONG,
    TOO_LONG,
  ]);
});

for (const key of oversizedKeys()) {
  Deno.test(`oversized DER: ${key.note} is refused (${key.code}) without its value in the message`, () => {
    const read = key.field === "rsa_public"
      ? () => parsePublicKey(key.pem)
      : () => checkSealedKey(key.pem);
    assert.throws(read, (error: unknown) => {
      assert.ok(error instanceof CryptoError, String(error));
      assert.equal(error.code, CODES[key.code], error.message);
      assert.ok(!error.message.includes(key.marker), error.message);
      return true;
    });
  });
}
