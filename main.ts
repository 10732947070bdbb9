/**
 * keyservice: reads configuration, loads libzmq, and serves the key-service
 * contract on a ZeroMQ ROUTER socket until SIGINT or SIGTERM. This file only
 * wires the layers together: lib/cli (configuration, logs, signals, CURVE
 * files), lib/zmq (the socket), lib/service (requests and pools), and
 * beneath them lib/crypto.
 *
 * @example
 * ```sh
 * deno task start --endpoint tcp://127.0.0.1:6000
 * ```
 * @module
 */

import { announce } from "./lib/cli/announce.ts";
import { fail, runSubcommand } from "./lib/cli/commands.ts";
import { ConfigError, CORES, parseConfig, readEnv } from "./lib/cli/config.ts";
import { startDecryptBackend } from "./lib/cli/crypto_backend.ts";
import { readCurveSetup } from "./lib/cli/curve_setup.ts";
import { errorClass, firstLine, Logger } from "./lib/cli/log.ts";
import { insecureBindRefusal } from "./lib/cli/network_policy.ts";
import { onStopSignals } from "./lib/cli/signals.ts";
import { VERSION } from "./lib/cli/version.ts";
import { KeyPool } from "./lib/service/key_pool.ts";
import { KeyService } from "./lib/service/key_service.ts";
import { serve } from "./lib/service/serve.ts";
import { poolStatus } from "./lib/service/status.ts";
import { loadLibzmq } from "./lib/zmq/libzmq.ts";
import { RouterServer } from "./lib/zmq/router.ts";

/** Runs the service with these arguments; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(args, readEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`${error.message} (see --help)`, 2);
  }
  if (parsed.kind !== "run") return runSubcommand(parsed);
  const { config } = parsed;
  const log = new Logger(config.logLevel);

  let libzmq, curve, server, decryption;
  try {
    libzmq = loadLibzmq(config.libzmq);
    curve = readCurveSetup(libzmq, config, log);
    decryption = startDecryptBackend(config, log);
  } catch (error) {
    return fail(error);
  }
  const refusal = insecureBindRefusal(config.endpoint, {
    curve: curve !== undefined,
    allowInsecureNetwork: config.allowInsecureNetwork,
  });
  if (refusal !== undefined) return fail(refusal);
  try {
    server = RouterServer.bind(libzmq, {
      endpoint: config.endpoint,
      maxFrameBytes: config.maxFrameBytes,
      curve: curve?.options,
    });
  } catch (error) {
    decryption.close();
    return fail(`cannot bind ${config.endpoint}: ${firstLine(error)}`);
  }

  const keyPool = new KeyPool({
    size: config.poolSize,
    refillParallelism: Math.max(1, Math.floor(CORES / 2)),
    onError: (error) =>
      log.error("keygen-failed", { error: errorClass(error) }),
  });
  const service = new KeyService({
    version: VERSION,
    maxInflight: config.maxInflight,
    maxRequestBytes: config.maxRequestBytes,
    maxManyRequestBytes: config.maxManyRequestBytes,
    keyLimits: { minBits: config.minKeyBits },
    keyPairs: keyPool,
    decrypt: (key, ciphertext, padding) =>
      decryption.decrypt(key, ciphertext, padding),
    pbkdf2Iterations: config.pbkdf2Iterations,
    status: poolStatus(keyPool, decryption),
    onInternalError: (error) =>
      log.error("internal-error", { error: errorClass(error) }),
  });
  const removeSignalListeners = onStopSignals({
    stop(signal) {
      log.info("stopping", { signal, in_flight: server.unanswered });
      server.close(config.drainSeconds * 1000);
    },
    force(signal) {
      log.warn("stopping-now", { signal, abandoned: server.unanswered });
      Deno.exit(1);
    },
  });

  announce(log, {
    endpoint: server.endpoint,
    libzmq,
    crypto: decryption.name,
    config,
    curve,
  });
  await serve(
    server,
    service,
    (outcome, ms) =>
      log.info("request", { type: outcome.type, code: outcome.code, ms }),
  );
  removeSignalListeners();
  keyPool.close();
  decryption.close();
  log.info("stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
