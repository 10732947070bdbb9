/**
 * `decrypt`: `decrypt_fernet`, one client and four, the key sent with each
 * request (the contract's way); against `openssl speed` (`openssl`).
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const decrypt: Scenario = {
  name: "decrypt",
  description: "decrypt_fernet, 1 client (300 requests) and 4 (800)",
  service: { kind: "shared" },
  run: (ctx) =>
    oneThenFour(
      ctx,
      ctx.server!,
      "decrypt_fernet",
      [
        ctx.fixture.bodies.decrypt,
      ],
      300,
      800,
    ),
};
