/** `decrypt_oaep`: `decrypt_fernet` with `"padding": "oaep-sha256"` (contract v1.1). @module */

import { encryptOaepSha256, parsePublicKey } from "../../../lib/crypto/mod.ts";
import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const decryptOaep: Scenario = {
  name: "decrypt_oaep",
  description: "decrypt_fernet, oaep-sha256 (v1.1), 1 client and 4",
  service: { kind: "shared" },
  run(ctx) {
    const { pair, fernet } = ctx.fixture;
    const ciphertext = encryptOaepSha256(
      parsePublicKey(pair.public),
      new TextEncoder().encode(fernet),
    ).toBase64();
    return oneThenFour(
      ctx,
      ctx.server!,
      "decrypt_fernet, oaep-sha256",
      [{
        ...ctx.fixture.bodies.decrypt,
        encrypted_fernet: ciphertext,
        padding: "oaep-sha256",
      }],
      300,
      800,
    );
  },
};
