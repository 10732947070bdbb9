// Private: libcrypto 3's C API as Deno FFI symbols, and the two steps every
// operation takes: an EVP_PKEY from PKCS#1 DER, and a context set to the
// padding. Only openssl.ts imports this file.

import { DecryptionError } from "./errors.ts";
import type { Padding } from "./rsaes.ts";

export const SYMBOLS = {
  OpenSSL_version_num: { parameters: [], result: "u64" },
  d2i_RSAPublicKey: {
    parameters: ["pointer", "buffer", "i64"],
    result: "pointer",
  },
  d2i_RSAPrivateKey: {
    parameters: ["pointer", "buffer", "i64"],
    result: "pointer",
  },
  RSA_free: { parameters: ["pointer"], result: "void" },
  EVP_PKEY_new: { parameters: [], result: "pointer" },
  EVP_PKEY_assign: {
    parameters: ["pointer", "i32", "pointer"],
    result: "i32",
  },
  EVP_PKEY_free: { parameters: ["pointer"], result: "void" },
  EVP_PKEY_CTX_new: { parameters: ["pointer", "pointer"], result: "pointer" },
  EVP_PKEY_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_PKEY_decrypt_init: { parameters: ["pointer"], result: "i32" },
  EVP_PKEY_encrypt_init: { parameters: ["pointer"], result: "i32" },
  EVP_PKEY_CTX_set_rsa_padding: {
    parameters: ["pointer", "i32"],
    result: "i32",
  },
  EVP_PKEY_CTX_set_rsa_oaep_md: {
    parameters: ["pointer", "pointer"],
    result: "i32",
  },
  EVP_PKEY_CTX_set_rsa_mgf1_md: {
    parameters: ["pointer", "pointer"],
    result: "i32",
  },
  EVP_PKEY_CTX_ctrl_str: {
    parameters: ["pointer", "buffer", "buffer"],
    result: "i32",
  },
  EVP_sha256: { parameters: [], result: "pointer" },
  // The private-key operation: on a Deno background thread. While it runs,
  // its buffers (held by the awaiting closure) must stay alive.
  EVP_PKEY_decrypt: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "usize"],
    result: "i32",
    nonblocking: true,
  },
  // The public-key operation, off the main thread as well: a 4096-bit one
  // in bigint JavaScript holds the event loop for milliseconds.
  EVP_PKEY_encrypt: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "usize"],
    result: "i32",
    nonblocking: true,
  },
  ERR_clear_error: { parameters: [], result: "void" },
  // The one-shot digest, without the provider look-up (and its locks) that
  // EVP_Digest makes on every call: for prepared keys' fingerprints.
  SHA256: { parameters: ["buffer", "usize", "buffer"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The same functions with the two RSA operations run on the calling thread:
 * for a request thread, which has nothing else to do while one runs, so the
 * hop to Deno's blocking-thread pool and back would be pure cost.
 */
export const SYMBOLS_ON_THREAD = {
  ...SYMBOLS,
  EVP_PKEY_decrypt: { ...SYMBOLS.EVP_PKEY_decrypt, nonblocking: false },
  EVP_PKEY_encrypt: { ...SYMBOLS.EVP_PKEY_encrypt, nonblocking: false },
} as const satisfies Deno.ForeignLibraryInterface;

/** Either opening: the RSA operations return a number or a promise of one. */
export type Symbols =
  | Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]
  | Deno.DynamicLibrary<typeof SYMBOLS_ON_THREAD>["symbols"];

const EVP_PKEY_RSA = 6;
const RSA_PKCS1_PADDING = 1;
const RSA_PKCS1_OAEP_PADDING = 4;

/** The first OpenSSL release with implicit rejection (3.2.0). */
export const IMPLICIT_REJECTION_SINCE = 0x30200000n;

const encoder = new TextEncoder();
const IMPLICIT_REJECTION = encoder.encode("rsa_pkcs1_implicit_rejection\0");
const OFF = encoder.encode("0\0");

/**
 * Sets `ctx` to `padding`. For a decryption under PKCS#1 v1.5, implicit
 * rejection is turned off where it exists (`implicitRejection`: OpenSSL
 * 3.2 and later): it would turn bad padding into a random "plaintext",
 * where the contract answers decryption_failed.
 */
export function configurePadding(
  ssl: Symbols,
  ctx: Deno.PointerObject,
  padding: Padding,
  decrypting: { readonly implicitRejection: boolean } | undefined,
): void {
  if (padding === "oaep-sha256") {
    const sha256 = ssl.EVP_sha256();
    if (
      ssl.EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) !== 1 ||
      ssl.EVP_PKEY_CTX_set_rsa_oaep_md(ctx, sha256) !== 1 ||
      ssl.EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, sha256) !== 1
    ) {
      throw new Error("OpenSSL refused the OAEP-SHA-256 parameters");
    }
    return;
  }
  if (ssl.EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) !== 1) {
    throw new Error("OpenSSL refused PKCS#1 v1.5 padding");
  }
  if (decrypting === undefined) return;
  const off = ssl.EVP_PKEY_CTX_ctrl_str(ctx, IMPLICIT_REJECTION, OFF);
  if (off !== 1 && decrypting.implicitRejection) {
    throw new Error("OpenSSL refused to turn implicit rejection off");
  }
}

/**
 * An EVP_PKEY for PKCS#1 DER, a private key (`RSAPrivateKey`) or a public
 * one (`RSAPublicKey`), to be freed by the caller. The copy of the DER
 * handed to OpenSSL is wiped once OpenSSL has read it. Throws
 * `DecryptionError` when OpenSSL refuses a private key.
 */
export function loadRsaKey(
  ssl: Symbols,
  der: Uint8Array,
  kind: "private" | "public",
): Deno.PointerObject {
  const bytes = new Uint8Array(der);
  // d2i_* take a pointer to a pointer to the bytes and advance it.
  const cursor = new BigUint64Array([
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes))),
  ]);
  const read = kind === "private"
    ? ssl.d2i_RSAPrivateKey
    : ssl.d2i_RSAPublicKey;
  const rsa = read(null, cursor, BigInt(bytes.length));
  bytes.fill(0); // OpenSSL holds its own copy now
  // A private key refused fails as every decryption does; a public key was
  // checked by the strict parser before, so a refusal is OpenSSL's fault.
  const refused = () =>
    kind === "private"
      ? new DecryptionError()
      : new Error("OpenSSL refused a public key");
  if (rsa === null) {
    ssl.ERR_clear_error();
    throw refused();
  }
  const pkey = ssl.EVP_PKEY_new();
  if (pkey === null || ssl.EVP_PKEY_assign(pkey, EVP_PKEY_RSA, rsa) !== 1) {
    ssl.RSA_free(rsa);
    if (pkey !== null) ssl.EVP_PKEY_free(pkey);
    throw refused();
  }
  return pkey;
}
