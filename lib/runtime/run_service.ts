/**
 * Serving, the command line's default job: loads libzmq and the decryption
 * backend, binds the ROUTER socket (or, with `--connect`, connects it to a
 * broker's backend) and, with `--metrics`, the HTTP listener for metrics
 * and health, starts the request threads (`--threads`) and answers the
 * contract until SIGINT or SIGTERM, then drains. This thread, the socket
 * thread, only moves frames: it keeps each client's accounting (in flight,
 * per client, the reserve for quiet clients, the key pool's waiters), hands
 * each request to a thread and sends the reply; the key pool lives here and
 * hands its pairs to the threads. A start-up failure throws `StartupError`;
 * the command line prints it and picks the exit code.
 *
 * @example
 * ```ts
 * import type { Config } from "./config.ts";
 * import { runService } from "./run_service.ts";
 *
 * declare const config: Config; // validated by the command line
 * const code = await runService(config, { forceStop: () => Deno.exit(1) });
 * ```
 * @module
 */

import { announce } from "./announce.ts";
import { StartupError } from "./errors.ts";
import { type KeystoreSetup, openKeystoreSetup } from "./keystore_setup.ts";
import { hardenProcess } from "./harden.ts";
import { type Config, CORES } from "./config.ts";
import { resolveThreadCrypto } from "../service/decrypt/backend.ts";
import { readCurveSetup } from "./curve_setup.ts";
import { type HttpListener, startHttp } from "./ops/http.ts";
import { errorClass, firstLine, Logger } from "./ops/log.ts";
import {
  type Instruments,
  NO_INSTRUMENTS,
  startMetrics,
} from "./ops/metrics.ts";
import { insecureBindRefusal } from "./network_policy.ts";
import { RequestThreads } from "./request_threads.ts";
import { serveOnThreads } from "./serve_threads.ts";
import { RequestLog } from "./ops/request_log.ts";
import { onStopSignals } from "./signals.ts";
import { VERSION } from "./version.ts";
import { CRASH_HOOK_ENV } from "./_thread_protocol.ts";
import { CAPABILITIES } from "../contract/mod.ts";
import { keystoreCapabilities } from "../service/keystore_protocol.ts";
import { encodeReply } from "../service/protocol.ts";
import { generateRsaKeyPair, type RsaKeyPairPem } from "../crypto/mod.ts";
import { Admission } from "../service/admission.ts";
import { KeyPool } from "../service/key_pool.ts";
import { boundedWaiters } from "../service/key_service.ts";
import { poolStatus } from "../service/status.ts";
import { WorkLimiter } from "../service/work_limiter.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import { RouterServer } from "../zmq/router.ts";

/** What the caller, not the runtime, does to the process. */
export interface RunServiceHooks {
  /**
   * A second stop signal: stop now. The command line exits the process;
   * without it, the runtime abandons what is in flight and returns.
   */
  readonly forceStop?: () => void;
}

/**
 * Serves with `config` until stopped; resolves to the exit code. Throws
 * `StartupError` when it cannot start.
 */
export async function runService(
  config: Config,
  hooks: RunServiceHooks = {},
): Promise<number> {
  const log = new Logger(config.logLevel, undefined, config.logFormat);
  // Before any key is in memory: no core dump, no ptrace by other processes.
  hardenProcess(log);
  // Set once the socket is bound and the serve loop about to run; cleared
  // by the first stop signal. /healthz answers it.
  let serving = false;
  // The pool and the bounds come after the listener: its gauges read
  // them here, once they exist.
  const live: {
    keyPool?: KeyPool;
    admission?: Admission;
    threads?: RequestThreads;
    /** On-demand generations running (3072/4096 bits, and a drained pool). */
    onDemand: number;
  } = { onDemand: 0 };
  let instruments: Instruments = NO_INSTRUMENTS;
  // Request threads: each runs its own private-key operations, so they are
  // also the decryptions at once.
  const threadCount = config.threads ?? config.workers;

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
    decryption = resolveThreadCrypto(config, log);
  } catch (error) {
    throw new StartupError(error);
  }
  const connect = config.connect !== undefined;
  const endpoint = config.connect ?? config.endpoint;
  const verb = connect ? "connect to" : "bind";
  const refusal = insecureBindRefusal(endpoint, {
    curve: curve !== undefined,
    allowInsecureNetwork: config.allowInsecureNetwork,
    // Connected, the instance is the CURVE client: it checks the broker's
    // key, and the broker vets the instance's, so no list applies here.
    allowList: connect || config.curveAllowFile !== undefined,
    allowAnyCurveClient: config.allowAnyCurveClient,
  }, verb);
  if (refusal !== undefined) throw new StartupError(refusal);
  // Opened here first (master key read once, schema made), then once more
  // on each request thread with the key passed in its setup; before the
  // bind, so that a client connecting during start-up waits for threads
  // only, not for the keystore too.
  let keystore: KeystoreSetup | undefined;
  try {
    keystore = await openKeystoreSetup(config, log);
  } catch (error) {
    throw new StartupError(error);
  }
  if (config.metrics !== undefined) {
    try {
      const metrics = await startMetrics({
        version: VERSION,
        libzmq: libzmq.version,
        crypto: decryption.name,
        inflight: () => live.admission?.inflight ?? 0,
        threads: () => ({
          running: live.threads?.running ?? 0,
          max: threadCount,
        }),
        pool: () => ({
          depth: live.keyPool?.depth ?? 0,
          size: config.poolSize,
          // The pool's refills and waiters, and on-demand 3072/4096 bits.
          generating: (live.keyPool?.generating ?? 0) + live.onDemand,
        }),
      });
      http = startHttp(config.metrics, {
        metrics,
        serving: () => serving,
        ...connect && { brokerConnected: () => server?.connected },
      });
      instruments = metrics;
    } catch (error) {
      await keystore?.close();
      throw new StartupError(
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
        Math.max(
          config.maxRequestBytes,
          config.maxManyRequestBytes,
          config.maxAgeRequestBytes,
        ),
      curve: curve?.options,
      curveClient: curve?.client,
      onConnection: (up) =>
        up
          ? log.info("broker-connected", { connect: endpoint })
          : log.warn("broker-lost", { connect: endpoint }),
    });
  } catch (error) {
    await keystore?.close();
    await http?.close();
    throw new StartupError(`cannot ${verb} ${endpoint}: ${firstLine(error)}`);
  }

  // Key generation, timed for the metrics (pool refills and on demand).
  const generate = async (bits: number): Promise<RsaKeyPairPem> => {
    const started = performance.now();
    const pair = await generateRsaKeyPair(bits);
    instruments.keyGenerated(bits, performance.now() - started);
    return pair;
  };
  // Background refills take at most half the cores, on-demand generations
  // (other sizes, and pairs for waiting requests) at most one a thread:
  // beside the request threads they never take more cores than there are.
  const keyPool = live.keyPool = new KeyPool({
    size: config.poolSize,
    maxAgeMs: config.poolMaxAge * 1000,
    refillParallelism: Math.max(
      1,
      Math.floor(Math.min(CORES, threadCount) / 2),
    ),
    maxGenerating: threadCount,
    generate: () => generate(2048),
    onError: (error) =>
      log.error("keygen-failed", { error: errorClass(error) }),
  });
  const admission = live.admission = new Admission(config);
  const pairs = boundedWaiters(keyPool, config.maxPoolWaiters);
  const onDemand = new WorkLimiter(threadCount);
  const status = poolStatus(keyPool, {
    name: decryption.name,
    concurrency: threadCount,
  });
  const crypto = decryption.setup;
  const crashHook = Deno.env.get(CRASH_HOOK_ENV) === "1";
  // With a keystore, ping also lists contract v1.2's; without, as v1.1.
  const capabilities = keystore === undefined
    ? CAPABILITIES
    : keystoreCapabilities(config.keystoreMaxVersions);
  const threads = live.threads = new RequestThreads({
    size: threadCount,
    // Threads are stopped once the drain is over (its deadline passed, or
    // nothing left in flight): one still busy a second later is terminated,
    // so the stop takes --drain-seconds and not that much more.
    stopMs: 1000,
    setup: (id, port) => ({
      libzmq: libzmq.path,
      port,
      id,
      crypto,
      version: VERSION,
      maxRequestBytes: config.maxRequestBytes,
      maxManyRequestBytes: config.maxManyRequestBytes,
      maxAgeRequestBytes: config.maxAgeRequestBytes,
      minKeyBits: config.minKeyBits,
      pbkdf2Iterations: config.pbkdf2Iterations,
      // The service always opens the keys it protects itself.
      maxPbkdf2Iterations: Math.max(
        config.maxPbkdf2Iterations,
        config.pbkdf2Iterations,
      ),
      pingDetail: config.pingDetail,
      capabilities,
      passphraseConcurrency: Math.max(1, Math.floor(CORES / threadCount)),
      crashHook,
      ...keystore && {
        keystore: {
          location: keystore.location,
          master: keystore.master,
          audit: keystore.audit !== undefined,
        },
      },
    }),
    ask: (ask) => {
      switch (ask.what) {
        case "pair":
          return pairs.take();
        case "generate":
          // Counted while it runs, for keyservice_key_generations_running.
          return onDemand.run(() => {
            live.onDemand++;
            return Promise.try(generate, ask.bits).finally(() =>
              live.onDemand--
            );
          });
        case "audit":
          // The one writer of the audit log, so that its chain never forks.
          if (keystore?.audit === undefined) return Promise.resolve();
          return Promise.try(() => keystore.audit!.record(ask.event));
        case "status":
          // Not counting the ping that asks.
          return Promise.resolve({
            in_flight: admission.inflight - 1,
            ...status(),
          });
      }
    },
    onDied: () => log.error("thread-died"),
    onInternalError: (error) => log.error("internal-error", { error }),
  });
  try {
    await threads.start(server.openThreadPort(threads));
  } catch (error) {
    keyPool.close();
    await keystore?.close();
    await http?.close();
    throw new StartupError(
      `cannot start the request threads: ${firstLine(error)}`,
    );
  }
  const removeSignalListeners = onStopSignals({
    stop(signal) {
      serving = false;
      log.info("stopping", { signal, in_flight: server.unanswered });
      server.close(config.drainSeconds * 1000);
    },
    force(signal) {
      log.warn("stopping-now", { signal, abandoned: server.unanswered });
      if (hooks.forceStop) hooks.forceStop();
      else server.close(0);
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
  const stages = log.enabled("debug");
  // Each request at debug; at info, a count per reply code per interval.
  const requests = new RequestLog(log);
  await serveOnThreads(server, admission, threads, (outcome, ms) => {
    instruments.request(outcome, ms);
    instruments.decrypted("pkcs1v15", outcome.decryptions.pkcs1v15);
    instruments.decrypted("oaep-sha256", outcome.decryptions.oaep);
    requests.record(outcome, ms);
    // Where the time went: on the request thread, and around it (the
    // socket thread, the hand-offs both ways).
    if (stages) {
      log.debug("request-stages", {
        type: outcome.type,
        thread_ms: outcome.threadMs,
        around_ms: Math.max(0, ms - outcome.threadMs),
      });
    }
  }, {
    // What a request thread's KeyService answers, field for field, without
    // the round trip to a thread and back for the status it would ask here.
    ping: () =>
      encodeReply({
        status: "ok",
        version: VERSION,
        ...(config.pingDetail === "full"
          ? { in_flight: admission.inflight - 1, ...status() }
          : {}),
        capabilities,
      }),
    // A failing listener costs neither the reply nor the service.
    onListenerError: (error) =>
      log.error("listener-failed", { error: errorClass(error) }),
  });
  requests.close();
  log.flush();
  removeSignalListeners();
  keyPool.close();
  await keystore?.close();
  await http?.close();
  log.info("stopped");
  return 0;
}
