/**
 * `keyservice curve-keypair`: a new CURVE key pair (Z85) for the service,
 * the broker or a client. With `--out FILE` the pair goes into a file made
 * mode 0600 (never overwritten) and only the public key is printed; without
 * it, both go to stdout, with a warning on stderr when stdout is a terminal
 * or a file this command did not create, where the secret key may be read
 * by others.
 *
 * @example
 * ```ts
 * import { CURVE_KEYPAIR_COMMAND } from "./curve_keypair.ts";
 *
 * Deno.exit(await CURVE_KEYPAIR_COMMAND.run(["--out", "server.key"]));
 * ```
 * @module
 */

import { generateCurveKeyPair } from "../zmq/curve.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import type { Command } from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import { resolvePath } from "./paths.ts";
import { commandHelp, type CommandSpec, one, parseCommand } from "./flags.ts";
import { usageFailure } from "./client_flags.ts";

const SPEC: CommandSpec = {
  name: "curve-keypair",
  summary: "makes a new CURVE key pair (Z85): `public` and `secret` lines",
  notes: [
    "With --out, FILE is made mode 0600 (an existing one is refused) and",
    "only the public key is printed. Without it, the pair goes to stdout:",
    "a warning says so when stdout is a terminal or a file.",
  ],
  flags: [
    {
      flag: "out",
      arg: "FILE",
      help: "write the pair into FILE ('-': stdout)",
    },
    {
      flag: "libzmq",
      arg: "PATH",
      env: "KEYSERVICE_LIBZMQ",
      help: "libzmq file to load",
    },
  ],
};

/** Whether stdout is where others may read a secret: a terminal or a file. */
async function stdoutExposed(): Promise<string | undefined> {
  if (Deno.stdout.isTerminal()) return "a terminal";
  // node:fs's fstat: Deno's stat of /dev/stdout needs --allow-all. Loaded
  // here only, not at every command's start-up.
  const { fstatSync } = await import("node:fs");
  try {
    if (fstatSync(1).isFile()) return "a file";
  } catch {
    // stdout closed or not a descriptor we can ask about: nothing to warn.
  }
  return undefined;
}

async function run(args: readonly string[]): Promise<number> {
  try {
    const parsed = parseCommand(SPEC, args, {
      KEYSERVICE_LIBZMQ: Deno.env.get("KEYSERVICE_LIBZMQ"),
    });
    if (parsed.help) {
      print(commandHelp(SPEC));
      return 0;
    }
    const pair = generateCurveKeyPair(loadLibzmq(one(parsed, "libzmq")));
    const text = `public ${pair.public}\nsecret ${pair.secret}\n`;
    const out = one(parsed, "out");
    if (out === undefined || out === "-") {
      const exposed = await stdoutExposed();
      if (exposed !== undefined) {
        fail(
          `warning: the secret key goes to ${exposed}; use --out FILE for a file only you can read`,
        );
      }
      print(text);
      return 0;
    }
    const path = resolvePath(out);
    try {
      // createNew: an existing file, or one made meanwhile, is refused.
      await Deno.writeTextFile(path, text, { createNew: true, mode: 0o600 });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        return fail(`--out: refusing to overwrite ${out}`);
      }
      if (error instanceof Deno.errors.NotFound) {
        return fail(`--out: no such folder for ${out}`);
      }
      throw error;
    }
    print(`public ${pair.public}\n`);
    return 0;
  } catch (error) {
    return usageFailure(error);
  }
}

/** The `curve-keypair` command. */
export const CURVE_KEYPAIR_COMMAND: Command = { spec: SPEC, run };
