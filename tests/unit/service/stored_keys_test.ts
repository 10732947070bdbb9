// The keystore's versions held prepared in OpenSSL: bounded, the least
// recently used dropped first, each loaded once while held.

import assert from "node:assert/strict";
import {
  encryptWith,
  generateRsaKeyPair,
  loadLibcrypto,
  parsePrivateKey,
  parsePublicKey,
} from "../../../lib/crypto/mod.ts";
import { StoredKeyCache } from "../../../lib/service/decrypt/prepared_keys.ts";
import { detectLibcrypto, gate } from "../../_helpers/gate.ts";
import {
  formatCiphertext,
  parseCiphertext,
} from "../../../lib/service/stored_ciphertext.ts";

const LIBCRYPTO = gate("stored key cache tests", detectLibcrypto());

Deno.test({
  name:
    "StoredKeyCache: at most `size` versions, least recently used out first, each loaded once while held",
  ignore: LIBCRYPTO.ignore,
  fn: async () => {
    const pairs = await Promise.all([1, 2, 3].map(() => generateRsaKeyPair()));
    const loads = new Map<string, number>();
    const cache = new StoredKeyCache(loadLibcrypto(), 2);
    const plaintext = new TextEncoder().encode("fernet");
    const use = async (i: number) => {
      const id = `uid:${i}`;
      const ciphertext = encryptWith(
        "oaep-sha256",
        parsePublicKey(pairs[i].public),
        plaintext,
      );
      const out = await cache.decrypt(
        id,
        () => {
          loads.set(id, (loads.get(id) ?? 0) + 1);
          return Promise.resolve(parsePrivateKey(pairs[i].private));
        },
        ciphertext,
        "oaep-sha256",
      );
      assert.deepEqual(out, plaintext);
    };
    try {
      await use(0);
      await use(1);
      await use(0); // 0 is now the most recently used
      await use(2); // 1 goes
      assert.equal(cache.size, 2);
      await use(0);
      await use(1); // loaded again
      assert.deepEqual(Object.fromEntries(loads), {
        "uid:0": 1,
        "uid:1": 2,
        "uid:2": 1,
      });
    } finally {
      cache.close();
    }
  },
});

Deno.test("stored ciphertexts: ks:v<n>:<base64> both ways; anything else is not one", () => {
  const text = formatCiphertext(3, new Uint8Array([1, 2, 3]));
  assert.equal(text, "ks:v3:AQID");
  assert.deepEqual(parseCiphertext(text), {
    version: 3,
    bytes: new Uint8Array([1, 2, 3]),
  });
  for (
    const bad of [
      "ks:v0:AQID",
      "ks:v3:",
      "ks:3:AQID",
      "vault:v3:AQID",
      "ks:v3:AQI",
      "ks:v01:AQID",
      "AQID",
    ]
  ) {
    assert.equal(parseCiphertext(bad), undefined, bad);
  }
});
