// The containers around PKCS#1 keys, built by hand for the fuzz (independent
// of lib/crypto): SubjectPublicKeyInfo, PKCS#8 PrivateKeyInfo and PBES2
// EncryptedPrivateKeyInfo, with any algorithm OID and any deviation a
// variant needs; a lenient DER reader to take them apart again (the
// checker's); PBES2 sealing and opening with node:crypto's PBKDF2 and
// AES-256-CBC (deterministic: the salt and IV come from the caller, so a
// seed replays every byte).

import { createCipheriv, createDecipheriv, pbkdf2Sync } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  bytesToBigint,
  children,
  concat,
  derInteger,
  derSequence,
  pemBody,
  readIntegerSequence,
  type Tlv,
  tlv,
} from "../_helpers/der.ts";

/** DER of the OIDs the variants use (tag, length, value). */
export const OID = {
  rsaEncryption: "06092a864886f70d010101",
  rsassaPss: "06092a864886f70d01010a",
  ecPublicKey: "06072a8648ce3d0201",
  prime256v1: "06082a8648ce3d030107",
  ed25519: "06032b6570",
  x25519: "06032b656e",
  dsa: "06072a8648ce380401",
  unknown: "06032a0304", // 1.2.3.4
  pbes2: "06092a864886f70d01050d",
  pbkdf2: "06092a864886f70d01050c",
  hmacSha256: "06082a864886f70d0209",
  hmacSha1: "06082a864886f70d0207",
  aes256cbc: "060960864801650304012a",
  aes128cbc: "0609608648016503040102",
  pbeSha1Des3: "060a2a864886f70d010c0103",
} as const;

const NULL = Uint8Array.of(0x05, 0x00);
const oid = (hex: string) => Uint8Array.fromHex(hex);

/** An OCTET STRING. */
export const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
/** A BIT STRING with `unused` unused bits. */
export const bitString = (bytes: Uint8Array, unused = 0) =>
  tlv(0x03, concat([unused], bytes));

/**
 * An AlgorithmIdentifier: the OID, then `params` (NULL by default; `null`
 * leaves them out), then `extra` items.
 */
export function algorithm(
  oidHex: string,
  params: Uint8Array | null = NULL,
  ...extra: Uint8Array[]
): Uint8Array {
  return derSequence(oid(oidHex), ...(params ? [params] : []), ...extra);
}

/** rsaEncryption with NULL parameters, as OpenSSL writes it. */
export const RSA = () => algorithm(OID.rsaEncryption);

/** SubjectPublicKeyInfo: `SEQUENCE { alg, BIT STRING key, extra... }`. */
export function spki(
  alg: Uint8Array,
  key: Uint8Array,
  options: { unused?: number; extra?: Uint8Array[] } = {},
): Uint8Array {
  return derSequence(
    alg,
    bitString(key, options.unused ?? 0),
    ...(options.extra ?? []),
  );
}

/** PKCS#8 PrivateKeyInfo: `SEQUENCE { version, alg, OCTET STRING key, extra... }`. */
export function pkcs8(
  alg: Uint8Array,
  key: Uint8Array,
  options: { version?: bigint; extra?: Uint8Array[] } = {},
): Uint8Array {
  return derSequence(
    derInteger(options.version ?? 0n),
    alg,
    octets(key),
    ...(options.extra ?? []),
  );
}

/** How to seal a PKCS#8 key (PBES2), and what to write differently. */
export interface SealOptions {
  readonly passphrase: string;
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
  /** The PBKDF2 iterations the key is derived with (at least 1). */
  readonly iterations: number;
  /** The iteration count written, when not `iterations`. */
  readonly declaredIterations?: bigint;
  /** A keyLength field (absent by default). */
  readonly keyLength?: bigint;
  /** The PRF's OID (HMAC-SHA-256 by default; `null`: absent, i.e. SHA-1). */
  readonly prf?: string | null;
  /** Leave out the PRF's NULL parameters. */
  readonly prfWithoutNull?: boolean;
  /** The cipher's OID written (AES-256-CBC by default; the data is AES-256-CBC). */
  readonly cipher?: string;
  /** The scheme's OID written (PBES2 by default). */
  readonly scheme?: string;
  /** Replaces the IV written (the data is encrypted under `iv`). */
  readonly writtenIv?: Uint8Array;
  /** Edits the encrypted data before it is written. */
  readonly editData?: (data: Uint8Array) => Uint8Array;
  /** Items after the encrypted data. */
  readonly extra?: Uint8Array[];
}

/** The AES-256 key PBKDF2-HMAC-SHA-256 derives (node:crypto). */
function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
): Uint8Array {
  return new Uint8Array(pbkdf2Sync(passphrase, salt, iterations, 32, "sha256"));
}

/** AES-256-CBC with PKCS#7 padding (node:crypto). */
export function aesCbc(
  key: Uint8Array,
  iv: Uint8Array,
  plain: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return concat(
    new Uint8Array(cipher.update(plain)),
    new Uint8Array(cipher.final()),
  );
}

/** An EncryptedPrivateKeyInfo (PBES2) around `plain`, as `o` says. */
export function sealPkcs8(plain: Uint8Array, o: SealOptions): Uint8Array {
  const key = deriveKey(o.passphrase, o.salt, o.iterations);
  let data = aesCbc(key, o.iv, plain);
  if (o.editData) data = o.editData(data);
  const prf = o.prf === undefined ? OID.hmacSha256 : o.prf;
  const kdfParams = derSequence(
    octets(o.salt),
    derInteger(o.declaredIterations ?? BigInt(o.iterations)),
    ...(o.keyLength === undefined ? [] : [derInteger(o.keyLength)]),
    ...(prf === null ? [] : [algorithm(prf, o.prfWithoutNull ? null : NULL)]),
  );
  const alg = derSequence(
    oid(o.scheme ?? OID.pbes2),
    derSequence(
      derSequence(oid(OID.pbkdf2), kdfParams),
      derSequence(oid(o.cipher ?? OID.aes256cbc), octets(o.writtenIv ?? o.iv)),
    ),
  );
  return derSequence(alg, octets(data), ...(o.extra ?? []));
}

/** A TLV's bytes again (tag, short or long length, content). */
function whole(t: Tlv): Uint8Array {
  return tlv(t.tag, t.content);
}

/** The PKCS#1 RSAPublicKey DER in an SPKI DER (any algorithm), or undefined. */
export function pkcs1OfSpki(der: Uint8Array): Uint8Array | undefined {
  const parts = children(der);
  if (parts?.length !== 2 || parts[1].tag !== 0x03) return undefined;
  return parts[1].content.subarray(1);
}

/** The key DER in a PKCS#8 PrivateKeyInfo DER, or undefined. */
export function keyOfPkcs8(der: Uint8Array): Uint8Array | undefined {
  const parts = children(der);
  if (parts === undefined || parts.length < 3 || parts[2].tag !== 0x04) {
    return undefined;
  }
  return parts[2].content;
}

/** What an EncryptedPrivateKeyInfo says, read leniently. */
export interface Sealed {
  readonly scheme: string;
  readonly kdf: string;
  readonly salt: Uint8Array;
  readonly iterations: bigint;
  readonly prf: string | undefined;
  readonly cipher: string;
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

const hex = (t: Tlv | undefined) => t === undefined ? "" : whole(t).toHex();

/** The fields of an EncryptedPrivateKeyInfo DER, or undefined. */
export function readSealed(der: Uint8Array): Sealed | undefined {
  const [alg, data] = children(der) ?? [];
  if (alg === undefined || data?.tag !== 0x04) return undefined;
  const [scheme, params] = children(whole(alg)) ?? [];
  const [kdf, cipher] = params ? children(whole(params)) ?? [] : [];
  const [kdfOid, kdfParams] = kdf ? children(whole(kdf)) ?? [] : [];
  const [cipherOid, iv] = cipher ? children(whole(cipher)) ?? [] : [];
  const fields = kdfParams ? children(whole(kdfParams)) : undefined;
  if (fields === undefined || iv === undefined || fields.length < 2) {
    return undefined;
  }
  const prf = fields.find((f) => f.tag === 0x30);
  return {
    scheme: hex(scheme),
    kdf: hex(kdfOid),
    salt: fields[0].content,
    iterations: bytesToBigint(fields[1].content),
    prf: prf ? hex(children(whole(prf))?.[0]) : undefined,
    cipher: hex(cipherOid),
    iv: iv.content,
    data: data.content,
  };
}

/**
 * Opens a sealed PKCS#8 key with `passphrase` (PBKDF2 in WebCrypto, off
 * this thread; AES-256-CBC in node:crypto): the PKCS#8 DER, or undefined
 * when the structure is not PBES2/PBKDF2-SHA-256/AES-256-CBC, asks for more
 * than `maxIterations`, or the passphrase does not open it.
 */
export async function openPkcs8(
  der: Uint8Array,
  passphrase: string,
  maxIterations: number,
): Promise<Uint8Array | undefined> {
  const s = readSealed(der);
  if (
    s === undefined || s.scheme !== OID.pbes2 || s.kdf !== OID.pbkdf2 ||
    s.prf !== OID.hmacSha256 || s.cipher !== OID.aes256cbc ||
    s.iterations < 1n || s.iterations > BigInt(maxIterations)
  ) {
    return undefined;
  }
  const base = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const key = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: "PBKDF2",
        salt: new Uint8Array(s.salt),
        iterations: Number(s.iterations),
        hash: "SHA-256",
      },
      base,
      256,
    ),
  );
  try {
    const decipher = createDecipheriv("aes-256-cbc", key, s.iv);
    return concat(
      new Uint8Array(decipher.update(Buffer.from(s.data))),
      new Uint8Array(decipher.final()),
    );
  } catch {
    return undefined;
  }
}

/**
 * The INTEGERs of a public key PEM: PKCS#1, or the RSAPublicKey inside an
 * SPKI (whatever its algorithm OID); undefined when neither reads.
 */
export function publicIntegers(text: string): bigint[] | undefined {
  const der = pemBody(text);
  if (der === undefined) return undefined;
  const direct = readIntegerSequence(der);
  if (direct !== undefined) return direct;
  const inner = pkcs1OfSpki(der);
  return inner && readIntegerSequence(inner);
}

/**
 * The INTEGERs of an unencrypted private key PEM: PKCS#1, or the
 * RSAPrivateKey inside a PKCS#8 PrivateKeyInfo.
 */
export function privateIntegers(text: string): bigint[] | undefined {
  const der = pemBody(text);
  if (der === undefined) return undefined;
  const direct = readIntegerSequence(der);
  if (direct !== undefined) return direct;
  const inner = keyOfPkcs8(der);
  return inner && readIntegerSequence(inner);
}
