/**
 * A CURVE client's keys from {@linkcode CurveOptions}: Z85 given directly,
 * or read from files (the server's public key; the pair `keyservice
 * curve-keypair` wrote), and a fresh pair when none is given. Messages name
 * the file, never a key.
 *
 * @example
 * ```ts
 * import { curveClientKeys } from "./curve_keys.ts";
 * import { loadLibzmq } from "../zmq/libzmq.ts";
 *
 * const keys = curveClientKeys(loadLibzmq(), {
 *   serverKeyFile: "/etc/keyservice/server.pub",
 *   keyPairFile: "/etc/keyservice/client.key",
 * });
 * keys.publicKey; // what the server's allow list must hold
 * ```
 * @module
 */

import {
  type CurveClientKeys,
  curvePublicKey,
  generateCurveKeyPair,
  isZ85Key,
} from "../zmq/curve.ts";
import { InvalidCurveKey } from "../zmq/errors.ts";
import type { LoadedLibzmq } from "../zmq/libzmq.ts";
import type { CurveOptions } from "./types.ts";

/** A key in `text` after `label` on its line, or the whole text trimmed. */
function keyIn(text: string, label: "public" | "secret"): string | undefined {
  const labelled = new RegExp(`^${label}\\s+(\\S+)`, "m").exec(text)?.[1];
  if (labelled !== undefined) return labelled;
  return /^(public|secret)\s/m.test(text) ? undefined : text.trim();
}

function checked(libzmq: LoadedLibzmq, key: string | undefined, what: string) {
  if (key === undefined || !isZ85Key(libzmq, key)) {
    throw new InvalidCurveKey(`${what} is not a 40-character Z85 CURVE key`);
  }
  return key;
}

/**
 * The keys a CURVE client socket needs. Throws `InvalidCurveKey` on a bad
 * key, or the file system's error for a file that cannot be read.
 */
export function curveClientKeys(
  libzmq: LoadedLibzmq,
  options: CurveOptions,
): CurveClientKeys {
  const serverKey = options.serverKeyFile !== undefined
    ? checked(
      libzmq,
      keyIn(Deno.readTextFileSync(options.serverKeyFile), "public"),
      `the server key in ${options.serverKeyFile}`,
    )
    : checked(libzmq, options.serverKey, "the CURVE server key");
  if (options.keyPairFile !== undefined) {
    const secret = checked(
      libzmq,
      keyIn(Deno.readTextFileSync(options.keyPairFile), "secret"),
      `the secret key in ${options.keyPairFile}`,
    );
    return {
      serverKey,
      publicKey: curvePublicKey(libzmq, secret),
      secretKey: secret,
    };
  }
  if (options.secretKey !== undefined) {
    const secretKey = checked(libzmq, options.secretKey, "the secret key");
    return {
      serverKey,
      publicKey: curvePublicKey(libzmq, secretKey),
      secretKey,
    };
  }
  const pair = generateCurveKeyPair(libzmq);
  return { serverKey, publicKey: pair.public, secretKey: pair.secret };
}
