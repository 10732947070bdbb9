/**
 * keyservice: reads configuration, loads libzmq, and serves the key-service
 * contract on a ZeroMQ ROUTER socket until SIGINT or SIGTERM.
 *
 * @example
 * ```sh
 * deno task start --endpoint tcp://127.0.0.1:6000
 * ```
 * @module
 */

import {
  type Config,
  ConfigError,
  CORES,
  isLocalEndpoint,
  parseConfig,
  readEnv,
} from "./lib/cli/config.ts";
import {
  curvePublicKey,
  generateCurveKeyPair,
  parseAllowList,
} from "./lib/zmq/curve.ts";
import { DecryptPool } from "./lib/service/decrypt_pool.ts";
import { KeyPool } from "./lib/service/key_pool.ts";
import { Logger } from "./lib/cli/log.ts";
import { KeyService } from "./lib/service/key_service.ts";
import { VERSION } from "./lib/cli/version.ts";
import { type LoadedLibzmq, loadLibzmq } from "./lib/zmq/libzmq.ts";
import { RouterServer } from "./lib/zmq/router.ts";

const encoder = new TextEncoder();

function fail(reason: string): number {
  Deno.stderr.writeSync(encoder.encode(`keyservice: ${reason}\n`));
  return 1;
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split(
    "\n",
  )[0];
}

/**
 * The CURVE set-up the configuration asks for, or undefined for none: the
 * secret key (from the flag, the variable or a file), its public key, and
 * the allow list, whose refusals are logged with the client's public key.
 */
function readCurve(libzmq: LoadedLibzmq, config: Config, log: Logger) {
  let secretKey = config.curveSecretKey;
  if (config.curveSecretKeyFile !== undefined) {
    const file = config.curveSecretKeyFile;
    const mode = Deno.statSync(file).mode;
    if (mode !== null && (mode & 0o077) !== 0) {
      log.warn("curve-key-file-readable", {
        file,
        reason: "readable by group or others",
      });
    }
    // The file may hold just the key, or `keyservice curve-keypair` output.
    const text = Deno.readTextFileSync(file);
    secretKey = /^secret\s+(\S+)/m.exec(text)?.[1] ?? text.trim();
  }
  if (secretKey === undefined) return undefined;
  const publicKey = curvePublicKey(libzmq, secretKey);
  const allow = config.curveAllowFile === undefined
    ? undefined
    : parseAllowList(libzmq, Deno.readTextFileSync(config.curveAllowFile));
  // A refused client retries every 100 ms: a line a second is enough.
  const refused = log.throttledWarn("auth-refused");
  const handshakeFailed = log.throttledWarn("handshake-failed");
  const authorize = allow === undefined
    ? undefined
    : (clientKey: string, address: string) => {
      const allowed = allow.has(clientKey);
      if (allowed) {
        log.debug("auth-allowed", {
          client_key: clientKey,
          address,
        });
      } else refused({ client_key: clientKey, address });
      return allowed;
    };
  return {
    publicKey,
    allowed: allow?.size,
    options: {
      secretKey,
      authorize,
      onHandshakeFailed: (reason: string) =>
        handshakeFailed({
          reason,
          note: "client without CURVE or with a wrong server key",
        }),
    },
  };
}

/** Runs the service with these arguments; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(args, readEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(`${error.message} (see --help)`);
    return 2;
  }
  if (parsed.kind === "help") {
    Deno.stdout.writeSync(encoder.encode(parsed.text));
    return 0;
  }
  if (parsed.kind === "version") {
    Deno.stdout.writeSync(encoder.encode(`keyservice ${VERSION}\n`));
    return 0;
  }
  if (parsed.kind === "curve-keypair") {
    try {
      const pair = generateCurveKeyPair(loadLibzmq(parsed.libzmq));
      Deno.stdout.writeSync(
        encoder.encode(`public ${pair.public}\nsecret ${pair.secret}\n`),
      );
      return 0;
    } catch (error) {
      return fail(reason(error));
    }
  }
  const { config } = parsed;
  const log = new Logger(config.logLevel);

  let libzmq;
  let curve;
  try {
    libzmq = loadLibzmq(config.libzmq);
    curve = readCurve(libzmq, config, log);
  } catch (error) {
    return fail(reason(error));
  }
  if (
    curve === undefined && !isLocalEndpoint(config.endpoint) &&
    !config.allowInsecureNetwork
  ) {
    return fail(
      `refusing to bind ${config.endpoint} without CURVE: clients send private keys ` +
        "to this service, so off loopback the traffic must be encrypted. Set " +
        "--curve-secret-key-file (see SECURITY.md), or pass --allow-insecure-network.",
    );
  }
  let server: RouterServer;
  try {
    server = RouterServer.bind(libzmq, {
      endpoint: config.endpoint,
      maxFrameBytes: config.maxFrameBytes,
      curve: curve?.options,
    });
  } catch (error) {
    return fail(`cannot bind ${config.endpoint}: ${reason(error)}`);
  }
  // Only the class of an unexpected error is logged: its message could
  // quote data.
  const errorClass = (error: unknown) =>
    error instanceof Error ? error.name : typeof error;
  const keyPool = new KeyPool({
    size: config.poolSize,
    refillParallelism: Math.max(1, Math.floor(CORES / 2)),
    onError: (error) =>
      log.error("keygen-failed", { error: errorClass(error) }),
  });
  const decryptPool = new DecryptPool(config.workers);
  const service = new KeyService({
    maxInflight: config.maxInflight,
    maxRequestBytes: config.maxRequestBytes,
    keyLimits: { minBits: config.minKeyBits },
    keyPairs: keyPool,
    decrypt: (key, ciphertext) => decryptPool.decrypt(key, ciphertext),
    status: () => {
      const memory = Deno.memoryUsage();
      return {
        pool: {
          depth: keyPool.depth,
          size: keyPool.size,
          generating: keyPool.generating,
        },
        workers: decryptPool.size,
        rss_bytes: memory.rss,
        heap_used_bytes: memory.heapUsed,
      };
    },
    onInternalError: (error) =>
      log.error("internal-error", { error: errorClass(error) }),
  });

  // A signal to the whole process group (Ctrl-C, systemd) reaches the
  // service twice under `deno task`, once directly and once forwarded: a
  // repeat within a second is that echo, not an operator's second signal.
  let firstSignalAt: number | undefined;
  const onSignal = (signal: Deno.Signal) => () => {
    const now = performance.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      log.info("stopping", { signal, in_flight: server.unanswered });
      server.close(config.drainSeconds * 1000);
    } else if (now - firstSignalAt >= 1000) {
      log.warn("stopping-now", { signal, abandoned: server.unanswered });
      Deno.exit(1);
    }
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = onSignal(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });

  log.info("listening", {
    endpoint: server.endpoint,
    libzmq: libzmq.path,
    libzmq_source: libzmq.source,
    libzmq_version: libzmq.version,
    version: VERSION,
    pool_size: config.poolSize,
    workers: config.workers,
    max_inflight: config.maxInflight,
    curve: curve === undefined
      ? "off"
      : curve.allowed === undefined
      ? "on"
      : `on allow=${curve.allowed}`,
    ...(curve ? { server_key: curve.publicKey } : {}),
  });
  if (curve === undefined && !isLocalEndpoint(config.endpoint)) {
    log.warn("insecure-network", {
      endpoint: config.endpoint,
      reason: "bound off loopback without CURVE (--allow-insecure-network)",
    });
  }
  for await (const message of server) {
    const started = performance.now();
    service.handle(message.parts).then((outcome) => {
      message.reply(outcome.reply);
      log.info("request", {
        type: outcome.type,
        code: outcome.code,
        ms: performance.now() - started,
      });
    });
  }
  for (const [signal, handler] of handlers) {
    Deno.removeSignalListener(signal, handler);
  }
  keyPool.close();
  decryptPool.close();
  log.info("stopped");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
