/**
 * X-Wing (draft-connolly-cfrg-xwing-kem), the MLKEM768-X25519 KEM of
 * draft-ietf-hpke-pq that age's `mlkem768x25519` recipients use: a 32-byte
 * seed expanded with SHAKE256 into an ML-KEM-768 seed (d || z) and an X25519
 * secret; the shared secret is SHA3-256(ss_M || ss_X || ct_X || pk_X ||
 * "\./" "/^\"). ML-KEM, X25519 and SHA3-256 run in WebCrypto; SHAKE256,
 * which WebCrypto lacks, comes from `@noble/hashes`, and its output is wiped
 * once the keys are imported.
 *
 * @example
 * ```ts
 * import { decapsulateXWing, encapsulateXWing, generateXWingSeed, openXWingKey, xwingPublicKey } from "./xwing.ts";
 *
 * const key = await openXWingKey(generateXWingSeed());
 * const { sharedSecret, ciphertext } = await encapsulateXWing(await xwingPublicKey(key));
 * const again = await decapsulateXWing(key, ciphertext);
 * sharedSecret.toHex() === again?.toHex(); // true
 * ```
 * @module
 */

import { shake256 } from "@noble/hashes/sha3";
import {
  type Bytes,
  concat,
  exportX25519Public,
  importX25519Private,
  importX25519Public,
  subtle,
  wipe,
  x25519,
} from "./_subtle.ts";
import { LowOrderShare, WrongKeyLength } from "./errors.ts";
import {
  decapsulate,
  encapsulate,
  encapsulationKeyOf,
  importDecapsulationSeed,
  importEncapsulationKey,
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_KEY_BYTES,
} from "./mlkem.ts";

/** Bytes of an X-Wing decapsulation key (the seed). */
export const XWING_SEED_BYTES = 32;
/** Bytes of an X-Wing encapsulation key: ML-KEM-768's, then X25519's. */
export const XWING_PUBLIC_KEY_BYTES = MLKEM768_PUBLIC_KEY_BYTES + 32;
/** Bytes of an X-Wing ciphertext: ML-KEM-768's, then X25519's. */
export const XWING_CIPHERTEXT_BYTES = MLKEM768_CIPHERTEXT_BYTES + 32;

/** XWingLabel, `5c2e2f2f5e5c`. */
const LABEL = new Uint8Array([0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c]);

/** An opened X-Wing decapsulation key: WebCrypto keys, not extractable. */
export interface XWingKey {
  /** The ML-KEM-768 decapsulation key. */
  readonly mlkem: CryptoKey;
  /** The X25519 private key. */
  readonly x25519: CryptoKey;
  /** The X25519 public key's bytes (pk_X, used by the combiner). */
  readonly x25519Public: Bytes;
}

/**
 * The encapsulation key of an opened key, 1,216 bytes. Not part of opening:
 * decapsulation needs only pk_X, and deriving the ML-KEM half costs time.
 */
export async function xwingPublicKey(key: XWingKey): Promise<Bytes> {
  return concat(await encapsulationKeyOf(key.mlkem), key.x25519Public);
}

/** A new decapsulation key: 32 bytes from the platform CSPRNG. */
export function generateXWingSeed(): Bytes {
  return crypto.getRandomValues(new Uint8Array(XWING_SEED_BYTES));
}

/** expandDecapsulationKey: the seed's keys, imported into WebCrypto. */
export async function openXWingKey(seed: Uint8Array): Promise<XWingKey> {
  if (seed.length !== XWING_SEED_BYTES) {
    throw new WrongKeyLength("X-Wing", seed.length, XWING_SEED_BYTES);
  }
  const expanded = shake256(seed, { dkLen: 96 }) as Bytes;
  try {
    const [mlkem, x] = await Promise.all([
      importDecapsulationSeed(expanded.subarray(0, 64)),
      importX25519Private(expanded.subarray(64, 96)),
    ]);
    const xPublic = await exportX25519Public(await subtle.getPublicKey(x, []));
    return { mlkem, x25519: x, x25519Public: xPublic };
  } finally {
    wipe(expanded);
  }
}

async function combine(
  ssM: Bytes,
  ssX: Bytes,
  ctX: Bytes,
  pkX: Uint8Array,
): Promise<Bytes> {
  const input = concat(ssM, ssX, ctX, pkX, LABEL);
  try {
    return new Uint8Array(await crypto.subtle.digest("SHA3-256", input));
  } finally {
    wipe(input);
    wipe(ssM);
    wipe(ssX);
  }
}

/** An encapsulation key parsed and checked, ready for many encapsulations. */
export interface XWingPublicKey {
  readonly mlkem: CryptoKey;
  readonly x25519: CryptoKey;
  readonly x25519Public: Bytes;
}

/**
 * Imports an encapsulation key, running the FIPS 203 check on its ML-KEM
 * part (`InvalidEncapsulationKey`; `WrongKeyLength` for a wrong size).
 */
export async function importXWingPublicKey(
  publicKey: Bytes,
): Promise<XWingPublicKey> {
  if (publicKey.length !== XWING_PUBLIC_KEY_BYTES) {
    throw new WrongKeyLength(
      "X-Wing",
      publicKey.length,
      XWING_PUBLIC_KEY_BYTES,
    );
  }
  const x25519Public = publicKey.slice(MLKEM768_PUBLIC_KEY_BYTES);
  const [mlkem, x] = await Promise.all([
    importEncapsulationKey(publicKey.slice(0, MLKEM768_PUBLIC_KEY_BYTES)),
    importX25519Public(x25519Public),
  ]);
  return { mlkem, x25519: x, x25519Public };
}

/**
 * Encapsulate: a 32-byte shared secret and its 1,120-byte ciphertext. Throws
 * `InvalidEncapsulationKey` for a key failing the FIPS 203 check, and
 * `LowOrderShare` for a low-order X25519 key (an all-zero secret).
 */
export async function encapsulateXWing(
  key: Bytes | XWingPublicKey,
): Promise<{ sharedSecret: Bytes; ciphertext: Bytes }> {
  const pk = key instanceof Uint8Array ? await importXWingPublicKey(key) : key;
  const ephemeral = await subtle.generateKey({ name: "X25519" }, false, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const [m, ctX, ssX] = await Promise.all([
    encapsulate(pk.mlkem),
    exportX25519Public(ephemeral.publicKey),
    x25519(ephemeral.privateKey, pk.x25519),
  ]);
  if (ssX === undefined) {
    wipe(m.sharedKey);
    throw new LowOrderShare();
  }
  return {
    sharedSecret: await combine(m.sharedKey, ssX, ctX, pk.x25519Public),
    ciphertext: concat(m.ciphertext, ctX),
  };
}

/**
 * Decapsulate: the shared secret of `ciphertext` (undefined when it is not
 * 1,120 bytes). Throws `LowOrderShare` when its X25519 share gives the
 * all-zero secret, which X-Wing users such as age must refuse.
 */
export async function decapsulateXWing(
  key: XWingKey,
  ciphertext: Uint8Array,
): Promise<Bytes | undefined> {
  if (ciphertext.length !== XWING_CIPHERTEXT_BYTES) return undefined;
  const ctM = ciphertext.slice(0, MLKEM768_CIPHERTEXT_BYTES);
  const ctX = ciphertext.slice(MLKEM768_CIPHERTEXT_BYTES);
  const share = await importX25519Public(ctX);
  const [ssM, ssX] = await Promise.all([
    decapsulate(key.mlkem, ctM),
    x25519(key.x25519, share),
  ]);
  if (ssX === undefined) {
    wipe(ssM);
    throw new LowOrderShare();
  }
  return combine(ssM, ssX, ctX, key.x25519Public);
}
