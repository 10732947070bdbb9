/**
 * The request threads, seen from the socket thread: Web Workers running
 * lib/runtime/_request_thread.ts, fed through a `RouterServer`'s thread port. A
 * request goes to the ready thread with the fewest in hand; its reply comes
 * back with the facts the metrics and logs need (operation, code, time on
 * the thread, decryptions run). A thread that dies is replaced, and each
 * request it had is answered with `internal_error`. Stopping waits for
 * every thread to answer what it has.
 *
 * The threads are elastic between `min` and `size`: one more starts when a
 * request arrives and every thread has one in hand already, and a thread
 * that had nothing to do for `idleMs` stops (each costs about 11 MB of
 * memory, docs/architecture-threads.md).
 *
 * @example
 * ```ts
 * import { RequestThreads } from "./request_threads.ts";
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
 *     maxPbkdf2Iterations: 2_000_000, maxAgeRequestBytes: 786_432,
 *     passphraseConcurrency: 1, crashHook: false,
 *   }),
 *   ask: () => Promise.reject(new Error("no pool here")),
 * });
 * await threads.start(server.openThreadPort(threads));
 * threads.handle(
 *   [new TextEncoder().encode('{"type":"ping"}')],
 *   (outcome) => console.log(outcome.code),
 * );
 * ```
 * @module
 */

import {
  type Ask,
  decodeFacts,
  idFrame,
  idOf,
  type ThreadSetup,
} from "./_thread_protocol.ts";
import { ThreadSlot } from "./_thread_slot.ts";
import { InternalError } from "../service/errors.ts";
import type { Outcome } from "../service/key_service.ts";
import { encodeReply, errorReply } from "../service/protocol.ts";
import type { ThreadPort, ThreadPortHandler } from "../zmq/thread_socket.ts";

const encoder = new TextEncoder();

/** What handling one request on a thread came to. */
export interface ThreadOutcome extends Outcome {
  /** Milliseconds the thread spent on it (0 when it never got there). */
  readonly threadMs: number;
  /** Private-key decryptions reported with it, by padding. */
  readonly decryptions: { readonly pkcs1v15: number; readonly oaep: number };
}

/** How {@linkcode RequestThreads} runs. */
export interface RequestThreadsOptions {
  /** Threads at most (at least one). */
  readonly size: number;
  /** Threads kept running even when idle (1 to `size`). Default 1. */
  readonly min?: number;
  /** How long a thread beyond `min` may idle before it stops. Default 60 s. */
  readonly idleMs?: number;
  /** The set-up for the thread with routing id `id`. */
  readonly setup: (
    id: string,
    port: { context: bigint; address: string },
  ) => ThreadSetup;
  /** Answers what a thread asks: a key pair, a generation, the status. */
  readonly ask: (ask: Ask) => Promise<unknown>;
  /** Told when a thread died (it is replaced). */
  readonly onDied?: () => void;
  /** Told of a thread's unexpected failure (its error class only). */
  readonly onInternalError?: (error: string) => void;
  /** How long stopping waits for a thread, in milliseconds. Default 10 s. */
  readonly stopMs?: number;
}

interface Pending {
  slot: ThreadSlot | undefined;
  readonly parts: readonly Uint8Array[];
  readonly resolve: (outcome: ThreadOutcome) => void;
}

const NONE = { pkcs1v15: 0, oaep: 0 };
const STOP = [new Uint8Array(0)];

function failed(): ThreadOutcome {
  const error = new InternalError();
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
  readonly #size: number;
  readonly #min: number;
  readonly #slots: ThreadSlot[] = [];
  readonly #pending = new Map<number, Pending>();
  /** Requests waiting for a thread to be ready (at a start or a restart). */
  readonly #queued: number[] = [];
  #port: ThreadPort | undefined;
  #reaper: number | undefined;
  #nextId = 0;
  #generation = 0;
  #up = false;
  #closing = false;

  constructor(options: RequestThreadsOptions) {
    this.#options = options;
    this.#size = Math.max(1, options.size);
    this.#min = Math.min(this.#size, Math.max(1, options.min ?? 1));
  }

  /** Threads at most. */
  get size(): number {
    return this.#size;
  }

  /** Threads running now (started, not stopped). */
  get running(): number {
    return this.#slots.length;
  }

  /** Requests handed to threads and not yet answered. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Starts `min` threads on `port`; resolves once they are up, rejects when
   * one fails to start.
   */
  async start(port: ThreadPort): Promise<void> {
    this.#port = port;
    const slots = Array.from({ length: this.#min }, () => this.#add());
    await Promise.all(slots.map((slot) => slot.started));
    this.#up = true;
    const idleMs = this.#options.idleMs ?? 60_000;
    if (this.#min < this.#size) {
      this.#reaper = setInterval(
        () => this.#reap(idleMs),
        Math.max(100, Math.min(idleMs, 10_000)),
      ) as unknown as number;
      Deno.unrefTimer(this.#reaper);
    }
  }

  /**
   * Hands `parts` to a thread; `done` is called with its outcome, once
   * (before this returns when no thread can be reached). It is called in
   * the socket loop's own turn, as the reply is read, so that the reply
   * leaves in that same turn: a promise would put it off to a microtask,
   * after the loop has gone back to polling.
   */
  handle(
    parts: readonly Uint8Array[],
    done: (outcome: ThreadOutcome) => void,
    client = "",
    clientKey?: string,
  ): void {
    if (this.#closing || this.#port === undefined) return done(failed());
    const id = this.#nextId = (this.#nextId + 1) >>> 0;
    this.#pending.set(id, {
      slot: undefined,
      // The CURVE key (ZAP user id) travels beside the connection: the
      // keystore's policies are by key. Empty: none (no CURVE).
      parts: [
        encoder.encode(client),
        encoder.encode(clientKey ?? ""),
        ...parts,
      ],
      resolve: done,
    });
    this.#dispatch(id);
  }

  /** @internal The port's handler: a thread's greeting or reply. */
  received(frames: Uint8Array[]): void {
    if (frames.length === 2) {
      const slot = this.#slots.find((s) => equal(s.id, frames[0]));
      if (slot !== undefined && !slot.ready && !slot.stopping) {
        slot.ready = true;
        for (const id of this.#queued.splice(0)) this.#dispatch(id);
      }
      return;
    }
    if (frames.length !== 4) return;
    const id = idOf(frames[1]);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    const facts = decodeFacts(frames[3]);
    this.#answer(id, {
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
    clearInterval(this.#reaper);
    for (const id of this.#queued.splice(0)) this.#answer(id, failed());
    const stopMs = this.#options.stopMs ?? 10_000;
    await Promise.all(this.#slots.map((slot) => {
      this.#stop(slot);
      const timer = setTimeout(() => slot.end(), stopMs);
      return slot.ended.then(() => {
        clearTimeout(timer);
        this.#port?.closeSockets(slot.sockets);
      });
    }));
    for (const id of [...this.#pending.keys()]) this.#answer(id, failed());
  }

  #add(): ThreadSlot {
    const name = `thread-${this.#generation++}`;
    const { context, address } = this.#port!;
    const slot = new ThreadSlot(name, {
      setup: (id) => this.#options.setup(id, { context, address }),
      ask: this.#options.ask,
      internalError: (error) => this.#options.onInternalError?.(error),
      died: (dead) => this.#died(dead),
    });
    this.#slots.push(slot);
    slot.started.catch(() => this.#died(slot));
    return slot;
  }

  #dispatch(id: number): void {
    const pending = this.#pending.get(id)!;
    let best: ThreadSlot | undefined;
    let starting = false;
    for (const slot of this.#slots) {
      if (slot.stopping) continue;
      if (!slot.ready) starting = true;
      else if (best === undefined || slot.requests.size < best.requests.size) {
        best = slot;
      }
    }
    // Every thread busy: one more, unless one is on its way already.
    if (
      (best === undefined || best.requests.size > 0) && !starting &&
      this.#slots.length < this.#size
    ) this.#add();
    if (best === undefined) {
      this.#queued.push(id);
      return;
    }
    pending.slot = best;
    best.requests.add(id);
    if (!this.#port!.send(best.id, [idFrame(id), ...pending.parts])) {
      this.#answer(id, failed());
    }
  }

  #answer(id: number, outcome: ThreadOutcome): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    const slot = pending.slot;
    if (slot !== undefined) {
      slot.requests.delete(id);
      if (slot.requests.size === 0) slot.idleSince = performance.now();
    }
    pending.resolve(outcome);
  }

  /** Asks `slot` to stop once it is up (its sockets are known then). */
  #stop(slot: ThreadSlot): void {
    slot.stopping = true;
    slot.started.then(() => {
      if (!this.#port!.send(slot.id, STOP)) slot.end();
    }, () => slot.end());
  }

  /** Stops the threads beyond `min` that have been idle `idleMs`. */
  #reap(idleMs: number): void {
    const now = performance.now();
    for (const slot of [...this.#slots]) {
      if (this.#slots.filter((s) => !s.stopping).length <= this.#min) return;
      if (
        slot.ready && !slot.stopping && slot.requests.size === 0 &&
        now - slot.idleSince >= idleMs
      ) {
        this.#stop(slot);
        slot.ended.then(() => {
          this.#port?.closeSockets(slot.sockets);
          this.#remove(slot);
        });
      }
    }
  }

  #remove(slot: ThreadSlot): void {
    const at = this.#slots.indexOf(slot);
    if (at !== -1) this.#slots.splice(at, 1);
  }

  #died(slot: ThreadSlot): void {
    this.#port?.closeSockets(slot.sockets);
    slot.sockets = [];
    this.#remove(slot);
    for (const id of [...slot.requests]) this.#answer(id, failed());
    // A thread that cannot start at all fails the start-up instead.
    if (this.#closing || !this.#up) return;
    this.#options.onDied?.();
    // In its place: the threads waiting, if any, get one.
    if (this.#slots.length < this.#min || this.#queued.length > 0) this.#add();
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
