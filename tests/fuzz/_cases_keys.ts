// Case families about the key material: mutated PEMs and ciphertexts,
// whole-field variants (with the code each must get), valid requests.

import { mutateCiphertext, mutatePem } from "./_mutators.ts";
import {
  decryptRequest,
  encryptRequest,
  type Generated,
  json,
  single,
} from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** A valid key PEM (a, or the e=3 key) with 1 to 4 PEM edits. */
export function mutatedPem(r: Rng, m: Material): Generated {
  const ops = r.range(1, 4);
  if (r.chance(0.5)) {
    const base = r.chance(0.85) ? m.a : m.e3;
    const [pem, notes] = mutatePem(r, base.pub, ops);
    return single(
      `rsa_public of ${base.name}: ${notes.join(", ")}`,
      json({ type: "encrypt_fernet", fernet: m.fernet, rsa_public: pem }),
    );
  }
  const [pem, notes] = mutatePem(r, m.a.priv, ops);
  return single(
    `rsa_private of a: ${notes.join(", ")}`,
    json({ type: "decrypt_fernet", encrypted_fernet: m.ctA, rsa_private: pem }),
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
  if (r.chance(0.45)) {
    const v = r.pick(m.ciphertexts);
    [note, ct, code] = [v.note, v.value, v.code];
  } else {
    const [mutated, notes] = mutateCiphertext(r, m.ctA);
    [note, ct] = [notes.join(", "), mutated];
  }
  const key = r.chance(0.9) ? m.a : m.b;
  return single(
    `ciphertext ${note}; key ${key.name}`,
    json({
      type: "decrypt_fernet",
      encrypted_fernet: ct,
      rsa_private: key.priv,
    }),
    { code: key === m.a ? code : undefined },
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
    ] as const,
  );
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
  }
}
