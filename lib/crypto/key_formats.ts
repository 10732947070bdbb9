/**
 * RSA keys in the standard containers around PKCS#1: SubjectPublicKeyInfo
 * (`PUBLIC KEY`) and PKCS#8 PrivateKeyInfo (`PRIVATE KEY`), as OpenSSL and
 * pyca/cryptography write them (rsaEncryption with NULL parameters). Reading
 * is strict DER and accepts RSA keys only.
 *
 * @example
 * ```ts
 * import { pkcs1FromSpki, spkiFromPkcs1 } from "./key_formats.ts";
 *
 * const pkcs1 = new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03]);
 * pkcs1FromSpki(spkiFromPkcs1(pkcs1)); // the same bytes as pkcs1
 * ```
 * @module
 */

import {
  bitString,
  derBytes,
  integer,
  isNull,
  items,
  nullValue,
  objectId,
  octetString,
  parseDer,
  readBitString,
  readInteger,
  readObjectId,
  readOctets,
  sameObjectId,
  sequenceOf,
} from "./_der.ts";
import { MalformedKey, UnsupportedKeyAlgorithm } from "./errors.ts";

/** The OID of rsaEncryption (RFC 8017). */
export const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

/**
 * Names of the key algorithms people send instead of RSA, for messages: a
 * closed set of fixed words, matched by their encoding. Any other is
 * "another algorithm", never its identifier (which is the client's bytes).
 */
const ALGORITHMS: readonly (readonly [string, string])[] = Object.entries({
  "1.2.840.10045.2.1": "an EC key",
  "1.3.101.110": "an X25519 key",
  "1.3.101.111": "an X448 key",
  "1.3.101.112": "an Ed25519 key",
  "1.3.101.113": "an Ed448 key",
  "1.2.840.113549.1.1.10": "an RSASSA-PSS key",
  "1.2.840.10040.4.1": "a DSA key",
  "1.2.840.10046.2.1": "a DH key",
});

const rsaAlgorithm = () => sequenceOf(objectId(RSA_ENCRYPTION), nullValue());

/** Checks an AlgorithmIdentifier is rsaEncryption (NULL or no parameters). */
function checkRsaAlgorithm(node: Parameters<typeof items>[0], what: string) {
  const parts = items(node);
  const oid = readObjectId(parts?.[0]);
  if (parts === null || oid === null || parts.length > 2) {
    throw new MalformedKey(`the ${what} algorithm is malformed`);
  }
  if (!sameObjectId(oid, RSA_ENCRYPTION)) {
    const known = ALGORITHMS.find(([dotted]) => sameObjectId(oid, dotted));
    throw new UnsupportedKeyAlgorithm(known?.[1] ?? "another algorithm");
  }
  if (parts.length === 2 && !isNull(parts[1])) {
    throw new MalformedKey("rsaEncryption parameters must be NULL");
  }
}

/** SubjectPublicKeyInfo DER around a PKCS#1 `RSAPublicKey` DER. */
export function spkiFromPkcs1(pkcs1: Uint8Array): Uint8Array {
  return derBytes(sequenceOf(rsaAlgorithm(), bitString(pkcs1)));
}

/**
 * The PKCS#1 `RSAPublicKey` DER inside a SubjectPublicKeyInfo. Throws
 * `MalformedKey`, or `UnsupportedKeyAlgorithm` for a key that is not RSA.
 */
export function pkcs1FromSpki(spki: Uint8Array): Uint8Array {
  const parts = items(parseDer(spki) ?? undefined);
  if (parts === null || parts.length !== 2) {
    throw new MalformedKey("the body is not a SubjectPublicKeyInfo");
  }
  checkRsaAlgorithm(parts[0], "public key");
  const key = readBitString(parts[1]);
  if (key === null) {
    throw new MalformedKey("the public key is not a whole-byte BIT STRING");
  }
  return key;
}

/** PKCS#8 PrivateKeyInfo DER around a PKCS#1 `RSAPrivateKey` DER. */
export function pkcs8FromPkcs1(pkcs1: Uint8Array): Uint8Array {
  return derBytes(sequenceOf(integer(0n), rsaAlgorithm(), octetString(pkcs1)));
}

/**
 * The PKCS#1 `RSAPrivateKey` DER inside a PKCS#8 PrivateKeyInfo (version 0,
 * no attributes). Throws `MalformedKey`, or `UnsupportedKeyAlgorithm` for a
 * key that is not RSA.
 */
export function pkcs1FromPkcs8(pkcs8: Uint8Array): Uint8Array {
  const parts = items(parseDer(pkcs8) ?? undefined);
  if (parts === null || parts.length !== 3 || readInteger(parts[0]) !== 0n) {
    throw new MalformedKey("the body is not a version 0 PKCS#8 PrivateKeyInfo");
  }
  checkRsaAlgorithm(parts[1], "private key");
  const key = readOctets(parts[2]);
  if (key === null) {
    throw new MalformedKey("the private key is not an OCTET STRING");
  }
  return key;
}
