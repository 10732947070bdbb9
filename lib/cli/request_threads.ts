/**
 * The request threads, seen from the socket thread: a fixed number of Web
 * Workers (`--threads`), each running lib/cli/_request_thread.ts, fed
 * through a `RouterServer`'s thread port. A request goes to the thread with
 * the fewest in hand; its reply comes back with the facts the metrics and
 * logs need (operation, code, time on the thread, decryptions run). A
 * thread that dies is replaced, and each request it had is answered with
 * `internal_error`. Stopping waits for every thread to answer what it has.
 *
 * @example
 * ```ts
 * import { RequestThreads, type ThreadOutcome } from "./request_threads.ts";
 * import { RouterServer } from "../zmq/router.ts";
 * import { loadLibzmq } from "../zmq/libzmq.ts";
 *
 * const libzmq = loadLibzmq();
 * const server = RouterServer.bind(libzmq, { endpoint: "tcp://127.0.0.1:*" });
 * const threads = new RequestThreads({
 *   size: 2,
 *   setup: (id, port) => ({
 *     libzmq: libzmq.path, port, id, crypto: { kind: "node" },
 *     version: "1.1.0", maxRequestBytes: 65536, maxManyRequestBytes: 327680,
 *     minKeyBits: 2048, pbkdf2Iterations: 600_000, pingDetail: "none",
 *     passphraseConcurrency: 1, crashHook: false,
 *   }),
 *   ask: () => Promise.reject(new Error("no pool here")),
 * });
 * await threads.start(server.openThreadPort(threads));
 * const outcome: ThreadOutcome = await threads.handle([
 *   new TextEncoder().encode('{"type":"ping"}'),
 * ]);
 * ```
 * @module
 */

import {
  type Ask,
  decodeFacts,
  type FromThread,
  idFrame,
  idOf,
  type ThreadSetup,
  type ToThread,
} from "./_thread_protocol.ts";
import { InternalError, Overloaded } from "../service/errors.ts";
import type { Outcome } from "../service/key_service.ts";
import { encodeReply, errorReply } from "../service/protocol.ts";
import type { ThreadPort, ThreadPortHandler } from "../zmq/thread_socket.ts";

/** The request thread's module. */
export const REQUEST_THREAD_URL: string =
  new URL("./_request_thread.ts", import.meta.url).href;

/** What handling one request on a thread came to. */
export interface ThreadOutcome extends Outcome {
  /** Milliseconds the thread spent on it (0 when it never got there). */
  readonly threadMs: number;
  /** Private-key decryptions reported with it, by padding. */
  readonly decryptions: { readonly pkcs1v15: number; readonly oaep: number };
}

/** How {@linkcode RequestThreads} runs. */
export interface RequestThreadsOptions {
  /** Threads (at least one). */
  readonly size: number;
  /** The set-up for the thread with routing id `id`. */
  readonly setup: (
    id: string,
    port: { context: bigint; address: string },
  ) => ThreadSetup;
  /** Answers what a thread asks: a key pair, a generation, the status. */
  readonly ask: (ask: Ask) => Promise<unknown>;
  /** Told when a thread died (it is replaced). */
  readonly onDied?: (thread: number) => void;
  /** Told of a thread's unexpected failure (its error class only). */
  readonly onInternalError?: (error: string) => void;
  /** How long stopping waits for a thread, in milliseconds. Default 10 s. */
  readonly stopMs?: number;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  id: Uint8Array;
  sockets: bigint[];
  ready: boolean;
  readonly requests: Set<number>;
  stopped?: () => void;
}

interface Pending {
  readonly slot: Slot;
  readonly resolve: (outcome: ThreadOutcome) => void;
}

const encoder = new TextEncoder();
const NONE = { pkcs1v15: 0, oaep: 0 };

function failed(error: InternalError | Overloaded): ThreadOutcome {
  return {
    reply: encodeReply(errorReply(error)),
    type: "invalid",
    code: error.code,
    threadMs: 0,
    decryptions: NONE,
  };
}

/** The request threads; see the module documentation. */
export class RequestThreads implements ThreadPortHandler {
  readonly #options: RequestThreadsOptions;
  readonly #slots: Slot[] = [];
  readonly #pending = new Map<number, Pending>();
  /** Requests waiting for a thread to be ready (at start, or a restart). */
  readonly #queued: { id: number; parts: readonly Uint8Array[] }[] = [];
  #port: ThreadPort | undefined;
  #nextId = 0;
  #generation = 0;
  #closing = false;

  constructor(options: RequestThreadsOptions) {
    this.#options = options;
  }

  /** Threads. */
  get size(): number {
    return Math.max(1, this.#options.size);
  }

  /** Requests handed to threads and not yet answered. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Starts the threads on `port`; resolves once every one is connected,
   * rejects when one fails to start.
   */
  start(port: ThreadPort): Promise<void> {
    this.#port = port;
    const started: Promise<void>[] = [];
    for (let index = 0; index < this.size; index++) {
      const slot = {
        index,
        requests: new Set<number>(),
      } as unknown as Slot;
      this.#slots.push(slot);
      started.push(this.#start(slot));
    }
    return Promise.all(started).then(() => {});
  }

  /** Hands `parts` to a thread; resolves to its outcome, never rejects. */
  handle(parts: readonly Uint8Array[]): Promise<ThreadOutcome> {
    if (this.#closing || this.#port === undefined) {
      return Promise.resolve(failed(new InternalError()));
    }
    const id = this.#nextId = (this.#nextId + 1) >>> 0;
    return new Promise((resolve) => {
      const slot = this.#choose();
      if (slot === undefined) {
        this.#queued.push({ id, parts });
        this.#pending.set(id, { slot: undefined as unknown as Slot, resolve });
        return;
      }
      this.#pending.set(id, { slot, resolve });
      this.#send(slot, id, parts);
    });
  }

  /** @internal The port's handler: a thread's greeting or reply. */
  received(frames: Uint8Array[]): void {
    if (frames.length === 2) {
      const slot = this.#slots.find((s) => equal(s.id, frames[0]));
      if (slot !== undefined && !slot.ready) {
        slot.ready = true;
        this.#flushQueued();
      }
      return;
    }
    if (frames.length !== 4) return;
    const id = idOf(frames[1]);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.slot.requests.delete(id);
    const facts = decodeFacts(frames[3]);
    pending.resolve({
      reply: frames[2],
      type: facts.type as Outcome["type"],
      code: facts.code,
      threadMs: facts.threadMs,
      decryptions: { pkcs1v15: facts.pkcs1v15, oaep: facts.oaep },
    });
  }

  /**
   * @internal The port's handler: stops every thread once it has answered
   * what it has; a thread that does not within `stopMs` is terminated.
   */
  async close(): Promise<void> {
    this.#closing = true;
    for (const { id, parts: _ } of this.#queued.splice(0)) {
      this.#answer(id, failed(new InternalError()));
    }
    const stopMs = this.#options.stopMs ?? 10_000;
    await Promise.all(this.#slots.map((slot) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          slot.worker.terminate();
          this.#port?.closeSockets(slot.sockets);
          resolve();
        }, stopMs);
        slot.stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        if (!slot.ready || !this.#port!.send(slot.id, [new Uint8Array(0)])) {
          slot.stopped();
          slot.worker.terminate();
          this.#port?.closeSockets(slot.sockets);
        }
      })
    ));
    for (const id of [...this.#pending.keys()]) {
      this.#answer(id, failed(new InternalError()));
    }
  }

  #choose(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (!slot.ready) continue;
      if (best === undefined || slot.requests.size < best.requests.size) {
        best = slot;
      }
    }
    return best;
  }

  #send(slot: Slot, id: number, parts: readonly Uint8Array[]): void {
    slot.requests.add(id);
    if (!this.#port!.send(slot.id, [idFrame(id), ...parts])) {
      slot.requests.delete(id);
      this.#answer(id, failed(new InternalError()));
    }
  }

  #flushQueued(): void {
    for (const { id, parts } of this.#queued.splice(0)) {
      const slot = this.#choose()!;
      const pending = this.#pending.get(id);
      if (pending === undefined) continue;
      this.#pending.set(id, { slot, resolve: pending.resolve });
      this.#send(slot, id, parts);
    }
  }

  #answer(id: number, outcome: ThreadOutcome): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.slot?.requests.delete(id);
    pending.resolve(outcome);
  }

  #start(slot: Slot): Promise<void> {
    const port = this.#port!;
    const name = `thread-${slot.index}.${this.#generation++}`;
    const worker = new Worker(REQUEST_THREAD_URL, { type: "module" });
    slot.worker = worker;
    slot.id = encoder.encode(name);
    slot.sockets = [];
    slot.ready = false;
    return new Promise((resolve, reject) => {
      let up = false;
      worker.onmessage = ({ data }: MessageEvent<FromThread>) => {
        switch (data.kind) {
          case "ready":
            slot.sockets = data.sockets;
            up = true;
            resolve();
            return;
          case "ask":
            this.#options.ask(data.ask).then(
              (value) =>
                this.#reply(worker, {
                  kind: "answer",
                  id: data.id,
                  ok: true,
                  value,
                }),
              (error) =>
                this.#reply(worker, {
                  kind: "answer",
                  id: data.id,
                  ok: false,
                  overloaded: error instanceof Overloaded,
                }),
            );
            return;
          case "internal-error":
            this.#options.onInternalError?.(data.error);
            return;
          case "stopped":
            slot.stopped?.();
            return;
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        if (!up) {
          reject(
            new Error(`a request thread failed to start: ${event.message}`),
          );
          return;
        }
        this.#died(slot);
      };
      worker.postMessage(
        {
          kind: "start",
          setup: this.#options.setup(name, {
            context: port.context,
            address: port.address,
          }),
        } satisfies ToThread,
      );
    });
  }

  #reply(worker: Worker, message: ToThread): void {
    try {
      worker.postMessage(message);
    } catch {
      // The thread is gone; its requests are answered by #died.
    }
  }

  #died(slot: Slot): void {
    this.#port?.closeSockets(slot.sockets);
    slot.sockets = [];
    slot.ready = false;
    for (const id of [...slot.requests]) {
      this.#answer(id, failed(new InternalError()));
    }
    if (this.#closing) {
      slot.stopped?.();
      return;
    }
    this.#options.onDied?.(slot.index);
    this.#start(slot).catch(() => this.#died(slot));
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
