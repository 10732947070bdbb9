/**
 * The CURVE set-up the configuration asks for: the server's secret key (from
 * the flag, the variable or a key file), its public key, the allow list of
 * client keys, and the log lines for refused and failed handshakes. The
 * secret key itself is never logged; given as a flag, where other users see
 * it in `ps`, it draws a warning.
 *
 * @example
 * ```ts
 * import { readCurveSetup } from "./curve_setup.ts";
 * import { Logger } from "./ops/log.ts";
 * import { loadLibzmq } from "../zmq/libzmq.ts";
 *
 * const setup = readCurveSetup(loadLibzmq(), {
 *   curveSecretKey: undefined,
 *   curveSecretKeyFile: "/etc/keyservice/curve.key",
 *   curveAllowFile: "/etc/keyservice/clients.allow",
 * }, new Logger("info"));
 * setup?.publicKey; // what clients set as their server key
 * ```
 * @module
 */

import type { CurveServerOptions } from "../zmq/router.ts";
import { curvePublicKey, parseAllowList } from "../zmq/curve.ts";
import type { LoadedLibzmq } from "../zmq/libzmq.ts";
import type { Logger } from "./ops/log.ts";
import type { Config } from "./config.ts";

/** CURVE as configured. */
export interface CurveSetup {
  /** The server's public key (Z85), for clients. */
  readonly publicKey: string;
  /** How many client keys the allow list admits; undefined for no list. */
  readonly allowed: number | undefined;
  /** What the server socket needs. */
  readonly options: CurveServerOptions;
}

/**
 * Reads a key file: the key alone, or `keyservice curve-keypair` output (a
 * `secret` line). Warns when the file is readable by group or others.
 */
export function readSecretKeyFile(file: string, log: Logger): string {
  const mode = Deno.statSync(file).mode;
  if (mode !== null && (mode & 0o077) !== 0) {
    log.warn("curve-key-file-readable", {
      file,
      reason: "readable by group or others",
    });
  }
  const text = Deno.readTextFileSync(file);
  return /^secret\s+(\S+)/m.exec(text)?.[1] ?? text.trim();
}

/**
 * The CURVE set-up, or undefined when CURVE is off. Throws when a file
 * cannot be read or a key is malformed (the message never quotes the key).
 * `onRefused` is told of every refused handshake (the log lines are
 * throttled; a metric counts them all).
 */
export function readCurveSetup(
  libzmq: LoadedLibzmq,
  config:
    & Pick<Config, "curveSecretKey" | "curveSecretKeyFile" | "curveAllowFile">
    & Partial<Pick<Config, "curveSecretKeyOnCommandLine">>,
  log: Logger,
  onRefused: (reason: "not_allowed" | "handshake_failed") => void = () => {},
): CurveSetup | undefined {
  const secretKey = config.curveSecretKeyFile !== undefined
    ? readSecretKeyFile(config.curveSecretKeyFile, log)
    : config.curveSecretKey;
  if (secretKey === undefined) return undefined;
  const publicKey = curvePublicKey(libzmq, secretKey);
  const allow = config.curveAllowFile === undefined
    ? undefined
    : parseAllowList(libzmq, Deno.readTextFileSync(config.curveAllowFile));
  // Warned once the set-up holds: a start-up failure stays one line.
  if (
    config.curveSecretKeyOnCommandLine &&
    config.curveSecretKeyFile === undefined
  ) {
    // `deno task` echoes its command line to the log, and `ps` shows it to
    // every user of the machine.
    log.warn("curve-key-on-command-line", {
      reason: "--curve-secret-key shows in ps and in deno task's echo",
      instead: "--curve-secret-key-file or KEYSERVICE_CURVE_SECRET_KEY",
    });
  }
  // A refused client retries every 100 ms: a line a second is enough.
  const refused = log.throttledWarn("auth-refused");
  const handshakeFailed = log.throttledWarn("handshake-failed");
  return {
    publicKey,
    allowed: allow?.size,
    options: {
      secretKey,
      authorize: allow === undefined ? undefined : (clientKey, address) => {
        const allowed = allow.has(clientKey);
        if (allowed) {
          log.debug("auth-allowed", { client_key: clientKey, address });
        } else {
          onRefused("not_allowed");
          refused({ client_key: clientKey, address });
        }
        return allowed;
      },
      onHandshakeFailed: (reason) => {
        onRefused("handshake_failed");
        handshakeFailed({
          reason,
          note: "client without CURVE or with a wrong server key",
        });
      },
    },
  };
}
