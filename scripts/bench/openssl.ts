/**
 * OpenSSL's own speed for RSA-2048 private-key operations, the reference
 * for the service's decryption: `openssl speed -seconds S rsa2048`, in one
 * process or (with `-multi K`) K at once. The "sign" column is the
 * private-key operation that decryption also performs (one modular
 * exponentiation with the private key, CRT, blinded).
 *
 * @example
 * ```ts ignore
 * import { opensslSpeed } from "./openssl.ts";
 *
 * const speed = await opensslSpeed(3, 4);
 * if (speed.ok) console.log(speed.line.signMs, speed.line.signPerSecond);
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

/** One `openssl speed` run, or why there is none. */
export type OpensslSpeed =
  | {
    readonly ok: true;
    /** `openssl version`'s first two words, such as `OpenSSL 3.0.19`. */
    readonly version: string;
    readonly seconds: number;
    /** Processes (`-multi`); 1 for a plain run. */
    readonly processes: number;
    /** The rates, summed over the processes for `-multi`. */
    readonly line: RsaSpeedLine;
  }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the `rsa 2048 bits` line that plain and `-multi` runs print: the
 * times (`0.000618s`) first, then the rates. OpenSSL 3.0 and 3.1 print sign
 * and verify; 3.2 and later add encrypt and decrypt columns, after them.
 * Undefined when there is no such line.
 */
export function parseRsaSpeed(output: string): RsaSpeedLine | undefined {
  const match = /^rsa\s+2048\s+bits\s+(.+)$/m.exec(output);
  if (match === null) return undefined;
  const tokens = match[1].trim().split(/\s+/);
  const times = tokens.filter((token) => /^[\d.]+s$/.test(token))
    .map((token) => Number(token.slice(0, -1)));
  const rates = tokens.filter((token) => /^[\d.]+$/.test(token)).map(Number);
  if (times.length < 2 || rates.length < 2) return undefined;
  const [sign, verify] = times;
  const [signRate, verifyRate] = rates;
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
 * Runs `openssl speed -seconds S rsa2048`, with `-multi processes` when
 * `processes` is over 1. Never guesses: a missing `openssl`, a failed run or
 * an unreadable output gives `ok: false` and the reason.
 */
export async function opensslSpeed(
  seconds: number,
  processes = 1,
): Promise<OpensslSpeed> {
  const version = await run(["version"]);
  if (!version.ok) return version;
  const multi = processes > 1 ? ["-multi", String(processes)] : [];
  const speed = await run([
    "speed",
    "-seconds",
    String(seconds),
    ...multi,
    "rsa2048",
  ]);
  if (!speed.ok) return speed;
  const line = parseRsaSpeed(speed.text);
  if (line === undefined) {
    return {
      ok: false,
      reason: `no rsa 2048 bits line in openssl speed ${multi.join(" ")}`,
    };
  }
  return {
    ok: true,
    version: /^\S+\s+\S+/.exec(version.text.trim())?.[0] ?? "openssl",
    seconds,
    processes,
    line,
  };
}
