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
  ZMQ_PAIR,
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
import { SocketMonitor } from "./_monitor.ts";
import type { ZmqContext } from "./context.ts";

export { ZmqContext } from "./context.ts";

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
   * none comes within its timeout, or with {@linkcode HandshakeFailed} when
   * the server refused the handshake (the request was then never sent).
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

/**
 * Why a handshake failed, as libzmq tells a client: `not_allowed`, the
 * server's ZAP handler refused this client's key (its allow list);
 * `handshake_failed`, the handshake itself failed (a protocol error, such
 * as CURVE against a server without it, or the server dropped the
 * connection before the handshake was done: what a CURVE server does to a
 * client that has the wrong server key).
 */
export type HandshakeFailure = "not_allowed" | "handshake_failed";

/**
 * The server refused the handshake; the request was not sent, and the
 * client cannot be used again.
 */
export class HandshakeFailed extends Error {
  readonly code = "handshake_failed";
  /** What libzmq said of it. */
  readonly reason: HandshakeFailure;
  constructor(reason: HandshakeFailure) {
    super(
      reason === "not_allowed"
        ? "the server refused this client's key"
        : "the handshake failed",
    );
    this.reason = reason;
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
  /**
   * An immediate client's monitor of its handshakes, and its poll items,
   * until its connection first comes up (the monitor costs two descriptors).
   */
  #monitor: SocketMonitor | undefined;
  #waitItems: Uint8Array | undefined;
  /**
   * The handshake failure heard since the connection was last seen up:
   * `no-detail` (the server dropped the connection during the handshake;
   * libzmq tries again) is reported only once no connection came up in
   * time, a refusal by the server's ZAP handler or a protocol error (after
   * which libzmq gives the endpoint up) at once.
   */
  #failure: "auth" | "protocol" | "no-detail" | undefined;
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
      // done), so that "not writable" means "no service there", and hear
      // of failed handshakes, which libzmq otherwise keeps to itself.
      if (options.immediate) {
        setIntOption(zmq, this.#socket, ZMQ_IMMEDIATE, 1);
        this.#monitor = this.#watchHandshakes();
      }
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
    if (this.#monitor !== undefined) {
      // The socket writable (a connection up), or a monitor event.
      const items = this.#waitItems = new Uint8Array(2 * POLLITEM_SIZE);
      items.set(this.#items);
      const wait = new DataView(items.buffer);
      wait.setInt16(12, ZMQ_POLLOUT, true);
      const pair = BigInt(Deno.UnsafePointer.value(this.#monitor.socket));
      wait.setBigUint64(POLLITEM_SIZE, pair, true);
      wait.setInt16(POLLITEM_SIZE + 12, ZMQ_POLLIN, true);
    }
  }

  /** A monitor of the socket's failed handshakes, on a PAIR socket. */
  #watchHandshakes(): SocketMonitor {
    const zmq = this.#zmq;
    const pair = zmq.zmq_socket(this.#context, ZMQ_PAIR);
    if (pair === null) throw new ZmqError("zmq_socket", lastError(zmq));
    try {
      return new SocketMonitor(zmq, this.#socket, pair, {
        onAuthFailed: () => this.#failure = "auth",
        onHandshakeFailed: (reason) => {
          if (this.#failure !== "auth") this.#failure = reason;
        },
      }, (what, rc) => {
        if (rc !== 0) throw new ZmqError(what, lastError(zmq));
      });
    } catch (error) {
      zmq.zmq_close(pair);
      throw error;
    }
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
    const items = this.#waitItems ?? this.#items.slice();
    const view = new DataView(items.buffer);
    view.setInt16(12, ZMQ_POLLOUT, true);
    const count = items.length / POLLITEM_SIZE;
    this.#busy = true;
    try {
      while (true) {
        const left = Math.max(0, Math.ceil(deadline - performance.now()));
        await this.#zmq.zmq_poll(items, count, BigInt(left));
        if (this.#closed) throw new Error("ReqClient was closed");
        this.#monitor?.read(this.#reader);
        // revents of the REQ socket: writable, so a connection is up.
        if ((view.getInt16(14, true) & ZMQ_POLLOUT) !== 0) {
          this.#failure = undefined;
          this.#unwatch();
          return;
        }
        const failure = this.#failure;
        const late = performance.now() >= deadline;
        if (failure === "auth" || failure === "protocol" || late) {
          this.#broken = true;
          if (failure === undefined) throw new NotConnected(timeoutMs);
          throw new HandshakeFailed(
            failure === "auth" ? "not_allowed" : "handshake_failed",
          );
        }
      }
    } finally {
      this.#busy = false;
      if (this.#closed) this.#release();
    }
  }

  /** Stops watching the handshakes: the connection came up. */
  #unwatch(): void {
    const monitor = this.#monitor;
    if (monitor === undefined) return;
    this.#monitor = this.#waitItems = undefined;
    this.#zmq.zmq_socket_monitor(this.#socket, null, 0);
    this.#zmq.zmq_close(monitor.socket);
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
    if (this.#monitor !== undefined) this.#zmq.zmq_close(this.#monitor.socket);
    if (this.#shared !== undefined) this.#shared.release();
    else this.#zmq.zmq_ctx_term(this.#context);
  }
}
