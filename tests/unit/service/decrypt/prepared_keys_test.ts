// The opt-in cache of keys prepared in OpenSSL: it decrypts as a fresh key
// does, holds no more keys than its size (the oldest leaves first), and
// drops each key when its lifetime is over, used or not.

import assert from "node:assert/strict";
import {
  encryptWith,
  loadLibcrypto,
  parsePrivateKey,
  parsePublicKey,
} from "../../../../lib/crypto/mod.ts";
import { PreparedKeyCache } from "../../../../lib/service/decrypt/prepared_keys.ts";
import {
  FIXED_PRIVATE_PEM,
  FIXED_PUBLIC_PEM,
  SECOND_PAIR,
} from "../../../_helpers/fixed_key.ts";
import { detectLibcrypto, gate } from "../../../_helpers/gate.ts";
import { waitFor } from "../../../_helpers/wait.ts";

const LIBCRYPTO = gate("prepared-key cache tests", detectLibcrypto());
const libcrypto = (LIBCRYPTO.ok ? loadLibcrypto() : undefined)!;
const message = new TextEncoder().encode("a Fernet key, or as long as one.");

function testWithLibcrypto(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: LIBCRYPTO.ignore,
    async fn() {
      LIBCRYPTO.assertRunnable();
      await fn();
    },
  });
}

const first = {
  private: parsePrivateKey(FIXED_PRIVATE_PEM),
  public: parsePublicKey(FIXED_PUBLIC_PEM),
};
const second = {
  private: parsePrivateKey(SECOND_PAIR.private),
  public: parsePublicKey(SECOND_PAIR.public),
};

testWithLibcrypto(
  "the cache decrypts as a fresh key does, for two keys at once",
  async () => {
    const cache = new PreparedKeyCache(libcrypto, {
      size: 4,
      lifetimeMs: 60_000,
    });
    try {
      for (const pair of [first, second, first, second]) {
        for (const padding of ["pkcs1v15", "oaep-sha256"] as const) {
          const ciphertext = encryptWith(padding, pair.public, message);
          assert.deepEqual(
            await cache.decrypt(pair.private, ciphertext, padding),
            message,
          );
        }
      }
      assert.equal(cache.size, 2);
    } finally {
      cache.close();
    }
    assert.equal(cache.size, 0);
  },
);

testWithLibcrypto(
  "the cache holds at most its size: a new key pushes out the oldest",
  async () => {
    const cache = new PreparedKeyCache(libcrypto, {
      size: 1,
      lifetimeMs: 60_000,
    });
    try {
      for (const pair of [first, second, first]) {
        const ciphertext = encryptWith("pkcs1v15", pair.public, message);
        assert.deepEqual(
          await cache.decrypt(pair.private, ciphertext, "pkcs1v15"),
          message,
        );
        assert.equal(cache.size, 1);
      }
    } finally {
      cache.close();
    }
  },
);

testWithLibcrypto(
  "a prepared key is dropped when its lifetime is over, without another request",
  async () => {
    const cache = new PreparedKeyCache(libcrypto, { size: 4, lifetimeMs: 200 });
    try {
      const ciphertext = encryptWith("pkcs1v15", first.public, message);
      await cache.decrypt(first.private, ciphertext, "pkcs1v15");
      assert.equal(cache.size, 1);
      await waitFor(() => cache.size === 0 ? true : undefined, {
        what: "the prepared key to expire",
      });
      // And it is prepared again on the next use.
      assert.deepEqual(
        await cache.decrypt(first.private, ciphertext, "pkcs1v15"),
        message,
      );
      assert.equal(cache.size, 1);
    } finally {
      cache.close();
    }
  },
);
