/**
 * Serving, the command line's default job: loads libzmq and the decryption
 * backend, binds the ROUTER socket (or, with `--connect`, connects it to a
 * broker's backend) and, with `--metrics`, the HTTP listener for metrics
 * and health, and answers the contract until SIGINT or
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
import { hardenProcess } from "./harden.ts";
import { type Config, CORES } from "./config.ts";
import { startDecryptBackend } from "./crypto_backend.ts";
import { readCurveSetup } from "./curve_setup.ts";
import { type HttpListener, startHttp } from "./http.ts";
import { errorClass, firstLine, Logger } from "./log.ts";
import { type Instruments, NO_INSTRUMENTS, startMetrics } from "./metrics.ts";
import { insecureBindRefusal } from "./network_policy.ts";
import { type KeystoreSetup, openKeystoreSetup } from "./keystore_setup.ts";
import { RequestLog } from "./request_log.ts";
import { onStopSignals } from "./signals.ts";
import { VERSION } from "./version.ts";
import { generateRsaKeyPair, type RsaKeyPairPem } from "../crypto/mod.ts";
import { KeyPool } from "../service/key_pool.ts";
import { KeyService } from "../service/key_service.ts";
import { serve } from "../service/serve.ts";
import { poolStatus } from "../service/status.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import { RouterServer } from "../zmq/router.ts";

/** Serves with `config` until stopped; resolves to the exit code. */
export async function runService(config: Config): Promise<number> {
  const log = new Logger(config.logLevel, undefined, config.logFormat);
  // Before any key is in memory: no core dump, no ptrace by other processes.
  hardenProcess(log);
  // Set once the socket is bound and the serve loop about to run; cleared
  // by the first stop signal. /healthz answers it.
  let serving = false;
  // The pool and the service come after the listener: its gauges read
  // them here, once they exist.
  const live: { keyPool?: KeyPool; service?: KeyService } = {};
  let instruments: Instruments = NO_INSTRUMENTS;

  let libzmq, curve, decryption, http: HttpListener | undefined;
  let server: RouterServer;
  try {
    libzmq = loadLibzmq(config.libzmq);
    curve = readCurveSetup(
      libzmq,
      config,
      log,
      (reason) => instruments.handshakeRefused(reason),
    );
    decryption = startDecryptBackend(config, log);
  } catch (error) {
    return fail(error);
  }
  let keystore: KeystoreSetup | undefined;
  try {
    keystore = await openKeystoreSetup(config, log);
  } catch (error) {
    decryption.close();
    return fail(error);
  }
  const connect = config.connect !== undefined;
  const endpoint = config.connect ?? config.endpoint;
  const verb = connect ? "connect to" : "bind";
  const refusal = insecureBindRefusal(endpoint, {
    curve: curve !== undefined,
    allowInsecureNetwork: config.allowInsecureNetwork,
    // Connected, the peer CURVE lets in is the broker: off loopback, its
    // key must be listed too (the same rule as for clients).
    allowList: config.curveAllowFile !== undefined,
    allowAnyCurveClient: config.allowAnyCurveClient,
  }, verb);
  if (refusal !== undefined) return fail(refusal);
  if (config.metrics !== undefined) {
    try {
      const metrics = await startMetrics({
        version: VERSION,
        libzmq: libzmq.version,
        crypto: decryption.name,
        inflight: () => live.service?.inflight ?? 0,
        pool: () => ({
          depth: live.keyPool?.depth ?? 0,
          size: config.poolSize,
          generating: live.keyPool?.generating ?? 0,
        }),
      });
      http = startHttp(config.metrics, {
        metrics,
        serving: () => serving,
        ...connect && { brokerConnected: () => server?.connected },
      });
      instruments = metrics;
    } catch (error) {
      decryption.close();
      return fail(
        `cannot serve metrics on ${config.metrics}: ${firstLine(error)}`,
      );
    }
  }
  try {
    server = RouterServer.bind(libzmq, {
      endpoint,
      connect,
      // Behind a broker the client is the hop the broker added.
      trustedHops: config.trustedHops ?? (connect ? 1 : 0),
      // A frame larger than any request answered is cut off by libzmq
      // before it is copied anywhere.
      maxFrameBytes: config.maxFrameBytes ??
        Math.max(config.maxRequestBytes, config.maxManyRequestBytes),
      curve: curve?.options,
      onConnection: (up) =>
        up
          ? log.info("broker-connected", { connect: endpoint })
          : log.warn("broker-lost", { connect: endpoint }),
    });
  } catch (error) {
    decryption.close();
    await http?.close();
    return fail(`cannot ${verb} ${endpoint}: ${firstLine(error)}`);
  }

  // Key generation, timed for the metrics (pool refills and on demand).
  const generate = async (bits: number): Promise<RsaKeyPairPem> => {
    const started = performance.now();
    const pair = await generateRsaKeyPair(bits);
    instruments.keyGenerated(bits, performance.now() - started);
    return pair;
  };
  // A const for the closures below (`decryption` is a `let`).
  const backend = decryption;
  const keyPool = live.keyPool = new KeyPool({
    size: config.poolSize,
    maxAgeMs: config.poolMaxAge * 1000,
    refillParallelism: Math.max(1, Math.floor(CORES / 2)),
    generate: () => generate(2048),
    onError: (error) =>
      log.error("keygen-failed", { error: errorClass(error) }),
  });
  const service = live.service = new KeyService({
    version: VERSION,
    maxInflight: config.maxInflight,
    maxInflightPerClient: config.maxInflightPerClient,
    maxPoolWaiters: config.maxPoolWaiters,
    maxRequestBytes: config.maxRequestBytes,
    maxManyRequestBytes: config.maxManyRequestBytes,
    keyLimits: {
      minBits: config.minKeyBits,
      // The service always opens the keys it protects itself.
      maxIterations: Math.max(
        config.maxPbkdf2Iterations,
        config.pbkdf2Iterations,
      ),
    },
    keyPairs: keyPool,
    generate,
    decrypt: (key, ciphertext, padding) => {
      instruments.decrypted(padding);
      return backend.decrypt(key, ciphertext, padding);
    },
    encrypt: backend.encrypt,
    pbkdf2Iterations: config.pbkdf2Iterations,
    status: poolStatus(keyPool, decryption),
    pingDetail: config.pingDetail,
    onInternalError: (error) =>
      log.error("internal-error", { error: errorClass(error) }),
    keystore: keystore && {
      keystore: keystore.keystore,
      audit: keystore.audit,
      decryptStored: backend.decryptStored,
    },
  });
  const removeSignalListeners = onStopSignals({
    stop(signal) {
      serving = false;
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
    metrics: http?.address,
    keystore: keystore?.description ?? "off",
  });
  keystore?.warn();
  serving = true;
  // Each request at debug; at info, a count per reply code per interval.
  const requests = new RequestLog(log);
  await serve(server, service, (outcome, ms) => {
    instruments.request(outcome, ms);
    requests.record(outcome, ms);
  }, {
    onListenerError: (error) =>
      log.error("listener-failed", { error: errorClass(error) }),
  });
  requests.close();
  log.flush();
  removeSignalListeners();
  keyPool.close();
  decryption.close();
  await keystore?.close();
  await http?.close();
  log.info("stopped");
  return 0;
}
