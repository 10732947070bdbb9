/**
 * `scaling`: `decrypt_fernet` (the key sent with each request, and again on
 * a service with `--prepared-keys 16`) and `encrypt_fernet` rates with 1, 2,
 * 4, ... request threads up to the cores' count (`--threads K`, a service
 * each, no key pool so that no key generation competes), each beside
 * `openssl speed -multi K rsa2048` in the same run; clients in max(4, 2K)
 * separate processes so that they are not the limit. Each row notes the
 * service's CPU a request by kind of thread (the socket thread, the request
 * threads, libzmq's I/O thread, the rest), which says which stage is the
 * wall. A service without `--threads` is measured as one process at every
 * point, and the report says so. Each point takes about 2 x
 * `--openssl-seconds` + 3 x `--seconds` + a few seconds' start-up.
 * @module
 */

import { opensslSpeed } from "../openssl.ts";
import type { Server } from "../processes.ts";
import type { LoadRow } from "../stats.ts";
import type { ScalingPoint, Scenario } from "../scenario.ts";

/**
 * A row's service CPU a request by kind of thread, in microseconds, with
 * the time its threads waited for a core beside it where the kernel counts
 * it: `socket 180 (+12 waiting) µs, request 900 (+40 waiting) µs, ...`.
 */
export function threadCpuNote(row: LoadRow): string {
  const byThread = row.serviceThreadCpuSeconds;
  if (byThread === undefined || row.requests === 0) return "";
  const us = (seconds: number) => Math.round(seconds / row.requests * 1e6);
  return KINDS.filter((kind) => byThread[kind] !== undefined)
    .map((kind) => {
      const wait = byThread[`${kind}_wait`];
      return `${kind} ${us(byThread[kind])}${
        wait === undefined ? "" : ` (+${us(wait)} waiting)`
      } µs`;
    })
    .join(", ");
}

const KINDS = ["socket", "request", "zmq_io", "other"];

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
        ? "one service a point, started with --threads K --pool-size 0; the prepared-key rows on another, with --prepared-keys 16"
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
        const clients = Math.max(4, 2 * k);
        const label = threadsFlag ? `--threads ${k}` : "one process";
        const spec = { clients, seconds, warmup: 5 };
        const openssl = speed.ok ? speed.line.signPerSecond : NaN;
        const against = (row: LoadRow) =>
          speed.ok
            ? `${
              (row.throughput / openssl).toFixed(2)
            } x openssl -multi ${k} (${openssl.toFixed(0)}/s)`
            : `openssl not measured: ${speed.reason}`;
        let decrypt: LoadRow, encrypt: LoadRow;
        try {
          decrypt = await ctx.load(
            server,
            `decrypt_fernet, ${label}`,
            { ...spec, bodies: [ctx.fixture.bodies.decrypt] },
          );
          encrypt = await ctx.load(
            server,
            `encrypt_fernet, ${label}`,
            { ...spec, bodies: [ctx.fixture.bodies.encrypt] },
          );
        } finally {
          if (single === undefined) await server.stop();
        }
        // A service of its own: on the first one the fixed key would
        // have been prepared by the first decryption of the load above.
        const preparedServer = single === undefined
          ? await ctx.startService([
            ...base,
            "--threads",
            String(k),
            "--prepared-keys",
            "16",
          ])
          : undefined;
        let prepared: LoadRow | undefined;
        try {
          if (preparedServer !== undefined) {
            prepared = await ctx.load(
              preparedServer,
              `decrypt_fernet, prepared key, ${label}`,
              { ...spec, bodies: [ctx.fixture.bodies.decrypt] },
            );
          }
        } finally {
          await preparedServer?.stop();
        }
        for (const row of [decrypt, prepared, encrypt]) {
          if (row === undefined) continue;
          const parts = [
            row === encrypt ? "" : against(row),
            threadCpuNote(row),
          ].filter((part) => part !== "");
          if (parts.length > 0) row.note = parts.join("; ");
          rows.push(row);
        }
        points.push({
          threads: k,
          clients,
          decryptPerSecond: decrypt.throughput,
          ...(prepared === undefined
            ? {}
            : { preparedPerSecond: prepared.throughput }),
          encryptPerSecond: encrypt.throughput,
          opensslPerSecond: openssl,
        });
        metrics[`decrypt_${k}_per_s`] = decrypt.throughput;
        metrics[`encrypt_${k}_per_s`] = encrypt.throughput;
        metrics[`openssl_${k}_per_s`] = openssl;
        metrics[`decrypt_${k}_x`] = decrypt.throughput / openssl;
        metrics.errors += decrypt.errors + encrypt.errors;
        if (prepared !== undefined) {
          metrics[`prepared_${k}_per_s`] = prepared.throughput;
          metrics[`prepared_${k}_x`] = prepared.throughput / openssl;
          metrics.errors += prepared.errors;
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
      ...(top.preparedPerSecond === undefined ? {} : {
        prepared_top_per_s: top.preparedPerSecond,
        prepared_top_x: top.preparedPerSecond / top.opensslPerSecond,
      }),
    });
    return { metrics, rows, notes, scaling: { threadsFlag, points } };
  },
};
