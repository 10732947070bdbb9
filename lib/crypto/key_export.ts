/**
 * Key pairs written in the format a client asks for: PKCS#1 (the contract's
 * default, python-rsa's layout), PKCS#8 with SPKI, or a passphrase-protected
 * PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBES2) with SPKI. PEM is 64 columns, LF,
 * final LF, as OpenSSL and pyca/cryptography write it.
 *
 * @example
 * ```ts
 * import { exportKeyPair } from "./key_export.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pkcs1 = await generateRsaKeyPair();
 * const pkcs8 = await exportKeyPair(pkcs1, { format: "pkcs8" });
 * pkcs8.private.startsWith("-----BEGIN PRIVATE KEY-----\n"); // true
 * ```
 * @module
 */

import { encodeIntegerSequence } from "./_der.ts";
import { pkcs8FromPkcs1, spkiFromPkcs1 } from "./key_formats.ts";
import { encryptPkcs8 } from "./pbes2.ts";
import { decodePem, encodePem } from "./pem.ts";
import {
  ENCRYPTED_LABEL,
  PKCS8_LABEL,
  PRIVATE_LABEL,
  PUBLIC_LABEL,
  SPKI_LABEL,
} from "./rsa_keys.ts";
import type { RsaKeyPairPem } from "./rsa_keygen.ts";
import type { RsaPublicKey } from "./rsa_keys.ts";

/** The key formats, default first. */
export const KEY_FORMATS = ["pkcs1", "pkcs8"] as const;

/** A key format's name. */
export type KeyFormat = typeof KEY_FORMATS[number];

/** How to write a pair. */
export interface ExportOptions {
  /** `pkcs1` or `pkcs8`; a passphrase implies `pkcs8`. */
  readonly format: KeyFormat;
  /** Encrypts the private key (PBES2) under this passphrase. */
  readonly passphrase?: string;
  /** PBKDF2 iterations for the passphrase. Default 600,000. */
  readonly iterations?: number;
}

/** Writes a PKCS#1 PEM pair in the format asked for. */
export async function exportKeyPair(
  pair: RsaKeyPairPem,
  options: ExportOptions,
): Promise<RsaKeyPairPem> {
  if (options.format === "pkcs1" && options.passphrase === undefined) {
    return pair;
  }
  const publicKey = encodePem(
    SPKI_LABEL,
    spkiFromPkcs1(decodePem(pair.public, PUBLIC_LABEL)),
  );
  const pkcs8 = pkcs8FromPkcs1(decodePem(pair.private, PRIVATE_LABEL));
  if (options.passphrase === undefined) {
    return { public: publicKey, private: encodePem(PKCS8_LABEL, pkcs8) };
  }
  const sealed = await encryptPkcs8(
    pkcs8,
    options.passphrase,
    options.iterations ?? 600_000,
  );
  return { public: publicKey, private: encodePem(ENCRYPTED_LABEL, sealed) };
}

/** A public key as SPKI PEM (`PUBLIC KEY`), as OpenSSL writes it. */
export function publicKeyPem(key: RsaPublicKey): string {
  return encodePem(
    SPKI_LABEL,
    spkiFromPkcs1(encodeIntegerSequence([key.n, key.e])),
  );
}
