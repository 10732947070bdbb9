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
  type RsaPublicIntegers,
  spkiDer,
  tlv,
} from "../_helpers/der.ts";
import { encoder } from "./_config.ts";
import { type BaseMaterial, baseMaterial, compositeKey } from "./_keys.ts";

/** A labelled string to put in a field (a key, a ciphertext). */
export interface Variant {
  readonly note: string;
  readonly value: string;
  /** The code the reply must carry when sent as is ("ok" for a success). */
  readonly code?: string;
  /** For a private key: the ciphertext to send with it. */
  readonly ciphertext?: string;
}

/** Everything the fuzz cases draw on; a function of the seed only. */
export interface Material extends BaseMaterial {
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
  return { ...base, publics: publicVariants(base), privates, ciphertexts };
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
    v("SPKI (PUBLIC KEY)", spki, TYPE),
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
    der("e=2^32-1", publicDer(a, { e: (1n << 32n) - 1n }), OK),
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
    v("PKCS#8 (PRIVATE KEY)", pkcs8, TYPE),
    v("PKCS#8 labelled RSA PRIVATE KEY", pkcs8.replaceAll(P8, PRIV), PEM),
    v("ENCRYPTED PRIVATE KEY label", pkcs8.replaceAll(P8, EP8), TYPE),
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
