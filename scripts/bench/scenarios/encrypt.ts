/** `encrypt`: `encrypt_fernet`, one client and four. @module */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const encrypt: Scenario = {
  name: "encrypt",
  description: "encrypt_fernet, 1 client (1000 requests) and 4 (2000)",
  service: { kind: "shared" },
  run: (ctx) =>
    oneThenFour(
      ctx,
      ctx.server!,
      "encrypt_fernet",
      [
        ctx.fixture.bodies.encrypt,
      ],
      1000,
      2000,
    ),
};
