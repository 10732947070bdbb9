// Whole-field variants: public keys, private keys and ciphertexts, valid and
// not, one line each. Crafted DER goes through the builders of
// tests/_helpers/der.ts: `privateDer(a, { d: a.d + a.n })` is key a with d
// replaced. Each variant may name the reply code it must get when sent as it
// is (with the run's Fernet key, or its own ciphertext).

import {
  bigintToBytes,
  byteLength,
  concat,
  derInteger,
  derSequence,
  derSequenceWith,
  integerSequence,
  lcm,
  modInverse,
  pem,
  pkcs8Der,
  privateDer,
  privatePem,
  publicDer,
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

/** Public-key strings: valid ones, wrong ones, crafted DER. */
function publicVariants(m: BaseMaterial): Variant[] {
  const { a, b, e3, small } = m;
  const { n, e } = a;
  const body = bodyLines(a.pub);
  const inner = concat(derInteger(n), derInteger(e));
  const spki = pem("PUBLIC KEY", spkiDer(publicDer(a)));
  const v = (note: string, value: string, code?: string): Variant => ({
    note,
    value,
    code,
  });
  const der = (note: string, bytes: Uint8Array, code?: string) =>
    v(`crafted DER: ${note}`, pem(PUB, bytes), code);
  return [
    v("a (valid)", a.pub, OK),
    v("b (valid)", b.pub, OK),
    v("e=3 key (valid)", e3.pub, OK),
    v("1024-bit key", small.pub, KEY),
    v("CRLF line ends", a.pub.replaceAll("\n", "\r\n"), OK),
    v("surrounding white space", "\n\n  \t" + a.pub + "  \n\n", OK),
    v("no final newline", a.pub.trimEnd(), OK),
    v("body on one line", armour(PUB, [body.join("")]), OK),
    v("76-column body", armour(PUB, body.join("").match(/.{1,76}/g) ?? []), OK),
    v("trailing spaces on lines", a.pub.replaceAll("\n", " \n"), PEM),
    v("indented with tabs", a.pub.replace(/^(?=.)/gm, "\t"), PEM),
    v("blank line inside body", a.pub.replace(body[1], body[1] + "\n"), OK),
    v("trailing garbage", a.pub + "garbage", PEM),
    v("two blocks", a.pub + a.pub, PEM),
    v("extra END line", a.pub + `-----END ${PUB}-----\n`, PEM),
    v("text before BEGIN", "Bag Attributes\n" + a.pub, PEM),
    v("no END line", a.pub.replace(`-----END ${PUB}-----\n`, ""), PEM),
    v("END label differs", a.pub.replace("END RSA PUBLIC", "END RSA PRIVATE"), PEM),
    v("lower-case label", a.pub.replaceAll(PUB, "rsa public key"), PEM),
    v("four dashes", a.pub.replaceAll("-----", "----"), PEM),
    v("double space in label", a.pub.replaceAll("RSA PUBLIC", "RSA  PUBLIC"), TYPE),
    v("label over 40 chars", a.pub.replaceAll(PUB, `${PUB} ${PUB} ${PUB}`), PEM),
    v(
      "Proc-Type headers",
      a.pub.replace(
        "-----\n",
        "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
      ),
    ),
    v("SPKI (PUBLIC KEY)", spki, TYPE),
    v("SPKI body labelled RSA PUBLIC KEY", spki.replaceAll("PUBLIC KEY", PUB), PEM),
    v("CERTIFICATE label", a.pub.replaceAll(PUB, "CERTIFICATE"), TYPE),
    v("private key (swapped)", a.priv, TYPE),
    v("private body labelled RSA PUBLIC KEY", a.priv.replaceAll(PRIV, PUB), PEM),
    v("empty body", armour(PUB, []), PEM),
    v("empty string", "", PEM),
    v("base64 only", body.join(""), PEM),
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
    der(
      "n negative (no 00 prefix)",
      publicDer(a, { n: tlv(2, bigintToBytes(n)) }),
    ),
    der(
      "n non-minimal (00 00 prefix)",
      publicDer(a, { n: derInteger(n, { extraZero: true }) }),
    ),
    der("only n", publicDer(a, { e: null }), PEM),
    der("n, e, 0", publicDer(a, { extra: [0n] }), PEM),
    der("empty SEQUENCE", derSequence(), PEM),
    der("SET instead of SEQUENCE", tlv(0x31, inner), PEM),
    der("trailing byte", concat(publicDer(a), [0]), PEM),
    der("non-minimal long length", derSequenceWith({ octets: 4 }, inner), PEM),
    der("indefinite length", derSequenceWith({ indefinite: true }, inner), PEM),
    der("length too long", derSequenceWith({ declared: 0xfff }, inner), PEM),
    der(
      "length too short",
      derSequenceWith({ declared: 10, octets: 2 }, inner),
    ),
    der("OCTET STRING for n", publicDer(a, { n: tlv(4, bigintToBytes(n)) }), PEM),
    der("nested SEQUENCE", derSequence(publicDer(a)), PEM),
    der("6000 indefinite SEQUENCEs", concat(...Array(6000).fill([0x30, 0x80])), PEM),
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
  const lambda = lcm(p - 1n, q - 1n);
  const pkcs8 = pem("PRIVATE KEY", pkcs8Der(privateDer(a)));
  const body = bodyLines(a.priv);
  const composite = compositeKey(m.rng, 2048, e);
  const compositeCt = m.encrypt(composite, encoder.encode("x"));
  const smallCt = m.encrypt(small, encoder.encode("x"));
  const v = (
    note: string,
    value: string,
    code?: string,
    ciphertext = ctA,
  ): Variant => ({ note, value, code, ciphertext });
  const der = (note: string, value: string, code?: string, ct = ctA) =>
    v(`crafted DER: ${note}`, value, code, ct);
  const d2 = d + lambda;
  return [
    v("a (valid)", a.priv, OK),
    v("b (valid)", b.priv, OK, ctB),
    v("e=3 key (valid)", e3.priv, OK, ctE3),
    v("b with a's ciphertext", b.priv, FAIL, ctA),
    v("a with b's ciphertext", a.priv, FAIL, ctB),
    v("e=3 key with a's ciphertext", e3.priv, FAIL, ctA),
    v("1024-bit key", small.priv, KEY, smallCt),
    v("CRLF line ends", a.priv.replaceAll("\n", "\r\n"), OK),
    v("surrounding white space", "\r\n \t" + a.priv + "\n\n  ", OK),
    v("no final newline", a.priv.trimEnd(), OK),
    v("body on one line", armour(PRIV, [body.join("")]), OK),
    v("trailing spaces on lines", a.priv.replaceAll("\n", "  \n"), PEM),
    v("trailing garbage", a.priv + "\x00garbage", PEM),
    v("two blocks", a.priv + b.priv, PEM),
    v("text before BEGIN", "Key:\n" + a.priv, PEM),
    v("no END line", a.priv.replace(`-----END ${PRIV}-----\n`, ""), PEM),
    v("END label differs", a.priv.replace("END RSA PRIVATE", "END RSA PUBLIC"), PEM),
    v("lower-case label", a.priv.replaceAll(PRIV, "rsa private key"), PEM),
    v(
      "Proc-Type headers",
      a.priv.replace(
        "-----\n",
        "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0011223344556677\n\n",
      ),
    ),
    v("PKCS#8 (PRIVATE KEY)", pkcs8, TYPE),
    v(
      "PKCS#8 body labelled RSA PRIVATE KEY",
      pkcs8.replaceAll("PRIVATE KEY", PRIV),
    ),
    v(
      "ENCRYPTED PRIVATE KEY label",
      pkcs8.replaceAll("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
    ),
    v("public key (swapped)", a.pub, TYPE),
    v("public body labelled RSA PRIVATE KEY", a.pub.replaceAll(PUB, PRIV), PEM),
    v("empty body", armour(PRIV, [""]), PEM),
    v("empty string", "", PEM),
    der("re-encoded a (valid)", privatePem(a), OK),
    der(
      "p and q swapped consistently (valid)",
      privatePem(a, { p: q, q: p, dp: dq, dq: dp, qi: modInverse(p, q) }),
    ),
    der(
      `d + lambda (${d2 < n ? "below" : "not below"} n)`,
      privatePem(a, { d: d2 }),
    ),
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
    der(
      "composite p and q, all else consistent",
      privatePem(composite),
      undefined,
      compositeCt,
    ),
    der("b's n with a's rest", privatePem(a, { n: b.n }), KEY),
  ];
}

/** Ciphertext strings for key a. */
function ciphertextVariants(m: BaseMaterial): Variant[] {
  const { a, ctA, ctB } = m;
  const size = byteLength(a.n);
  const raw = Uint8Array.fromBase64(ctA);
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
    v("a's (valid)", ctA, OK),
    v("b's ciphertext", ctB, FAIL),
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
    v("no padding", ctA.replace(/=+$/, ""), BAD_CT),
    v("extra =", ctA + "=", BAD_CT),
    v("url-safe alphabet", ctA.replaceAll("+", "-").replaceAll("/", "_"), BAD_CT),
    v("76-column lines", (ctA.match(/.{1,76}/g) ?? []).join("\n"), OK),
    v("surrounding spaces", "  " + ctA + " \n", OK),
    v("NBSP inside", ctA.slice(0, 100) + "\u00a0" + ctA.slice(100), BAD_CT),
    v("% inside", ctA.slice(0, 10) + "%" + ctA.slice(10), BAD_CT),
    v("hex instead of base64", raw.toHex(), BAD_CT),
    v("lower-cased", ctA.toLowerCase(), FAIL),
    v("non-zero padding bits", ctA.replace(/(.)==$/, "B=="), BAD_CT),
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
