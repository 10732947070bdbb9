/**
 * OpenSSL's own speed for RSA-2048 private-key operations, for the
 * benchmark: `openssl speed -seconds S rsa2048`, on one core and (with
 * `-multi N`) on N at once. The "sign" column is the private-key operation
 * the service's decryption also performs (one modular exponentiation with
 * the private key, CRT, blinded), so it is the ceiling the service's
 * `decrypt_fernet` is compared with.
 *
 * @example
 * ```ts
 * import { opensslSpeed } from "./_bench_openssl.ts";
 *
 * const speed = await opensslSpeed(3, 4);
 * if (speed.ok) console.log(speed.single.signMs, speed.multi.signPerSecond);
 * else console.log(`not measured: ${speed.reason}`);
 * ```
 * @module
 */

/** One `rsa 2048 bits` summary line of `openssl speed`. */
export interface RsaSpeedLine {
  /** Seconds per private-key operation ("sign"), in milliseconds. */
  readonly signMs: number;
  /** Seconds per public-key operation ("verify"), in milliseconds. */
  readonly verifyMs: number;
  /** Private-key operations per second ("sign/s"). */
  readonly signPerSecond: number;
  /** Public-key operations per second ("verify/s"). */
  readonly verifyPerSecond: number;
}

/** What `opensslSpeed` found: both runs, or why there are none. */
export type OpensslSpeed =
  | {
    readonly ok: true;
    /** `openssl version`'s first two words, such as `OpenSSL 3.0.19`. */
    readonly version: string;
    readonly seconds: number;
    /** One process. */
    readonly single: RsaSpeedLine;
    /** `-multi processes`: the rates summed over them. */
    readonly multi: RsaSpeedLine;
    readonly processes: number;
  }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the `rsa 2048 bits <sign>s <verify>s <sign/s> <verify/s>` line that
 * both the one-process and the `-multi` runs print; undefined when absent.
 */
export function parseRsaSpeed(output: string): RsaSpeedLine | undefined {
  const match =
    /^rsa\s+2048\s+bits\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)\s*$/m
      .exec(output);
  if (match === null) return undefined;
  const [sign, verify, signRate, verifyRate] = match.slice(1).map(Number);
  if (![sign, verify, signRate, verifyRate].every(Number.isFinite)) {
    return undefined;
  }
  return {
    signMs: sign * 1000,
    verifyMs: verify * 1000,
    signPerSecond: signRate,
    verifyPerSecond: verifyRate,
  };
}

async function run(
  args: string[],
): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  let out;
  try {
    out = await new Deno.Command("openssl", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Deno.errors.NotFound
        ? "openssl is not installed (not on PATH)"
        : `openssl could not be run: ${
          error instanceof Error ? error.message : String(error)
        }`,
    };
  }
  const decoder = new TextDecoder();
  const text = decoder.decode(out.stdout) + "\n" + decoder.decode(out.stderr);
  if (!out.success) {
    const last = text.trim().split("\n").pop() ?? "";
    return {
      ok: false,
      reason: `openssl ${args.join(" ")} exited with ${out.code}: ${last}`,
    };
  }
  return { ok: true, text };
}

/**
 * Runs `openssl speed -seconds S rsa2048`, then the same with `-multi
 * processes`, one after the other. Never guesses: a missing `openssl`, a
 * failed run or an unreadable output gives `ok: false` and the reason.
 */
export async function opensslSpeed(
  seconds: number,
  processes: number,
): Promise<OpensslSpeed> {
  const version = await run(["version"]);
  if (!version.ok) return version;
  const s = String(seconds);
  const single = await run(["speed", "-seconds", s, "rsa2048"]);
  if (!single.ok) return single;
  const singleLine = parseRsaSpeed(single.text);
  if (singleLine === undefined) {
    return { ok: false, reason: "no rsa 2048 bits line in openssl speed" };
  }
  const multi = await run([
    "speed",
    "-seconds",
    s,
    "-multi",
    String(processes),
    "rsa2048",
  ]);
  if (!multi.ok) return multi;
  const multiLine = parseRsaSpeed(multi.text);
  if (multiLine === undefined) {
    return {
      ok: false,
      reason: "no rsa 2048 bits line in openssl speed -multi",
    };
  }
  return {
    ok: true,
    version: /^\S+\s+\S+/.exec(version.text.trim())?.[0] ?? "openssl",
    seconds,
    single: singleLine,
    multi: multiLine,
    processes,
  };
}
