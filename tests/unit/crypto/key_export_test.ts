// exportKeyPair: a PKCS#1 pair written as PKCS#1 (as is), as SPKI + PKCS#8,
// or as SPKI + passphrase-protected PKCS#8 (PBES2).

import assert from "node:assert/strict";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import {
  CryptoError,
  exportKeyPair,
  openPrivateKey,
  parsePrivateKey,
  parsePublicKey,
  type RsaKeyPairPem,
} from "../../../lib/crypto/mod.ts";
import { bytesToBigint, pemBody } from "../../_helpers/der.ts";

function exported(key: KeyObject, type: string, format: "pem" | "der") {
  return key.export({ type, format } as never);
}

// One key for the file, from node:crypto, as the PKCS#1 PEM pair the key
// pool hands out.
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PAIR: RsaKeyPairPem = {
  public: exported(rsa.publicKey, "pkcs1", "pem") as string,
  private: exported(rsa.privateKey, "pkcs1", "pem") as string,
};
const NODE_SPKI = new Uint8Array(exported(rsa.publicKey, "spki", "der"));
const NODE_PKCS8 = new Uint8Array(exported(rsa.privateKey, "pkcs8", "der"));
const PUBLIC = parsePublicKey(PAIR.public);
const PRIVATE = parsePrivateKey(PAIR.private);
const PASS = "correct horse battery staple";

/** What is wrong with a PEM's layout: 64 columns, LF, one final LF. */
function layoutProblems(text: string, label: string): string[] {
  const problems: string[] = [];
  if (text.includes("\r")) problems.push("has CR");
  if (!text.endsWith("\n") || text.endsWith("\n\n")) {
    problems.push("not one final LF");
  }
  const lines = text.split("\n").slice(0, -1);
  if (lines[0] !== `-----BEGIN ${label}-----`) problems.push("BEGIN line");
  if (lines.at(-1) !== `-----END ${label}-----`) problems.push("END line");
  const body = lines.slice(1, -1);
  body.forEach((line, i) => {
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) problems.push(`line ${i} alphabet`);
    const last = i === body.length - 1;
    if (!last && line.length !== 64) problems.push(`line ${i} not 64`);
    if (last && (line.length === 0 || line.length > 64)) {
      problems.push("last line length");
    }
  });
  return problems;
}

/** The PBKDF2 iteration count of an EncryptedPrivateKeyInfo (PBES2). */
function iterationsOf(der: Uint8Array): bigint {
  // SEQUENCE { SEQUENCE { OID pbes2, SEQUENCE { SEQUENCE { OID pbkdf2,
  //   SEQUENCE { OCTET STRING salt, INTEGER iterations, ...
  let at = 0;
  const enter = () => {
    at += der[at + 1] & 0x80 ? 2 + (der[at + 1] & 0x7f) : 2;
  };
  const skip = () => {
    const start = at;
    enter();
    const long = der[start + 1] & 0x80;
    let length = der[start + 1];
    if (long) {
      length = 0;
      for (let i = 0; i < (der[start + 1] & 0x7f); i++) {
        length = length * 256 + der[start + 2 + i];
      }
    }
    at += length;
  };
  enter(); // EncryptedPrivateKeyInfo
  enter(); // AlgorithmIdentifier
  skip(); // OID pbes2
  enter(); // PBES2-params
  enter(); // keyDerivationFunc
  skip(); // OID pbkdf2
  enter(); // PBKDF2-params
  skip(); // salt
  assert.equal(der[at], 0x02);
  return bytesToBigint(der.subarray(at + 2, at + 2 + der[at + 1]));
}

function assertCodeAsync(promise: Promise<unknown>, code: string) {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CryptoError, `not a CryptoError: ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

Deno.test("format pkcs1 without a passphrase gives the pair back unchanged", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs1" });
  assert.equal(out.public, PAIR.public);
  assert.equal(out.private, PAIR.private);
});

Deno.test("format pkcs8 writes PUBLIC KEY and PRIVATE KEY PEMs, 64 columns, LF, one final LF", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs8" });
  assert.deepEqual(layoutProblems(out.public, "PUBLIC KEY"), []);
  assert.deepEqual(layoutProblems(out.private, "PRIVATE KEY"), []);
});

Deno.test("format pkcs8 bodies are byte-identical to node:crypto's spki and pkcs8 DER", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs8" });
  assert.equal(pemBody(out.public)!.toHex(), NODE_SPKI.toHex());
  assert.equal(pemBody(out.private)!.toHex(), NODE_PKCS8.toHex());
});

Deno.test("format pkcs8 PEMs are exactly node:crypto's PEM export", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs8" });
  assert.equal(out.public, exported(rsa.publicKey, "spki", "pem"));
  assert.equal(out.private, exported(rsa.privateKey, "pkcs8", "pem"));
});

Deno.test("format pkcs8 PEMs parse back to the same key", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs8" });
  assert.deepEqual(parsePublicKey(out.public), PUBLIC);
  assert.deepEqual(parsePrivateKey(out.private), PRIVATE);
});

Deno.test("a passphrase writes PUBLIC KEY and ENCRYPTED PRIVATE KEY PEMs in the same layout", async () => {
  const out = await exportKeyPair(PAIR, {
    format: "pkcs8",
    passphrase: PASS,
    iterations: 1000,
  });
  assert.deepEqual(layoutProblems(out.public, "PUBLIC KEY"), []);
  assert.deepEqual(layoutProblems(out.private, "ENCRYPTED PRIVATE KEY"), []);
  assert.equal(
    out.public,
    (await exportKeyPair(PAIR, { format: "pkcs8" })).public,
  );
});

Deno.test("a passphrase-protected private key opens with the passphrase to the same key", async () => {
  const out = await exportKeyPair(PAIR, {
    format: "pkcs8",
    passphrase: PASS,
    iterations: 1000,
  });
  const key = await openPrivateKey(out.private, PASS);
  assert.deepEqual(key, PRIVATE);
});

Deno.test("a passphrase-protected private key is passphrase_required to parsePrivateKey, wrong_passphrase to a wrong one", async () => {
  const out = await exportKeyPair(PAIR, {
    format: "pkcs8",
    passphrase: PASS,
    iterations: 1000,
  });
  assert.throws(
    () => parsePrivateKey(out.private),
    (error: unknown) =>
      error instanceof CryptoError && error.code === "passphrase_required",
  );
  await assertCodeAsync(
    openPrivateKey(out.private, "wrong"),
    "wrong_passphrase",
  );
});

Deno.test("node:crypto opens a passphrase-protected private key to the same key", async () => {
  const out = await exportKeyPair(PAIR, {
    format: "pkcs8",
    passphrase: PASS,
    iterations: 1000,
  });
  const key = createPrivateKey({
    key: out.private,
    format: "pem",
    passphrase: PASS,
  });
  assert.equal(
    new Uint8Array(key.export({ type: "pkcs8", format: "der" })).toHex(),
    NODE_PKCS8.toHex(),
  );
  assert.deepEqual(
    createPublicKey(out.public).export({ format: "jwk" }),
    rsa.publicKey.export({ format: "jwk" }),
  );
});

Deno.test("a passphrase with format pkcs1 still writes an encrypted PKCS#8 (a passphrase implies pkcs8)", async () => {
  const out = await exportKeyPair(PAIR, {
    format: "pkcs1",
    passphrase: PASS,
    iterations: 1000,
  });
  assert.ok(out.public.startsWith("-----BEGIN PUBLIC KEY-----\n"));
  assert.ok(out.private.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
  assert.deepEqual(await openPrivateKey(out.private, PASS), PRIVATE);
});

Deno.test("the iteration count written is the one given", async () => {
  for (const iterations of [1000, 1234, 100_000]) {
    const out = await exportKeyPair(PAIR, {
      format: "pkcs8",
      passphrase: PASS,
      iterations,
    });
    assert.equal(iterationsOf(pemBody(out.private)!), BigInt(iterations));
  }
});

Deno.test("without an iteration count, 600,000 are written", async () => {
  const out = await exportKeyPair(PAIR, { format: "pkcs8", passphrase: PASS });
  assert.equal(iterationsOf(pemBody(out.private)!), 600_000n);
});

Deno.test("a pair not in PKCS#1 PEM is refused with unexpected_key_type", async () => {
  const pkcs8 = await exportKeyPair(PAIR, { format: "pkcs8" });
  await assertCodeAsync(
    exportKeyPair(pkcs8, { format: "pkcs8" }),
    "unexpected_key_type",
  );
});
