/**
 * Fernet keys as `cryptography.fernet.Fernet.generate_key()` makes them:
 * 32 bytes from the platform's cryptographic random source, URL-safe base64
 * with `=` padding, 44 characters.
 *
 * @example
 * ```ts
 * import { generateFernetKey } from "./fernet.ts";
 *
 * const key = generateFernetKey(); // e.g. "q0Vb...3w=", 44 characters
 * ```
 * @module
 */

/** Length in bytes of the raw key (16 signing + 16 encryption). */
export const FERNET_KEY_BYTES = 32;

/** A new Fernet key: URL-safe base64 of 32 random bytes, with padding. */
export function generateFernetKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(FERNET_KEY_BYTES));
  return bytes.toBase64({ alphabet: "base64url", omitPadding: false });
}
