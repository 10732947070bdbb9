/**
 * `saturation` (only when asked for by name): one service with `--threads`
 * at the cores' count, loaded by 2, 4 and 8 client processes a thread, for
 * `decrypt_fernet` with the key sent each time, with a prepared key and for
 * `encrypt_fernet`. The scaling scenario's 2 clients a thread each wait for
 * their reply before the next request, so its rate is also their round
 * trip's; here the clients grow until the service, not the round trip, is
 * the limit, and each row says where the service's CPU and its waits for a
 * core went, by kind of thread.
 * @module
 */

import type { Scenario } from "../scenario.ts";
import type { LoadRow } from "../stats.ts";
import { clientSweep } from "./_clients.ts";

export const saturation: Scenario = {
  name: "saturation",
  description:
    "--threads at the cores' count under 2, 4, 8 clients a thread: decrypt, decrypt with a prepared key, encrypt",
  service: { kind: "self" },
  optIn: true,
  async run(ctx) {
    const k = ctx.options.maxThreads;
    const metrics: Record<string, number> = { errors: 0 };
    const rows: LoadRow[] = [];
    const loads = [
      ["decrypt", [] as string[], ctx.fixture.bodies.decrypt],
      ["prepared", ["--prepared-keys", "16"], ctx.fixture.bodies.decrypt],
      ["encrypt", [], ctx.fixture.bodies.encrypt],
    ] as const;
    for (const [name, flags, body] of loads) {
      const server = await ctx.startService([
        "--pool-size",
        "0",
        "--threads",
        String(k),
        ...flags,
      ]);
      try {
        await clientSweep(
          ctx,
          server,
          name,
          (clients) => `${name}, --threads ${k}, ${clients} clients`,
          body,
          [2 * k, 4 * k, 8 * k],
          { metrics, rows },
        );
      } finally {
        await server.stop();
      }
    }
    return {
      metrics,
      rows,
      notes: [
        `one service a load kind, --threads ${k} --pool-size 0 (--prepared-keys 16 for prepared); ${ctx.options.seconds} s a load`,
      ],
    };
  },
};
