/**
 * Serving, the command line's default job: loads libzmq and the decryption
 * backend, binds the ROUTER socket, and answers the contract until SIGINT or
 * SIGTERM, then drains. Every start-up failure becomes one line on stderr and
 * an exit code.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import { runService } from "./run_service.ts";
 *
 * const parsed = parseConfig(["--endpoint", "tcp://127.0.0.1:6000"], {});
 * if (parsed.kind === "run") Deno.exit(await runService(parsed.config));
 * ```
 * @module
 */

import { announce } from "./announce.ts";
import { fail } from "./commands.ts";
import { forbidCoreDumps } from "./harden.ts";
import { type Config, CORES } from "./config.ts";
import { startDecryptBackend } from "./crypto_backend.ts";
import { readCurveSetup } from "./curve_setup.ts";
import { errorClass, firstLine, Logger } from "./log.ts";
import { insecureBindRefusal } from "./network_policy.ts";
import { onStopSignals } from "./signals.ts";
import { VERSION } from "./version.ts";
import { KeyPool } from "../service/key_pool.ts";
import { KeyService } from "../service/key_service.ts";
import { serve } from "../service/serve.ts";
import { poolStatus } from "../service/status.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import { RouterServer } from "../zmq/router.ts";

/** Serves with `config` until stopped; resolves to the exit code. */
export async function runService(config: Config): Promise<number> {
  const log = new Logger(config.logLevel);
  // Before any key is in memory: no core dump, no ptrace by other processes.
  const hardened = forbidCoreDumps();
  if (hardened.ok) log.debug("not-dumpable", { dumpable: 0 });
  else if (Deno.build.os === "linux") {
    log.warn("dumpable", { reason: hardened.reason });
  } else log.debug("dumpable", { reason: hardened.reason });

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
    maxAgeMs: config.poolMaxAge * 1000,
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
    pingDetail: config.pingDetail,
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
