// Whole-field variants: public keys, private keys and ciphertexts, valid and
// not, one line each. Crafted DER goes through the builders of
// tests/_helpers/der.ts: `privateDer(a, { d: a.d + a.n })` is key a with d
// replaced. Each variant may name the reply code it must get when sent as it
// is (with the run's Fernet key, or its own ciphertext).

import {
  bigintToBytes,
  byteLength,
  bytesToBigint,
  concat,
  derInteger,
  derSequence,
  derSequenceWith,
  integerSequence,
  lcm,
  type LengthOptions,
  modInverse,
  pem,
  pkcs8Der,
  privateDer,
  privatePem,
  publicDer,
  publicPem,
  rsaFromPrimes,
  type RsaPublicIntegers,
  spkiDer,
  tlv,
} from "../_helpers/der.ts";
import { PRIMES } from "../_helpers/primes.ts";
import { encoder, utf8KeepBom } from "./_config.ts";
import {
  algorithm,
  OID,
  pkcs8,
  RSA,
  type SealOptions,
  sealPkcs8,
  spki,
} from "./_containers.ts";
import {
  type BaseMaterial,
  baseMaterial,
  compositeKey,
  oaepDecode,
  oaepEncrypt,
  type OaepTweaks,
  type Pair,
  pkcs1Decode,
  pkcs1Encrypt,
  rawDecrypt,
} from "./_keys.ts";
import { type Rng, streamRng } from "./_rng.ts";
import { type LimitMaterial, limitMaterial } from "./_cases_limits.ts";

/** A labelled string to put in a field (a key, a ciphertext). */
export interface Variant {
  readonly note: string;
  readonly value: string;
  /** The code the reply must carry when sent as is ("ok" for a success). */
  readonly code?: string;
  /** For a private key: the ciphertext to send with it. */
  readonly ciphertext?: string;
  /** The `passphrase` to send with it (none when absent). */
  readonly passphrase?: string;
  /** The `padding` to send with it (none when absent: PKCS#1 v1.5). */
  readonly padding?: Padding;
}

/** The encryption schemes of contract v1.1. */
export type Padding = "pkcs1v15" | "oaep-sha256";

/** Everything the fuzz cases draw on; a function of the seed only. */
export interface Material extends BaseMaterial, V11Material, LimitMaterial {
  readonly publics: readonly Variant[];
  readonly privates: readonly Variant[];
  readonly ciphertexts: readonly Variant[];
}

/** The material of `seed`: keys, Fernet key, ciphertexts and variants. */
export function material(seed: number): Material {
  const base = baseMaterial(seed);
  // Built in this order: each draws seeded padding from base.rng.
  const privates = privateVariants(base);
  const ciphertexts = ciphertextVariants(base);
  // Contract v1.1 material draws on a stream of its own.
  const v11 = v11Material(streamRng(seed, "v1.1"), base);
  return {
    ...base,
    ...v11,
    // The hardening limits' keys, on a stream of their own too.
    ...limitMaterial(seed, base),
    publics: [...publicVariants(base), ...v11.spkiVariants],
    privates: [...privates, ...v11.pkcs8Variants],
    ciphertexts,
  };
}

const PUB = "RSA PUBLIC KEY";
const PRIV = "RSA PRIVATE KEY";
const bodyLines = (text: string) => text.split("\n").slice(1, -2);
const armour = (label: string, lines: readonly string[]) =>
  [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join(
    "\n",
  );

// The codes a variant's reply must carry.
const OK = "ok";
const PEM = "invalid_pem";
const KEY = "invalid_key";
const TYPE = "wrong_key_type";
const BAD_CT = "invalid_ciphertext";
const FAIL = "decryption_failed";
const MISSING = "missing_field";
const FIELD = "invalid_field";
const PASS = "invalid_passphrase";

/**
 * The code of a ciphertext that is not an encryption under `key` (made for
 * another key, or garbled): invalid_ciphertext unless it is strict base64 of
 * exactly k bytes below the modulus, else decryption_failed (its decryption
 * is noise: 00 02 padding by a chance of 2^-16, then UTF-8 by a far smaller
 * one).
 */
function ciphertextCode(text: string, key: RsaPublicIntegers): string {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return BAD_CT;
  }
  return bytes.length === byteLength(key.n) && bytesToBigint(bytes) < key.n
    ? FAIL
    : BAD_CT;
}

/** Public-key strings: valid ones, wrong ones, crafted DER. */
function publicVariants(m: BaseMaterial): Variant[] {
  const { a, b, e3, small } = m;
  const { n, e } = a;
  const A = a.pub;
  const body = bodyLines(A);
  const flat = body.join("");
  const inner = concat(derInteger(n), derInteger(e));
  const spki = pem("PUBLIC KEY", spkiDer(publicDer(a)));
  const proc = "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n";
  const n00 = derInteger(n, { extraZero: true });
  const nRaw = bigintToBytes(n);
  const seq = (options: LengthOptions) => derSequenceWith(options, inner);
  const indefinite6000 = concat(...Array(6000).fill([0x30, 0x80]));
  const v = (note: string, value: string, code?: string): Variant => ({
    note,
    value,
    code,
  });
  const der = (note: string, bytes: Uint8Array, code?: string) =>
    v(`crafted DER: ${note}`, pem(PUB, bytes), code);
  return [
    v("a (valid)", A, OK),
    v("b (valid)", b.pub, OK),
    v("e=3 key (valid)", e3.pub, OK),
    v("1024-bit key", small.pub, KEY),
    v("CRLF line ends", A.replaceAll("\n", "\r\n"), OK),
    v("surrounding white space", "\n\n  \t" + A + "  \n\n", OK),
    v("no final newline", A.trimEnd(), OK),
    v("body on one line", armour(PUB, [flat]), OK),
    v("76-column body", armour(PUB, flat.match(/.{1,76}/g) ?? []), OK),
    v("trailing spaces on lines", A.replaceAll("\n", " \n"), PEM),
    v("indented with tabs", A.replace(/^(?=.)/gm, "\t"), PEM),
    v("blank line inside body", A.replace(body[1], body[1] + "\n"), OK),
    v("trailing garbage", A + "garbage", PEM),
    v("two blocks", A + A, PEM),
    v("extra END line", A + `-----END ${PUB}-----\n`, PEM),
    v("text before BEGIN", "Bag Attributes\n" + A, PEM),
    v("no END line", A.replace(`-----END ${PUB}-----\n`, ""), PEM),
    v("END label differs", A.replace("END RSA PUBLIC", "END RSA PRIVATE"), PEM),
    v("lower-case label", A.replaceAll(PUB, "rsa public key"), PEM),
    v("four dashes", A.replaceAll("-----", "----"), PEM),
    v("double space in label", A.replaceAll("RSA PUBLIC", "RSA  PUBLIC"), TYPE),
    v("label over 40 chars", A.replaceAll(PUB, `${PUB} ${PUB} ${PUB}`), PEM),
    v("Proc-Type headers", A.replace("-----\n", proc), PEM),
    v("SPKI (PUBLIC KEY)", spki, OK),
    v("SPKI labelled RSA PUBLIC KEY", spki.replaceAll("PUBLIC KEY", PUB), PEM),
    v("CERTIFICATE label", A.replaceAll(PUB, "CERTIFICATE"), TYPE),
    v("private key (swapped)", a.priv, TYPE),
    v("private labelled RSA PUBLIC KEY", a.priv.replaceAll(PRIV, PUB), PEM),
    v("empty body", armour(PUB, []), PEM),
    v("empty string", "", PEM),
    v("base64 only", flat, PEM),
    der("re-encoded a (valid)", publicDer(a), OK),
    der("e=1", publicDer(a, { e: 1n }), KEY),
    der("e=2", publicDer(a, { e: 2n }), KEY),
    der("e=3 with a's modulus", publicDer(a, { e: 3n }), OK),
    der("e=65536", publicDer(a, { e: 65536n }), KEY),
    der("e=2^17-1", publicDer(a, { e: (1n << 17n) - 1n }), OK),
    der("e=2^17+1", publicDer(a, { e: (1n << 17n) + 1n }), KEY),
    der("e=2^32-1", publicDer(a, { e: (1n << 32n) - 1n }), KEY),
    der("e=2^32+1", publicDer(a, { e: (1n << 32n) + 1n }), KEY),
    der("e=0", publicDer(a, { e: 0n }), KEY),
    der("e=-1", publicDer(a, { e: -1n }), PEM),
    der("e huge (4096 bits)", publicDer(a, { e: (1n << 4095n) + 1n }), KEY),
    der("n even", publicDer(a, { n: n + 1n }), KEY),
    der("n 2047 bits", publicDer(a, { n: (n >> 1n) | 1n }), KEY),
    der("n = a.n^2 (~4096 bits)", publicDer(a, { n: n * n }), OK),
    der("n 4097+ bits", publicDer(a, { n: n * n * 4n + 1n }), KEY),
    der("n 96000 bits", publicDer(a, { n: (1n << 96000n) + 1n }), KEY),
    der("n=0", publicDer(a, { n: 0n }), KEY),
    der("n=1", publicDer(a, { n: 1n }), KEY),
    der("n negative (no 00 prefix)", publicDer(a, { n: tlv(2, nRaw) }), PEM),
    der("n non-minimal (00 00 prefix)", publicDer(a, { n: n00 }), PEM),
    der("only n", publicDer(a, { e: null }), PEM),
    der("n, e, 0", publicDer(a, { extra: [0n] }), PEM),
    der("empty SEQUENCE", derSequence(), PEM),
    der("SET instead of SEQUENCE", tlv(0x31, inner), PEM),
    der("trailing byte", concat(publicDer(a), [0]), PEM),
    der("non-minimal long length", seq({ octets: 4 }), PEM),
    der("indefinite length", seq({ indefinite: true }), PEM),
    der("length too long", seq({ declared: 0xfff }), PEM),
    der("length too short", seq({ declared: 10, octets: 2 }), PEM),
    der("OCTET STRING for n", publicDer(a, { n: tlv(4, nRaw) }), PEM),
    der("nested SEQUENCE", derSequence(publicDer(a)), PEM),
    der("6000 indefinite SEQUENCEs", indefinite6000, PEM),
    der("2500 nested SEQUENCEs", nest(2500, inner), PEM),
    der("SPKI DER", spkiDer(publicDer(a)), PEM),
    der("a single NULL", Uint8Array.of(0x05, 0x00), PEM),
  ];
}

/** `depth` SEQUENCEs, one inside the other, around `inner`. */
function nest(depth: number, inner: Uint8Array): Uint8Array {
  let out = inner;
  for (let i = 0; i < depth; i++) out = tlv(0x30, out);
  return out;
}

/** Private-key strings, each with the ciphertext to send with it. */
function privateVariants(m: BaseMaterial): Variant[] {
  const { a, b, e3, small, ctA, ctB, ctE3 } = m;
  const { n, e, d, p, q, dp, dq, qi } = a;
  const K = a.priv;
  const flat = bodyLines(K).join("");
  const P8 = "PRIVATE KEY";
  const EP8 = "ENCRYPTED PRIVATE KEY";
  const pkcs8 = pem(P8, pkcs8Der(privateDer(a)));
  const proc =
    "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0011223344556677\n\n";
  const swapped = { p: q, q: p, dp: dq, dq: dp, qi: modInverse(p, q) };
  const d2 = d + lcm(p - 1n, q - 1n);
  const d2Note = `d + lambda (${d2 < n ? "below" : "not below"} n)`;
  const fake = compositeKey(m.rng, 2048, e);
  const composite = privatePem(fake);
  const compositeCt = m.encrypt(fake, encoder.encode("x"));
  const smallCt = m.encrypt(small, encoder.encode("x"));
  const v = (note: string, value: string, code?: string, ct = ctA) => ({
    note,
    value,
    code,
    ciphertext: ct,
  });
  const der = (note: string, value: string, code?: string, ct = ctA) =>
    v(`crafted DER: ${note}`, value, code, ct);
  return [
    v("a (valid)", K, OK),
    v("b (valid)", b.priv, OK, ctB),
    v("e=3 key (valid)", e3.priv, OK, ctE3),
    v("b with a's ciphertext", b.priv, ciphertextCode(ctA, b), ctA),
    v("a with b's ciphertext", K, ciphertextCode(ctB, a), ctB),
    v("e=3 key with a's ciphertext", e3.priv, ciphertextCode(ctA, e3), ctA),
    v("1024-bit key", small.priv, KEY, smallCt),
    v("CRLF line ends", K.replaceAll("\n", "\r\n"), OK),
    v("surrounding white space", "\r\n \t" + K + "\n\n  ", OK),
    v("no final newline", K.trimEnd(), OK),
    v("body on one line", armour(PRIV, [flat]), OK),
    v("trailing spaces on lines", K.replaceAll("\n", "  \n"), PEM),
    v("trailing garbage", K + "\x00garbage", PEM),
    v("two blocks", K + b.priv, PEM),
    v("text before BEGIN", "Key:\n" + K, PEM),
    v("no END line", K.replace(`-----END ${PRIV}-----\n`, ""), PEM),
    v("END label differs", K.replace("END RSA PRIVATE", "END RSA PUBLIC"), PEM),
    v("lower-case label", K.replaceAll(PRIV, "rsa private key"), PEM),
    v("Proc-Type headers", K.replace("-----\n", proc), PEM),
    v("PKCS#8 (PRIVATE KEY)", pkcs8, OK),
    v("PKCS#8 labelled RSA PRIVATE KEY", pkcs8.replaceAll(P8, PRIV), PEM),
    v(
      "ENCRYPTED PRIVATE KEY label, no passphrase",
      pkcs8.replaceAll(P8, EP8),
      MISSING,
    ),
    v("public key (swapped)", a.pub, TYPE),
    v("public labelled RSA PRIVATE KEY", a.pub.replaceAll(PUB, PRIV), PEM),
    v("empty body", armour(PRIV, [""]), PEM),
    v("empty string", "", PEM),
    der("re-encoded a (valid)", privatePem(a), OK),
    der("p and q swapped consistently (valid)", privatePem(a, swapped), OK),
    der(d2Note, privatePem(a, { d: d2 }), d2 < n ? OK : KEY),
    der("version 1", privatePem(a, { version: 1n }), KEY),
    der("version -1", privatePem(a, { version: -1n }), PEM),
    der("8 integers (no qi)", privatePem(a, { qi: null }), PEM),
    der("10 integers", privatePem(a, { extra: [0n] }), PEM),
    der("p and q swapped only", privatePem(a, { p: q, q: p }), KEY),
    der("d = 0", privatePem(a, { d: 0n }), KEY),
    der("d = n", privatePem(a, { d: n }), KEY),
    der("d + n", privatePem(a, { d: d + n }), KEY),
    der("qi = 0", privatePem(a, { qi: 0n }), KEY),
    der("qi + p", privatePem(a, { qi: qi + p }), KEY),
    der("dp + 1", privatePem(a, { dp: dp + 1n }), KEY),
    der("p = 1, q = n", privatePem(a, { p: 1n, q: n }), KEY),
    der("p = n, q = 1", privatePem(a, { p: n, q: 1n }), KEY),
    der("n + 2", privatePem(a, { n: n + 2n }), KEY),
    der("e = 3", privatePem(a, { e: 3n }), KEY),
    der(
      "p = 3, rest consistent",
      privatePem(rsaFromPrimes(3n, PRIMES[2047], 65537n)),
      KEY,
    ),
    der(
      "1024- and 3072-bit primes, rest consistent",
      privatePem(rsaFromPrimes(PRIMES[1024], PRIMES[3072], 65537n)),
      KEY,
    ),
    der("all zero", pem(PRIV, integerSequence(Array(9).fill(0n))), KEY),
    der("composite p and q, rest consistent", composite, FAIL, compositeCt),
    der("b's n with a's rest", privatePem(a, { n: b.n }), KEY),
  ];
}

/** Ciphertext strings for key a. */
function ciphertextVariants(m: BaseMaterial): Variant[] {
  const { a, ctA, ctB } = m;
  const C = ctA;
  const size = byteLength(a.n);
  const raw = Uint8Array.fromBase64(C);
  const urlSafe = C.replaceAll("+", "-").replaceAll("/", "_");
  const v = (note: string, value: string, code?: string): Variant => ({
    note,
    value,
    code,
  });
  const b = (note: string, bytes: Uint8Array, code?: string) =>
    v(note, bytes.toBase64(), code);
  const local = (note: string, plaintext: Uint8Array, code?: string) =>
    v(`local encryption of ${note}`, m.encrypt(a, plaintext), code);
  const fixed = (value: bigint) => bigintToBytes(value, size);
  return [
    v("a's (valid)", C, OK),
    v("b's ciphertext", ctB, ciphertextCode(ctB, a)),
    b("all 0xff", new Uint8Array(size).fill(0xff), BAD_CT),
    b("all zero", new Uint8Array(size), FAIL),
    b("one", fixed(1n), FAIL),
    b("= n", fixed(a.n), BAD_CT),
    b("= n - 1", fixed(a.n - 1n), FAIL),
    b("= n + 1", fixed(a.n + 1n), BAD_CT),
    b("255 bytes", raw.subarray(1), BAD_CT),
    b("257 bytes (00 prefix)", concat([0], raw), BAD_CT),
    b("512 bytes", concat(raw, raw), BAD_CT),
    b("128 bytes", raw.subarray(0, 128), BAD_CT),
    v("empty", "", BAD_CT),
    v("no padding", C.replace(/=+$/, ""), BAD_CT),
    v("extra =", C + "=", BAD_CT),
    v("url-safe alphabet", urlSafe, urlSafe === C ? OK : BAD_CT),
    v("76-column lines", (C.match(/.{1,76}/g) ?? []).join("\n"), OK),
    v("surrounding spaces", "  " + C + " \n", OK),
    v("NBSP inside", C.slice(0, 100) + "\u00a0" + C.slice(100), BAD_CT),
    v("% inside", C.slice(0, 10) + "%" + C.slice(10), BAD_CT),
    v("hex instead of base64", raw.toHex(), BAD_CT),
    v("lower-cased", C.toLowerCase(), ciphertextCode(C.toLowerCase(), a)),
    v("non-zero padding bits", C.replace(/(.)==$/, "B=="), BAD_CT),
    v("!!!!", "!!!!", BAD_CT),
    local("the fernet (valid)", encoder.encode(m.fernet), OK),
    local("empty plaintext", new Uint8Array(), OK),
    local("FF FE (not UTF-8)", Uint8Array.of(0xff, 0xfe), FAIL),
    local("ED A0 80 (CESU surrogate)", Uint8Array.of(0xed, 0xa0, 0x80), FAIL),
    local("C3 (truncated UTF-8)", Uint8Array.of(0x41, 0xc3), FAIL),
    local("BOM + abc", Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0x62, 0x63), OK),
    local("NUL NUL", Uint8Array.of(0, 0), OK),
    local("é€😀", encoder.encode("é€😀"), OK),
    local("245 bytes", encoder.encode("x".repeat(245)), OK),
  ];
}

/**
 * The reply code a decrypt_fernet of `text` under `key` with `padding` must
 * get, worked out exactly: the RSA operation by the CRT, then the padding
 * check and the UTF-8 check of RFC 8017 and the contract (the reference
 * decoders of _keys.ts).
 */
export function decryptCode(
  key: Pair,
  text: string,
  padding: Padding = "pkcs1v15",
): string {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return BAD_CT;
  }
  if (bytes.length !== byteLength(key.n) || bytesToBigint(bytes) >= key.n) {
    return BAD_CT;
  }
  const em = rawDecrypt(key, bytes);
  const message = padding === "oaep-sha256" ? oaepDecode(em) : pkcs1Decode(em);
  if (message === null) return FAIL;
  try {
    utf8KeepBom.decode(message);
    return OK;
  } catch {
    return FAIL;
  }
}

/** Contract v1.1 material: SPKI, PKCS#8 and sealed keys, OAEP ciphertexts. */
export interface V11Material {
  /** Key a (and b, e3) as SPKI `PUBLIC KEY`. */
  readonly aSpki: string;
  readonly bSpki: string;
  readonly e3Spki: string;
  /** Key a (and b) as PKCS#8 `PRIVATE KEY`. */
  readonly aPkcs8: string;
  readonly bPkcs8: string;
  /** Key a as `ENCRYPTED PRIVATE KEY` under `passphrase`. */
  readonly aSealed: string;
  /** The passphrase of `aSealed`: a seeded token, non-ASCII, astral. */
  readonly passphrase: string;
  /** A passphrase that opens nothing. */
  readonly wrongPassphrase: string;
  /** The Fernet key under a (and b) with OAEP-SHA-256 and a seeded seed. */
  readonly ctOaepA: string;
  readonly ctOaepB: string;
  /** Ciphertexts for key a with OAEP (`padding` set on each). */
  readonly oaepCiphertexts: readonly Variant[];
  /** Public-key variants of v1.1 (SPKI, other algorithms). */
  readonly spkiVariants: readonly Variant[];
  /** Private-key variants of v1.1 (PKCS#8, sealed, other algorithms). */
  readonly pkcs8Variants: readonly Variant[];
  /** Every passphrase the material sends (for the leak detector). */
  readonly phrases: readonly string[];
  /** Private DER of other algorithms' keys (for the leak detector). */
  readonly foreignSecrets: readonly Uint8Array[];
  /** Public-key strings short enough for lists, with their codes. */
  readonly recipients: readonly Variant[];
  /** The code of a decrypt of ctA / ctOaepA under a, by padding. */
  readonly ctCodes: Readonly<
    Record<"ctA" | "ctOaepA", Readonly<Record<Padding, string>>>
  >;
  /** A seeded generator for tokens (passphrases of the cases). */
  readonly token: (rng: Rng, length?: number) => string;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** PBKDF2 iterations of the sealed keys the fuzz sends: cheap on purpose. */
export const SEALED_ITERATIONS = 2048;
const OAEP_PADDING: Padding = "oaep-sha256";

function v11Material(rng: Rng, m: BaseMaterial): V11Material {
  const { a, b, e3, small, ctA, ctB, fernet } = m;
  const token = (r: Rng, length = 16) =>
    Array.from({ length }, () => ALNUM[r.int(ALNUM.length)]).join("");
  const passphrase = `fuzz-${token(rng)}-pässwörd-😀`;
  const wrongPassphrase = `fuzz-${token(rng)}-wrong`;
  const longPassphrase = (passphrase + "-" + token(rng, 64)).repeat(300)
    .slice(0, 16_384);
  const phrases = [passphrase, wrongPassphrase, longPassphrase];
  const P8 = "PRIVATE KEY";
  const EP8 = "ENCRYPTED PRIVATE KEY";
  const SPKI = "PUBLIC KEY";
  const spkiOf = (key: Pair) => pem(SPKI, spki(RSA(), publicDer(key)));
  const pkcs8Of = (key: Pair) => pem(P8, pkcs8(RSA(), privateDer(key)));
  const sealDer = (plain: Uint8Array, o: Partial<SealOptions> = {}) =>
    sealPkcs8(plain, {
      passphrase,
      salt: rng.bytes(16),
      iv: rng.bytes(16),
      iterations: SEALED_ITERATIONS,
      ...o,
    });
  const seal = (plain: Uint8Array, o: Partial<SealOptions> = {}) =>
    pem(EP8, sealDer(plain, o));
  const encryptOaep = (key: Pair, message: Uint8Array, t?: OaepTweaks) =>
    oaepEncrypt(rng, key, message, t).toBase64();
  const plain = encoder.encode(fernet);
  const aSpki = spkiOf(a);
  const aPkcs8 = pkcs8Of(a);
  const aDer = pkcs8(RSA(), privateDer(a));
  const aSealed = seal(aDer);
  const ctOaepA = encryptOaep(a, plain);
  const ctOaepB = encryptOaep(b, plain);
  const smallCt = pkcs1Encrypt(rng, small, encoder.encode("x")).toBase64();

  // Keys of other algorithms: seeded bytes in the right structures (the
  // service must refuse them by their OID, whatever the bytes).
  const ecPoint = concat([4], rng.bytes(64));
  const ecAlg = () =>
    algorithm(OID.ecPublicKey, Uint8Array.fromHex(OID.prime256v1));
  const ecPrivate = pkcs8(
    ecAlg(),
    derSequence(
      derInteger(1n),
      tlv(0x04, rng.bytes(32)),
      tlv(0xa1, tlv(0x03, concat([0], ecPoint))),
    ),
  );
  const edPrivate = pkcs8(
    algorithm(OID.ed25519, null),
    tlv(0x04, rng.bytes(32)),
  );
  const xPrivate = pkcs8(algorithm(OID.x25519, null), tlv(0x04, rng.bytes(32)));
  const dsaParams = derSequence(
    derInteger(23n),
    derInteger(11n),
    derInteger(4n),
  );
  const dsaPrivate = pkcs8(algorithm(OID.dsa, dsaParams), derInteger(7n));
  const foreignSecrets = [ecPrivate, edPrivate, xPrivate];

  const v = (
    note: string,
    value: string,
    code: string,
    extra: Partial<Variant> = {},
  ): Variant => ({ note, value, code, ...extra });

  const flatSpki = aSpki.split("\n").slice(1, -2).join("");
  const spkiVariants: Variant[] = [
    v("SPKI of b (valid)", spkiOf(b), OK),
    v("SPKI of the e=3 key (valid)", spkiOf(e3), OK),
    v("SPKI, CRLF line ends", aSpki.replaceAll("\n", "\r\n"), OK),
    v("SPKI, body on one line", armour(SPKI, [flatSpki]), OK),
    v(
      "SPKI without NULL parameters (valid)",
      pem(SPKI, spki(algorithm(OID.rsaEncryption, null), publicDer(a))),
      OK,
    ),
    v(
      "SPKI with INTEGER parameters",
      pem(
        SPKI,
        spki(algorithm(OID.rsaEncryption, derInteger(0n)), publicDer(a)),
      ),
      PEM,
    ),
    v(
      "SPKI algorithm of 3 items",
      pem(
        SPKI,
        spki(
          algorithm(
            OID.rsaEncryption,
            Uint8Array.of(5, 0),
            Uint8Array.of(5, 0),
          ),
          publicDer(a),
        ),
      ),
      PEM,
    ),
    v(
      "SPKI BIT STRING with 1 unused bit",
      pem(SPKI, spki(RSA(), publicDer(a), { unused: 1 })),
      PEM,
    ),
    v(
      "SPKI with a trailing item",
      pem(SPKI, spki(RSA(), publicDer(a), { extra: [Uint8Array.of(5, 0)] })),
      PEM,
    ),
    v(
      "SPKI with a long-form length",
      pem(
        SPKI,
        derSequenceWith(
          { octets: 3 },
          RSA(),
          tlv(0x03, concat([0], publicDer(a))),
        ),
      ),
      PEM,
    ),
    v("SPKI holding e=1", pem(SPKI, spki(RSA(), publicDer(a, { e: 1n }))), KEY),
    v("SPKI holding the 1024-bit key", spkiOf(small), KEY),
    v("SPKI holding garbage", pem(SPKI, spki(RSA(), rng.bytes(48))), PEM),
    v(
      "SPKI holding a's private key",
      pem(SPKI, spki(RSA(), privateDer(a))),
      PEM,
    ),
    v("PKCS#1 labelled PUBLIC KEY", pem(SPKI, publicDer(a)), PEM),
    v("EC SPKI", pem(SPKI, spki(ecAlg(), ecPoint)), TYPE),
    v(
      "Ed25519 SPKI",
      pem(SPKI, spki(algorithm(OID.ed25519, null), rng.bytes(32))),
      TYPE,
    ),
    v(
      "X25519 SPKI",
      pem(SPKI, spki(algorithm(OID.x25519, null), rng.bytes(32))),
      TYPE,
    ),
    v(
      "DSA SPKI",
      pem(SPKI, spki(algorithm(OID.dsa, dsaParams), derInteger(9n))),
      TYPE,
    ),
    v(
      "RSASSA-PSS SPKI of a",
      pem(SPKI, spki(algorithm(OID.rsassaPss, null), publicDer(a))),
      TYPE,
    ),
    v(
      "SPKI of a under OID 1.2.3.4",
      pem(SPKI, spki(algorithm(OID.unknown), publicDer(a))),
      TYPE,
    ),
    v("PKCS#8 in rsa_public", aPkcs8, TYPE),
    v("ENCRYPTED PRIVATE KEY in rsa_public", aSealed, TYPE),
  ];

  const withCt = (ciphertext: string, extra: Partial<Variant> = {}) => ({
    ciphertext,
    ...extra,
  });
  const pp = { passphrase };
  const sealedB = seal(pkcs8(RSA(), privateDer(b)));
  const pkcs8Variants: Variant[] = [
    v(
      "PKCS#8 a, OAEP ciphertext (valid)",
      aPkcs8,
      OK,
      withCt(ctOaepA, { padding: OAEP_PADDING }),
    ),
    v("PKCS#8 b (valid)", pkcs8Of(b), OK, withCt(ctB)),
    v(
      "PKCS#8 b with a's ciphertext",
      pkcs8Of(b),
      decryptCode(b, ctA),
      withCt(ctA),
    ),
    v(
      "PKCS#8, CRLF line ends",
      aPkcs8.replaceAll("\n", "\r\n"),
      OK,
      withCt(ctA),
    ),
    v(
      "PKCS#8 without NULL parameters (valid)",
      pem(P8, pkcs8(algorithm(OID.rsaEncryption, null), privateDer(a))),
      OK,
      withCt(ctA),
    ),
    v(
      "PKCS#8 with INTEGER parameters",
      pem(
        P8,
        pkcs8(algorithm(OID.rsaEncryption, derInteger(0n)), privateDer(a)),
      ),
      PEM,
      withCt(ctA),
    ),
    v(
      "PKCS#8 version 1",
      pem(P8, pkcs8(RSA(), privateDer(a), { version: 1n })),
      PEM,
      withCt(ctA),
    ),
    v(
      "PKCS#8 with attributes",
      pem(
        P8,
        pkcs8(RSA(), privateDer(a), { extra: [tlv(0xa0, new Uint8Array())] }),
      ),
      PEM,
      withCt(ctA),
    ),
    v(
      "PKCS#8 holding d + n",
      pem(P8, pkcs8(RSA(), privateDer(a, { d: a.d + a.n }))),
      KEY,
      withCt(ctA),
    ),
    v("PKCS#8 holding the 1024-bit key", pkcs8Of(small), KEY, withCt(smallCt)),
    v(
      "PKCS#8 holding garbage",
      pem(P8, pkcs8(RSA(), rng.bytes(64))),
      PEM,
      withCt(ctA),
    ),
    v(
      "PKCS#8 holding a public key",
      pem(P8, pkcs8(RSA(), publicDer(a))),
      PEM,
      withCt(ctA),
    ),
    v("PKCS#1 labelled PRIVATE KEY", pem(P8, privateDer(a)), PEM, withCt(ctA)),
    v("EC PKCS#8", pem(P8, ecPrivate), TYPE, withCt(ctA)),
    v("Ed25519 PKCS#8", pem(P8, edPrivate), TYPE, withCt(ctA)),
    v("X25519 PKCS#8", pem(P8, xPrivate), TYPE, withCt(ctA)),
    v("DSA PKCS#8", pem(P8, dsaPrivate), TYPE, withCt(ctA)),
    v(
      "RSASSA-PSS PKCS#8 of a",
      pem(P8, pkcs8(algorithm(OID.rsassaPss, null), privateDer(a))),
      TYPE,
      withCt(ctA),
    ),
    v(
      "PKCS#8 of a under OID 1.2.3.4",
      pem(P8, pkcs8(algorithm(OID.unknown), privateDer(a))),
      TYPE,
      withCt(ctA),
    ),
    v("SPKI in rsa_private", aSpki, TYPE, withCt(ctA)),
    v("PKCS#1 a with a passphrase (ignored)", a.priv, OK, withCt(ctA, pp)),
    v("PKCS#8 a with a passphrase (ignored)", aPkcs8, OK, withCt(ctA, pp)),
    // Sealed (PBES2) keys.
    v("sealed a (valid)", aSealed, OK, withCt(ctA, pp)),
    v(
      "sealed a, OAEP ciphertext (valid)",
      aSealed,
      OK,
      withCt(ctOaepA, { ...pp, padding: OAEP_PADDING }),
    ),
    v(
      "sealed a, CRLF line ends",
      aSealed.replaceAll("\n", "\r\n"),
      OK,
      withCt(ctA, pp),
    ),
    v("sealed b (valid)", sealedB, OK, withCt(ctB, pp)),
    v(
      "sealed b with a's ciphertext",
      sealedB,
      decryptCode(b, ctA),
      withCt(ctA, pp),
    ),
    v("sealed a, no passphrase", aSealed, MISSING, withCt(ctA)),
    v(
      "sealed a, wrong passphrase",
      aSealed,
      PASS,
      withCt(ctA, { passphrase: wrongPassphrase }),
    ),
    v(
      "sealed a, passphrase in NFD",
      aSealed,
      PASS,
      withCt(ctA, { passphrase: passphrase.normalize("NFD") }),
    ),
    v(
      "sealed a, passphrase + space",
      aSealed,
      PASS,
      withCt(ctA, { passphrase: passphrase + " " }),
    ),
    v(
      "sealed a, empty passphrase",
      aSealed,
      FIELD,
      withCt(ctA, { passphrase: "" }),
    ),
    v(
      "sealed a, lone surrogate in passphrase",
      aSealed,
      FIELD,
      withCt(ctA, { passphrase: passphrase + "\ud800" }),
    ),
    v(
      "sealed a, 16385-unit passphrase",
      aSealed,
      FIELD,
      withCt(ctA, { passphrase: longPassphrase + "x" }),
    ),
    v(
      "sealed a under a 16384-unit passphrase (valid)",
      seal(aDer, { passphrase: longPassphrase }),
      OK,
      withCt(ctA, { passphrase: longPassphrase }),
    ),
    v("sealed a, bad ciphertext", aSealed, BAD_CT, withCt("!!!!", pp)),
    // The ciphertext's base64 is checked before any key derivation.
    v(
      "sealed a, wrong passphrase and bad ciphertext",
      aSealed,
      BAD_CT,
      withCt("!!!!", { passphrase: wrongPassphrase }),
    ),
    v(
      "sealed, 1 iteration (valid)",
      seal(aDer, { iterations: 1 }),
      OK,
      withCt(ctA, pp),
    ),
    v(
      "sealed, keyLength 32 (valid)",
      seal(aDer, { keyLength: 32n }),
      OK,
      withCt(ctA, pp),
    ),
    v(
      "sealed, PRF without NULL (valid)",
      seal(aDer, { prfWithoutNull: true }),
      OK,
      withCt(ctA, pp),
    ),
    v(
      "sealed, 0 iterations written",
      seal(aDer, { iterations: 1, declaredIterations: 0n }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, 10000001 iterations written",
      seal(aDer, { iterations: 1, declaredIterations: 10_000_001n }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, PBKDF2-SHA-1 (no PRF)",
      seal(aDer, { prf: null }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, HMAC-SHA-1 PRF",
      seal(aDer, { prf: OID.hmacSha1 }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, AES-128-CBC OID",
      seal(aDer, { cipher: OID.aes128cbc }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, keyLength 16",
      seal(aDer, { keyLength: 16n }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, PBES1 scheme OID",
      seal(aDer, { scheme: OID.pbeSha1Des3 }),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed, 8-byte IV",
      seal(aDer, { writtenIv: rng.bytes(8) }),
      PEM,
      withCt(ctA, pp),
    ),
    v(
      "sealed, data not whole blocks",
      seal(aDer, { editData: (d) => d.subarray(0, d.length - 1) }),
      PEM,
      withCt(ctA, pp),
    ),
    v(
      "sealed, last block dropped",
      seal(aDer, { editData: (d) => d.subarray(0, d.length - 16) }),
      PASS,
      withCt(ctA, pp),
    ),
    v(
      "sealed, empty salt",
      seal(aDer, { salt: new Uint8Array() }),
      PEM,
      withCt(ctA, pp),
    ),
    v(
      "sealed, trailing item",
      seal(aDer, { extra: [Uint8Array.of(5, 0)] }),
      PEM,
      withCt(ctA, pp),
    ),
    v("sealed PKCS#1 (not PKCS#8)", seal(privateDer(a)), PEM, withCt(ctA, pp)),
    v("sealed EC PKCS#8", seal(ecPrivate), TYPE, withCt(ctA, pp)),
    v(
      "sealed text, not DER",
      seal(encoder.encode("not a PrivateKeyInfo")),
      PASS,
      withCt(ctA, pp),
    ),
    v(
      "sealed PKCS#8 holding d + n",
      seal(pkcs8(RSA(), privateDer(a, { d: a.d + a.n }))),
      KEY,
      withCt(ctA, pp),
    ),
    v(
      "sealed DER labelled PRIVATE KEY",
      pem(P8, sealDer(aDer)),
      PEM,
      withCt(ctA, pp),
    ),
    v(
      "PKCS#8 labelled ENCRYPTED PRIVATE KEY, with passphrase",
      pem(EP8, aDer),
      PEM,
      withCt(ctA, pp),
    ),
  ];

  const raw = Uint8Array.fromBase64(ctOaepA);
  const size = byteLength(a.n);
  const o = (note: string, value: string): Variant =>
    v(note, value, decryptCode(a, value, OAEP_PADDING), {
      padding: OAEP_PADDING,
    });
  const local = (note: string, message: Uint8Array, t?: OaepTweaks) =>
    o(`OAEP of ${note}`, encryptOaep(a, message, t));
  const oaepCiphertexts: Variant[] = [
    o("a's OAEP ciphertext (valid)", ctOaepA),
    o("b's OAEP ciphertext", ctOaepB),
    o("a's PKCS#1 v1.5 ciphertext", ctA),
    local("the empty plaintext", new Uint8Array()),
    local("190 bytes (the most)", encoder.encode("x".repeat(190))),
    local("BOM + abc", Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0x62, 0x63)),
    local("FF FE (not UTF-8)", Uint8Array.of(0xff, 0xfe)),
    local('the fernet, label "L"', plain, { label: encoder.encode("L") }),
    local("the fernet, first byte 01", plain, { firstByte: 1 }),
    local("the fernet, separator 02", plain, { separator: 2 }),
    local("the fernet, separator 00", plain, { separator: 0 }),
    o("all zero", new Uint8Array(size).toBase64()),
    o("= n - 1", bigintToBytes(a.n - 1n, size).toBase64()),
    o("= n", bigintToBytes(a.n, size).toBase64()),
    o("255 bytes", raw.subarray(1).toBase64()),
    o("76-column lines", (ctOaepA.match(/.{1,76}/g) ?? []).join("\n")),
  ];
  // And the other way round: an OAEP ciphertext read as PKCS#1 v1.5.
  pkcs8Variants.push(
    v(
      "a with its OAEP ciphertext, as PKCS#1 v1.5",
      a.priv,
      decryptCode(a, ctOaepA),
      withCt(ctOaepA),
    ),
  );

  const recipients = [
    v("a (valid)", a.pub, OK),
    v("b (valid)", b.pub, OK),
    v("e=3 key (valid)", e3.pub, OK),
    v("SPKI of a (valid)", aSpki, OK),
    v("1024-bit key", small.pub, KEY),
    v("private key", a.priv, TYPE),
    v("empty string", "", PEM),
    v("two blocks", a.pub + b.pub, PEM),
    v("public key with e=1", publicPem(a, { e: 1n }), KEY),
    ...spkiVariants,
  ].filter((x) => x.value.length <= 2000);

  return {
    aSpki,
    bSpki: spkiOf(b),
    e3Spki: spkiOf(e3),
    aPkcs8,
    bPkcs8: pkcs8Of(b),
    aSealed,
    passphrase,
    wrongPassphrase,
    ctOaepA,
    ctOaepB,
    oaepCiphertexts,
    spkiVariants,
    pkcs8Variants,
    phrases,
    foreignSecrets,
    recipients,
    ctCodes: {
      ctA: { pkcs1v15: OK, "oaep-sha256": decryptCode(a, ctA, OAEP_PADDING) },
      ctOaepA: { pkcs1v15: decryptCode(a, ctOaepA), "oaep-sha256": OK },
    },
    token,
  };
}
