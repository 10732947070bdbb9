/**
 * `scaling`: `decrypt_fernet` and `encrypt_fernet` rates with 1, 2, 4, ...
 * request threads up to the cores' count (`--threads K`, a service each,
 * no key pool so that no key generation competes), each beside `openssl
 * speed -multi K rsa2048` in the same run; clients in max(4, 2K) separate
 * processes so that they are not the limit. A service without `--threads`
 * is measured as one process at every point, and the report says so.
 * Each point takes about 2 x `--openssl-seconds` + 2 x `--seconds` + a few
 * seconds' start-up.
 * @module
 */

import { opensslSpeed } from "../openssl.ts";
import type { Server } from "../processes.ts";
import type { ScalingPoint, Scenario } from "../scenario.ts";

/** 1, 2, 4, ... below `max`, then `max`. */
export function threadCounts(max: number): number[] {
  const counts: number[] = [];
  for (let k = 1; k < max; k *= 2) counts.push(k);
  counts.push(Math.max(1, max));
  return counts;
}

export const scaling: Scenario = {
  name: "scaling",
  description:
    "decrypt/encrypt_fernet rate at 1, 2, 4, ... --threads beside openssl speed -multi K",
  service: { kind: "self" },
  async run(ctx) {
    const threadsFlag = /--threads\b/.test(await ctx.serviceHelp());
    const seconds = ctx.options.seconds;
    const metrics: Record<string, number> = { errors: 0 };
    const points: ScalingPoint[] = [];
    const rows = [];
    const notes = [
      threadsFlag
        ? "one service a point, started with --threads K --pool-size 0"
        : "the service has no --threads: every point is the same one process (--pool-size 0), with more clients",
      `clients: max(4, 2K) processes; ${seconds} s a load; openssl -seconds ${ctx.options.opensslSeconds}`,
    ];
    const base = ["--pool-size", "0"];
    let single: Server | undefined;
    try {
      if (!threadsFlag) single = await ctx.startService(base);
      for (const k of threadCounts(ctx.options.maxThreads)) {
        ctx.log(`${k} thread(s): openssl speed -multi ${k}...`);
        const speed = await opensslSpeed(ctx.options.opensslSeconds, k);
        const server = single ??
          await ctx.startService([...base, "--threads", String(k)]);
        try {
          const clients = Math.max(4, 2 * k);
          const label = threadsFlag ? `--threads ${k}` : "one process";
          const spec = { clients, seconds, warmup: 5 };
          const decrypt = await ctx.load(
            server,
            `decrypt_fernet, ${label}`,
            { ...spec, bodies: [ctx.fixture.bodies.decrypt] },
          );
          const encrypt = await ctx.load(
            server,
            `encrypt_fernet, ${label}`,
            { ...spec, bodies: [ctx.fixture.bodies.encrypt] },
          );
          const openssl = speed.ok ? speed.line.signPerSecond : NaN;
          decrypt.note = speed.ok
            ? `${
              (decrypt.throughput / openssl).toFixed(2)
            } x openssl -multi ${k} (${openssl.toFixed(0)}/s)`
            : `openssl not measured: ${speed.reason}`;
          rows.push(decrypt, encrypt);
          points.push({
            threads: k,
            clients,
            decryptPerSecond: decrypt.throughput,
            encryptPerSecond: encrypt.throughput,
            opensslPerSecond: openssl,
          });
          metrics[`decrypt_${k}_per_s`] = decrypt.throughput;
          metrics[`encrypt_${k}_per_s`] = encrypt.throughput;
          metrics[`openssl_${k}_per_s`] = openssl;
          metrics[`decrypt_${k}_x`] = decrypt.throughput / openssl;
          metrics.errors += decrypt.errors + encrypt.errors;
        } finally {
          if (single === undefined) await server.stop();
        }
      }
    } finally {
      await single?.stop();
    }
    const top = points.at(-1)!;
    Object.assign(metrics, {
      top_threads: top.threads,
      decrypt_top_per_s: top.decryptPerSecond,
      encrypt_top_per_s: top.encryptPerSecond,
      openssl_top_per_s: top.opensslPerSecond,
      decrypt_top_x: top.decryptPerSecond / top.opensslPerSecond,
    });
    return { metrics, rows, notes, scaling: { threadsFlag, points } };
  },
};
