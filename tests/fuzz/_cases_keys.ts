// Case families about the key material: mutated PEMs and ciphertexts,
// whole-field variants (with the code each must get), valid requests.

import { mutateCiphertext, mutatePem } from "./_mutators.ts";
import {
  decryptRequest,
  encryptRequest,
  type Generated,
  json,
  manyRequest,
  single,
} from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/**
 * A valid key PEM with 1 to 4 PEM edits: a public key (a, e3, SPKI of a),
 * or a private key (a as PKCS#1, PKCS#8, or sealed with its passphrase).
 */
export function mutatedPem(r: Rng, m: Material): Generated {
  const ops = r.range(1, 4);
  if (r.chance(0.5)) {
    const [name, pem] = r.weighted(
      [
        [["a", m.a.pub], 6],
        [["e3", m.e3.pub], 1],
        [["SPKI of a", m.aSpki], 3],
      ] as const,
    );
    const [mutated, notes] = mutatePem(r, pem, ops);
    const padding = r.chance(0.3) ? { padding: "oaep-sha256" } : {};
    return single(
      `rsa_public of ${name}: ${notes.join(", ")}`,
      json({
        type: "encrypt_fernet",
        fernet: m.fernet,
        rsa_public: mutated,
        ...padding,
      }),
    );
  }
  const [name, pem, extra] = r.weighted(
    [
      [["a", m.a.priv, {}], 6],
      [["PKCS#8 of a", m.aPkcs8, {}], 2],
      [["sealed a", m.aSealed, { passphrase: m.passphrase }], 2],
    ] as const,
  );
  const [mutated, notes] = mutatePem(r, pem, ops);
  return single(
    `rsa_private of ${name}: ${notes.join(", ")}`,
    json({
      type: "decrypt_fernet",
      encrypted_fernet: m.ctA,
      rsa_private: mutated,
      ...extra,
    }),
  );
}

/**
 * A whole-ciphertext variant (with a, its reply must carry the variant's
 * code), or a's ciphertext with base64 edits; sent with key a, or b.
 */
export function mutatedCiphertext(r: Rng, m: Material): Generated {
  let note: string;
  let ct: string;
  let code: string | undefined;
  const oaep = r.chance(0.3);
  if (r.chance(0.45)) {
    const v = r.pick(oaep ? m.oaepCiphertexts : m.ciphertexts);
    [note, ct, code] = [v.note, v.value, v.code];
  } else {
    const [mutated, notes] = mutateCiphertext(r, oaep ? m.ctOaepA : m.ctA);
    [note, ct] = [notes.join(", "), mutated];
  }
  const [name, pem, ofA] = r.weighted(
    [
      [["a", m.a.priv, true], 7],
      [["PKCS#8 of a", m.aPkcs8, true], 2],
      [["b", m.b.priv, false], 1],
    ] as const,
  );
  return single(
    `ciphertext ${note}; key ${name}${oaep ? "; OAEP" : ""}`,
    json({
      type: "decrypt_fernet",
      encrypted_fernet: ct,
      rsa_private: pem,
      ...(oaep ? { padding: "oaep-sha256" } : {}),
    }),
    { code: ofA ? code : undefined },
  );
}

/**
 * A whole-field variant: a public key with the run's Fernet key (or a plain
 * one of 1, 245, 246 or 501 chars), or a private key with its ciphertext.
 * Sent as it is, the reply must carry the variant's code, where it names one.
 */
export function pemVariants(r: Rng, m: Material): Generated {
  if (r.chance(0.5)) {
    const v = r.pick(m.publics);
    const asIs = r.chance(0.8);
    const fernet = asIs ? m.fernet : "x".repeat(r.pick([1, 245, 246, 501]));
    return single(
      `rsa_public ${v.note}; fernet ${fernet.length} chars`,
      json({ type: "encrypt_fernet", fernet, rsa_public: v.value }),
      { code: asIs ? v.code : undefined },
    );
  }
  const v = r.pick(m.privates);
  return single(
    `rsa_private ${v.note}`,
    json({
      type: "decrypt_fernet",
      encrypted_fernet: v.ciphertext ?? m.ctA,
      rsa_private: v.value,
      ...(v.padding === undefined ? {} : { padding: v.padding }),
      ...(v.passphrase === undefined ? {} : { passphrase: v.passphrase }),
    }),
    { code: v.code },
  );
}

/** Valid requests (an error reply fails the run). */
export function valid(r: Rng, m: Material): Generated {
  const kind = r.weighted(
    [
      ["ping", 28],
      ["encrypt", 25],
      ["decrypt", 27],
      ["encrypt random", 10],
      ["decrypt b", 5],
      ["generate", 5],
      ["encrypt oaep", 6],
      ["encrypt spki", 4],
      ["decrypt oaep", 6],
      ["decrypt pkcs8", 4],
      ["decrypt sealed", 5],
      ["many", 5],
      ["generate options", 4],
    ] as const,
  );
  const oaep = { padding: "oaep-sha256" };
  const must = { mustSucceed: true };
  switch (kind) {
    case "ping":
      return single("ping", json({ type: "ping" }), must);
    case "encrypt":
      return single("encrypt the fernet with a", json(encryptRequest(m)), must);
    case "decrypt":
      return single("decrypt a's ciphertext", json(decryptRequest(m)), {
        ...must,
        exactFernet: m.fernet,
      });
    case "encrypt random": {
      const n = r.range(1, 200);
      const fernet = Array.from(
        { length: n },
        () => String.fromCharCode(r.range(32, 126)),
      ).join("");
      return single(
        `encrypt ${n} printable chars with a`,
        json({ ...encryptRequest(m), fernet }),
        must,
      );
    }
    case "decrypt b":
      return single(
        "decrypt b's ciphertext",
        json({
          type: "decrypt_fernet",
          encrypted_fernet: m.ctB,
          rsa_private: m.b.priv,
        }),
        { ...must, exactFernet: m.fernet },
      );
    case "generate":
      return single("generate_keys", json({ type: "generate_keys" }), must);
    case "encrypt oaep":
      return single(
        "encrypt the fernet with a, OAEP",
        json({ ...encryptRequest(m), ...oaep }),
        must,
      );
    case "encrypt spki":
      return single(
        "encrypt the fernet with SPKI of b",
        json({ ...encryptRequest(m), rsa_public: m.bSpki }),
        must,
      );
    case "decrypt oaep":
      return single(
        "decrypt a's OAEP ciphertext",
        json({ ...decryptRequest(m), encrypted_fernet: m.ctOaepA, ...oaep }),
        { ...must, exactFernet: m.fernet },
      );
    case "decrypt pkcs8":
      return single(
        "decrypt b's ciphertext with PKCS#8 of b",
        json({
          ...decryptRequest(m),
          encrypted_fernet: m.ctB,
          rsa_private: m.bPkcs8,
        }),
        { ...must, exactFernet: m.fernet },
      );
    case "decrypt sealed":
      return single(
        "decrypt a's ciphertext with sealed a",
        json({
          ...decryptRequest(m),
          rsa_private: m.aSealed,
          passphrase: m.passphrase,
        }),
        { ...must, exactFernet: m.fernet },
      );
    case "many":
      return single(
        "encrypt_fernet_many for a, SPKI of b, e3",
        json(manyRequest(m)),
        { ...must, entryCodes: ["ok", "ok", "ok"] },
      );
    case "generate options": {
      const bits = r.weighted([[2048, 8], [3072, 1], [4096, 1]] as const);
      const format = r.pick(["pkcs1", "pkcs8", undefined] as const);
      const passphrase = format !== "pkcs1" && r.chance(0.5)
        ? `pp-${m.token(r, 16)}`
        : undefined;
      return single(
        `generate_keys bits ${bits} format ${format} ${
          passphrase ? "with" : "without"
        } a passphrase`,
        json({ type: "generate_keys", bits, format, passphrase }),
        { ...must, passphrases: passphrase ? [passphrase] : [] },
      );
    }
  }
}
