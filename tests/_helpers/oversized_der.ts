/**
 * Test helper: keys with one DER element far larger than its structure
 * needs (issue 16, finding 4): an algorithm identifier of kilobytes, a
 * modulus or iteration count of kilobytes, a salt or encrypted data past
 * any real key's. Each is well-formed DER otherwise, with the request field
 * it goes in and the error code the service must answer.
 *
 * @module
 */

import { concat, derInteger, derSequence, pem, tlv } from "./der.ts";

/** One oversized key. */
export interface OversizedKey {
  /** What is oversized, for messages. */
  readonly note: string;
  /** The PEM. */
  readonly pem: string;
  /** `rsa_public` (encrypt_fernet) or `rsa_private` (decrypt_fernet). */
  readonly field: "rsa_public" | "rsa_private";
  /** The error code it must get. */
  readonly code: string;
  /** Digits or text of the key that an error must not echo. */
  readonly marker: string;
}

const NULL = Uint8Array.of(0x05, 0x00);
const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
const oid = (hex: string) => Uint8Array.fromHex(hex);
const RSA_ENCRYPTION = oid("06092a864886f70d010101");
const PBES2 = oid("06092a864886f70d01050d");
const PBKDF2 = oid("06092a864886f70d01050c");
const HMAC_SHA256 = oid("06082a864886f70d0209");
const AES_256_CBC = oid("060960864801650304012a");

/**
 * OBJECT IDENTIFIER content of `bytes` bytes, minimally encoded: 1.2, then
 * one arc of `bytes - 1` base-128 digits (all 0x81 but the last).
 */
export function longOid(bytes: number): Uint8Array {
  const content = new Uint8Array(bytes).fill(0x81);
  content[0] = 0x2a;
  content[bytes - 1] = 0x01;
  return tlv(0x06, content);
}

/** A positive INTEGER of `bytes` content bytes, odd, top bit clear. */
export function longInteger(bytes: number): Uint8Array {
  const content = new Uint8Array(bytes).fill(0x5b);
  content[bytes - 1] = 0x5d;
  return tlv(0x02, content);
}

/** The first 20 decimal digits of {@linkcode longInteger}'s value. */
function longDigits(bytes: number): string {
  const content = longInteger(bytes).subarray(-bytes);
  return BigInt(`0x${content.toHex()}`).toString().slice(0, 20);
}

/** A PBES2 EncryptedPrivateKeyInfo with the parts given, the rest sound. */
function sealed(parts: {
  salt?: Uint8Array;
  count?: Uint8Array;
  iv?: Uint8Array;
  data?: Uint8Array;
  kdf?: Uint8Array;
}): Uint8Array {
  return derSequence(
    derSequence(
      PBES2,
      derSequence(
        derSequence(
          parts.kdf ?? PBKDF2,
          derSequence(
            octets(parts.salt ?? new Uint8Array(16)),
            parts.count ?? derInteger(100_000n),
            derSequence(HMAC_SHA256, NULL),
          ),
        ),
        derSequence(AES_256_CBC, octets(parts.iv ?? new Uint8Array(16))),
      ),
    ),
    octets(parts.data ?? new Uint8Array(1232)),
  );
}

/**
 * Oversized keys of about `bytes` bytes each (the element itself): 12,000
 * makes the algorithm identifier that cost 12 ms to parse before the caps.
 */
export function oversizedKeys(bytes = 12_000): OversizedKey[] {
  const spki = (algorithm: Uint8Array) =>
    derSequence(
      derSequence(algorithm, NULL),
      tlv(0x03, concat([0], derSequence(derInteger(3n), derInteger(3n)))),
    );
  return [
    {
      note: `SPKI algorithm identifier of ${bytes} bytes`,
      pem: pem("PUBLIC KEY", spki(longOid(bytes))),
      field: "rsa_public",
      code: "invalid_pem",
      marker: "1.2.",
    },
    {
      note: `PKCS#1 modulus of ${bytes} bytes`,
      pem: pem(
        "RSA PUBLIC KEY",
        derSequence(longInteger(bytes), derInteger(65537n)),
      ),
      field: "rsa_public",
      code: "invalid_key",
      marker: String(bytes * 8 - 1),
    },
    {
      note: `PKCS#1 public exponent of ${bytes} bytes`,
      pem: pem(
        "RSA PUBLIC KEY",
        derSequence(longInteger(256), longInteger(bytes)),
      ),
      field: "rsa_public",
      code: "invalid_key",
      marker: longDigits(bytes),
    },
    {
      note: `SPKI around a modulus of ${bytes} bytes`,
      pem: pem(
        "PUBLIC KEY",
        derSequence(
          derSequence(RSA_ENCRYPTION, NULL),
          tlv(
            0x03,
            concat([0], derSequence(longInteger(bytes), derInteger(65537n))),
          ),
        ),
      ),
      field: "rsa_public",
      code: "invalid_key",
      marker: String(bytes * 8 - 1),
    },
    {
      note: `PBES2 iteration count of ${bytes} bytes`,
      pem: pem("ENCRYPTED PRIVATE KEY", sealed({ count: longInteger(bytes) })),
      field: "rsa_private",
      code: "invalid_key",
      marker: longDigits(bytes),
    },
    {
      note: `PBES2 salt of ${bytes} bytes`,
      pem: pem(
        "ENCRYPTED PRIVATE KEY",
        sealed({ salt: new Uint8Array(bytes) }),
      ),
      field: "rsa_private",
      code: "invalid_pem",
      marker: String(bytes),
    },
    {
      note: `PBES2 key derivation identifier of ${bytes} bytes`,
      pem: pem("ENCRYPTED PRIVATE KEY", sealed({ kdf: longOid(bytes) })),
      field: "rsa_private",
      code: "invalid_pem",
      marker: "1.2.",
    },
    {
      note: `PBES2 encrypted data of ${Math.max(bytes, 16_400)} bytes`,
      pem: pem(
        "ENCRYPTED PRIVATE KEY",
        sealed({
          data: new Uint8Array(Math.ceil(Math.max(bytes, 16_400) / 16) * 16),
        }),
      ),
      field: "rsa_private",
      code: "invalid_pem",
      marker: String(Math.max(bytes, 16_400)),
    },
  ];
}

/** The request that sends `key` in its field. */
export function oversizedRequest(
  key: OversizedKey,
  ciphertext: string,
): Record<string, unknown> {
  return key.field === "rsa_public"
    ? {
      type: "encrypt_fernet",
      fernet: "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=",
      rsa_public: key.pem,
    }
    : {
      type: "decrypt_fernet",
      encrypted_fernet: ciphertext,
      rsa_private: key.pem,
      passphrase: "correct horse battery staple",
    };
}
