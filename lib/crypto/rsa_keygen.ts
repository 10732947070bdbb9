/**
 * New RSA key pairs from WebCrypto, written as PKCS#1 PEM in python-rsa's
 * layout (`save_pkcs1()`: 64-column base64, LF line ends, a final LF).
 *
 * @example
 * ```ts
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair(); // 2048 bits, e = 65537
 * pair.public.startsWith("-----BEGIN RSA PUBLIC KEY-----\n"); // true
 * ```
 * @module
 */

import { bitLength, bytesToBigint } from "./_bigint.ts";
import { encodeIntegerSequence } from "./_der.ts";
import { encodePem } from "./pem.ts";
import { PRIVATE_LABEL, PUBLIC_LABEL } from "./rsa_keys.ts";

/** A key pair as the contract sends it: PKCS#1 PEM, python-rsa's layout. */
export interface RsaKeyPairPem {
  /** `-----BEGIN RSA PUBLIC KEY-----` PEM. */
  readonly public: string;
  /** `-----BEGIN RSA PRIVATE KEY-----` PEM. */
  readonly private: string;
}

function jwkInteger(value: string | undefined): bigint {
  if (value === undefined) throw new Error("WebCrypto JWK lacks a field");
  return bytesToBigint(Uint8Array.fromBase64(value, { alphabet: "base64url" }));
}

/**
 * Generates an RSA key pair with WebCrypto (off the main thread, from the
 * platform's cryptographic random source) and writes it as PKCS#1 PEM.
 */
export async function generateRsaKeyPair(bits = 2048): Promise<RsaKeyPairPem> {
  // The pair is made as RSASSA-PKCS1-v1_5 only because WebCrypto has no
  // RSAES-PKCS1-v1_5 algorithm: the key material is the same RSA key either
  // way, and it leaves WebCrypto as a JWK, never to be used for signing.
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const [n, e, d, p, q, dp, dq, qi] = [
    jwk.n,
    jwk.e,
    jwk.d,
    jwk.p,
    jwk.q,
    jwk.dp,
    jwk.dq,
    jwk.qi,
  ].map(jwkInteger);
  if (bitLength(n) !== bits) {
    throw new Error("WebCrypto modulus has wrong size");
  }
  return {
    public: encodePem(PUBLIC_LABEL, encodeIntegerSequence([n, e])),
    private: encodePem(
      PRIVATE_LABEL,
      encodeIntegerSequence([0n, n, e, d, p, q, dp, dq, qi]),
    ),
  };
}
