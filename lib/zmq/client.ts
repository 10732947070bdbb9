/**
 * A ZeroMQ REQ client through Deno's FFI, the socket a seed client uses:
 * send one request, wait for its one reply. The tests and the benchmark use
 * it; any TypeScript client of the service can too.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { ReqClient } from "./client.ts";
 *
 * const client = ReqClient.connect(loadLibzmq(), {
 *   endpoint: "tcp://127.0.0.1:5555",
 * });
 * const [reply] = await client.request(
 *   new TextEncoder().encode('{"type":"ping"}'),
 * );
 * console.log(new TextDecoder().decode(reply));
 * client.close();
 * ```
 * @module
 */

import {
  cstring,
  lastError,
  POLLITEM_SIZE,
  ZMQ_DONTWAIT,
  ZMQ_IMMEDIATE,
  ZMQ_LINGER,
  ZMQ_MAXMSGSIZE,
  ZMQ_POLLIN,
  ZMQ_POLLOUT,
  ZMQ_REQ,
  ZMQ_SNDMORE,
  ZMQ_SNDTIMEO,
} from "./_ffi.ts";
import type { LoadedLibzmq } from "./libzmq.ts";
import { ZmqError } from "./errors.ts";
import {
  MessageReader,
  setCurveClient,
  setInt64Option,
  setIntOption,
} from "./_socket.ts";

/** Where and how a client connects. */
export interface ReqClientOptions {
  /** The server's endpoint, such as `tcp://localhost:5555`. */
  readonly endpoint: string;
  /** CURVE: the server's public key, Z85 (40 characters). */
  readonly curveServerKey?: string;
  /** CURVE: this client's public key, Z85. */
  readonly curvePublicKey?: string;
  /** CURVE: this client's secret key, Z85. */
  readonly curveSecretKey?: string;
  /**
   * Send only over a connection that is up: {@linkcode ReqClient.request}
   * first waits for one, and rejects with {@linkcode NotConnected} when
   * none comes within its timeout (the request was then never sent).
   */
  readonly immediate?: boolean;
  /**
   * The context to open the socket in, shared with other clients (one
   * libzmq I/O thread for all); by default, a context of its own.
   */
  readonly context?: ZmqContext;
  /**
   * The largest reply frame taken, in bytes (ZMQ_MAXMSGSIZE): libzmq drops
   * the connection that sends a larger one, before it is copied, and the
   * request then times out. -1, the default, for no limit.
   */
  readonly maxReplyBytes?: number;
}

/**
 * A libzmq context shared by many {@linkcode ReqClient}s: one I/O thread
 * and one reaper for all of them, instead of a pair for each. It is
 * terminated once closed and its last socket released.
 */
export class ZmqContext {
  readonly #zmq: LoadedLibzmq["symbols"];
  /** The context's pointer, for the sockets opened in it. */
  readonly pointer: Deno.PointerValue;
  #sockets = 0;
  #closed = false;

  private constructor(zmq: LoadedLibzmq["symbols"]) {
    this.#zmq = zmq;
    this.pointer = zmq.zmq_ctx_new();
    if (this.pointer === null) {
      throw new ZmqError("zmq_ctx_new", lastError(zmq));
    }
  }

  /** A new context. */
  static create(libzmq: LoadedLibzmq): ZmqContext {
    return new ZmqContext(libzmq.symbols);
  }

  /** A socket was opened in it. */
  acquire(): void {
    if (this.#closed) throw new Error("ZmqContext is closed");
    this.#sockets++;
  }

  /** A socket opened in it was closed. */
  release(): void {
    this.#sockets--;
    this.#terminateIfDone();
  }

  /** Terminates the context once its last socket is closed. */
  close(): void {
    this.#closed = true;
    this.#terminateIfDone();
  }

  #terminateIfDone(): void {
    if (this.#closed && this.#sockets === 0) {
      this.#sockets = -1; // terminated once
      this.#zmq.zmq_ctx_term(this.pointer);
    }
  }
}

/** No reply came within the timeout; the client cannot be used again. */
export class ReplyTimeout extends Error {
  readonly code = "reply_timeout";
  constructor(ms: number) {
    super(`no reply within ${ms} ms`);
  }
}

/**
 * No connection to the endpoint came up within the timeout (nothing listens
 * there, or the CURVE handshake failed); the request was not sent, and the
 * client cannot be used again.
 */
export class NotConnected extends Error {
  readonly code = "not_connected";
  constructor(ms: number) {
    super(`no connection within ${ms} ms`);
  }
}

/** A connected REQ socket, in its own context or a shared one. */
export class ReqClient {
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #context: Deno.PointerValue;
  readonly #shared: ZmqContext | undefined;
  readonly #socket: Deno.PointerValue;
  readonly #items = new Uint8Array(POLLITEM_SIZE);
  readonly #reader: MessageReader;
  readonly #immediate: boolean;
  #busy = false;
  #broken = false;
  #closed = false;

  private constructor(zmq: LoadedLibzmq["symbols"], options: ReqClientOptions) {
    this.#zmq = zmq;
    this.#reader = new MessageReader(zmq);
    this.#immediate = options.immediate === true;
    this.#shared = options.context;
    this.#context = options.context?.pointer ?? zmq.zmq_ctx_new();
    this.#socket = zmq.zmq_socket(this.#context, ZMQ_REQ);
    if (this.#socket === null) {
      const error = new ZmqError("zmq_socket", lastError(zmq));
      if (this.#shared === undefined) zmq.zmq_ctx_term(this.#context);
      throw error;
    }
    this.#shared?.acquire();
    try {
      setIntOption(zmq, this.#socket, ZMQ_LINGER, 0);
      setIntOption(zmq, this.#socket, ZMQ_SNDTIMEO, 5000);
      setInt64Option(
        zmq,
        this.#socket,
        ZMQ_MAXMSGSIZE,
        options.maxReplyBytes ?? -1,
      );
      if (options.curveServerKey !== undefined) {
        setCurveClient(zmq, this.#socket, {
          serverKey: options.curveServerKey,
          publicKey: options.curvePublicKey ?? "",
          secretKey: options.curveSecretKey ?? "",
        });
      }
      // Queue requests only on connections that are up (CURVE handshake
      // done), so that "not writable" means "no service there".
      if (options.immediate) setIntOption(zmq, this.#socket, ZMQ_IMMEDIATE, 1);
      if (zmq.zmq_connect(this.#socket, cstring(options.endpoint)) !== 0) {
        throw new ZmqError("zmq_connect", lastError(zmq));
      }
    } catch (error) {
      this.close();
      throw error;
    }
    const view = new DataView(this.#items.buffer);
    view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(this.#socket)), true);
    view.setInt16(12, ZMQ_POLLIN, true);
  }

  /** Creates a REQ socket and connects it. */
  static connect(libzmq: LoadedLibzmq, options: ReqClientOptions): ReqClient {
    return new ReqClient(libzmq.symbols, options);
  }

  /**
   * Sends one request (one frame, or several) and resolves to the reply's
   * frames. Rejects with {@linkcode ReplyTimeout} after `timeoutMs`. The wait
   * runs on a background thread; the event loop stays free.
   */
  async request(
    body: Uint8Array | readonly Uint8Array[],
    timeoutMs = 30_000,
  ): Promise<Uint8Array[]> {
    const deadline = performance.now() + timeoutMs;
    if (this.#immediate) await this.#awaitConnection(deadline, timeoutMs);
    this.#send(body);
    try {
      while (true) {
        const left = Math.max(0, Math.ceil(deadline - performance.now()));
        await this.#zmq.zmq_poll(this.#items, 1, BigInt(left));
        const reply = this.#receive(deadline, timeoutMs);
        if (reply !== null) return reply;
      }
    } finally {
      this.#busy = false;
      if (this.#closed) this.#release();
    }
  }

  /**
   * Like {@linkcode request}, but waits on the calling thread, blocking the
   * event loop: a thread hand-off less, for a tool that drives one client
   * and measures the service's latency as a blocking client (pyzmq's
   * `recv`) sees it.
   */
  requestBlocking(
    body: Uint8Array | readonly Uint8Array[],
    timeoutMs = 30_000,
  ): Uint8Array[] {
    this.#send(body);
    try {
      const deadline = performance.now() + timeoutMs;
      while (true) {
        const left = Math.max(0, Math.ceil(deadline - performance.now()));
        this.#zmq.zmq_poll_blocking(this.#items, 1, BigInt(left));
        const reply = this.#receive(deadline, timeoutMs);
        if (reply !== null) return reply;
      }
    } finally {
      this.#busy = false;
      if (this.#closed) this.#release();
    }
  }

  async #awaitConnection(deadline: number, timeoutMs: number): Promise<void> {
    if (this.#closed || this.#broken) {
      throw new Error("ReqClient is not usable");
    }
    const items = this.#items.slice();
    new DataView(items.buffer).setInt16(12, ZMQ_POLLOUT, true);
    this.#busy = true;
    try {
      while (true) {
        const left = Math.max(0, Math.ceil(deadline - performance.now()));
        const ready = await this.#zmq.zmq_poll(items, 1, BigInt(left));
        if (this.#closed) throw new Error("ReqClient was closed");
        if (ready > 0) return;
        if (performance.now() >= deadline) {
          this.#broken = true;
          throw new NotConnected(timeoutMs);
        }
      }
    } finally {
      this.#busy = false;
      if (this.#closed) this.#release();
    }
  }

  #send(body: Uint8Array | readonly Uint8Array[]): void {
    if (this.#closed || this.#broken) {
      throw new Error("ReqClient is not usable");
    }
    if (this.#busy) throw new Error("ReqClient has a request in flight");
    const frames = body instanceof Uint8Array ? [body] : body;
    frames.forEach((frame, i) => {
      const flags = (i < frames.length - 1 ? ZMQ_SNDMORE : 0) |
        (this.#immediate ? ZMQ_DONTWAIT : 0);
      if (
        this.#zmq.zmq_send(this.#socket, frame, BigInt(frame.length), flags) < 0
      ) {
        this.#broken = true;
        throw new ZmqError("zmq_send", lastError(this.#zmq));
      }
    });
    this.#busy = true;
  }

  #receive(deadline: number, timeoutMs: number): Uint8Array[] | null {
    if (this.#closed) throw new Error("ReqClient was closed");
    const reply = this.#reader.read(this.#socket, 64);
    if (reply !== null) return reply;
    if (performance.now() >= deadline) {
      this.#broken = true;
      throw new ReplyTimeout(timeoutMs);
    }
    return null;
  }

  /** Closes the socket and its context; unsent messages are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A poll in flight on another thread still uses the socket: the request
    // releases it when that poll returns.
    if (!this.#busy) this.#release();
  }

  #release(): void {
    if (this.#socket !== null) this.#zmq.zmq_close(this.#socket);
    if (this.#shared !== undefined) this.#shared.release();
    else this.#zmq.zmq_ctx_term(this.#context);
  }
}
