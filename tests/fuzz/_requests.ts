// What a fuzz case is, and the small builders every case family uses.

import { concat } from "../_helpers/der.ts";
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

/** A valid request to mutate, mostly encrypt and decrypt. */
export function baseRequest(r: Rng, m: Material): [string, Obj] {
  const kind = r.weighted(
    [
      ["encrypt", 44],
      ["decrypt", 44],
      ["ping", 9],
      ["generate", 3],
    ] as const,
  );
  switch (kind) {
    case "encrypt":
      return [kind, encryptRequest(m)];
    case "decrypt":
      return [kind, decryptRequest(m)];
    case "ping":
      return [kind, { type: "ping" }];
    case "generate":
      return [kind, { type: "generate_keys" }];
  }
}

export { json };
