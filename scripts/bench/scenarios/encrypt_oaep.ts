/** `encrypt_oaep`: `encrypt_fernet` with `"padding": "oaep-sha256"` (contract v1.1). @module */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const encryptOaep: Scenario = {
  name: "encrypt_oaep",
  description: "encrypt_fernet, oaep-sha256 (v1.1), 1 client and 4",
  service: { kind: "shared" },
  run: (ctx) =>
    oneThenFour(
      ctx,
      ctx.server!,
      "encrypt_fernet, oaep-sha256",
      [
        { ...ctx.fixture.bodies.encrypt, padding: "oaep-sha256" },
      ],
      1000,
      2000,
    ),
};
