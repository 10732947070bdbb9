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
  pemIntegers,
} from "../_helpers/der.ts";
import {
  COUNT,
  encoder,
  lossy,
  REPLAY,
  SEED,
  show,
  utf8KeepBom,
} from "./_config.ts";
import type { Expect } from "./_classifier.ts";
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

/** RSAES-PKCS1-v1_5 decryption by node:crypto (throws on bad padding). */
export function localDecrypt(
  key: KeyObject,
  ciphertext: Uint8Array,
): Uint8Array {
  const out = privateDecrypt(
    { key, padding: constants.RSA_PKCS1_PADDING },
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

function checkGenerate(
  reply: Record<string, unknown>,
  ck: Checker,
): string | undefined {
  const rsa = reply.rsa as Record<string, unknown> | undefined;
  if (typeof rsa !== "object" || rsa === null) {
    return "generate_keys reply lacks rsa";
  }
  const [pub, priv, fernet] = [rsa.public, rsa.private, reply.fernet];
  if (
    typeof pub !== "string" ||
    !pub.startsWith("-----BEGIN RSA PUBLIC KEY-----\n")
  ) {
    return "generate_keys: bad rsa.public";
  }
  if (
    typeof priv !== "string" ||
    !priv.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")
  ) {
    return "generate_keys: bad rsa.private";
  }
  if (typeof fernet !== "string" || !/^[A-Za-z0-9_-]{43}=$/.test(fernet)) {
    return "generate_keys: bad fernet";
  }
  let pair: Pair;
  try {
    pair = pairFromPems(`generated #${ck.generated}`, pub, priv);
  } catch (error) {
    return `generate_keys: node:crypto cannot read the private key: ${error}`;
  }
  ck.secrets.add(pair);
  const publicInts = pemIntegers(pub);
  if (publicInts?.[0] !== pair.n || publicInts?.[1] !== 65537n) {
    return "generate_keys: public key does not match the private key or e != 65537";
  }
  if (bitLength(pair.n) !== 2048) {
    return `generate_keys: modulus has ${bitLength(pair.n)} bits`;
  }
  if (ck.moduli.has(pair.n)) {
    return "generate_keys: a key pair handed out twice";
  }
  ck.moduli.add(pair.n);
  ck.known.set(keyId(pair.n, pair.e), createPrivateKey(priv));
  ck.generated++;
  return undefined;
}

function checkEncrypt(
  expect: Extract<Expect, { kind: "encrypt" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): string | undefined {
  const out = reply.encrypted_fernet;
  if (typeof out !== "string") {
    return "encrypt_fernet success without a string encrypted_fernet";
  }
  const ct = decodeBase64(out);
  if (ct === undefined) return "encrypted_fernet is not standard base64";
  const ints = pemIntegers(expect.publicPem);
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
    plaintext = localDecrypt(key, ct);
  } catch {
    return "the returned ciphertext does not decrypt with the key's private half";
  }
  const wanted = encoder.encode(expect.fernet);
  if (plaintext.toHex() !== wanted.toHex()) {
    return `ciphertext decrypts to ${
      plaintext.toHex().slice(0, 80)
    }, not the fernet's UTF-8 ${wanted.toHex().slice(0, 80)}`;
  }
  return undefined;
}

function checkDecrypt(
  c: FuzzCase,
  expect: Extract<Expect, { kind: "decrypt" }>,
  reply: Record<string, unknown>,
  ck: Checker,
): string | undefined {
  const fernet = reply.fernet;
  if (typeof fernet !== "string") {
    return "decrypt_fernet success without a string fernet";
  }
  if (c.exactFernet !== undefined && fernet !== c.exactFernet) {
    return `decrypted ${show(fernet)}, not the original fernet ${
      show(c.exactFernet)
    }`;
  }
  const ints = pemIntegers(expect.privatePem);
  const key = ints && ints.length >= 3
    ? ck.known.get(keyId(ints[1], ints[2]))
    : undefined;
  const ct = decodeBase64(expect.ciphertext);
  if (key === undefined || ct === undefined) {
    ck.unverified++;
    return undefined;
  }
  let wanted: string;
  try {
    // The plaintext decoded as Python's bytes.decode() does.
    wanted = utf8KeepBom.decode(localDecrypt(key, ct));
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
export function checkReply(
  c: FuzzCase,
  frames: Uint8Array[],
  ck: Checker,
): { problem?: string; code: string } {
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
  if (!(expect.kind === "generate" && !isError)) {
    const leak = ck.secrets.find(text);
    if (leak !== undefined) {
      return {
        problem: `reply holds private-key material (${leak})`,
        code: "leak",
      };
    }
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
    if ((expect.kind === "ping" || expect.kind === "generate") && !c.lenient) {
      return { problem: `a valid ${expect.kind} got an error`, code };
    }
    if (c.mustSucceed && !c.lenient) {
      return { problem: "a valid request got an error", code };
    }
    if (
      expect.kind === "error" && expect.unknownType && !c.lenient &&
      object.error !== "Invalid request type"
    ) {
      return {
        problem: `unknown type answered ${
          show(object.error)
        }, not "Invalid request type"`,
        code,
      };
    }
    if (c.code !== undefined && !c.lenient && code !== c.code) {
      return { problem: `answered ${code}, not ${c.code}`, code };
    }
    return { code };
  }
  if (c.code !== undefined && !c.lenient && c.code !== "ok") {
    return { problem: `succeeded, not ${c.code}`, code: "ok" };
  }
  const problem = (() => {
    switch (expect.kind) {
      case "error":
        return `succeeded, but the request is invalid (${expect.why})`;
      case "ping":
        return object.status === "ok"
          ? undefined
          : `ping replied ${text.slice(0, 200)}`;
      case "generate":
        return checkGenerate(object, ck);
      case "encrypt":
        return checkEncrypt(expect, object, ck);
      case "decrypt":
        return checkDecrypt(c, expect, object, ck);
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
    } KEYSERVICE_FUZZ_ONLY=${c.index} deno task test`,
  ].join("\n");
}
