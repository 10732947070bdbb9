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

import { ConfigError, CORES, parseConfig, readEnv } from "./lib/config.ts";
import { DecryptPool } from "./lib/decrypt_pool.ts";
import { KeyPool } from "./lib/key_pool.ts";
import { Logger } from "./lib/log.ts";
import { KeyService } from "./lib/service.ts";
import { VERSION } from "./lib/version.ts";
import { loadLibzmq } from "./lib/zmq/libzmq.ts";
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
  const { config } = parsed;
  const log = new Logger(config.logLevel);

  let libzmq;
  try {
    libzmq = loadLibzmq(config.libzmq);
  } catch (error) {
    return fail(reason(error));
  }
  let server: RouterServer;
  try {
    server = RouterServer.bind(libzmq, { endpoint: config.endpoint });
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
    keyPairs: keyPool,
    decrypt: (key, ciphertext) => decryptPool.decrypt(key, ciphertext),
    status: () => ({
      pool: {
        depth: keyPool.depth,
        size: keyPool.size,
        generating: keyPool.generating,
      },
      workers: decryptPool.size,
      rss_bytes: Deno.memoryUsage().rss,
    }),
    onInternalError: (error) =>
      log.error("internal-error", { error: errorClass(error) }),
  });

  let signals = 0;
  const onSignal = (signal: Deno.Signal) => () => {
    if (++signals === 1) {
      log.info("stopping", { signal, in_flight: server.unanswered });
      server.close(config.drainSeconds * 1000);
    } else {
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
  });
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
