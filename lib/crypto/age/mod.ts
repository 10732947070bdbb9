/**
 * age (c2sp.org/age) for the key service: hybrid post-quantum
 * `mlkem768x25519` and classic `X25519` recipients, the v1 header and
 * payload, and the ASCII armor.
 *
 * @example
 * ```ts
 * import { armor, dearmor, decryptAge, encryptAge, MLKEM768X25519, parseIdentity, parseRecipient } from "./mod.ts";
 *
 * const identity = await MLKEM768X25519.generateIdentity();
 * const recipient = await MLKEM768X25519.recipientOf(identity);
 * const text = armor(await encryptAge([await parseRecipient(recipient)], new Uint8Array([7])));
 * await decryptAge(dearmor(text), [await parseIdentity(identity)]); // Uint8Array [7]
 * ```
 * @module
 */

export * from "./age.ts";
export * from "./armor.ts";
export * from "./bech32.ts";
export * from "./errors.ts";
export * from "./header.ts";
export * from "./limits.ts";
export * from "./recipients.ts";
export * from "./stream.ts";
