/**
 * `broker` (only when asked for by name): issue 18's other way to use many
 * cores, `keyservice broker` with 8 instances behind it (`--connect`, each
 * `--threads` = cores / 8, so that the request threads in all match the
 * cores), loaded through the broker's frontend by 4 and 8 clients a core:
 * `decrypt_fernet` with the key sent each time and with a prepared key. Run
 * beside `saturation` (one process, the same clients) to compare them in one
 * run.
 * @module
 */

import { startInstance, startListening, startTaskArgs } from "../processes.ts";
import type { Scenario } from "../scenario.ts";
import type { LoadRow } from "../stats.ts";
import { clientSweep } from "./_clients.ts";

const INSTANCES = 8;

export const broker: Scenario = {
  name: "broker",
  description:
    "keyservice broker with 8 instances (--threads cores/8 each), 4 and 8 clients a core: decrypt, decrypt with a prepared key",
  service: { kind: "self" },
  optIn: true,
  async run(ctx) {
    const cores = ctx.options.maxThreads;
    const threads = Math.max(1, Math.floor(cores / INSTANCES));
    const metrics: Record<string, number> = { errors: 0 };
    const rows: LoadRow[] = [];
    for (
      const [name, flags] of [
        ["decrypt", [] as string[]],
        ["prepared", ["--prepared-keys", "16"]],
      ] as const
    ) {
      const folder = await Deno.makeTempDir({ prefix: "keyservice-bench-" });
      const frontend = await startListening(Deno.execPath(), [
        ...await startTaskArgs("cli"),
        "broker",
        "--frontend",
        "tcp://127.0.0.1:*",
        "--backend",
        `ipc://${folder}/backend`,
      ], /broker-listening frontend=(\S+)/);
      const instances = [];
      try {
        for (let i = 0; i < INSTANCES; i++) {
          instances.push(
            await startInstance(`ipc://${folder}/backend`, [
              "--pool-size",
              "0",
              "--threads",
              String(threads),
              ...flags,
            ]),
          );
        }
        // The broker's process: the instances' CPU is not in the rows.
        await clientSweep(
          ctx,
          frontend,
          name,
          (clients) =>
            `${name}, broker + ${INSTANCES} x --threads ${threads}, ${clients} clients`,
          ctx.fixture.bodies.decrypt,
          [4 * cores, 8 * cores],
          { metrics, rows },
          "service CPU is the broker's alone; ",
        );
      } finally {
        await Promise.all(instances.map((instance) => instance.stop()));
        await frontend.stop();
        await Deno.remove(folder, { recursive: true });
      }
    }
    return {
      metrics,
      rows,
      notes: [
        `keyservice broker (ipc:// backend) and ${INSTANCES} instances with --connect --threads ${threads} --pool-size 0 (--prepared-keys 16 for prepared); ${ctx.options.seconds} s a load`,
      ],
    };
  },
};
