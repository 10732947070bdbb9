/**
 * ML-KEM-768 (FIPS 203) in WebCrypto, and the input check FIPS 203 section
 * 7.2 requires of an encapsulation key before it is used: decoding its
 * 12-bit coefficients and encoding them again gives the same bytes, that is,
 * every coefficient is below q = 3329. WebCrypto's encapsulation refuses
 * such a key too; checking first says why, with its own error.
 *
 * @example
 * ```ts
 * import { checkEncapsulationKey, MLKEM768_PUBLIC_KEY_BYTES } from "./mlkem.ts";
 *
 * checkEncapsulationKey(new Uint8Array(MLKEM768_PUBLIC_KEY_BYTES)); // all-zero coefficients pass
 * ```
 * @module
 */

import { InvalidEncapsulationKey, WrongKeyLength } from "./errors.ts";
import { type Bytes, subtle } from "./_subtle.ts";

/** Bytes of an ML-KEM-768 encapsulation key. */
export const MLKEM768_PUBLIC_KEY_BYTES = 1184;
/** Bytes of an ML-KEM-768 ciphertext. */
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
/** Bytes of an ML-KEM seed (d || z), what WebCrypto imports as `raw-seed`. */
export const MLKEM_SEED_BYTES = 64;

const ALGORITHM = { name: "ML-KEM-768" };
const Q = 3329;
/** The polynomial part of the key: k = 3 polynomials of 384 bytes. */
const T_BYTES = 3 * 384;

/**
 * Throws `InvalidEncapsulationKey` unless every 12-bit coefficient of the
 * key's polynomial part is below q (FIPS 203, 7.2, the "modulus check"), and
 * `WrongKeyLength` for a key that is not 1,184 bytes.
 */
export function checkEncapsulationKey(key: Uint8Array): void {
  if (key.length !== MLKEM768_PUBLIC_KEY_BYTES) {
    throw new WrongKeyLength(
      "ML-KEM-768",
      key.length,
      MLKEM768_PUBLIC_KEY_BYTES,
    );
  }
  let bad = 0;
  for (let i = 0; i < T_BYTES; i += 3) {
    const a = key[i] | ((key[i + 1] & 0x0f) << 8);
    const b = (key[i + 1] >> 4) | (key[i + 2] << 4);
    bad |= (a >= Q ? 1 : 0) | (b >= Q ? 1 : 0);
  }
  if (bad !== 0) throw new InvalidEncapsulationKey();
}

/** An encapsulation key in WebCrypto, after {@linkcode checkEncapsulationKey}. */
export function importEncapsulationKey(key: Bytes): Promise<CryptoKey> {
  checkEncapsulationKey(key);
  return subtle.importKey("raw-public", key, ALGORITHM, true, [
    "encapsulateBits",
  ]);
}

/** A decapsulation key from its 64-byte seed (d || z), not extractable. */
export function importDecapsulationSeed(seed: Bytes): Promise<CryptoKey> {
  return subtle.importKey("raw-seed", seed, ALGORITHM, false, [
    "decapsulateBits",
  ]);
}

/** The encapsulation key's bytes for a decapsulation key. */
export async function encapsulationKeyOf(
  decapsulationKey: CryptoKey,
): Promise<Bytes> {
  const publicKey = await subtle.getPublicKey(decapsulationKey, [
    "encapsulateBits",
  ]);
  return new Uint8Array(await subtle.exportKey("raw-public", publicKey));
}

/** A shared secret and its ciphertext for `key`. */
export async function encapsulate(
  key: CryptoKey,
): Promise<{ sharedKey: Bytes; ciphertext: Bytes }> {
  const { sharedKey, ciphertext } = await subtle.encapsulateBits(
    ALGORITHM,
    key,
  );
  return {
    sharedKey: new Uint8Array(sharedKey),
    ciphertext: new Uint8Array(ciphertext),
  };
}

/**
 * The shared secret of `ciphertext` (an implicit-rejection value when it was
 * not made for this key, as FIPS 203 specifies).
 */
export async function decapsulate(
  key: CryptoKey,
  ciphertext: Bytes,
): Promise<Bytes> {
  return new Uint8Array(
    await subtle.decapsulateBits(ALGORITHM, key, ciphertext),
  );
}
