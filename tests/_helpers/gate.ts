/**
 * Test helper: gates for tests that need something from the machine (the
 * Python client stack, the `openssl` command, OpenSSL 3's libcrypto). Where
 * it is missing, the tests are reported ignored (not run, not passed) and
 * say why; under KEYSERVICE_REQUIRE_INTEROP=1 (CI sets it) they fail
 * instead.
 *
 * @module
 */

import { loadLibcrypto } from "../../lib/crypto/mod.ts";

/** KEYSERVICE_REQUIRE_INTEROP=1: a missing tool fails the tests. */
export const REQUIRED = Deno.env.get("KEYSERVICE_REQUIRE_INTEROP") === "1";

/** Whether a group of tests can run here, and how to say so. */
export interface Gate {
  /** What they need is here. */
  readonly ok: boolean;
  /** What was found, or what is missing. */
  readonly reason: string;
  /** The tests are ignored: the need is unmet and not required. */
  readonly ignore: boolean;
  /** Fails the test (saying why) when the need is unmet. */
  assertRunnable(): void;
}

/**
 * A gate for the tests named `what`, from a detection; prints, when the need
 * is unmet, that they are ignored or, when required, that they will fail.
 */
export function gate(
  what: string,
  detected: { readonly ok: boolean; readonly reason: string },
): Gate {
  const { ok, reason } = detected;
  if (!ok) {
    console.log(
      REQUIRED
        ? `${what} CANNOT RUN and KEYSERVICE_REQUIRE_INTEROP=1: ${reason}`
        : `${what} IGNORED (not run, not passed): ${reason}. ` +
          "Set KEYSERVICE_REQUIRE_INTEROP=1 to make this a failure.",
    );
  }
  return {
    ok,
    reason,
    ignore: !ok && !REQUIRED,
    assertRunnable() {
      if (!ok) {
        throw new Error(`the ${what} cannot run: ${reason}`);
      }
    },
  };
}

/** Whether OpenSSL 3's libcrypto loads here (the service's default). */
export function detectLibcrypto(): { ok: boolean; reason: string } {
  try {
    const libcrypto = loadLibcrypto();
    return { ok: true, reason: `${libcrypto.path} ${libcrypto.version}` };
  } catch (error) {
    return {
      ok: false,
      reason: `${error instanceof Error ? error.message : error}` +
        " (Debian: apt-get install libssl3)",
    };
  }
}

/** Whether the `openssl` command (OpenSSL 3) runs here. */
export async function detectOpensslCommand(): Promise<
  { ok: boolean; reason: string }
> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const version = new TextDecoder().decode(out.stdout).trim();
    return out.success && /^OpenSSL 3\./.test(version)
      ? { ok: true, reason: version }
      : { ok: false, reason: `openssl is not OpenSSL 3: ${version}` };
  } catch {
    return {
      ok: false,
      reason: "no openssl command (Debian: apt-get install openssl)",
    };
  }
}

/**
 * Whether `command ...args` runs here and exits 0 (a tool's `--version`);
 * `install` says how to get it when it does not.
 */
export async function detectTool(
  command: string,
  args: string[],
  install: string,
): Promise<{ ok: boolean; reason: string }> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).split("\n")[0].trim();
    return out.success ? { ok: true, reason: text } : {
      ok: false,
      reason: `${command} ${args.join(" ")} failed (${install})`,
    };
  } catch {
    return { ok: false, reason: `no ${command} command (${install})` };
  }
}
