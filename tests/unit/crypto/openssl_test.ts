// The OpenSSL decryption backend (lib/crypto/openssl.ts) against the
// system's libcrypto 3, checked against node:crypto (`decryptWith`, the other
// backend): loading and refusing libraries, version numbers, the same answer
// as node:crypto for valid and for crafted well-formed ciphertexts of both
// schemes, the one DecryptionError for every failure, MalformedCiphertext for
// what checkCiphertext rejects, larger keys, many calls at once, and the
// bound OpenSslBackend keeps on calls in flight.

import assert from "node:assert/strict";
import { constants, createHash, publicEncrypt } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  CryptoError,
  DecryptionError,
  encryptWith,
  keyFingerprint,
  type Libcrypto,
  LibcryptoUnavailable,
  loadLibcrypto,
  MalformedCiphertext,
  MessageTooLong,
  opensslVersionText,
  type Padding,
  PADDINGS,
  parsePrivateKey,
  parsePublicKey,
  type RsaPrivateKey,
  versionProblem,
} from "../../../lib/crypto/mod.ts";
import { decryptWith } from "../../../lib/crypto/node_decrypt.ts";
import { OpenSslBackend } from "../../../lib/service/decrypt/openssl_backend.ts";
import { InternalError } from "../../../lib/service/errors.ts";
import { npmZeromqCandidates } from "../../../lib/zmq/libzmq.ts";
import {
  FIXED_INTEGERS,
  FIXED_PRIVATE_PEM,
  FIXED_PUBLIC_PEM,
  vectorPair,
} from "../../_helpers/fixed_key.ts";
import { bigintToBytes, bytesToBigint, modPow } from "../../_helpers/der.ts";
import { detectLibcrypto, gate } from "../../_helpers/gate.ts";

/** A test that needs libcrypto: ignored where it is missing. */
function testWithLibcrypto(
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  Deno.test({
    name,
    ignore: LIBCRYPTO.ignore,
    async fn(t) {
      LIBCRYPTO.assertRunnable();
      await fn(t);
    },
  });
}

const encoder = new TextEncoder();

const LIBCRYPTO = gate("OpenSSL backend unit tests", detectLibcrypto());
// Opened only where it loads; the tests are ignored (or fail, when
// required) elsewhere.
const libcrypto = (LIBCRYPTO.ok ? loadLibcrypto() : undefined)!;
const fixedPrivate = parsePrivateKey(FIXED_PRIVATE_PEM);
const fixedPublic = parsePublicKey(FIXED_PUBLIC_PEM);
const K = fixedPrivate.size; // 256

/** A 44-byte message, as long as a Fernet key. */
const FERNET = encoder.encode("Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=");

/** A key pair of `bits`, parsed, from {@linkcode vectorPair}. */
function vectorKeyPair(bits: 2048 | 3072 | 4096) {
  const pair = vectorPair(bits);
  return {
    publicPem: pair.public,
    public: parsePublicKey(pair.public, { maxBits: 4096 }),
    private: parsePrivateKey(pair.private, { maxBits: 4096 }),
  };
}

/** What a decryption came to: the plaintext, or the error's class and message. */
type Outcome =
  | { readonly ok: true; readonly hex: string }
  | { readonly ok: false; readonly error: string; readonly message: string };

function outcomeOf(run: () => Uint8Array): Outcome {
  try {
    return { ok: true, hex: run().toHex() };
  } catch (error) {
    assert.ok(error instanceof CryptoError, `not a CryptoError: ${error}`);
    return { ok: false, error: error.name, message: error.message };
  }
}

async function outcomeOfAsync(
  run: () => Promise<Uint8Array>,
): Promise<Outcome> {
  try {
    return { ok: true, hex: (await run()).toHex() };
  } catch (error) {
    assert.ok(error instanceof CryptoError, `not a CryptoError: ${error}`);
    return { ok: false, error: error.name, message: error.message };
  }
}

/** Asserts that `promise` rejects with the one DecryptionError. */
async function assertDecryptionError(
  promise: Promise<unknown>,
  what: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DecryptionError, `${what}: ${error}`);
    assert.equal(error.code, "decryption_error", what);
    assert.equal(error.message, "Decryption failed", what);
    return true;
  });
}

/**
 * Calls `libcrypto.decrypt` and asserts it fails with MalformedCiphertext,
 * whether it throws at once or rejects.
 */
async function assertMalformed(
  padding: Padding,
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
  what: string,
): Promise<void> {
  let error: unknown;
  try {
    await libcrypto.decrypt(padding, key, ciphertext);
  } catch (caught) {
    error = caught;
  }
  assert.ok(
    error instanceof MalformedCiphertext,
    `${what}: expected MalformedCiphertext, got ${error}`,
  );
  assert.equal(error.code, "malformed_ciphertext", what);
}

// --- Loading -------------------------------------------------------------

testWithLibcrypto(
  "loadLibcrypto() opens the system's libcrypto, OpenSSL 3.x",
  () => {
    assert.equal(typeof libcrypto.path, "string");
    assert.notEqual(libcrypto.path, "");
    assert.match(libcrypto.version, /^3\.\d+\.\d+$/);
    // The same library by its explicit path.
    const explicit = loadLibcrypto(
      "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
    );
    assert.equal(explicit.version, libcrypto.version);
    assert.equal(explicit.path, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
  },
);

function assertUnavailable(path: string): LibcryptoUnavailable {
  let error: unknown;
  try {
    loadLibcrypto(path);
  } catch (caught) {
    error = caught;
  }
  assert.ok(
    error instanceof LibcryptoUnavailable,
    `${path}: expected LibcryptoUnavailable, got ${error}`,
  );
  assert.equal(error.code, "libcrypto_unavailable");
  assert.ok(
    error.message.startsWith("cannot use libcrypto (tried: "),
    error.message,
  );
  assert.ok(
    error.message.includes(path),
    `${path} not named: ${error.message}`,
  );
  assert.ok(
    !error.message.includes("\n"),
    `more than one line: ${error.message}`,
  );
  return error;
}

testWithLibcrypto(
  "loadLibcrypto(path) of a missing file is LibcryptoUnavailable naming the path",
  () => {
    assertUnavailable("/nonexistent/libcrypto.so.3");
  },
);

testWithLibcrypto(
  "loadLibcrypto(path) of a file that is no libcrypto (the deno executable, libzmq) is LibcryptoUnavailable naming the path",
  () => {
    assertUnavailable(Deno.execPath());
    const [libzmq] = npmZeromqCandidates();
    assert.ok(libzmq !== undefined, "npm:zeromq's libzmq not found");
    assertUnavailable(libzmq);
  },
);

testWithLibcrypto(
  "opensslVersionText and versionProblem: 3.x is usable, older is refused",
  () => {
    assert.equal(opensslVersionText(0x30000130n), "3.0.19");
    assert.equal(opensslVersionText(0x30200000n), "3.2.0");
    assert.equal(opensslVersionText(0x30400010n), "3.4.1");
    assert.equal(versionProblem(0x30000000n), undefined);
    assert.equal(versionProblem(0x30000130n), undefined);
    assert.equal(versionProblem(0x30200000n), undefined);
    assert.equal(versionProblem(0x30400010n), undefined);
    // OpenSSL 1.1.1 (1.1.1k, 0x101010bf) is refused, whatever its text.
    assert.match(versionProblem(0x101010bfn) ?? "", /older than 3\.0$/);
    assert.match(versionProblem(0x1000214fn) ?? "", /older than 3\.0$/);
  },
);

// Known bug (reported, not fixed here): OpenSSL 1.x numbers are laid out as
// 0xMNNFFPPS (fix in bits 12-19, the patch *letter* in bits 4-11), not as
// 3.x's 0xMNN00PP0, so 1.1.1k reads as "1.1.11".
testWithLibcrypto("versionProblem(0x101010bf) names OpenSSL 1.1.1", () => {
  assert.equal(
    versionProblem(0x101010bfn),
    "OpenSSL 1.1.1 is older than 3.0",
  );
});

// --- Parity with node:crypto -----------------------------------------------

testWithLibcrypto(
  "valid ciphertexts of both schemes decrypt as node:crypto decrypts them",
  async () => {
    for (const padding of PADDINGS) {
      const maxLength = K - (padding === "oaep-sha256" ? 66 : 11);
      for (const length of [0, 1, 32, 44, maxLength]) {
        const message = crypto.getRandomValues(new Uint8Array(length));
        const ciphertext = encryptWith(padding, fixedPublic, message);
        const got = await libcrypto.decrypt(padding, fixedPrivate, ciphertext);
        assert.deepEqual(got, message, `${padding}, ${length} bytes`);
        assert.deepEqual(
          got,
          decryptWith(padding, fixedPrivate, ciphertext),
          `${padding}, ${length} bytes: node:crypto differs`,
        );
      }
    }
  },
);

/** mulberry32: a small seeded PRNG, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

function nonzeroBytes(next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => 1 + Math.floor(next() * 255));
}

function int(next: () => number, below: number): number {
  return Math.floor(next() * below);
}

const sha256 = (bytes: Uint8Array) =>
  new Uint8Array(createHash("sha256").update(bytes).digest());

function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++) {
    const block = sha256(
      Uint8Array.from([...seed, ...bigintToBytes(BigInt(counter), 4)]),
    );
    out.set(block.subarray(0, Math.min(32, length - at)), at);
    at += 32;
  }
  return out;
}

/** An OAEP-SHA-256 encoded message, with the parts a case may spoil. */
function oaepBlock(
  next: () => number,
  message: Uint8Array,
  options: {
    y?: number;
    lHash?: Uint8Array;
    separator?: number;
    psGarbage?: boolean;
  } = {},
): Uint8Array {
  const hLen = 32;
  const db = new Uint8Array(K - hLen - 1);
  db.set(options.lHash ?? sha256(new Uint8Array()), 0);
  const separatorAt = db.length - message.length - 1;
  if (options.psGarbage && separatorAt > hLen) {
    db[hLen + int(next, separatorAt - hLen)] = 2 + int(next, 254);
  }
  if (options.separator !== -1) db[separatorAt] = options.separator ?? 1;
  db.set(message, separatorAt + 1);
  const seed = randomBytes(next, hLen);
  const dbMask = mgf1(seed, db.length);
  const maskedDb = db.map((b, i) => b ^ dbMask[i]);
  const seedMask = mgf1(maskedDb, hLen);
  const maskedSeed = seed.map((b, i) => b ^ seedMask[i]);
  return Uint8Array.from([options.y ?? 0, ...maskedSeed, ...maskedDb]);
}

/** A PKCS#1 v1.5 type-2 encoded message with a padding string of `psLength`. */
function pkcs1Block(
  next: () => number,
  psLength: number,
  options: { first?: number; second?: number; separator?: boolean } = {},
): Uint8Array {
  const em = new Uint8Array(K);
  em[0] = options.first ?? 0;
  em[1] = options.second ?? 2;
  em.set(nonzeroBytes(next, psLength), 2);
  if (options.separator === false) {
    em.set(nonzeroBytes(next, K - 2 - psLength), 2 + psLength);
  } else {
    em[2 + psLength] = 0;
    em.set(randomBytes(next, K - 3 - psLength), 3 + psLength);
  }
  return em;
}

interface Crafted {
  readonly what: string;
  readonly padding: Padding;
  /** The encoded message; undefined for a random ciphertext. */
  readonly em?: Uint8Array;
  /** Whether the encoding is valid (so decryption must succeed). */
  readonly valid?: boolean;
  /** What a valid encoding holds. */
  readonly plaintext?: Uint8Array;
}

/** The `i`-th crafted case: well-formed (modulus-long, below n) by design. */
function craft(next: () => number, i: number): Crafted {
  const padding: Padding = i % 2 === 0 ? "pkcs1v15" : "oaep-sha256";
  const variant = Math.floor(i / 2) % 9;
  if (padding === "pkcs1v15") {
    const valid = (what: string, psLength: number): Crafted => {
      const em = pkcs1Block(next, psLength);
      return {
        what,
        padding,
        em,
        valid: true,
        plaintext: em.slice(3 + psLength),
      };
    };
    switch (variant) {
      case 0:
        return valid("valid", 8 + int(next, K - 11));
      case 1:
        return {
          what: "padding string shorter than 8",
          padding,
          em: pkcs1Block(next, int(next, 8)),
        };
      case 2:
        return {
          what: "no zero separator",
          padding,
          em: pkcs1Block(next, 8, { separator: false }),
        };
      case 3:
        return {
          what: "block type 1",
          padding,
          em: pkcs1Block(next, 8 + int(next, 100), { second: 1 }),
        };
      case 4:
        return {
          what: "second byte not 2",
          padding,
          em: pkcs1Block(next, 8 + int(next, 100), {
            second: 3 + int(next, 253),
          }),
        };
      case 5:
        return {
          what: "first byte not 0",
          padding,
          em: pkcs1Block(next, 8 + int(next, 100), { first: 1 }),
        };
      case 6:
        return valid("valid, the shortest padding (message k-11)", 8);
      case 7:
        return valid("valid, empty message", K - 3);
      default:
        return { what: "random", padding };
    }
  }
  const message = randomBytes(next, int(next, K - 66 + 1));
  switch (variant) {
    case 0:
      return {
        what: "valid",
        padding,
        em: oaepBlock(next, message),
        valid: true,
        plaintext: message,
      };
    case 1:
      return {
        what: "first byte not 0",
        padding,
        em: oaepBlock(next, message, { y: 1 }),
      };
    case 2: {
      const lHash = sha256(new Uint8Array());
      lHash[int(next, 32)] ^= 1 << int(next, 8);
      return {
        what: "wrong label hash",
        padding,
        em: oaepBlock(next, message, { lHash }),
      };
    }
    case 3:
      return {
        what: "label hash of a non-empty label",
        padding,
        em: oaepBlock(next, message, { lHash: sha256(encoder.encode("x")) }),
      };
    case 4:
      return {
        what: "no 0x01 separator",
        padding,
        em: oaepBlock(next, new Uint8Array(), { separator: -1 }),
      };
    case 5:
      return {
        what: "separator 0x02",
        padding,
        em: oaepBlock(next, message, { separator: 2 }),
      };
    case 6:
      return {
        what: "a non-zero byte in the padding string",
        padding,
        em: oaepBlock(next, message.subarray(0, 100), { psGarbage: true }),
      };
    case 7: {
      const longest = randomBytes(next, K - 66);
      return {
        what: "valid, longest message",
        padding,
        em: oaepBlock(next, longest),
        valid: true,
        plaintext: longest,
      };
    }
    default:
      return { what: "random", padding };
  }
}

/** c = em^e mod n for the fixed key; or a random value below n. */
function ciphertextOf(next: () => number, crafted: Crafted): Uint8Array {
  const { n, e } = FIXED_INTEGERS;
  if (crafted.em === undefined) {
    while (true) {
      const c = randomBytes(next, K);
      if (bytesToBigint(c) < n) return c;
    }
  }
  const m = bytesToBigint(crafted.em);
  assert.ok(m < n, `${crafted.what}: encoded message not below n`);
  return bigintToBytes(modPow(m, e, n), K);
}

testWithLibcrypto(
  "216 seeded crafted and random well-formed ciphertexts: OpenSSL and node:crypto agree on each (success and plaintext, or the one DecryptionError)",
  async () => {
    const next = prng(0x5eed_0009);
    const cases = Array.from({ length: 216 }, (_, i) => {
      const crafted = craft(next, i);
      return {
        ...crafted,
        ciphertext: ciphertextOf(next, crafted),
        seedIndex: i,
      };
    });
    const mismatches: string[] = [];
    const messages = new Set<string>();
    let successes = 0;
    for (const c of cases) {
      const node = outcomeOf(() =>
        decryptWith(c.padding, fixedPrivate, c.ciphertext)
      );
      const openssl = await outcomeOfAsync(() =>
        libcrypto.decrypt(c.padding, fixedPrivate, c.ciphertext)
      );
      const label = `#${c.seedIndex} ${c.padding} ${c.what}`;
      if (JSON.stringify(node) !== JSON.stringify(openssl)) {
        mismatches.push(
          `${label}: node ${JSON.stringify(node).slice(0, 120)}, openssl ${
            JSON.stringify(openssl).slice(0, 120)
          }`,
        );
      }
      if (openssl.ok) {
        successes++;
      } else {
        assert.equal(openssl.error, "DecryptionError", label);
        messages.add(openssl.message);
      }
      if (c.valid === true) {
        assert.ok(openssl.ok, `${label}: ${JSON.stringify(openssl)}`);
        assert.equal(openssl.hex, c.plaintext!.toHex(), label);
      } else if (c.em !== undefined) {
        assert.ok(!openssl.ok, `${label}: an invalid encoding decrypted`);
      }
    }
    assert.deepEqual(
      mismatches,
      [],
      `${mismatches.length} of ${cases.length} differ`,
    );
    assert.deepEqual([...messages], ["Decryption failed"]);
    console.log(`${successes} of ${cases.length} decrypted on both`);
    assert.ok(successes >= 40, `only ${successes} successes`);
    assert.ok(cases.length - successes >= 100, "too few failures");
  },
);

testWithLibcrypto(
  "a ciphertext for another key fails with the one DecryptionError",
  async () => {
    const other = vectorKeyPair(2048);
    const { n, d } = FIXED_INTEGERS;
    for (const padding of PADDINGS) {
      // A ciphertext under the other key, also below the fixed modulus, whose
      // raw decryption with the fixed key is no valid block (checked, so the
      // test cannot pass or fail by chance).
      let ciphertext: Uint8Array;
      while (true) {
        ciphertext = encryptWith(padding, other.public, FERNET);
        const c = bytesToBigint(ciphertext);
        if (c >= n) continue;
        const em = bigintToBytes(modPow(c, d, n), K);
        if (em[0] === 0 && (padding === "oaep-sha256" || em[1] === 2)) continue;
        break;
      }
      assert.deepEqual(
        await libcrypto.decrypt(padding, other.private, ciphertext),
        FERNET,
      );
      await assertDecryptionError(
        libcrypto.decrypt(padding, fixedPrivate, ciphertext),
        `${padding}, wrong key`,
      );
      assert.throws(
        () => decryptWith(padding, fixedPrivate, ciphertext),
        DecryptionError,
      );
    }
  },
);

testWithLibcrypto(
  "OAEP encrypted with a label fails with the one DecryptionError (the service's label is empty)",
  async () => {
    const ciphertext = new Uint8Array(publicEncrypt({
      key: FIXED_PUBLIC_PEM,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: "sha256",
      oaepLabel: Buffer.from("label"),
    }, FERNET));
    await assertDecryptionError(
      libcrypto.decrypt("oaep-sha256", fixedPrivate, ciphertext),
      "OAEP with a label",
    );
  },
);

testWithLibcrypto(
  "PKCS#1 v1.5 read as OAEP and OAEP read as PKCS#1 v1.5 fail with the one DecryptionError",
  async () => {
    const v15 = encryptWith("pkcs1v15", fixedPublic, FERNET);
    await assertDecryptionError(
      libcrypto.decrypt("oaep-sha256", fixedPrivate, v15),
      "v1.5 as OAEP",
    );
    // An OAEP block starts 0x00 and then random bytes: it reads as a valid
    // v1.5 block only if its second byte is 2 and a zero follows late enough.
    // Those rare ones are skipped, so the test is deterministic in outcome.
    let oaep: Uint8Array;
    const { n, d } = FIXED_INTEGERS;
    do {
      oaep = encryptWith("oaep-sha256", fixedPublic, FERNET);
    } while (bigintToBytes(modPow(bytesToBigint(oaep), d, n), K)[1] === 2);
    await assertDecryptionError(
      libcrypto.decrypt("pkcs1v15", fixedPrivate, oaep),
      "OAEP as v1.5",
    );
  },
);

testWithLibcrypto(
  "a ciphertext of the wrong length, or not below the modulus, is MalformedCiphertext",
  async () => {
    const good = encryptWith("pkcs1v15", fixedPublic, FERNET);
    const nBytes = bigintToBytes(FIXED_INTEGERS.n, K);
    for (const padding of PADDINGS) {
      await assertMalformed(
        padding,
        fixedPrivate,
        good.subarray(1),
        "one short",
      );
      await assertMalformed(
        padding,
        fixedPrivate,
        Uint8Array.from([0, ...good]),
        "one long (leading zero)",
      );
      await assertMalformed(padding, fixedPrivate, new Uint8Array(), "empty");
      await assertMalformed(padding, fixedPrivate, nBytes, "equal to n");
      await assertMalformed(
        padding,
        fixedPrivate,
        new Uint8Array(K).fill(0xff),
        "all 0xff",
      );
    }
  },
);

testWithLibcrypto("3072- and 4096-bit keys decrypt both schemes", async () => {
  for (const bits of [3072, 4096] as const) {
    const pair = vectorKeyPair(bits);
    assert.equal(pair.private.size, bits / 8);
    for (const padding of PADDINGS) {
      const ciphertext = encryptWith(padding, pair.public, FERNET);
      assert.deepEqual(
        await libcrypto.decrypt(padding, pair.private, ciphertext),
        FERNET,
        `${bits} bits, ${padding}`,
      );
    }
  }
});

testWithLibcrypto(
  "100 decryptions at once (Promise.all) are all correct",
  async () => {
    const jobs = Array.from({ length: 100 }, (_, i) => {
      const padding: Padding = i % 2 === 0 ? "pkcs1v15" : "oaep-sha256";
      const message = encoder.encode(`message ${i} ${"x".repeat(i % 37)}`);
      return {
        padding,
        message,
        ciphertext: encryptWith(padding, fixedPublic, message),
      };
    });
    const results = await Promise.all(
      jobs.map((job) =>
        libcrypto.decrypt(job.padding, fixedPrivate, job.ciphertext)
      ),
    );
    results.forEach((plaintext, i) =>
      assert.deepEqual(plaintext, jobs[i].message, `job ${i}`)
    );
  },
);

// --- OpenSslBackend ------------------------------------------------------------

/** A stand-in for Libcrypto that holds each call until released, and counts. */
class Gate {
  running = 0;
  maxRunning = 0;
  started = 0;
  readonly #held: (() => void)[] = [];
  readonly #waiters: (() => void)[] = [];

  readonly libcrypto = {
    path: libcrypto.path,
    version: libcrypto.version,
    decrypt: async (
      padding: Padding,
      key: RsaPrivateKey,
      ciphertext: Uint8Array,
    ): Promise<Uint8Array> => {
      this.running++;
      this.started++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      this.#wake();
      try {
        await new Promise<void>((resolve) => this.#held.push(resolve));
        return await libcrypto.decrypt(padding, key, ciphertext);
      } finally {
        this.running--;
      }
    },
  } as unknown as Libcrypto;

  /** Lets the oldest held call go on. */
  releaseOne(): void {
    const release = this.#held.shift();
    assert.ok(release !== undefined, "no call is held");
    release();
  }

  get held(): number {
    return this.#held.length;
  }

  /** Resolves once `count` calls have started in all. */
  async untilStarted(count: number): Promise<void> {
    while (this.started < count) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

testWithLibcrypto(
  "OpenSslBackend: named after the OpenSSL version; with concurrency 2, never more than 2 calls in flight, the rest run in order as turns free",
  async () => {
    const gate = new Gate();
    const backend = new OpenSslBackend(gate.libcrypto, 2);
    assert.equal(backend.name, `openssl-${libcrypto.version}`);
    assert.equal(backend.concurrency, 2);
    assert.equal(new OpenSslBackend(libcrypto, 0).concurrency, 1);

    const messages = Array.from(
      { length: 10 },
      (_, i) => encoder.encode(`fernet-${i}`),
    );
    const results = messages.map((message, i) =>
      backend.decrypt(
        fixedPrivate,
        encryptWith(i % 2 ? "oaep-sha256" : "pkcs1v15", fixedPublic, message),
        i % 2 ? "oaep-sha256" : "pkcs1v15",
      )
    );
    await gate.untilStarted(2);
    assert.equal(gate.running, 2);
    assert.equal(gate.held, 2);
    for (let released = 0; released < 10; released++) {
      gate.releaseOne();
      await results[released];
      const expectedStarted = Math.min(10, released + 3);
      await gate.untilStarted(expectedStarted);
      assert.ok(gate.running <= 2, `${gate.running} running`);
    }
    assert.equal(gate.maxRunning, 2);
    assert.deepEqual(await Promise.all(results), messages);
  },
);

testWithLibcrypto(
  "OpenSslBackend: close() lets the call in hand finish and rejects new ones with InternalError",
  async () => {
    const gate = new Gate();
    const backend = new OpenSslBackend(gate.libcrypto, 2);
    const inHand = backend.decrypt(
      fixedPrivate,
      encryptWith("pkcs1v15", fixedPublic, FERNET),
      "pkcs1v15",
    );
    await gate.untilStarted(1);
    backend.close();
    await assert.rejects(
      backend.decrypt(
        fixedPrivate,
        encryptWith("pkcs1v15", fixedPublic, FERNET),
        "pkcs1v15",
      ),
      InternalError,
    );
    assert.equal(gate.started, 1, "a call after close() reached libcrypto");
    gate.releaseOne();
    assert.deepEqual(await inHand, FERNET);
  },
);

testWithLibcrypto(
  "OpenSslBackend decrypts for real, and maps failures as Libcrypto does",
  async () => {
    const backend = new OpenSslBackend(libcrypto, 2);
    try {
      for (const padding of PADDINGS) {
        const ciphertext = encryptWith(padding, fixedPublic, FERNET);
        assert.deepEqual(
          await backend.decrypt(fixedPrivate, ciphertext, padding),
          FERNET,
        );
      }
      await assertDecryptionError(
        backend.decrypt(
          fixedPrivate,
          encryptWith("pkcs1v15", fixedPublic, FERNET),
          "oaep-sha256",
        ),
        "backend, v1.5 as OAEP",
      );
      await assert.rejects(
        backend.decrypt(fixedPrivate, new Uint8Array(K - 1), "pkcs1v15"),
        MalformedCiphertext,
      );
    } finally {
      backend.close();
    }
  },
);

testWithLibcrypto(
  "a prepared key decrypts many times, at once too, as Libcrypto.decrypt does, and refuses after close",
  async () => {
    const prepared = libcrypto.prepare(fixedPrivate);
    const ciphertexts = Array.from(
      { length: 16 },
      () => encryptWith("pkcs1v15", fixedPublic, FERNET),
    );
    try {
      const plaintexts = await Promise.all(
        ciphertexts.map((c) => prepared.decrypt("pkcs1v15", c)),
      );
      for (const plaintext of plaintexts) assert.deepEqual(plaintext, FERNET);
      const oaep = encryptWith("oaep-sha256", fixedPublic, FERNET);
      assert.deepEqual(await prepared.decrypt("oaep-sha256", oaep), FERNET);
      // A ciphertext of the other scheme fails as the one error.
      await assertDecryptionError(
        prepared.decrypt("oaep-sha256", ciphertexts[0]),
        "PKCS#1 v1.5 ciphertext under OAEP",
      );
    } finally {
      prepared.close();
    }
    await assert.rejects(
      prepared.decrypt("pkcs1v15", ciphertexts[0]),
      /PreparedKey is closed/,
    );
  },
);

testWithLibcrypto(
  "a prepared key's contexts, kept between decryptions, give the right plaintext after failures and under the other padding, on a request thread's libcrypto too",
  async () => {
    for (
      const ssl of [libcrypto, loadLibcrypto(undefined, { onThread: true })]
    ) {
      const prepared = ssl.prepare(fixedPrivate);
      try {
        for (let round = 0; round < 12; round++) {
          const padding = round % 3 === 0 ? "oaep-sha256" : "pkcs1v15";
          const other = padding === "pkcs1v15" ? "oaep-sha256" : "pkcs1v15";
          const message = encoder.encode(`message ${round}`);
          // A failure under the padding first, with the same contexts.
          await assertDecryptionError(
            prepared.decrypt(padding, encryptWith(other, fixedPublic, message)),
            `round ${round}: the other padding's ciphertext`,
          );
          assert.deepEqual(
            await prepared.decrypt(
              padding,
              encryptWith(padding, fixedPublic, message),
            ),
            message,
          );
        }
        // Overlapping decryptions each get a context of their own.
        const many = Array.from({ length: 9 }, (_, i) => {
          const padding = i % 2 === 0 ? "pkcs1v15" : "oaep-sha256";
          const message = encoder.encode(`overlap ${i}`);
          return prepared.decrypt(
            padding,
            encryptWith(padding, fixedPublic, message),
          ).then((plaintext) => assert.deepEqual(plaintext, message));
        });
        await Promise.all(many);
      } finally {
        prepared.close();
      }
    }
  },
);

testWithLibcrypto(
  "Libcrypto.encrypt: what OpenSSL encrypts, node:crypto and OpenSSL decrypt, under both paddings; too long a plaintext is MessageTooLong as encryptWith says",
  async () => {
    for (const padding of ["pkcs1v15", "oaep-sha256"] as const) {
      for (const length of [0, 1, 44, K - (padding === "pkcs1v15" ? 11 : 66)]) {
        const message = new Uint8Array(length).fill(0x41);
        const ciphertext = await libcrypto.encrypt(
          padding,
          fixedPublic,
          message,
        );
        assert.equal(ciphertext.length, K);
        assert.deepEqual(
          decryptWith(padding, fixedPrivate, ciphertext),
          message,
        );
        assert.deepEqual(
          await libcrypto.decrypt(padding, fixedPrivate, ciphertext),
          message,
        );
      }
      const limit = K - (padding === "pkcs1v15" ? 11 : 66);
      const tooLong = new Uint8Array(limit + 1);
      let expected: unknown;
      try {
        encryptWith(padding, fixedPublic, tooLong);
      } catch (error) {
        expected = error;
      }
      await assert.rejects(
        libcrypto.encrypt(padding, fixedPublic, tooLong),
        (error: unknown) => {
          assert.ok(error instanceof MessageTooLong);
          assert.equal(error.message, (expected as Error).message);
          return true;
        },
      );
    }
  },
);

testWithLibcrypto(
  "OpenSslBackend.encrypt: a 4096-bit key in OpenSSL, a 2048-bit one on this thread; both decrypt to the plaintext",
  async () => {
    const backend = new OpenSslBackend(libcrypto, 2);
    try {
      for (const bits of [2048, 4096] as const) {
        const pair = vectorKeyPair(bits);
        for (const padding of PADDINGS) {
          const ciphertext = await backend.encrypt!(
            pair.public,
            FERNET,
            padding,
          );
          assert.equal(ciphertext.length, pair.public.size);
          assert.deepEqual(
            decryptWith(padding, pair.private, ciphertext),
            FERNET,
          );
        }
      }
    } finally {
      backend.close();
    }
  },
);

testWithLibcrypto(
  "Libcrypto.fingerprint is keyFingerprint: SHA-256 of the key's DER, in hex, wherever the DER lies in its buffer",
  () => {
    const expected = createHash("sha256").update(fixedPrivate.der).digest(
      "hex",
    );
    assert.equal(keyFingerprint(fixedPrivate), expected);
    assert.equal(libcrypto.fingerprint(fixedPrivate), expected);
    // The DER as a view into a larger buffer (as a PKCS#8 key's PKCS#1 part is).
    const padded = new Uint8Array(fixedPrivate.der.length + 7);
    padded.set(fixedPrivate.der, 5);
    const view = padded.subarray(5, 5 + fixedPrivate.der.length);
    assert.equal(
      libcrypto.fingerprint({ ...fixedPrivate, der: view }),
      expected,
    );
    const other = vectorKeyPair(3072).private;
    assert.equal(libcrypto.fingerprint(other), keyFingerprint(other));
    assert.notEqual(libcrypto.fingerprint(other), expected);
  },
);
