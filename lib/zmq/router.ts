/**
 * The server's socket: a ZeroMQ ROUTER socket driven through Deno's FFI, as
 * an async iterable of incoming messages, each answered once with
 * `reply()`. Replies may come in any order; each reaches the client that
 * asked. ROUTER keeps REQ's envelope, so REQ clients see a plain REP server.
 *
 * One object owns the sockets: iterate it with `for await`, call `close()`
 * to stop, and the loop ends once the messages in flight are answered.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { RouterServer } from "./router.ts";
 *
 * const server = RouterServer.bind(loadLibzmq(), {
 *   endpoint: "tcp://127.0.0.1:5555",
 * });
 * Deno.addSignalListener("SIGINT", () => server.close());
 * for await (const message of server) {
 *   message.reply(message.parts[0] ?? new Uint8Array()); // an echo server
 * }
 * ```
 * @module
 */

import {
  cstring,
  lastError,
  ZMQ_DONTWAIT,
  ZMQ_LINGER,
  ZMQ_MAXMSGSIZE,
  ZMQ_PAIR,
  ZMQ_PULL,
  ZMQ_PUSH,
  ZMQ_RCVHWM,
  ZMQ_REP,
  ZMQ_ROUTER,
  ZMQ_SNDHWM,
} from "./_ffi.ts";
import { type SocketMonitor, watchSocket } from "./_monitor.ts";
import {
  lastEndpoint,
  MessageReader,
  type Outgoing,
  sendMessage,
  setCurveClient,
  setCurveServer,
  setInt64Option,
  setIntOption,
} from "./_socket.ts";
import { PollSet } from "./_poll_set.ts";
import { ZapHandler } from "./_zap.ts";
import { splitEnvelope } from "./envelope.ts";
import { clientKey } from "./client_key.ts";
import { z85Encode } from "./curve.ts";
import { ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";
import type { IncomingMessage, RouterOptions } from "./router_options.ts";
import {
  type ThreadPort,
  type ThreadPortHandler,
  ThreadPortSocket,
} from "./thread_socket.ts";

export type {
  CurveClientOptions,
  CurveServerOptions,
  IncomingMessage,
  RouterOptions,
} from "./router_options.ts";

let pipeCount = 0;

/** The shorter of two poll timeouts in ms, where -1 is none. */
function earliest(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** A bound ROUTER socket serving one-frame replies to its clients. */
export class RouterServer implements AsyncIterable<IncomingMessage> {
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #context: Deno.PointerValue;
  readonly #router: Deno.PointerValue;
  readonly #wakeSend: Deno.PointerValue;
  readonly #wakeRecv: Deno.PointerValue;
  readonly #zap: ZapHandler | undefined;
  readonly #monitor: SocketMonitor | undefined;
  #poll = new PollSet([]);
  /** Poll items that stay watched while draining (all but the router). */
  #drainItems = 0;
  /** Each watched socket's place among the poll items (-1: not watched). */
  #at = { zap: -1, monitor: -1 };
  #port: ThreadPortSocket | undefined;
  readonly #reader: MessageReader;
  readonly #maxFrames: number;
  readonly #trustedHops: number;
  readonly #outbox: Outgoing[] = [];
  #unanswered = 0;
  #polling = false;
  #turn = 0; // when the loop last awaited the poll thread
  #active = -Infinity; // when the loop last read a client's message
  #woken = false;
  #closing = false;
  #deadline = Infinity;
  #closed = false;
  #iterating = false;
  /** The endpoint bound (with the port chosen, for `:*`) or connected. */
  readonly endpoint: string;

  private constructor(libzmq: LoadedLibzmq, options: RouterOptions) {
    const zmq = libzmq.symbols;
    this.#zmq = zmq;
    const { curve, curveClient } = options;
    if (curveClient !== undefined && (curve || options.connect !== true)) {
      throw new TypeError("curveClient is for a connecting server, not curve");
    }
    this.#maxFrames = options.maxFrames ?? 10;
    this.#trustedHops = options.trustedHops ?? 0;
    // Behind a broker the CURVE peer is the broker: no client key is read.
    const readKeys = curve !== undefined && options.connect !== true;
    this.#reader = new MessageReader(zmq, readKeys);
    this.#context = zmq.zmq_ctx_new();
    if (this.#context === null) {
      throw new ZmqError("zmq_ctx_new", lastError(zmq));
    }
    const sockets: Deno.PointerValue[] = [];
    try {
      if (curve !== undefined) {
        // Bound before any client can connect; under CURVE even when any
        // client is allowed, since it gives each message its client's key.
        this.#zap = new ZapHandler(
          zmq,
          this.#socket(ZMQ_REP, sockets),
          curve.authorize ?? (() => true),
          (key) => z85Encode(libzmq, key),
          (what, rc) => this.#call(what, rc),
          true,
        );
      }
      this.#router = this.#socket(ZMQ_ROUTER, sockets);
      for (
        const [option, value] of [
          [ZMQ_LINGER, 1000],
          [ZMQ_SNDHWM, options.maxQueuedReplies ?? 64],
          [ZMQ_RCVHWM, options.maxQueuedRequests ?? 16],
        ]
      ) setIntOption(zmq, this.#router, option, value);
      const maxFrameBytes = options.maxFrameBytes ?? -1;
      setInt64Option(zmq, this.#router, ZMQ_MAXMSGSIZE, maxFrameBytes);
      if (curve !== undefined) {
        setCurveServer(zmq, this.#router, curve.secretKey);
      }
      if (curveClient !== undefined) {
        setCurveClient(zmq, this.#router, curveClient);
      }
      const address = cstring(options.endpoint);
      // Connecting (to a broker's DEALER) is the same ROUTER: the broker's
      // routing id is one more envelope frame, which the reply carries back.
      if (options.connect === true) {
        this.#call("zmq_connect", zmq.zmq_connect(this.#router, address));
        this.endpoint = options.endpoint;
      } else {
        this.#call("zmq_bind", zmq.zmq_bind(this.#router, address));
        this.endpoint = lastEndpoint(zmq, this.#router);
      }
      this.#monitor = watchSocket(zmq, this.#router, {
        pair: () => this.#socket(ZMQ_PAIR, sockets),
        onHandshakeFailed: curve?.onHandshakeFailed ??
          curveClient?.onHandshakeFailed,
        onAuthFailed: curveClient?.onRefused,
        reconnect: options.connect === true ? address : undefined,
        onConnection: options.onConnection,
        check: (what, rc) => this.#call(what, rc),
      });
      const pipe = `inproc://keyservice-wake-${++pipeCount}`;
      this.#wakeRecv = this.#socket(ZMQ_PULL, sockets);
      this.#call("zmq_bind", zmq.zmq_bind(this.#wakeRecv, cstring(pipe)));
      this.#wakeSend = this.#socket(ZMQ_PUSH, sockets);
      setIntOption(zmq, this.#wakeSend, ZMQ_LINGER, 0);
      this.#call("zmq_connect", zmq.zmq_connect(this.#wakeSend, cstring(pipe)));
    } catch (error) {
      for (const socket of sockets) {
        setIntOption(zmq, socket, ZMQ_LINGER, 0);
        zmq.zmq_close(socket);
      }
      zmq.zmq_ctx_term(this.#context);
      throw error;
    }
    this.#watch();
  }

  /**
   * Poll order: the wake pipe, the ZAP handler, the monitor, the thread
   * port, then the router, which alone is dropped from the poll while
   * draining.
   */
  #watch(): void {
    const watched = [
      this.#wakeRecv,
      ...(this.#zap ? [this.#zap.socket] : []),
      ...(this.#monitor ? [this.#monitor.socket] : []),
      ...(this.#port ? [this.#port.socket] : []),
      this.#router,
    ];
    this.#drainItems = watched.length - 1;
    this.#poll = new PollSet(watched);
    this.#at = {
      zap: this.#poll.indexOf(this.#zap?.socket),
      monitor: this.#poll.indexOf(this.#monitor?.socket),
    };
  }

  /**
   * Opens the port for request threads (thread_socket.ts), watched by this
   * server's loop, which hands its messages to `handler`.
   */
  openThreadPort(handler: ThreadPortHandler): ThreadPort {
    if (this.#port !== undefined) throw new Error("a port is open already");
    this.#port = new ThreadPortSocket(
      this.#zmq,
      this.#context,
      `inproc://keyservice-threads-${++pipeCount}`,
      handler,
      () => this.#closed,
    );
    this.#watch();
    return this.#port.port;
  }

  /**
   * Creates the socket and binds it (or, with `connect`, connects it).
   * Throws {@linkcode ZmqError} when it cannot (the address is in use, the
   * endpoint is malformed, ...).
   */
  static bind(libzmq: LoadedLibzmq, options: RouterOptions): RouterServer {
    return new RouterServer(libzmq, options);
  }

  /** Connecting (to a broker): whether the connection is up. */
  get connected(): boolean {
    return this.#monitor?.link?.connected ?? false;
  }

  /** Messages handed out and not yet answered. */
  get unanswered(): number {
    return this.#unanswered;
  }

  /**
   * Stops taking messages (those not yet read are dropped at close; unbinding
   * would cut the connections the replies still need), answers what is in
   * flight, then ends the iteration. Messages still unanswered after `drainMs` are abandoned.
   */
  close(drainMs = 10_000): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#deadline = performance.now() + drainMs;
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<IncomingMessage> {
    if (this.#iterating) throw new Error("RouterServer is iterated already");
    this.#iterating = true;
    try {
      while (true) {
        this.#flush();
        if (
          this.#closing &&
          (this.#unanswered === 0 || performance.now() >= this.#deadline)
        ) {
          break;
        }
        const count = this.#closing ? this.#drainItems : this.#drainItems + 1;
        // Poll on this thread first: 1 ms for threads' replies or, 2 ms after a
        // message, the next; not past 4 ms without a loop turn (see docs).
        const at = performance.now();
        const busy = this.#unanswered > 0 || at - this.#active < 2;
        const wait = this.#port && busy && at - this.#turn < 4 ? 1n : 0n;
        this.#poll.clear();
        // The wake pipe (item 0) is left out here: only this thread writes
        // it, and only while the poll thread waits below.
        let woken = false;
        if (
          this.#zmq.zmq_poll_blocking(this.#poll.rest, count - 1, wait) <= 0
        ) {
          const now = performance.now();
          const timeout = earliest(
            this.#closing ? Math.max(0, Math.ceil(this.#deadline - now)) : -1,
            this.#monitor?.link?.waitMs(now) ?? -1,
          );
          this.#polling = true;
          this.#woken = false;
          // While polling, only the wake pipe's sending end may be touched.
          await this.#zmq.zmq_poll(this.#poll.items, count, BigInt(timeout));
          this.#polling = false;
          this.#turn = performance.now();
          woken = this.#poll.ready(0);
        }
        if (woken) {
          while (this.#reader.read(this.#wakeRecv, 1) !== null) {
            /* drained */
          }
        }
        // Seldom-busy sockets only when flagged: reading an empty one costs
        // system calls (docs/architecture-threads.md). The port and the
        // router every turn: under load input is there more often than not.
        if (this.#poll.ready(this.#at.zap)) this.#zap?.answer(this.#reader);
        if (this.#poll.ready(this.#at.monitor)) {
          this.#monitor?.read(this.#reader);
        }
        this.#monitor?.link?.retry(performance.now());
        this.#port?.read(this.#reader);
        this.#flush();
        for (let n = 1; n <= 256 && !this.#closing; n++) {
          const frames = this.#reader.read(this.#router, this.#maxFrames);
          if (frames === null) break;
          this.#active = performance.now();
          const incoming = this.#accept(frames);
          if (incoming !== null) yield incoming;
          // Within a burst, replies ready and handshakes waiting go out
          // every few messages, not once the burst is read.
          if (n % 16 === 0) {
            this.#zap?.answer(this.#reader);
            this.#port?.read(this.#reader);
            this.#flush();
          }
        }
      }
    } finally {
      // The request threads close their sockets before the context ends.
      await this.#port?.close();
      this.#shutdown();
    }
  }

  #accept(frames: Uint8Array[]): IncomingMessage | null {
    const split = splitEnvelope(frames, this.#reader.truncated);
    if (split === null) return null; // not a client we can answer
    const { envelope, parts } = split;
    this.#unanswered++;
    let answered = false;
    // The routing ids, without REQ's empty delimiter.
    const routingIds = envelope.at(-1)?.length === 0
      ? envelope.slice(0, -1)
      : envelope;
    return {
      parts,
      client: clientKey(routingIds, this.#trustedHops),
      clientKey: this.#reader.userId,
      reply: (body: Uint8Array) => {
        if (answered) return;
        answered = true;
        this.#unanswered--;
        if (this.#closed) return;
        this.#outbox.push({ envelope, body });
        this.#wake();
      },
    };
  }

  #wake(): void {
    if (!this.#polling || this.#woken || this.#closed) return;
    this.#woken = true;
    this.#zmq.zmq_send(this.#wakeSend, new Uint8Array(0), 0n, ZMQ_DONTWAIT);
  }

  #flush(): void {
    for (const { envelope, body } of this.#outbox.splice(0)) {
      // A ROUTER drops a message for a client that has gone, or whose queue
      // is at its high-water mark: no error, and nothing to do about it.
      sendMessage(this.#zmq, this.#router, [...envelope, body]);
    }
  }

  #socket(type: number, opened: Deno.PointerValue[]): Deno.PointerValue {
    const socket = this.#zmq.zmq_socket(this.#context, type);
    if (socket === null) throw new ZmqError("zmq_socket", lastError(this.#zmq));
    opened.push(socket);
    return socket;
  }

  #call(what: string, rc: number): void {
    if (rc !== 0) throw new ZmqError(what, lastError(this.#zmq));
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#monitor?.link?.close();
    this.#outbox.length = 0;
    this.#zmq.zmq_close(this.#wakeSend);
    this.#zmq.zmq_close(this.#wakeRecv);
    this.#zmq.zmq_close(this.#router);
    if (this.#zap !== undefined) this.#zmq.zmq_close(this.#zap.socket);
    if (this.#monitor !== undefined) this.#zmq.zmq_close(this.#monitor.socket);
    // Waits up to the router's linger (1 s) for replies still being sent.
    this.#zmq.zmq_ctx_term(this.#context);
  }
}
