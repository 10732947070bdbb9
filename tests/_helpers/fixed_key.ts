// Test helper: one fixed 2048-bit RSA key, built from its primes, for tests
// that need a real key but not a fresh one (key generation is the slow part
// of a test file). Test material only: never a key anyone uses.

import { createPrivateKey, createPublicKey } from "node:crypto";
import {
  pem,
  privateDer,
  publicDer,
  rsaFromPrimes,
  type RsaPrivateIntegers,
} from "./der.ts";

/** The key's integers: p, q below, e = 65537. */
export const FIXED_INTEGERS: RsaPrivateIntegers = rsaFromPrimes(
  BigInt(
    "0x" +
      "f27e2e5e197c59c5de192dd9ab14e6d856cab3cc716c938c24109f4dc498c4c8" +
      "27945f7fb23d782a855e7aed26406cd10e7f7ed4633991cb7446a3592759d5af" +
      "12102460af0f98b61b02033b10d03c56d1653f7457c5d6761cd72d9007a8c3d4" +
      "b4c3d254b49b60d14578c5809dc82d12cdd158c62f3f3795f0eca0d14e2ffe45",
  ),
  BigInt(
    "0x" +
      "c2a4332f02e4ad2c0525cc89d460ca07262dba4b876c56049a9d137929bb53d1" +
      "f2a85f9c9576bfb708ee18e2bd6d2d61a65102ccdf28b6bce24c296393238c19" +
      "7afef1fa55e95039f30af3cc23ae31f65a7399f5d690ccecd792faa2f8e445e5" +
      "ac44db2e078e8ad9cba8bbfa3a635f2b4b4eee1602b0d757198d650f83971eb1",
  ),
  65537n,
);

/** The key as PKCS#1 `RSA PRIVATE KEY` PEM. */
export const FIXED_PRIVATE_PEM: string = pem(
  "RSA PRIVATE KEY",
  privateDer(FIXED_INTEGERS),
);

/** Its public key as PKCS#1 `RSA PUBLIC KEY` PEM. */
export const FIXED_PUBLIC_PEM: string = pem(
  "RSA PUBLIC KEY",
  publicDer(FIXED_INTEGERS),
);

/**
 * The first key of Wycheproof's PKCS#1 vectors of `bits` (2048, 3072 or
 * 4096; tests/vectors), as a PKCS#1 PEM pair: a real key of that size
 * without waiting for its generation.
 */
export function vectorPair(
  bits: 2048 | 3072 | 4096,
): { readonly public: string; readonly private: string } {
  const file = new URL(
    `../vectors/rsa_pkcs1_${bits}_test.json`,
    import.meta.url,
  );
  const group = JSON.parse(Deno.readTextFileSync(file)).testGroups[0];
  const key = createPrivateKey(String(group.privateKeyPem));
  return {
    public: createPublicKey(key).export({
      type: "pkcs1",
      format: "pem",
    }) as string,
    private: key.export({ type: "pkcs1", format: "pem" }) as string,
  };
}

/** A second fixed 2048-bit pair: {@linkcode vectorPair}`(2048)`. */
export const SECOND_PAIR: {
  readonly public: string;
  readonly private: string;
} = vectorPair(2048);

/** The first fixed key as a PKCS#1 PEM pair. */
export const FIXED_PAIR: { readonly public: string; readonly private: string } =
  {
    public: FIXED_PUBLIC_PEM,
    private: FIXED_PRIVATE_PEM,
  };
