// Checking one reply against what the classifier expects: the reply's
// shape, its code, and for a success its content (a ciphertext that
// node:crypto decrypts to the Fernet key, a plaintext node:crypto agrees on,
// a fresh well-formed key pair). node:crypto is the independent reference
// here; it never makes request bytes.

import { Buffer } from "node:buffer";
import {
  constants,
  createPrivateKey,
  type KeyObject,
  privateDecrypt,
} from "node:crypto";
import {
  bitLength,
  byteLength,
  bytesToBigint,
  pem,
  pemBody,
  pkcs8Der,
  readIntegerSequence,
  spkiDer,
} from "../_helpers/der.ts";
import {
  COUNT,
  encoder,
  lossy,
  PBKDF2_ITERATIONS,
  REPLAY,
  SEED,
  show,
  utf8KeepBom,
} from "./_config.ts";
import {
  BITS,
  type Expect,
  FORMATS,
  OPERATION_CODES,
  PADDINGS,
} from "./_classifier.ts";
import {
  keyOfPkcs8,
  OID,
  openPkcs8,
  pkcs1OfSpki,
  privateIntegers,
  publicIntegers,
  readSealed,
} from "./_containers.ts";
import { checkAge } from "./_cases_age.ts";
import type { FuzzCase } from "./_generator.ts";
import type { Pair } from "./_keys.ts";
import type { SecretScanner } from "./_secrets.ts";

/** The integers of a key pair the service handed out, read by node:crypto. */
export function pairFromPems(name: string, pub: string, priv: string): Pair {
  const jwk = createPrivateKey(priv).export({ format: "jwk" });
  const int = (value: string | undefined) => {
    if (value === undefined) throw new Error("JWK lacks a field");
    return bytesToBigint(
      Uint8Array.fromBase64(value, { alphabet: "base64url" }),
    );
  };
  return {
    name,
    pub,
    priv,
    n: int(jwk.n),
    e: int(jwk.e),
    d: int(jwk.d),
    p: int(jwk.p),
    q: int(jwk.q),
    dp: int(jwk.dp),
    dq: int(jwk.dq),
    qi: int(jwk.qi),
  };
}

/**
 * RSAES-PKCS1-v1_5 (or RSAES-OAEP-SHA-256) decryption by node:crypto
 * (throws on bad padding).
 */
export function localDecrypt(
  key: KeyObject,
  ciphertext: Uint8Array,
  padding: "pkcs1v15" | "oaep-sha256" = "pkcs1v15",
): Uint8Array {
  const out = privateDecrypt(
    padding === "oaep-sha256"
      ? { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }
      : { key, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(ciphertext),
  );
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The map key of an RSA key: its modulus and exponent. */
export const keyId = (n: bigint, e: bigint) =>
  `${n.toString(16)}:${e.toString(16)}`;

/** What the checks know and count across the run. */
export interface Checker {
  readonly secrets: SecretScanner;
  /** Private keys by modulus and exponent. */
  readonly known: Map<string, KeyObject>;
  readonly moduli: Set<bigint>;
  generated: number;
  unverified: number;
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.fromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
}

const LABELS = {
  pkcs1: ["RSA PUBLIC KEY", "RSA PRIVATE KEY"],
  pkcs8: ["PUBLIC KEY", "PRIVATE KEY"],
  sealed: ["PUBLIC KEY", "ENCRYPTED PRIVATE KEY"],
} as const;

/**
 * A generate_keys reply: the format, size and layout asked for; SPKI and
 * PKCS#8 exactly as the test builders write them; a sealed key that is
 * PBES2 with PBKDF2-HMAC-SHA-256 (the service's iterations, a 16-byte salt)
 * and AES-256-CBC, and opens with the passphrase; a pair that matches; a
 * Fernet key. The private key (opened) goes to the leak detector.
 */
async function checkGenerate(
  expect: Extract<Expect, { kind: "generate" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): Promise<string | undefined> {
  const rsa = reply.rsa as Record<string, unknown> | undefined;
  if (typeof rsa !== "object" || rsa === null) {
    return "generate_keys reply lacks rsa";
  }
  const [pub, priv, fernet] = [rsa.public, rsa.private, reply.fernet];
  const sealed = expect.passphrase !== undefined;
  const [pubLabel, privLabel] = LABELS[sealed ? "sealed" : expect.format];
  if (
    typeof pub !== "string" || !pub.startsWith(`-----BEGIN ${pubLabel}-----\n`)
  ) {
    return `generate_keys: rsa.public is not a ${pubLabel} PEM`;
  }
  if (
    typeof priv !== "string" ||
    !priv.startsWith(`-----BEGIN ${privLabel}-----\n`)
  ) {
    return `generate_keys: rsa.private is not a ${privLabel} PEM`;
  }
  if (typeof fernet !== "string" || !/^[A-Za-z0-9_-]{43}=$/.test(fernet)) {
    return "generate_keys: bad fernet";
  }
  const pubDer = pemBody(pub);
  const privDer = pemBody(priv);
  if (pubDer === undefined || pem(pubLabel, pubDer) !== pub) {
    return "generate_keys: rsa.public is not 64-column LF PEM";
  }
  if (privDer === undefined || pem(privLabel, privDer) !== priv) {
    return "generate_keys: rsa.private is not 64-column LF PEM";
  }
  let pkcs8: Uint8Array | undefined = expect.format === "pkcs8"
    ? privDer
    : undefined;
  if (sealed) {
    const s = readSealed(privDer);
    if (
      s === undefined || s.scheme !== OID.pbes2 || s.kdf !== OID.pbkdf2 ||
      s.prf !== OID.hmacSha256 || s.cipher !== OID.aes256cbc ||
      s.iv.length !== 16 || s.salt.length !== 16
    ) {
      return "generate_keys: the sealed key is not PBES2/PBKDF2-HMAC-SHA-256/AES-256-CBC with a 16-byte salt and IV";
    }
    if (s.iterations !== BigInt(PBKDF2_ITERATIONS)) {
      return `generate_keys: the sealed key has ${s.iterations} PBKDF2 iterations, not the service's ${PBKDF2_ITERATIONS}`;
    }
    pkcs8 = await openPkcs8(privDer, expect.passphrase!, PBKDF2_ITERATIONS);
    if (pkcs8 === undefined) {
      return "generate_keys: the passphrase does not open the sealed key";
    }
    ck.secrets.addDer(pkcs8);
  }
  const pkcs1Private = pkcs8 === undefined ? privDer : keyOfPkcs8(pkcs8);
  if (
    pkcs1Private === undefined ||
    (pkcs8 !== undefined && pkcs8Der(pkcs1Private).toHex() !== pkcs8.toHex())
  ) {
    return "generate_keys: the private key is not a PKCS#8 PrivateKeyInfo (rsaEncryption, NULL) as OpenSSL writes it";
  }
  const pkcs1Public = pubLabel === "PUBLIC KEY" ? pkcs1OfSpki(pubDer) : pubDer;
  if (
    pkcs1Public === undefined ||
    (pubLabel === "PUBLIC KEY" &&
      spkiDer(pkcs1Public).toHex() !== pubDer.toHex())
  ) {
    return "generate_keys: the public key is not an SPKI (rsaEncryption, NULL) as OpenSSL writes it";
  }
  let pair: Pair;
  try {
    pair = pairFromPems(
      `generated #${ck.generated}`,
      pem("RSA PUBLIC KEY", pkcs1Public),
      pem("RSA PRIVATE KEY", pkcs1Private),
    );
  } catch (error) {
    return `generate_keys: node:crypto cannot read the private key: ${error}`;
  }
  ck.secrets.add(pair);
  const publicInts = readIntegerSequence(pkcs1Public);
  if (publicInts?.[0] !== pair.n || publicInts?.[1] !== 65537n) {
    return "generate_keys: public key does not match the private key or e != 65537";
  }
  if (bitLength(pair.n) !== expect.bits) {
    return `generate_keys: modulus has ${
      bitLength(pair.n)
    } bits, not ${expect.bits}`;
  }
  if (ck.moduli.has(pair.n)) {
    return "generate_keys: a key pair handed out twice";
  }
  ck.moduli.add(pair.n);
  ck.known.set(keyId(pair.n, pair.e), createPrivateKey(pair.priv));
  ck.generated++;
  return undefined;
}

/**
 * A ciphertext a service made of `fernet` under `publicPem` with `padding`:
 * base64 of k bytes below the modulus that the key's private half (when
 * known) decrypts to the fernet's UTF-8.
 */
function checkCiphertext(
  out: unknown,
  fernet: string,
  publicPem: string,
  padding: "pkcs1v15" | "oaep-sha256",
  ck: Checker,
): string | undefined {
  if (typeof out !== "string") {
    return "success without a string encrypted_fernet";
  }
  const ct = decodeBase64(out);
  if (ct === undefined) return "encrypted_fernet is not standard base64";
  const ints = publicIntegers(publicPem);
  if (ints === undefined || ints.length < 2) {
    ck.unverified++;
    return ct.length >= 256 && ct.length <= 512
      ? undefined
      : `ciphertext of ${ct.length} bytes`;
  }
  const [n, e] = ints;
  const size = byteLength(n);
  if (ct.length !== size) {
    return `ciphertext is ${ct.length} bytes for a ${size}-byte modulus`;
  }
  if (bytesToBigint(ct) >= n) return "ciphertext is not below the modulus";
  const key = ck.known.get(keyId(n, e));
  if (key === undefined) return undefined; // a key nobody holds: shape checked
  let plaintext: Uint8Array;
  try {
    plaintext = localDecrypt(key, ct, padding);
  } catch {
    return `the returned ciphertext does not decrypt (${padding}) with the key's private half`;
  }
  const wanted = encoder.encode(fernet);
  if (plaintext.toHex() !== wanted.toHex()) {
    return `ciphertext decrypts to ${
      plaintext.toHex().slice(0, 80)
    }, not the fernet's UTF-8 ${wanted.toHex().slice(0, 80)}`;
  }
  return undefined;
}

function checkEncrypt(
  expect: Extract<Expect, { kind: "encrypt" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): string | undefined {
  const problem = checkCiphertext(
    reply.encrypted_fernet,
    expect.fernet,
    expect.publicPem,
    expect.padding,
    ck,
  );
  return problem && `encrypt_fernet: ${problem}`;
}

/**
 * An encrypt_fernet_many reply: one result per recipient, in order, each
 * a ciphertext checked as encrypt_fernet's, or an error of encrypt_fernet's
 * codes naming `rsa_publics[i]` (the code the case names, where it names
 * one).
 */
function checkMany(
  c: FuzzCase,
  expect: Extract<Expect, { kind: "encrypt_many" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): string | undefined {
  const results = reply.results;
  if (!Array.isArray(results)) return "encrypt_fernet_many: no results array";
  if (results.length !== expect.publicPems.length) {
    return `encrypt_fernet_many: ${results.length} results for ${expect.publicPems.length} keys`;
  }
  for (const [i, entry] of results.entries()) {
    const at = `encrypt_fernet_many results[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return `${at} is not an object`;
    }
    const keys = Object.keys(entry).sort().join(",");
    const want = c.entryCodes?.[i];
    if (keys === "code,error") {
      const { code, error } = entry as Record<string, unknown>;
      if (typeof code !== "string" || typeof error !== "string") {
        return `${at}: error or code is not a string`;
      }
      if (!OPERATION_CODES.encrypt.includes(code)) {
        return `${at}: code ${code} is not one of encrypt_fernet's`;
      }
      // The key's field, or (plaintext_too_long) the fernet's.
      const named = code === "plaintext_too_long"
        ? "fernet"
        : `rsa_publics[${i}]`;
      if (!error.includes(`"${named}"`)) {
        return `${at}: the message does not name ${named}: ${show(error)}`;
      }
      if (want !== undefined && want !== code) {
        return `${at}: answered ${code}, not ${want}`;
      }
      continue;
    }
    if (keys !== "encrypted_fernet") {
      return `${at} has the fields ${keys}`;
    }
    if (want !== undefined && want !== "ok") {
      return `${at}: succeeded, not ${want}`;
    }
    const problem = checkCiphertext(
      (entry as Record<string, unknown>).encrypted_fernet,
      expect.fernet,
      expect.publicPems[i],
      expect.padding,
      ck,
    );
    if (problem) return `${at}: ${problem}`;
  }
  return undefined;
}

/** The capabilities ping reports (v1.1, and v1.x's key types). */
const CAPABILITIES = JSON.stringify({
  operations: [
    "generate_keys",
    "encrypt_fernet",
    "decrypt_fernet",
    "encrypt_fernet_many",
    "ping",
  ],
  bits: BITS,
  paddings: PADDINGS,
  formats: FORMATS,
  key_types: ["rsa", "mlkem768x25519", "x25519"],
});

function checkPing(reply: Record<string, unknown>, text: string) {
  if (reply.status !== "ok") return `ping replied ${text.slice(0, 200)}`;
  // With the keystore on (the default), v1.2's block comes last.
  const { keystore, ...v11 } = (reply.capabilities ?? {}) as Record<
    string,
    unknown
  >;
  if (JSON.stringify(v11) !== CAPABILITIES) {
    return `ping capabilities ${JSON.stringify(v11)}, not ${CAPABILITIES}`;
  }
  if (
    keystore !== undefined &&
    (keystore as { contract?: unknown }).contract !== "1.2"
  ) return `ping's keystore capabilities ${JSON.stringify(keystore)}`;
  return undefined;
}

/**
 * The key (n, e) of a private PEM: PKCS#1, PKCS#8, or sealed (opened with
 * `passphrase` when it asks for at most 100,000 iterations).
 */
async function privateKeyId(
  text: string,
  passphrase: string | undefined,
): Promise<string | undefined> {
  let ints = privateIntegers(text);
  if (ints === undefined && passphrase !== undefined) {
    const der = pemBody(text);
    const opened = der && await openPkcs8(der, passphrase, 100_000);
    const inner = opened && keyOfPkcs8(opened);
    ints = inner && readIntegerSequence(inner);
  }
  return ints && ints.length >= 3 ? keyId(ints[1], ints[2]) : undefined;
}

async function checkDecrypt(
  c: FuzzCase,
  expect: Extract<Expect, { kind: "decrypt" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): Promise<string | undefined> {
  const fernet = reply.fernet;
  if (typeof fernet !== "string") {
    return "decrypt_fernet success without a string fernet";
  }
  if (c.exactFernet !== undefined && fernet !== c.exactFernet) {
    return `decrypted ${show(fernet)}, not the original fernet ${
      show(c.exactFernet)
    }`;
  }
  const id = await privateKeyId(expect.privatePem, expect.passphrase);
  const key = id === undefined ? undefined : ck.known.get(id);
  const ct = decodeBase64(expect.ciphertext);
  if (key === undefined || ct === undefined) {
    ck.unverified++;
    return undefined;
  }
  let wanted: string;
  try {
    // The plaintext decoded as Python's bytes.decode() does.
    wanted = utf8KeepBom.decode(localDecrypt(key, ct, expect.padding));
  } catch {
    return "the service decrypted a ciphertext that node:crypto rejects (or whose plaintext is not UTF-8)";
  }
  if (fernet !== wanted) {
    return `decrypt_fernet replied ${
      show(fernet)
    }, but the plaintext decoded as UTF-8 (Python's bytes.decode()) is ${
      show(wanted)
    }`;
  }
  return undefined;
}

/** The reply's problem, or undefined when it is fine; `code` is set for the tally. */
export async function checkReply(
  c: FuzzCase,
  frames: Uint8Array[],
  ck: Checker,
): Promise<{ problem?: string; code: string }> {
  if (frames.length !== 1) {
    return { problem: `reply has ${frames.length} frames`, code: "?" };
  }
  let text: string;
  try {
    text = utf8KeepBom.decode(frames[0]);
  } catch {
    return { problem: "reply is not UTF-8", code: "?" };
  }
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return { problem: `reply is not JSON: ${text.slice(0, 200)}`, code: "?" };
  }
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    return {
      problem: `reply is not a JSON object: ${text.slice(0, 200)}`,
      code: "?",
    };
  }
  const object = reply as Record<string, unknown>;
  const { expect } = c;
  const isError = Object.hasOwn(object, "error");
  // A generated key is in its own reply; a passphrase is in none.
  const leak = expect.kind === "generate" && !isError
    ? ck.secrets.findPhrase(text)
    : ck.secrets.find(text);
  if (leak !== undefined) {
    return {
      problem: `reply holds secret material (${leak})`,
      code: "leak",
    };
  }
  if (isError) {
    const code = typeof object.code === "string" ? object.code : "?";
    if (typeof object.error !== "string") {
      return { problem: "error is not a string", code };
    }
    if (typeof object.code !== "string") {
      return { problem: "error reply without a string code", code };
    }
    if (code === "internal_error") {
      return { problem: "internal_error (an unexpected exception)", code };
    }
    if (code === "overloaded") {
      return { problem: "overloaded with only 8 clients", code };
    }
    if (c.lenient) return { code };
    if (expect.kind === "age") {
      const problem = await checkAge(c, object);
      if (problem === undefined && c.mustSucceed) {
        return { problem: "a valid age request got an error", code };
      }
      return { problem, code };
    }
    const message = object.error;
    switch (expect.kind) {
      case "ping":
      case "generate":
      case "encrypt_many":
        return { problem: `a valid ${expect.kind} got an error`, code };
      case "error":
        if (code !== expect.code) {
          return {
            problem: `answered ${code}, not ${expect.code} (${expect.why})`,
            code,
          };
        }
        if (
          expect.field !== undefined && !message.includes(`"${expect.field}"`)
        ) {
          return {
            problem: `the message does not name the field "${expect.field}": ${
              show(message)
            }`,
            code,
          };
        }
        if (expect.unknownType && message !== "Invalid request type") {
          return {
            problem: `unknown type answered ${
              show(message)
            }, not "Invalid request type"`,
            code,
          };
        }
        break;
      default:
        if (!OPERATION_CODES[expect.kind].includes(code)) {
          return {
            problem: `code ${code} is not one of ${expect.kind}'s`,
            code,
          };
        }
    }
    if (c.mustSucceed) {
      return { problem: "a valid request got an error", code };
    }
    if (c.code !== undefined && code !== c.code) {
      return { problem: `answered ${code}, not ${c.code}`, code };
    }
    return { code };
  }
  if (c.code !== undefined && !c.lenient && c.code !== "ok") {
    return { problem: `succeeded, not ${c.code}`, code: "ok" };
  }
  const problem = await (() => {
    switch (expect.kind) {
      case "error":
        return `succeeded, but the request is invalid (${expect.why})`;
      case "ping":
        return checkPing(object, text);
      case "generate":
        return checkGenerate(expect, object, ck);
      case "encrypt":
        return checkEncrypt(expect, object, ck);
      case "decrypt":
        return checkDecrypt(c, expect, object, ck);
      case "encrypt_many":
        return checkMany(c, expect, object, ck);
      case "age":
        return checkAge(c, object);
    }
  })();
  return { problem, code: "ok" };
}

/** The frames, shortened, as text with non-ASCII escaped. */
export function preview(frames: readonly Uint8Array[]): string {
  return frames.map((f) => {
    const text = lossy.decode(f);
    const shown = text.length > 300
      ? `${text.slice(0, 240)}…${text.slice(-60)}`
      : text;
    return `${f.length} bytes ${show(shown)}`;
  }).join(" | ");
}

/** A case that failed, what went wrong, and the reply. */
export interface Failure {
  readonly c: FuzzCase;
  readonly problem: string;
  readonly reply: string;
}

/** A failure, with the request, the reply and how to replay it. */
export function describeFailure({ c, problem, reply }: Failure): string {
  return [
    `#${c.index} [${c.category}] ${problem}`,
    `  case: ${c.note}`,
    `  request: ${preview(c.frames)}`,
    `  reply: ${reply}`,
    `  replay the run: ${REPLAY}`,
    `  replay this case alone: KEYSERVICE_FUZZ_SEED=${SEED} KEYSERVICE_FUZZ_COUNT=${
      Math.max(COUNT, c.index + 1)
    } KEYSERVICE_FUZZ_ONLY=${c.index} deno task test:fuzz`,
  ].join("\n");
}
