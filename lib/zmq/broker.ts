/**
 * The broker for scaling out: libzmq's own `zmq_proxy` between a ROUTER
 * socket that clients connect to (the frontend) and a DEALER socket that
 * service instances connect to (the backend), the "extended
 * request-reply" of the ZeroMQ guide. No routing logic of ours: the DEALER
 * hands each request to the next instance in turn, and the reply finds its
 * way back by the envelope the ROUTER put on it.
 *
 * The proxy runs on a background thread until {@linkcode Broker.stop}
 * sends TERMINATE on its control socket. With CURVE, the frontend is a
 * CURVE server (clients need its public key; a ZAP handler may vet each
 * client's key), and the backend a CURVE client of the instances (which
 * then share one server key): only a peer that holds that key's secret can
 * complete the handshake, so only an instance receives requests.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { Broker } from "./broker.ts";
 *
 * const broker = Broker.start(loadLibzmq(), {
 *   frontend: "tcp://127.0.0.1:5555",
 *   backend: "tcp://127.0.0.1:5556",
 * });
 * Deno.addSignalListener("SIGINT", () => broker.stop());
 * await broker.done;
 * ```
 * @module
 */

import {
  cstring,
  lastError,
  type Libzmq,
  POLLITEM_SIZE,
  ZMQ_DEALER,
  ZMQ_HEARTBEAT_IVL,
  ZMQ_HEARTBEAT_TIMEOUT,
  ZMQ_LINGER,
  ZMQ_MAXMSGSIZE,
  ZMQ_POLLIN,
  ZMQ_REP,
  ZMQ_REQ,
  ZMQ_ROUTER,
} from "./_ffi.ts";
import {
  type CurveClientKeys,
  lastEndpoint,
  MessageReader,
  setCurveClient,
  setCurveServer,
  setInt64Option,
  setIntOption,
} from "./_socket.ts";
import { type Authorize, ZapHandler } from "./_zap.ts";
import { z85Encode } from "./curve.ts";
import { ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";

/** Where the broker binds, and its CURVE set-up. */
export interface BrokerOptions {
  /** The ROUTER clients connect to (`:*` picks a port). */
  readonly frontend: string;
  /** The DEALER service instances connect to (`--connect`). */
  readonly backend: string;
  /** CURVE on the frontend: the broker's secret key, and an optional vetting. */
  readonly frontendCurve?: {
    readonly secretKey: string;
    readonly authorize?: Authorize;
  };
  /** CURVE on the backend: the instances' server key, the broker's pair. */
  readonly backendCurve?: CurveClientKeys;
  /**
   * Heartbeat on the backend, in ms: an instance that stops answering
   * them is dropped from the rotation after three intervals, even when its
   * machine vanished without closing the connection. 0 turns it off.
   */
  readonly heartbeatMs?: number;
  /**
   * The largest frame a client may send, in bytes (ZMQ_MAXMSGSIZE on the
   * frontend); -1, the default, for no limit. Set it to the instances' own
   * cap: libzmq drops the connection that sends a larger frame, and were
   * the broker to pass one on, the instance it reached would lose its
   * connection to the broker instead of that client.
   */
  readonly maxFrameBytes?: number;
}

let controlCount = 0;

/** A running broker. */
export class Broker {
  readonly #zmq: Libzmq;
  readonly #context: Deno.PointerValue;
  readonly #sockets: Deno.PointerValue[] = [];
  readonly #steer: Deno.PointerValue;
  readonly #zap: ZapHandler | undefined;
  #stopping = false;
  /** The frontend's endpoint, with the port a `:*` bind picked. */
  readonly frontend: string;
  /** The backend's endpoint, likewise. */
  readonly backend: string;
  /** Settles when the proxy has stopped and the sockets are closed. */
  readonly done: Promise<void>;

  private constructor(libzmq: LoadedLibzmq, options: BrokerOptions) {
    const zmq = this.#zmq = libzmq.symbols;
    this.#context = zmq.zmq_ctx_new();
    try {
      const { frontendCurve, backendCurve } = options;
      if (frontendCurve?.authorize !== undefined) {
        this.#zap = new ZapHandler(
          zmq,
          this.#socket(ZMQ_REP),
          frontendCurve.authorize,
          (key) => z85Encode(libzmq, key),
          (what, rc) => this.#call(what, rc),
        );
      }
      const front = this.#socket(ZMQ_ROUTER);
      setInt64Option(zmq, front, ZMQ_MAXMSGSIZE, options.maxFrameBytes ?? -1);
      if (frontendCurve) setCurveServer(zmq, front, frontendCurve.secretKey);
      this.#call("zmq_bind", zmq.zmq_bind(front, cstring(options.frontend)));
      this.frontend = lastEndpoint(zmq, front);
      const back = this.#socket(ZMQ_DEALER);
      if (backendCurve) setCurveClient(zmq, back, backendCurve);
      const heartbeat = options.heartbeatMs ?? 1000;
      setIntOption(zmq, back, ZMQ_HEARTBEAT_IVL, heartbeat);
      setIntOption(zmq, back, ZMQ_HEARTBEAT_TIMEOUT, heartbeat * 3);
      this.#call("zmq_bind", zmq.zmq_bind(back, cstring(options.backend)));
      this.backend = lastEndpoint(zmq, back);
      const pipe = cstring(`inproc://keyservice-broker-${++controlCount}`);
      const control = this.#socket(ZMQ_REP);
      this.#call("zmq_bind", zmq.zmq_bind(control, pipe));
      this.#steer = this.#socket(ZMQ_REQ);
      this.#call("zmq_connect", zmq.zmq_connect(this.#steer, pipe));
      const proxy = zmq.zmq_proxy_steerable(front, back, null, control)
        .finally(() => this.#stopping = true);
      this.done = Promise.all([proxy, this.#serveZap()]).then(() =>
        this.#close()
      );
    } catch (error) {
      this.#close();
      throw error;
    }
  }

  /** Binds both sockets and starts the proxy; throws {@linkcode ZmqError}. */
  static start(libzmq: LoadedLibzmq, options: BrokerOptions): Broker {
    return new Broker(libzmq, options);
  }

  /**
   * Stops the proxy. Requests it holds are dropped: their clients get no
   * reply, and a retrying client sends them again elsewhere.
   */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const command = new TextEncoder().encode("TERMINATE");
    this.#zmq.zmq_send(this.#steer, command, BigInt(command.length), 0);
  }

  /** Answers ZAP requests from the main thread until the broker stops. */
  async #serveZap(): Promise<void> {
    const zap = this.#zap;
    if (zap === undefined) return;
    const reader = new MessageReader(this.#zmq);
    const item = new Uint8Array(POLLITEM_SIZE);
    const view = new DataView(item.buffer);
    view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(zap.socket)), true);
    view.setInt16(12, ZMQ_POLLIN, true);
    while (!this.#stopping) {
      // A short timeout: stop() is noticed within it.
      await this.#zmq.zmq_poll(item, 1, 200n);
      zap.answer(reader);
    }
  }

  #socket(type: number): Deno.PointerValue {
    const socket = this.#zmq.zmq_socket(this.#context, type);
    if (socket === null) throw new ZmqError("zmq_socket", lastError(this.#zmq));
    this.#sockets.push(socket);
    setIntOption(this.#zmq, socket, ZMQ_LINGER, 0);
    return socket;
  }

  #call(what: string, rc: number): void {
    if (rc !== 0) throw new ZmqError(what, lastError(this.#zmq));
  }

  #close(): void {
    for (const socket of this.#sockets.splice(0)) this.#zmq.zmq_close(socket);
    this.#zmq.zmq_ctx_term(this.#context);
  }
}
