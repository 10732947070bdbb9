/**
 * Test helper: the contract's round trip on a running service, a key set
 * from `generate_keys`, its Fernet key wrapped with `encrypt_fernet` and
 * unwrapped with `decrypt_fernet`, checked to come back whole.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { RunningService } from "./service.ts";

/** A key set as `generate_keys` returns it. */
export interface KeySet {
  readonly rsa: { readonly public: string; readonly private: string };
  readonly fernet: string;
}

/**
 * generate_keys, encrypt_fernet and decrypt_fernet on `service`; resolves to
 * the key set and the ciphertext.
 */
export async function roundTrip(
  service: RunningService,
  generate: Record<string, unknown> = {},
): Promise<{ keys: KeySet; encrypted: string }> {
  const keys = await service.request({
    type: "generate_keys",
    ...generate,
  }) as unknown as KeySet;
  const { encrypted_fernet } = await service.request({
    type: "encrypt_fernet",
    fernet: keys.fernet,
    rsa_public: keys.rsa.public,
  }) as { encrypted_fernet: string };
  const decrypted = await service.request({
    type: "decrypt_fernet",
    encrypted_fernet,
    rsa_private: keys.rsa.private,
  });
  assert.equal(decrypted.fernet, keys.fernet, JSON.stringify(decrypted));
  return { keys, encrypted: encrypted_fernet };
}
