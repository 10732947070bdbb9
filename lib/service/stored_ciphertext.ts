/**
 * Ciphertexts made under stored keys carry their key's version, as Vault's
 * `vault:v3:...` do: `ks:v<version>:<standard base64>`. A client keeps the
 * one string; decryption finds the version in it.
 *
 * @example
 * ```ts
 * import { formatCiphertext, parseCiphertext } from "./stored_ciphertext.ts";
 *
 * const text = formatCiphertext(3, new Uint8Array([1, 2, 3])); // "ks:v3:AQID"
 * parseCiphertext(text)?.version; // 3
 * ```
 * @module
 */

/** A ciphertext by key id: `ks:v<version>:<standard base64>`. */
export function formatCiphertext(
  version: number,
  ciphertext: Uint8Array,
): string {
  return `ks:v${version}:${ciphertext.toBase64()}`;
}

/**
 * The version and bytes of a `ks:v<version>:<base64>` string, or undefined
 * when it is not one.
 */
export function parseCiphertext(
  value: string,
): { version: number; bytes: Uint8Array } | undefined {
  const match = /^ks:v([1-9][0-9]{0,8}):([A-Za-z0-9+/=]+)$/.exec(value);
  if (match === null) return undefined;
  try {
    return {
      version: Number(match[1]),
      bytes: Uint8Array.fromBase64(match[2], { lastChunkHandling: "strict" }),
    };
  } catch {
    return undefined;
  }
}
