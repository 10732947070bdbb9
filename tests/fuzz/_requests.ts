// What a fuzz case is, and the small builders every case family uses.

import { concat } from "../_helpers/der.ts";
import type { DealerPlan } from "./_cases_limits.ts";
import { encoder, json } from "./_config.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** A request as a case family makes it. */
export interface Generated {
  readonly note: string;
  readonly frames: Uint8Array[];
  /** A valid request with the material: an error reply is a failure. */
  readonly mustSucceed?: boolean;
  /** For a valid decrypt: the exact fernet expected. */
  readonly exactFernet?: string;
  /** The reply's code, where the variant sent names it ("ok": a success). */
  readonly code?: string;
  /** encrypt_fernet_many: each result's code, where known ("ok": a success). */
  readonly entryCodes?: readonly (string | undefined)[];
  /** Age: identities that must open the file a success returns. */
  readonly ageOpeners?: readonly string[];
  /** Age: the file and identity of a decrypt_fernet (see _cases_age.ts). */
  readonly ageDecrypt?: { readonly armored: string; readonly identity: string };
  /** Passphrases the request carries (for the leak detector). */
  readonly passphrases?: readonly string[];
  /**
   * Sent by a DEALER of its own (`frames` whole, envelope included) instead
   * of a REQ client; see _cases_limits.ts.
   */
  readonly dealer?: DealerPlan;
}

/** A JSON object as a map of fields. */
export type Obj = Record<string, unknown>;

/** A one-frame case. */
export const single = (
  note: string,
  body: Uint8Array | string,
  extra: Partial<Generated> = {},
): Generated => ({
  note,
  frames: [typeof body === "string" ? encoder.encode(body) : body],
  ...extra,
});

/** A JSON object written from entries, so that keys may repeat or be `__proto__`. */
export function objectText(
  entries: readonly (readonly [string, string])[],
): string {
  return "{" + entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",") +
    "}";
}

/** The entries of `obj` with each value as JSON text. */
export function entriesOf(obj: Obj): [string, string][] {
  return Object.entries(obj).map(([k, v]) => [k, JSON.stringify(v)]);
}

/** `text` with `marker` replaced by raw bytes. */
export function splice(
  text: string,
  marker: string,
  raw: Uint8Array,
): Uint8Array {
  const at = text.indexOf(marker);
  return concat(
    encoder.encode(text.slice(0, at)),
    raw,
    encoder.encode(text.slice(at + marker.length)),
  );
}

/** A valid encrypt_fernet: the run's Fernet key under key a. */
export function encryptRequest(m: Material): Obj {
  return { type: "encrypt_fernet", fernet: m.fernet, rsa_public: m.a.pub };
}

/** A valid decrypt_fernet: the Fernet key's ciphertext under a, with a. */
export function decryptRequest(m: Material): Obj {
  return {
    type: "decrypt_fernet",
    encrypted_fernet: m.ctA,
    rsa_private: m.a.priv,
  };
}

/** A valid encrypt_fernet_many: the Fernet key for a (PKCS#1), b (SPKI) and e3. */
export function manyRequest(m: Material): Obj {
  return {
    type: "encrypt_fernet_many",
    fernet: m.fernet,
    rsa_publics: [m.a.pub, m.bSpki, m.e3.pub],
  };
}

/** A valid request to mutate, mostly encrypt and decrypt. */
export function baseRequest(r: Rng, m: Material): [string, Obj] {
  const kind = r.weighted(
    [
      ["encrypt", 34],
      ["decrypt", 34],
      ["ping", 9],
      ["generate", 3],
      ["encrypt oaep spki", 6],
      ["decrypt oaep pkcs8", 5],
      ["decrypt sealed", 5],
      ["many", 6],
      ["generate pkcs8", 1],
      ["generate sealed", 0.3],
    ] as const,
  );
  const oaep = { padding: "oaep-sha256" };
  switch (kind) {
    case "encrypt":
      return [kind, encryptRequest(m)];
    case "decrypt":
      return [kind, decryptRequest(m)];
    case "ping":
      return [kind, { type: "ping" }];
    case "generate":
      return [kind, { type: "generate_keys" }];
    case "encrypt oaep spki":
      return [kind, { ...encryptRequest(m), rsa_public: m.aSpki, ...oaep }];
    case "decrypt oaep pkcs8":
      return [kind, {
        ...decryptRequest(m),
        encrypted_fernet: m.ctOaepA,
        rsa_private: m.aPkcs8,
        ...oaep,
      }];
    case "decrypt sealed":
      return [kind, {
        ...decryptRequest(m),
        rsa_private: m.aSealed,
        passphrase: m.passphrase,
      }];
    case "many":
      return [kind, manyRequest(m)];
    case "generate pkcs8":
      return [kind, { type: "generate_keys", format: "pkcs8", bits: 2048 }];
    case "generate sealed":
      return [kind, {
        type: "generate_keys",
        format: "pkcs8",
        passphrase: m.passphrase,
      }];
  }
}

export { json };
