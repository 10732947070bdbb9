/**
 * How many versions a stored key may hold at once: `show_key` lists each
 * version's public key, so this bounds its reply (and every administrative
 * reply that shows the key). Apart from the keystore so that the service's
 * reply bounds can read it without loading the keystore.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_VERSIONS, MAX_VERSIONS_LIMIT } from "./limits.ts";
 *
 * DEFAULT_MAX_VERSIONS <= MAX_VERSIONS_LIMIT; // true
 * ```
 * @module
 */

/** Versions a key holds at once unless configured otherwise. */
export const DEFAULT_MAX_VERSIONS = 100;

/** The most versions a key may be configured to hold at once. */
export const MAX_VERSIONS_LIMIT = 256;
