/**
 * The sockets between the socket thread and its request threads, all in one
 * libzmq context and over `inproc://`: on the socket thread a ROUTER (a
 * {@linkcode ThreadPort}, opened by `RouterServer.openThreadPort`), on each
 * request thread a {@linkcode ThreadSocket}: a DEALER that takes requests,
 * addressed by its routing id, and a second DEALER that sends replies, so
 * that a reply can leave while another thread polls the first. This is the
 * ZeroMQ guide's multithreaded server, with the socket thread, not
 * `zmq_proxy`, between the two ROUTERs: it keeps each client's accounting
 * and chooses the thread. Frames move between threads without JavaScript
 * on the way; see docs/architecture-threads.md for the measurements.
 *
 * The context is the socket thread's, passed to the request thread by
 * address (same process, same libzmq): `inproc://` works only within one
 * context.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { ThreadSocket } from "./thread_socket.ts";
 *
 * // On a request thread, given what the socket thread's port says:
 * declare const port: { context: bigint; address: string };
 * const socket = ThreadSocket.connect(loadLibzmq(), { ...port, id: "t1" });
 * const frames = socket.receive(250); // [request id, body] or null
 * if (frames !== null) socket.send([frames[0], new TextEncoder().encode("{}")]);
 * socket.close();
 * ```
 * @module
 */

import {
  cstring,
  lastError,
  ZMQ_DEALER,
  ZMQ_LINGER,
  ZMQ_RCVHWM,
  ZMQ_RCVTIMEO,
  ZMQ_ROUTER,
  ZMQ_ROUTER_MANDATORY,
  ZMQ_ROUTING_ID,
  ZMQ_SNDHWM,
} from "./_ffi.ts";
import {
  MessageReader,
  pollItems,
  sendMessage,
  setIntOption,
} from "./_socket.ts";
import { ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";

/** The socket thread's end: where request threads connect. */
export interface ThreadPort {
  /** The libzmq context's address, for `ThreadSocket.connect`. */
  readonly context: bigint;
  /** The inproc address the port is bound to. */
  readonly address: string;
  /**
   * Sends `frames` to the thread whose routing id is `id`; false when it
   * cannot (the thread is not connected): the caller answers for it.
   */
  send(id: Uint8Array, frames: readonly Uint8Array[]): boolean;
  /**
   * Closes a dead thread's sockets (their addresses from
   * {@linkcode ThreadSocket.sockets}), so that the context can end. Only
   * for a thread that is gone: a socket belongs to one thread at a time.
   */
  closeSockets(sockets: readonly bigint[]): void;
}

/** What the socket thread is told by its port. */
export interface ThreadPortHandler {
  /**
   * A message from a request thread: `frames[0]` is the sending socket's
   * routing id; a thread's greeting is `[id, "ready"]`.
   */
  received(frames: Uint8Array[]): void;
  /**
   * Called once the server has stopped serving, before the context ends:
   * the threads must close their sockets by then.
   */
  close(): Promise<void>;
}

/**
 * @internal The port's own socket, for `RouterServer.openThreadPort`: a
 * ROUTER bound at `address` in `context`, read by the server's loop.
 * `closed` says when the server's sockets are gone.
 */
export class ThreadPortSocket {
  readonly socket: Deno.PointerValue;
  readonly port: ThreadPort;
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #handler: ThreadPortHandler;

  constructor(
    zmq: LoadedLibzmq["symbols"],
    context: Deno.PointerValue,
    address: string,
    handler: ThreadPortHandler,
    closed: () => boolean,
  ) {
    this.#zmq = zmq;
    this.#handler = handler;
    const socket = zmq.zmq_socket(context, ZMQ_ROUTER);
    if (socket === null) throw new ZmqError("zmq_socket", lastError(zmq));
    try {
      setIntOption(zmq, socket, ZMQ_LINGER, 0);
      // The server's own bounds (in flight, per client) bound what is
      // queued here; a send to a thread that is not there fails instead of
      // vanishing, so that its request is answered.
      setIntOption(zmq, socket, ZMQ_SNDHWM, 0);
      setIntOption(zmq, socket, ZMQ_RCVHWM, 0);
      setIntOption(zmq, socket, ZMQ_ROUTER_MANDATORY, 1);
      if (zmq.zmq_bind(socket, cstring(address)) !== 0) {
        throw new ZmqError("zmq_bind", lastError(zmq));
      }
    } catch (error) {
      zmq.zmq_close(socket);
      throw error;
    }
    this.socket = socket;
    this.port = {
      context: BigInt(Deno.UnsafePointer.value(context)),
      address,
      send: (id, frames) =>
        !closed() && sendMessage(zmq, socket, [id, ...frames]),
      closeSockets: (addresses) => {
        for (const address of addresses) {
          const dead = Deno.UnsafePointer.create(address);
          setIntOption(zmq, dead, ZMQ_LINGER, 0);
          zmq.zmq_close(dead);
        }
      },
    };
  }

  /** Hands every message waiting to the handler. */
  read(reader: MessageReader): void {
    for (let frames; (frames = reader.read(this.socket, 64)) !== null;) {
      this.#handler.received(frames);
    }
  }

  /** Lets the handler stop its threads, then closes the socket. */
  async close(): Promise<void> {
    try {
      await this.#handler.close();
    } finally {
      this.#zmq.zmq_close(this.socket);
    }
  }
}

/** The greeting a request thread sends once connected. */
export const READY: Uint8Array = new TextEncoder().encode("ready");

/** Where a {@linkcode ThreadSocket} connects, and as whom. */
export interface ThreadSocketOptions {
  /** The context's address ({@linkcode ThreadPort.context}). */
  readonly context: bigint;
  /** The port's address ({@linkcode ThreadPort.address}). */
  readonly address: string;
  /** This thread's routing id, as the socket thread addresses it. */
  readonly id: string;
}

/** A request thread's sockets. */
export class ThreadSocket {
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #inbox: Deno.PointerValue;
  readonly #outbox: Deno.PointerValue;
  readonly #reader: MessageReader;
  readonly #items: Uint8Array;
  /** The inbox's `ZMQ_RCVTIMEO` (-1: libzmq's default, none). */
  #timeoutMs = -1;
  #closed = false;

  private constructor(libzmq: LoadedLibzmq, options: ThreadSocketOptions) {
    const zmq = this.#zmq = libzmq.symbols;
    this.#reader = new MessageReader(zmq);
    const context = Deno.UnsafePointer.create(options.context);
    const open = (): Deno.PointerValue => {
      const socket = zmq.zmq_socket(context, ZMQ_DEALER);
      if (socket === null) throw new ZmqError("zmq_socket", lastError(zmq));
      setIntOption(zmq, socket, ZMQ_LINGER, 0);
      // The socket thread bounds what is in flight; nothing is dropped here.
      setIntOption(zmq, socket, ZMQ_SNDHWM, 0);
      setIntOption(zmq, socket, ZMQ_RCVHWM, 0);
      return socket;
    };
    this.#inbox = open();
    this.#outbox = open();
    const id = cstring(options.id);
    if (
      zmq.zmq_setsockopt(
        this.#inbox,
        ZMQ_ROUTING_ID,
        id,
        BigInt(id.length - 1),
      ) !== 0
    ) throw new ZmqError("zmq_setsockopt", lastError(zmq));
    for (const socket of [this.#inbox, this.#outbox]) {
      if (zmq.zmq_connect(socket, cstring(options.address)) !== 0) {
        throw new ZmqError("zmq_connect", lastError(zmq));
      }
    }
    this.#items = pollItems([this.#inbox]);
    sendMessage(zmq, this.#inbox, [READY]);
  }

  /** Connects to the port in `options.context` and greets it. */
  static connect(
    libzmq: LoadedLibzmq,
    options: ThreadSocketOptions,
  ): ThreadSocket {
    return new ThreadSocket(libzmq, options);
  }

  /** The sockets' addresses, for {@linkcode ThreadPort.closeSockets}. */
  get sockets(): bigint[] {
    return [this.#inbox, this.#outbox].map((socket) =>
      BigInt(Deno.UnsafePointer.value(socket))
    );
  }

  /**
   * The next message, waiting for it on this thread (blocking it) up to
   * `timeoutMs`; null when none came. A blocking receive, not a poll and
   * then a read: in libzmq each check of an empty socket costs system calls,
   * and the read before the poll, the poll's own checks and the read after it
   * made more of them than one blocking receive does.
   */
  receive(timeoutMs: number): Uint8Array[] | null {
    if (this.#closed) return null;
    if (timeoutMs !== this.#timeoutMs) {
      setIntOption(this.#zmq, this.#inbox, ZMQ_RCVTIMEO, timeoutMs);
      this.#timeoutMs = timeoutMs;
    }
    return this.#reader.read(this.#inbox, 64, true);
  }

  /**
   * The next message, waiting for it off this thread (its event loop runs
   * meanwhile); null when woken without one. While it waits, only
   * {@linkcode ThreadSocket.send} may be called.
   */
  async receiveLater(timeoutMs: number): Promise<Uint8Array[] | null> {
    const next = this.#reader.read(this.#inbox, 64);
    if (next !== null || this.#closed) return next;
    await this.#zmq.zmq_poll(this.#items, 1, BigInt(timeoutMs));
    return this.#reader.read(this.#inbox, 64);
  }

  /** Sends `frames` to the socket thread; false when it could not. */
  send(frames: readonly Uint8Array[]): boolean {
    return !this.#closed && sendMessage(this.#zmq, this.#outbox, frames);
  }

  /** Closes both sockets. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#zmq.zmq_close(this.#inbox);
    this.#zmq.zmq_close(this.#outbox);
  }
}
