// Test helper: starts the real service the way a user does (`deno task
// start`), on a port libzmq picks, and talks to it through real REQ sockets.

import { type LoadedLibzmq, loadLibzmq } from "../../lib/zmq/libzmq.ts";
import { ReqClient } from "../../lib/zmq/client.ts";

const ROOT = new URL("../..", import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let libzmq: LoadedLibzmq | undefined;

/** The libzmq the tests' clients use (opened once). */
export function testLibzmq(): LoadedLibzmq {
  return libzmq ??= loadLibzmq();
}

/** A running service process. */
export interface RunningService {
  /** The endpoint it bound, e.g. `tcp://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** The process id of `deno task`. */
  readonly pid: number;
  /** Everything it has written to stderr so far. */
  stderr(): string;
  /** Everything it has written to stdout so far. */
  stdout(): string;
  /** A new REQ client connected to it; close it when done. */
  client(): ReqClient;
  /** One JSON request on a fresh client; resolves to the parsed reply. */
  request(body: unknown): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the exit; resolves to the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
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

/**
 * Starts `deno task start --endpoint tcp://127.0.0.1:* ...args` and waits
 * for its start-up line. Rejects (with its stderr) when it exits first.
 */
export async function startService(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<RunningService> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--endpoint", "tcp://127.0.0.1:*", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  let out = "";
  let resolveEndpoint: (endpoint: string) => void;
  const endpointSeen = new Promise<string>((resolve) =>
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
      const match = /INFO listening endpoint=(\S+)/.exec(err);
      if (match) resolveEndpoint(match[1]);
    }),
    pump(child.stdout, (text) => out += text),
  ]);
  const exited = child.status.then(async (status) => {
    await pumps;
    return status.code;
  });
  const endpoint = await Promise.race([
    endpointSeen,
    exited.then((code) => {
      throw new Error(`service exited with ${code} before listening:\n${err}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`service did not start:\n${err}`)),
        60_000,
      )
    ),
  ]);
  const service: RunningService = {
    endpoint,
    pid: child.pid,
    stderr: () => err,
    stdout: () => out,
    client: () => ReqClient.connect(testLibzmq(), { endpoint }),
    async request(body) {
      const client = service.client();
      try {
        return parseReply(await client.request(jsonBytes(body), 60_000));
      } finally {
        client.close();
      }
    },
    async stop(signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return await exited;
    },
    exited,
  };
  return service;
}

/**
 * Runs `fn` against a fresh service, then stops it with SIGTERM and checks
 * that it exited 0.
 */
export async function withService(
  fn: (service: RunningService) => Promise<void>,
  args: string[] = [],
): Promise<RunningService> {
  const service = await startService(args);
  let failure: unknown;
  try {
    await fn(service);
  } catch (error) {
    failure = error;
  }
  const code = await service.stop();
  if (failure !== undefined) throw failure;
  if (code !== 0) {
    throw new Error(`service exited with ${code}:\n${service.stderr()}`);
  }
  return service;
}
