/**
 * WebCrypto's newer methods (ML-KEM's `encapsulateBits`/`decapsulateBits`,
 * `getPublicKey`), which Deno implements but its type declarations do not yet
 * list, behind one typed view of `crypto.subtle`; and the byte helpers the
 * age modules share.
 *
 * @module
 */

/** A byte array WebCrypto accepts as a `BufferSource`. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** What `encapsulateBits` resolves to. */
export interface Encapsulation {
  readonly sharedKey: ArrayBuffer;
  readonly ciphertext: ArrayBuffer;
}

interface ModernSubtle {
  generateKey(
    algorithm: { name: string },
    extractable: boolean,
    usages: string[],
  ): Promise<CryptoKeyPair | CryptoKey>;
  importKey(
    format: string,
    data: BufferSource,
    algorithm: { name: string; hash?: string },
    extractable: boolean,
    usages: string[],
  ): Promise<CryptoKey>;
  exportKey(format: string, key: CryptoKey): Promise<ArrayBuffer>;
  encapsulateBits(
    algorithm: { name: string },
    key: CryptoKey,
  ): Promise<Encapsulation>;
  decapsulateBits(
    algorithm: { name: string },
    key: CryptoKey,
    ciphertext: BufferSource,
  ): Promise<ArrayBuffer>;
  getPublicKey(key: CryptoKey, usages: string[]): Promise<CryptoKey>;
}

/** `crypto.subtle`, with the methods Deno has and its types lack. */
export const subtle = crypto.subtle as unknown as ModernSubtle & SubtleCrypto;

/** The concatenation of `parts`. */
export function concat(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Whether `bytes` are all zero (in time independent of where). */
export function allZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const byte of bytes) acc |= byte;
  return acc === 0;
}

/** Overwrites `bytes` with zeros. */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

/** `ikm` as a WebCrypto HKDF key. */
export function hkdfKey(ikm: Bytes): Promise<CryptoKey> {
  return subtle.importKey("raw", ikm, { name: "HKDF" }, false, [
    "deriveKey",
    "deriveBits",
  ]);
}

/**
 * HKDF-SHA-256 of `ikm` (an HKDF key) straight into a WebCrypto key: a
 * ChaCha20-Poly1305 key, or an HMAC-SHA-256 key (32 bytes either way), so
 * that the derived secret never leaves WebCrypto.
 */
export function hkdfDeriveKey(
  ikm: CryptoKey,
  salt: Bytes,
  info: Bytes,
  kind: "ChaCha20-Poly1305" | "HMAC",
): Promise<CryptoKey> {
  const algorithm = kind === "HMAC"
    ? { name: "HMAC", hash: "SHA-256", length: 256 }
    : { name: "ChaCha20-Poly1305" };
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info },
    ikm,
    algorithm as never,
    false,
    kind === "HMAC" ? ["sign"] : ["encrypt", "decrypt"],
  );
}

/** ChaCha20-Poly1305 sealing of `plaintext` (tag appended). */
export async function chachaSeal(
  key: CryptoKey,
  nonce: Bytes,
  plaintext: Bytes,
  aad: Bytes = new Uint8Array(0),
): Promise<Bytes> {
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "ChaCha20-Poly1305", iv: nonce, additionalData: aad } as never,
      key,
      plaintext,
    ),
  );
}

/** ChaCha20-Poly1305 opening; rejects when the tag does not verify. */
export async function chachaOpen(
  key: CryptoKey,
  nonce: Bytes,
  ciphertext: Bytes,
  aad: Bytes = new Uint8Array(0),
): Promise<Bytes> {
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: "ChaCha20-Poly1305", iv: nonce, additionalData: aad } as never,
      key,
      ciphertext,
    ),
  );
}

const PKCS8_X25519_PREFIX = Uint8Array.fromHex(
  "302e020100300506032b656e04220420",
);

/** An X25519 private key (32 raw bytes) in WebCrypto, not extractable. */
export function importX25519Private(secret: Uint8Array): Promise<CryptoKey> {
  const der = concat(PKCS8_X25519_PREFIX, secret);
  return subtle.importKey("pkcs8", der, { name: "X25519" }, false, [
    "deriveBits",
  ]).finally(() => wipe(der));
}

/** An X25519 public key (32 raw bytes) in WebCrypto. */
export function importX25519Public(bytes: Bytes): Promise<CryptoKey> {
  return subtle.importKey("raw", bytes, { name: "X25519" }, true, []);
}

/** The raw 32 bytes of an X25519 public key. */
export async function exportX25519Public(key: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await subtle.exportKey("raw", key));
}

/**
 * X25519(private, public), or undefined for the all-zero shared secret (a
 * low-order point), which age and X-Wing refuse.
 */
export async function x25519(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
): Promise<Bytes | undefined> {
  let shared: Bytes;
  try {
    shared = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "X25519", public: publicKey },
        privateKey,
        256,
      ),
    );
  } catch {
    // WebCrypto itself refuses an all-zero result (OperationError).
    return undefined;
  }
  return allZero(shared) ? undefined : shared;
}
