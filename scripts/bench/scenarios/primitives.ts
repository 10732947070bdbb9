/**
 * `primitives`: the raw cost of key generation, decryption and encryption,
 * in-process, from `deno bench` (scripts/bench/primitives_bench.ts, also
 * `deno task bench:primitives`): each group's baseline is what the service
 * does, and the ratios are Deno's own.
 * @module
 */

import type { Scenario } from "../scenario.ts";

/** The benches of primitives_bench.ts: metric name, group and bench name. */
export const PRIMITIVES = {
  keygen: {
    group: "keygen",
    name: "WebCrypto RSA-2048, one at a time (the key pool)",
  },
  keygen_parallel: {
    group: "keygen",
    name: "WebCrypto RSA-2048, one a core at once (all the keys)",
  },
  decrypt_openssl: {
    group: "decrypt",
    name: "OpenSSL FFI, key loaded for each call (the service)",
  },
  decrypt_openssl_prepared: {
    group: "decrypt",
    name: "OpenSSL FFI, key prepared once (--prepared-keys)",
  },
  decrypt_node: {
    group: "decrypt",
    name: "node:crypto privateDecrypt (the fallback backend)",
  },
  encrypt_bigint: {
    group: "encrypt",
    name: "bigint RSAES-PKCS1-v1_5 (the service)",
  },
  encrypt_openssl: { group: "encrypt", name: "OpenSSL FFI" },
} as const;

interface DenoBenchJson {
  benches: {
    group: string | null;
    name: string;
    baseline: boolean;
    results: { ok?: { avg: number; n: number } }[];
  }[];
}

/**
 * Metrics from `deno bench --json`'s output: for each bench of
 * {@linkcode PRIMITIVES}, `NAME_ms` (its mean, in milliseconds) and
 * `NAME_x` (its mean over its group's baseline's); and
 * `keygen_parallel_per_s`, keys a second on all `cores` (the parallel
 * bench makes one key a core per iteration).
 */
export function primitiveMetrics(
  json: DenoBenchJson,
  cores: number,
): Record<string, number> {
  const avgMs = (group: string, name: string) => {
    const bench = json.benches.find((b) =>
      b.group === group && b.name === name
    );
    const avg = bench?.results[0]?.ok?.avg;
    return avg === undefined ? NaN : avg / 1e6;
  };
  const baselineMs = (group: string) => {
    const bench = json.benches.find((b) => b.group === group && b.baseline);
    return bench === undefined ? NaN : avgMs(group, bench.name);
  };
  const metrics: Record<string, number> = {};
  for (const [metric, { group, name }] of Object.entries(PRIMITIVES)) {
    metrics[`${metric}_ms`] = avgMs(group, name);
    metrics[`${metric}_x`] = metrics[`${metric}_ms`] / baselineMs(group);
  }
  metrics.keygen_parallel_per_s = cores * 1000 / metrics.keygen_parallel_ms;
  return metrics;
}

export const primitives: Scenario = {
  name: "primitives",
  description:
    "deno bench of the raw primitives: keygen, decrypt (OpenSSL FFI, node:crypto), encrypt",
  service: { kind: "none" },
  async run(ctx) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "bench",
        "--json",
        "--allow-env",
        "--allow-read",
        "--allow-ffi",
        new URL("../primitives_bench.ts", import.meta.url).pathname,
      ],
      env: { KEYSERVICE_BENCH_QUICK: ctx.options.quick ? "1" : "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(
        `deno bench failed: ${
          new TextDecoder().decode(out.stderr).slice(-500)
        }`,
      );
    }
    const json = JSON.parse(text) as DenoBenchJson;
    const metrics = primitiveMetrics(json, ctx.cores);
    return {
      metrics,
      table: {
        columns: ["deno bench", "group", "mean ms", "x the group's baseline"],
        rows: Object.entries(PRIMITIVES).map(([metric, { group, name }]) => [
          name,
          group,
          metrics[`${metric}_ms`],
          metrics[`${metric}_x`],
        ]),
      },
      notes: [
        `keygen_parallel: ${ctx.cores} keys at once, the time for all of them`,
      ],
    };
  },
};
