/**
 * `keystore`: `decrypt_fernet` by key id (contract v1.2, the private key
 * kept in the service) against the same decryption with the PEM sent in
 * each request, one client and four, on one service of its own with an
 * embedded keystore under `data/bench` (the one folder `deno task start`
 * may write). Issue 19's targets compare the two in one run.
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const keystore: Scenario = {
  name: "keystore",
  description:
    "decrypt_fernet by key id vs PEM, 1 client (300 requests) and 4 (800)",
  service: { kind: "own", flags: ["--data-dir", "data/bench"] },
  run: async (ctx) => {
    const server = ctx.server!;
    // A fresh id each run: the folder outlives runs.
    const keyId = `bench-${crypto.randomUUID()}`;
    await ctx.request(server, { type: "create_key", key_id: keyId });
    const wrapped = await ctx.request(server, {
      type: "encrypt_fernet",
      key_id: keyId,
      fernet: ctx.fixture.fernet,
    });
    if (typeof wrapped.encrypted_fernet !== "string") {
      throw new Error(`encrypt_fernet by key id: ${JSON.stringify(wrapped)}`);
    }
    const ping = await ctx.load(server, "ping", {
      clients: 1,
      bodies: [ctx.fixture.bodies.ping],
      requests: ctx.count(300),
      warmup: 20,
    });
    const byId = await oneThenFour(
      ctx,
      server,
      "decrypt_fernet by key id",
      [{
        type: "decrypt_fernet",
        key_id: keyId,
        encrypted_fernet: wrapped.encrypted_fernet,
      }],
      300,
      800,
    );
    const pem = await oneThenFour(
      ctx,
      server,
      "decrypt_fernet with PEM",
      [
        ctx.fixture.bodies.decrypt,
      ],
      300,
      800,
    );
    return {
      metrics: {
        ...byId.metrics,
        ping_p50_ms: ping.p50,
        pem_p50_1_ms: pem.metrics.p50_1_ms,
        pem_rate_1_per_s: pem.metrics.rate_1_per_s,
        pem_rate_4_per_s: pem.metrics.rate_4_per_s,
        errors: byId.metrics.errors + pem.metrics.errors + ping.errors,
      },
      rows: [ping, ...byId.rows ?? [], ...pem.rows ?? []],
    };
  },
};
