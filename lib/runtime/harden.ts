/**
 * Process hardening at start-up: on Linux, `prctl(PR_SET_DUMPABLE, 0)`
 * through libc, so that the process, which holds private keys in memory,
 * leaves no core dump and cannot be ptrace-attached, nor its `/proc/<pid>/`
 * memory, environment or file descriptors read, by another process without
 * `CAP_SYS_PTRACE`, even one of the same user. Elsewhere it does nothing
 * and says so.
 *
 * @example
 * ```ts
 * import { forbidCoreDumps } from "./harden.ts";
 *
 * const result = forbidCoreDumps();
 * if (result.ok) console.log("dumpable=0");
 * else console.log(`still dumpable: ${result.reason}`);
 * ```
 * @module
 */

/** `prctl` options, from <linux/prctl.h>. */
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;

/** What {@linkcode forbidCoreDumps} came to. */
export type HardenResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

/** The libc symbols used, prctl declared with its five-argument form. */
const SYMBOLS = {
  prctl: {
    parameters: ["i32", "u64", "u64", "u64", "u64"],
    result: "i32",
  },
  geteuid: { parameters: [], result: "u32" },
} as const;

function withLibc<T>(
  fn: (libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"]) => T,
): T {
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  try {
    return fn(libc.symbols);
  } finally {
    libc.close();
  }
}

function withPrctl<T>(
  fn: (prctl: (option: number, arg: number) => number) => T,
): T {
  return withLibc((libc) =>
    fn((option, arg) => libc.prctl(option, BigInt(arg), 0n, 0n, 0n))
  );
}

/**
 * This process's effective user id, through libc (`Deno.uid()` would need
 * `--allow-sys`, and `/proc/self` is owned by root once not dumpable); on
 * other systems than Linux, undefined.
 */
export function effectiveUid(): number | undefined {
  if (Deno.build.os !== "linux") return undefined;
  return withLibc((libc) => libc.geteuid());
}

/**
 * Makes this process not dumpable (Linux). Never throws: a platform without
 * `prctl`, a libc that will not load, or a refusal comes back as a reason.
 */
export function forbidCoreDumps(): HardenResult {
  if (Deno.build.os !== "linux") {
    return { ok: false, reason: `not Linux (${Deno.build.os})` };
  }
  try {
    return withPrctl((prctl) => {
      if (prctl(PR_SET_DUMPABLE, 0) !== 0) {
        return { ok: false, reason: "prctl(PR_SET_DUMPABLE, 0) failed" };
      }
      return prctl(PR_GET_DUMPABLE, 0) === 0
        ? { ok: true }
        : { ok: false, reason: "prctl(PR_GET_DUMPABLE) is not 0 after it" };
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: message.split("\n")[0] };
  }
}

/** Where {@linkcode hardenProcess} reports (a `Logger` fits). */
export interface HardenLog {
  debug(event: string, fields: Record<string, string | number>): void;
  warn(event: string, fields: Record<string, string | number>): void;
}

/**
 * {@linkcode forbidCoreDumps}, said in the log: a debug line when it took
 * effect, a warning on Linux when it did not, a debug line elsewhere. The
 * service and the broker both call it before any key passes through them.
 */
export function hardenProcess(log: HardenLog): HardenResult {
  const hardened = forbidCoreDumps();
  if (hardened.ok) log.debug("not-dumpable", { dumpable: 0 });
  else if (Deno.build.os === "linux") {
    log.warn("dumpable", { reason: hardened.reason });
  } else log.debug("dumpable", { reason: hardened.reason });
  return hardened;
}

/**
 * `prctl(PR_GET_DUMPABLE)` of this process on Linux (0 when not dumpable),
 * or undefined elsewhere.
 */
export function dumpable(): number | undefined {
  if (Deno.build.os !== "linux") return undefined;
  return withPrctl((prctl) => prctl(PR_GET_DUMPABLE, 0));
}
