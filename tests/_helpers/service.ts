/**
 * Test helper: the one way tests start the real service, talk to it, and
 * stop it.
 *
 * The service is started the way a user starts it (`deno task start`), on a
 * port libzmq picks, with a small key pool ({@linkcode DEFAULT_POOL_SIZE})
 * and `--ping-detail full` unless the test asks otherwise, and with the `KEYSERVICE_*` variables
 * of the test's own environment blanked ({@linkcode CLEAN_ENV}), so that
 * only the flags a test gives decide. Tests talk to it through real REQ
 * sockets ({@linkcode RunningService.client}, {@linkcode ask}), and wait for
 * observable state ({@linkcode RunningService.ping},
 * {@linkcode waitForInFlight}, and `waitForLog` in `wait.ts`), never for a
 * fixed time.
 *
 * @example
 * ```ts
 * await withService(async (service) => {
 *   const reply = await service.request({ type: "ping" });
 *   assert.equal(reply.status, "ok");
 * }, ["--max-inflight", "2"]);
 * ```
 * @module
 */

import { type LoadedLibzmq, loadLibzmq } from "../../lib/zmq/libzmq.ts";
import { ReqClient } from "../../lib/zmq/client.ts";
import type { PoolStatus } from "../../lib/service/status.ts";
import { ENV_VARS } from "../../lib/cli/options.ts";
import { type LogSource, waitFor, within } from "./wait.ts";

const ROOT = new URL("../..", import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The `--pool-size` a service starts with unless the test gives
 * `--pool-size` itself (or `KEYSERVICE_POOL_SIZE` in its env): small, so
 * that the suite does not spend its CPU on keys generated ahead of demand.
 */
export const DEFAULT_POOL_SIZE = 2;

/**
 * The service's configuration variables, blanked (an empty variable counts
 * as unset) in every service a test starts, so that the flags given alone
 * decide. `KEYSERVICE_LIBZMQ` is left alone: it says where this machine's
 * libzmq is, not what the test checks.
 */
export const CLEAN_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  ENV_VARS.filter((name) => name !== "KEYSERVICE_LIBZMQ").map((name) => [
    name,
    "",
  ]),
);

/** How long a start-up may take before {@linkcode startService} gives up. */
const START_TIMEOUT_MS = 60_000;
/** How long {@linkcode ask} waits for a reply unless told otherwise. */
export const REPLY_TIMEOUT_MS = 30_000;

/** `deno task start` without the task runner: `run`, its flags, main.ts. */
const DIRECT_RUN: readonly string[] = (() => {
  const tasks = JSON.parse(
    Deno.readTextFileSync(new URL("deno.json", ROOT)),
  ).tasks as Record<string, string>;
  return tasks.start.split(" ").slice(1);
})();

let libzmq: LoadedLibzmq | undefined;

/** The libzmq the tests' clients use (opened once). */
export function testLibzmq(): LoadedLibzmq {
  return libzmq ??= loadLibzmq();
}

/** What `{"type":"ping"}` answers at `--ping-detail full`. */
export type PingReply = PoolStatus & {
  readonly status: string;
  readonly version: string;
  /** Requests being handled, not counting this ping. */
  readonly in_flight: number;
};

/** A running service process. */
export interface RunningService extends LogSource {
  /** The endpoint it bound, e.g. `tcp://127.0.0.1:40123` (or connected). */
  readonly endpoint: string;
  /**
   * With `--metrics`, the listener's base URL, e.g. `http://127.0.0.1:9464`
   * (from the start-up line); otherwise undefined.
   */
  readonly metrics: string | undefined;
  /** The process id of `deno task` (which forwards signals to the service). */
  readonly pid: number;
  /** Everything it has written to stderr so far. */
  stderr(): string;
  /** Everything it has written to stdout so far. */
  stdout(): string;
  /** A new REQ client connected to it; close it when done. */
  client(): ReqClient;
  /** One JSON request on a fresh client; resolves to the parsed reply. */
  request(body: unknown): Promise<Record<string, unknown>>;
  /**
   * A ping on a fresh client. `blocking` waits on this thread: needed when
   * this process's FFI threads are all busy with other clients (a flood).
   */
  ping(options?: { blocking?: boolean }): Promise<PingReply>;
  /** Sends `signal`, without waiting; does nothing once it has exited. */
  signal(signal: Deno.Signal): void;
  /** Sends `signal` and waits for the exit; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Resolves to the exit code, or to `undefined` if still running after `ms`. */
  exitWithin(ms: number): Promise<number | undefined>;
  /**
   * Makes sure it is gone, whatever a failed test left it doing: SIGTERM,
   * then a second one past the one-second echo window, which stops it at
   * once. (SIGKILL would reach only `deno task` and leave the service
   * running.) Resolves to the exit code.
   */
  shutDown(): Promise<number>;
  /** Resolves when the process exits, to its exit code. */
  readonly exited: Promise<number>;
}

/** Bytes of `value` as JSON, or `value` itself when it is bytes. */
export function jsonBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array
    ? value
    : encoder.encode(JSON.stringify(value));
}

/** Parses a one-frame reply as a JSON object. */
export function parseReply(frames: Uint8Array[]): Record<string, unknown> {
  if (frames.length !== 1) throw new Error(`reply has ${frames.length} frames`);
  const value = JSON.parse(decoder.decode(frames[0]));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`reply is not a JSON object: ${decoder.decode(frames[0])}`);
  }
  return value;
}

/** Frames to send: raw bytes, several frames, or a value sent as JSON. */
export type RequestBody = Uint8Array | readonly Uint8Array[] | unknown;

function frames(body: RequestBody): Uint8Array | readonly Uint8Array[] {
  if (body instanceof Uint8Array) return body;
  if (
    Array.isArray(body) && body.length > 0 &&
    body.every((part) => part instanceof Uint8Array)
  ) {
    return body as readonly Uint8Array[];
  }
  return jsonBytes(body);
}

/**
 * One request on `client` (which stays open); resolves to the parsed reply.
 * `body` is sent as is when it is bytes or an array of frames, else as
 * JSON. Rejects with `ReplyTimeout` after `timeoutMs`.
 */
export async function ask(
  client: ReqClient,
  body: RequestBody,
  timeoutMs: number = REPLY_TIMEOUT_MS,
): Promise<Record<string, unknown>> {
  return parseReply(await client.request(frames(body), timeoutMs));
}

/** Like {@linkcode ask}, but blocking this thread while it waits. */
export function askBlocking(
  client: ReqClient,
  body: RequestBody,
  timeoutMs: number = REPLY_TIMEOUT_MS,
): Record<string, unknown> {
  return parseReply(client.requestBlocking(frames(body), timeoutMs));
}

/** How {@linkcode startService} runs the service beyond its flags. */
export interface StartOptions {
  /**
   * A command that runs `deno` (as its last arguments), such as `setpriv`
   * with its options: the service then starts under it.
   */
  readonly wrapper?: readonly [string, ...string[]];
  /**
   * `deno run` itself, without `deno task`, so that a SIGKILL reaches the
   * service.
   */
  readonly direct?: boolean;
}

/** Whether `args` or `env` choose the option `flag` (its variable `name`). */
function chooses(
  args: string[],
  env: Record<string, string>,
  flag: string,
  name: string,
): boolean {
  return args.some((arg) => arg === flag || arg.startsWith(`${flag}=`)) ||
    (env[name] ?? "") !== "";
}

/** What the start-up line says: the endpoint, and where metrics are. */
interface Listening {
  readonly endpoint: string;
  readonly metrics: string | undefined;
}

/**
 * The start-up line's endpoint and metrics URL, in the text format
 * (`INFO listening endpoint=... metrics=http://HOST:PORT/metrics`) or the
 * JSON one; undefined before the line is complete.
 */
function listeningLine(log: string): Listening | undefined {
  for (const line of log.split("\n").slice(0, -1)) {
    let fields: Record<string, unknown> | undefined;
    if (line.startsWith("{")) {
      const record = JSON.parse(line);
      if (record.event === "listening") fields = record;
    } else if (/ INFO listening /.test(line)) {
      fields = Object.fromEntries(
        [...line.matchAll(/ ([a-z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]),
      );
    }
    if (fields === undefined) continue;
    const metrics = String(fields.metrics ?? "off");
    return {
      endpoint: String(fields.endpoint ?? fields.connect),
      metrics: metrics === "off"
        ? undefined
        : metrics.replace(/\/metrics$/, ""),
    };
  }
  return undefined;
}

/**
 * Starts `deno task start --endpoint tcp://127.0.0.1:* --pool-size 2
 * --ping-detail full ...args` (without the `--pool-size` or `--ping-detail`
 * when `args` or `env` choose one: tests read the pool and the requests in
 * flight from `ping`; without the `--endpoint` when `args` has
 * `--connect`), with {@linkcode CLEAN_ENV} and then `env` in its
 * environment, and waits for its start-up line. Rejects (with its stderr)
 * when it exits first.
 */
export async function startService(
  args: string[] = [],
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningService> {
  const pool = chooses(args, env, "--pool-size", "KEYSERVICE_POOL_SIZE")
    ? []
    : ["--pool-size", String(DEFAULT_POOL_SIZE)];
  const detail = chooses(args, env, "--ping-detail", "KEYSERVICE_PING_DETAIL")
    ? []
    : ["--ping-detail", "full"];
  // Each service its own keystore, in a folder of its own beneath data/
  // (where `deno task start` may write), removed once it exits; unless the
  // test chooses where.
  const ownData = !chooses(args, env, "--data-dir", "KEYSERVICE_DATA_DIR") &&
    !chooses(args, env, "--keystore", "KEYSERVICE_KEYSTORE");
  const dataDir = `data/test-${crypto.randomUUID()}`;
  const data = ownData ? ["--data-dir", dataDir] : [];
  if (ownData) {
    // Its master key made here: the service's warning about a master key it
    // made itself is for operators, and would be in every test's log.
    Deno.mkdirSync(new URL(`${dataDir}/`, ROOT), { recursive: true });
    const key = crypto.getRandomValues(new Uint8Array(32)).toBase64();
    Deno.writeTextFileSync(new URL(`${dataDir}/master.key`, ROOT), `${key}\n`, {
      mode: 0o600,
    });
  }
  // Connected to a broker (--connect), a service binds nothing.
  const bind = args.includes("--connect")
    ? []
    : ["--endpoint", "tcp://127.0.0.1:*"];
  const [command, ...wrapperArgs] = options.wrapper ?? [Deno.execPath()];
  const child = new Deno.Command(command, {
    // `direct`: `deno run` itself, without `deno task`, so that a SIGKILL
    // reaches the service (the task's permissions, from deno.json).
    args: [
      ...(options.wrapper ? [...wrapperArgs, Deno.execPath()] : []),
      ...(options.direct ? DIRECT_RUN : ["task", "-q", "start"]),
      ...bind,
      ...pool,
      ...detail,
      ...data,
      ...args,
    ],
    cwd: ROOT,
    env: { ...CLEAN_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  let out = "";
  let resolveEndpoint: (listening: Listening) => void;
  const endpointSeen = new Promise<Listening>((resolve) =>
    resolveEndpoint = resolve
  );
  const pump = async (
    stream: ReadableStream<Uint8Array>,
    onText: (t: string) => void,
  ) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      onText(chunk);
    }
  };
  const pumps = Promise.all([
    pump(child.stderr, (text) => {
      err += text;
      const listening = listeningLine(err);
      if (listening) resolveEndpoint(listening);
    }),
    pump(child.stdout, (text) => out += text),
  ]);
  let hasExited = false;
  const exited = child.status.then(async (status) => {
    await pumps;
    if (ownData) {
      await Deno.remove(new URL(dataDir, ROOT), { recursive: true }).catch(
        () => {},
      );
    }
    hasExited = true;
    return status.code;
  });
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  let listening: Listening;
  try {
    listening = await Promise.race([
      endpointSeen,
      exited.then((code) => {
        throw new Error(
          `service exited with ${code} before listening:\n${err}`,
        );
      }),
      new Promise<never>((_, reject) => {
        startTimer = setTimeout(
          () => reject(new Error(`service did not start:\n${err}`)),
          START_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    if (!hasExited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    throw error;
  } finally {
    clearTimeout(startTimer);
  }
  const signal = (name: Deno.Signal) => {
    if (hasExited) return;
    try {
      child.kill(name);
    } catch {
      // already gone
    }
  };
  const { endpoint, metrics } = listening;
  const service: RunningService = {
    endpoint,
    metrics,
    pid: child.pid,
    stderr: () => err,
    stdout: () => out,
    client: () => ReqClient.connect(testLibzmq(), { endpoint }),
    async request(body) {
      const client = service.client();
      try {
        return await ask(client, body, 60_000);
      } finally {
        client.close();
      }
    },
    async ping(options = {}) {
      const client = service.client();
      try {
        const body = { type: "ping" };
        const reply = options.blocking
          ? askBlocking(client, body, 20_000)
          : await ask(client, body, 20_000);
        if (reply.status !== "ok") {
          throw new Error(`ping failed: ${JSON.stringify(reply)}`);
        }
        return reply as unknown as PingReply;
      } finally {
        client.close();
      }
    },
    signal,
    async stop(name = "SIGTERM") {
      signal(name);
      return await exited;
    },
    exitWithin: (ms) => within(exited, ms),
    async shutDown() {
      const code = await within(exited, 0);
      if (code !== undefined) return code;
      signal("SIGTERM");
      const drained = await within(exited, 1200);
      if (drained !== undefined) return drained;
      signal("SIGTERM");
      return await exited;
    },
    exited,
  };
  return service;
}

/**
 * Runs `fn` against a fresh service (`startService(args, env, options)`), then stops
 * it with SIGTERM and checks that it exited 0. When `fn` fails, the service
 * is shut down all the same and `fn`'s error is the one thrown. Resolves to
 * the stopped service, whose log the caller may still inspect.
 */
export async function withService(
  fn: (service: RunningService) => Promise<void>,
  args: string[] = [],
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningService> {
  const service = await startService(args, env, options);
  try {
    await fn(service);
  } catch (error) {
    await service.shutDown();
    throw error;
  }
  const code = await service.stop("SIGTERM");
  if (code !== 0) {
    throw new Error(
      `service exited with ${code} on SIGTERM:\n${service.stderr()}`,
    );
  }
  return service;
}

/** Runs `fn` with a fresh client of `service`, then closes it. */
export async function withClient<T>(
  service: RunningService,
  fn: (client: ReqClient) => Promise<T>,
): Promise<T> {
  const client = service.client();
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/**
 * `count` clients of `service`, each answered one ping (so connected, and
 * a later request from each reaches the service at once). Close them with
 * {@linkcode closeAll}.
 */
export async function connectedClients(
  service: RunningService,
  count: number,
): Promise<ReqClient[]> {
  const clients = Array.from({ length: count }, () => service.client());
  try {
    // One after another: pings in flight together count against
    // --max-inflight like any request (each is on a request thread for a
    // while), and a test with a low bound must not spend it here.
    for (const client of clients) {
      const reply = await ask(client, { type: "ping" });
      if (reply.status !== "ok") {
        throw new Error(`ping failed: ${JSON.stringify(reply)}`);
      }
    }
  } catch (error) {
    closeAll(clients);
    throw error;
  }
  return clients;
}

/** Closes every client. */
export function closeAll(clients: readonly ReqClient[]): void {
  for (const client of clients) client.close();
}

/**
 * Waits until a ping reports at least `count` requests in flight, and
 * resolves to that ping's reply; or resolves to `undefined` as soon as
 * `unless` settles first (the requests were all answered before they were
 * seen in flight: the caller may try again). Rejects after `timeoutMs`.
 */
export async function waitForInFlight(
  service: RunningService,
  count: number,
  options: {
    unless?: Promise<unknown>;
    blocking?: boolean;
    timeoutMs?: number;
  } = {},
): Promise<PingReply | undefined> {
  let settled = false;
  options.unless?.then(() => settled = true, () => settled = true);
  let last: PingReply | undefined;
  const seen = await waitFor(async () => {
    if (settled) return "settled" as const;
    last = await service.ping({ blocking: options.blocking });
    return last.in_flight >= count ? last : undefined;
  }, {
    timeoutMs: options.timeoutMs,
    what: `a ping reporting ${count} or more requests in flight`,
    explain: () =>
      `last ping: ${JSON.stringify(last)}\nthe log:\n${service.stderr()}`,
  });
  return seen === "settled" ? undefined : seen;
}

/** A request the service was seen working on, and its client. */
export interface InFlight {
  /** The client it was sent on; close it when done. */
  readonly client: ReqClient;
  /** Its reply, to come. */
  readonly reply: Promise<Record<string, unknown>>;
  /** The ping that saw it in flight. */
  readonly ping: PingReply;
}

/**
 * Sends `body` (a slow request, e.g. a generate_keys with `--pool-size 0`)
 * on a fresh client and waits until a ping sees it in flight. When the
 * reply comes before any ping saw it, the reply is checked to be a reply
 * and the request is sent again, up to `attempts` times in all.
 */
export async function requestInFlight(
  service: RunningService,
  body: RequestBody,
  attempts = 5,
): Promise<InFlight> {
  for (let attempt = 1;; attempt++) {
    const client = service.client();
    const reply = ask(client, body, 60_000);
    try {
      const ping = await waitForInFlight(service, 1, { unless: reply });
      if (ping !== undefined) return { client, reply, ping };
      await reply; // answered before a ping saw it; a failure throws here
    } catch (error) {
      client.close();
      throw error;
    }
    client.close();
    if (attempt >= attempts) {
      throw new Error(
        `${attempts} requests were each answered before a ping saw them ` +
          `in flight:\n${service.stderr()}`,
      );
    }
  }
}

/** What a one-shot run printed, and its exit code. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `deno task -q start ...args` to its exit (for runs that stop by
 * themselves: `--help`, `curve-keypair`, start-up failures), with
 * {@linkcode CLEAN_ENV} and then `env` in its environment. No endpoint or
 * pool size is added. Aborted after 60 s.
 */
export async function runService(
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", ...args],
    cwd: ROOT,
    env: { ...CLEAN_ENV, ...env },
    stdin: "null",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
