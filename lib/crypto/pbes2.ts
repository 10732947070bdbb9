/**
 * Passphrase-protected private keys: PKCS#8 `EncryptedPrivateKeyInfo` with
 * PBES2 (RFC 8018): PBKDF2-HMAC-SHA-256 for the key, AES-256-CBC for the
 * data, as OpenSSL (`openssl pkcs8 -topk8 -v2 aes-256-cbc`) and
 * pyca/cryptography write them. PBKDF2 and AES run in WebCrypto, off the
 * main thread; the structures are strict DER (_der.ts).
 *
 * @example
 * ```ts
 * import { decryptPkcs8, encryptPkcs8 } from "./pbes2.ts";
 *
 * const pkcs8 = new Uint8Array([0x30, 0x00]); // a PrivateKeyInfo's DER
 * const sealed = await encryptPkcs8(pkcs8, "correct horse", 600_000);
 * await decryptPkcs8(sealed, "correct horse"); // the same bytes as pkcs8
 * ```
 * @module
 */

import {
  derBytes,
  integer,
  isNull,
  items,
  nullValue,
  objectId,
  octetString,
  parseDer,
  readInteger,
  readObjectId,
  readOctets,
  sameObjectId,
  sequenceOf,
} from "./_der.ts";
import { MalformedKey, UnusableKey, WrongPassphrase } from "./errors.ts";

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const HMAC_SHA256 = "1.2.840.113549.2.9";
const AES_256_CBC = "2.16.840.1.101.3.4.1.42";

/** What this module reads and writes, for messages. */
export const SUPPORTED_ENCRYPTION =
  "PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC";

/**
 * The most PBKDF2 iterations an encrypted key may ask for, whatever a caller
 * allows: the format's hard cap. A key is input from a client, and its
 * iteration count is the work the service does for it, all on one core: 10
 * million is 17 times OWASP's figure (docs/benchmarks.md gives what an
 * iteration costs). The service allows less by default
 * (`--max-pbkdf2-iterations`).
 */
export const MAX_ITERATIONS = 10_000_000;

/** Bytes of random salt written; RFC 8018 asks for at least 8. */
const SALT_BYTES = 16;

/** The longest salt read: OpenSSL and pyca/cryptography write 8 to 16. */
const MAX_SALT_BYTES = 64;

/**
 * The most encrypted data read: a 4096-bit key's PKCS#8 takes about 2.4
 * KB, and a 16384-bit one's under 10 KB.
 */
const MAX_SEALED_BYTES = 16 * 1024;

const encoder = new TextEncoder();

async function deriveKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  usage: "encrypt" | "decrypt",
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    "raw",
    encoder.encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", salt, iterations, hash: "SHA-256" },
    base,
    { name: "AES-CBC", length: 256 },
    false,
    [usage],
  );
}

/**
 * Encrypts a PKCS#8 PrivateKeyInfo DER under `passphrase`: PBKDF2-HMAC-
 * SHA-256 with `iterations` and a random 16-byte salt, AES-256-CBC with a
 * random IV. Resolves to the `EncryptedPrivateKeyInfo` DER.
 */
export async function encryptPkcs8(
  pkcs8: Uint8Array,
  passphrase: string,
  iterations: number,
): Promise<Uint8Array> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const key = await deriveKey(passphrase, salt, iterations, "encrypt");
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-CBC", iv },
      key,
      new Uint8Array(pkcs8),
    ),
  );
  const algorithm = sequenceOf(
    objectId(PBES2),
    sequenceOf(
      sequenceOf(
        objectId(PBKDF2),
        sequenceOf(
          octetString(salt),
          integer(BigInt(iterations)),
          sequenceOf(objectId(HMAC_SHA256), nullValue()),
        ),
      ),
      sequenceOf(objectId(AES_256_CBC), octetString(iv)),
    ),
  );
  return derBytes(sequenceOf(algorithm, octetString(data)));
}

/** The PBES2 parameters of an `EncryptedPrivateKeyInfo`, checked. */
interface Sealed {
  readonly salt: Uint8Array<ArrayBuffer>;
  readonly iterations: number;
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly data: Uint8Array<ArrayBuffer>;
}

function unsupported(what: string): never {
  throw new UnusableKey(
    `the key is encrypted with ${what}; supported: ${SUPPORTED_ENCRYPTION}`,
  );
}

function readSealed(
  der: Uint8Array,
  maxIterations: number = MAX_ITERATIONS,
): Sealed {
  const malformed = () =>
    new MalformedKey("the body is not a PKCS#8 EncryptedPrivateKeyInfo");
  const [algorithm, encrypted, ...rest] = items(parseDer(der) ?? undefined) ??
    [];
  const [schemeOid, params, ...extra] = items(algorithm) ?? [];
  const data = readOctets(encrypted);
  const scheme = readObjectId(schemeOid);
  if (rest.length > 0 || extra.length > 0 || data === null || !scheme) {
    throw malformed();
  }
  if (!sameObjectId(scheme, PBES2)) unsupported("another scheme");
  const [kdf, cipher, ...more] = items(params) ?? [];
  const [kdfOid, kdfParams, ...kdfExtra] = items(kdf) ?? [];
  const [cipherOid, ivNode, ...cipherExtra] = items(cipher) ?? [];
  if (more.length + kdfExtra.length + cipherExtra.length > 0) throw malformed();
  const kdfName = readObjectId(kdfOid);
  const cipherName = readObjectId(cipherOid);
  if (kdfName === null || cipherName === null) throw malformed();
  if (!sameObjectId(kdfName, PBKDF2)) unsupported("another key derivation");
  if (!sameObjectId(cipherName, AES_256_CBC)) unsupported("another cipher");
  const iv = readOctets(ivNode);
  const fields = items(kdfParams);
  if (iv === null || iv.length !== 16 || fields === null) throw malformed();
  // PBKDF2-params: salt, iterationCount, keyLength OPTIONAL, prf DEFAULT
  // hmacWithSHA1 (RFC 8018, A.2).
  const [saltNode, countNode, ...tail] = fields;
  const salt = readOctets(saltNode);
  // Anything past 8 bytes is past the cap, and read as TOO_LONG.
  const count = readInteger(countNode, 8);
  if (
    salt === null || salt.length === 0 || salt.length > MAX_SALT_BYTES ||
    count === null
  ) {
    throw malformed();
  }
  let next = tail.shift();
  const keyLength = readInteger(next, 8);
  if (keyLength !== null) {
    if (keyLength !== 32n) unsupported("another key length");
    next = tail.shift();
  }
  if (next === undefined) unsupported("PBKDF2-HMAC-SHA-1");
  const [prfOid, prfParams, ...prfExtra] = items(next) ?? [];
  const prf = readObjectId(prfOid);
  if (prf === null || tail.length > 0 || prfExtra.length > 0) throw malformed();
  if (prfParams !== undefined && !isNull(prfParams)) throw malformed();
  if (!sameObjectId(prf, HMAC_SHA256)) unsupported("PBKDF2 with another PRF");
  const most = Math.min(maxIterations, MAX_ITERATIONS);
  if (count < 1n || count > BigInt(most)) {
    throw new UnusableKey(
      `the key's PBKDF2 iteration count is not from 1 to the ${most} allowed`,
    );
  }
  if (
    data.length === 0 || data.length % 16 !== 0 ||
    data.length > MAX_SEALED_BYTES
  ) {
    throw malformed();
  }
  return {
    salt: new Uint8Array(salt),
    iterations: Number(count),
    iv: new Uint8Array(iv),
    data: new Uint8Array(data),
  };
}

/**
 * Checks an `EncryptedPrivateKeyInfo` DER as {@linkcode decryptPkcs8} does
 * before any key derivation, at no cost to speak of; returns the length of
 * its encrypted data. Throws as `decryptPkcs8` does, short of
 * `WrongPassphrase`.
 */
export function checkEncryptedPkcs8(
  der: Uint8Array,
  maxIterations: number = MAX_ITERATIONS,
): { readonly dataBytes: number } {
  return { dataBytes: readSealed(der, maxIterations).data.length };
}

/**
 * Decrypts an `EncryptedPrivateKeyInfo` DER with `passphrase`; resolves to
 * the PKCS#8 PrivateKeyInfo DER inside. Throws `MalformedKey` for a broken
 * structure, `UnusableKey` for parameters other than
 * {@linkcode SUPPORTED_ENCRYPTION} (or more iterations than `maxIterations`,
 * at most {@linkcode MAX_ITERATIONS}), and `WrongPassphrase` when the
 * passphrase does not open it.
 */
export async function decryptPkcs8(
  der: Uint8Array,
  passphrase: string,
  maxIterations: number = MAX_ITERATIONS,
): Promise<Uint8Array> {
  const sealed = readSealed(der, maxIterations);
  const key = await deriveKey(
    passphrase,
    sealed.salt,
    sealed.iterations,
    "decrypt",
  );
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-CBC", iv: sealed.iv },
        key,
        sealed.data,
      ),
    );
  } catch {
    // Bad CBC padding: almost always a wrong passphrase.
    throw new WrongPassphrase();
  }
  // A wrong passphrase passes the padding check about once in 256 times;
  // what comes out is then not DER.
  if (items(parseDer(plain) ?? undefined) === null) throw new WrongPassphrase();
  return plain;
}
