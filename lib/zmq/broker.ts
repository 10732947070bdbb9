/**
 * The broker for scaling out: libzmq's own `zmq_proxy` between a ROUTER
 * socket that clients connect to (the frontend) and a DEALER socket that
 * service instances connect to (the backend), the "extended
 * request-reply" of the ZeroMQ guide. No routing logic of ours: the DEALER
 * hands each request to the next instance in turn, and the reply finds its
 * way back by the envelope the ROUTER put on it.
 *
 * The proxy runs on a background thread until {@linkcode Broker.stop}
 * sends TERMINATE on its control socket. With CURVE, each side is a CURVE
 * server with a key pair of its own: clients need the frontend's public
 * key, instances the backend's, and a ZAP handler may vet the keys that
 * connect to either side (the two sockets share one context, hence one
 * handler, told apart by their ZAP domains). With an allow list on the
 * backend, only an instance whose key is listed receives requests, and
 * one instance is revoked by taking its key off the list. The backend's
 * socket monitor tells when an instance joins or leaves
 * ({@linkcode BrokerOptions.onInstance}); each side's, when a handshake
 * fails.
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
  ZMQ_DEALER,
  ZMQ_HEARTBEAT_IVL,
  ZMQ_HEARTBEAT_TIMEOUT,
  ZMQ_LINGER,
  ZMQ_MAXMSGSIZE,
  ZMQ_PAIR,
  ZMQ_REP,
  ZMQ_REQ,
  ZMQ_ROUTER,
  ZMQ_ZAP_DOMAIN,
} from "./_ffi.ts";
import { type MonitorEvents, SocketMonitor } from "./_monitor.ts";
import { type InstanceChange, InstanceTracker } from "./_instances.ts";
import {
  lastEndpoint,
  MessageReader,
  pollItems,
  setBytesOption,
  setCurveServer,
  setInt64Option,
  setIntOption,
} from "./_socket.ts";
import { ZapHandler } from "./_zap.ts";
import { z85Encode } from "./curve.ts";
import { ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";
import type { CurveServerOptions } from "./router_options.ts";

/** Where the broker binds, and its CURVE set-up. */
export interface BrokerOptions {
  /** The ROUTER clients connect to (`:*` picks a port). */
  readonly frontend: string;
  /** The DEALER service instances connect to (`--connect`). */
  readonly backend: string;
  /**
   * CURVE on the frontend: the broker's secret key to clients, and an
   * optional vetting of their keys.
   */
  readonly frontendCurve?: CurveServerOptions;
  /**
   * CURVE on the backend: the broker's secret key to instances, the vetting
   * of their keys (an allow list), and failed handshakes (an instance with
   * the wrong broker key, or without CURVE).
   */
  readonly backendCurve?: CurveServerOptions;
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
  /**
   * Told when an instance joins the backend (its handshake done) or
   * leaves it (its connection lost, or dropped by the heartbeat), with its
   * CURVE key and IP address when the backend vets keys.
   */
  readonly onInstance?: (change: InstanceChange) => void;
}

export type { Instance, InstanceChange } from "./_instances.ts";

let controlCount = 0;

/** The ZAP domains that tell the two sides apart in the one handler. */
const DOMAINS = { frontend: "frontend", backend: "backend" } as const;

/** A running broker. */
export class Broker {
  readonly #zmq: Libzmq;
  readonly #context: Deno.PointerValue;
  readonly #sockets: Deno.PointerValue[] = [];
  readonly #steer: Deno.PointerValue;
  readonly #zap: ZapHandler | undefined;
  readonly #monitors: SocketMonitor[] = [];
  readonly #instances = new InstanceTracker();
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
      if (frontendCurve?.authorize || backendCurve?.authorize) {
        // Bound before either side can take a connection. A side without
        // a vetting of its own admits every key that completes CURVE.
        this.#zap = new ZapHandler(
          zmq,
          this.#socket(ZMQ_REP),
          (key, address, domain) => {
            const backend = domain === DOMAINS.backend;
            const side = backend ? backendCurve : frontendCurve;
            const allowed = side?.authorize?.(key, address, domain) ?? true;
            if (allowed && backend) this.#instances.approved(key, address);
            return allowed;
          },
          (key) => z85Encode(libzmq, key),
          (what, rc) => this.#call(what, rc),
        );
      }
      const front = this.#socket(ZMQ_ROUTER);
      setInt64Option(zmq, front, ZMQ_MAXMSGSIZE, options.maxFrameBytes ?? -1);
      if (frontendCurve) this.#curveServer(front, frontendCurve, "frontend");
      this.#watch(front, {
        onHandshakeFailed: frontendCurve?.onHandshakeFailed,
      });
      this.#call("zmq_bind", zmq.zmq_bind(front, cstring(options.frontend)));
      this.frontend = lastEndpoint(zmq, front);
      const back = this.#socket(ZMQ_DEALER);
      if (backendCurve) this.#curveServer(back, backendCurve, "backend");
      const { onInstance } = options;
      const instances = this.#instances;
      const failed = backendCurve?.onHandshakeFailed;
      this.#watch(back, {
        onHandshakeFailed: failed,
        ...onInstance && {
          onHandshakeFailed: (reason) => {
            instances.failed();
            failed?.(reason);
          },
          onAuthFailed: () => instances.failed(),
          onAccepted: (fd) => instances.accepted(fd),
          onUp: () => {
            const change = instances.up();
            if (change !== undefined) onInstance(change);
          },
          onDown: (fd) => {
            const change = instances.down(fd);
            if (change !== undefined) onInstance(change);
          },
        },
      });
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
      this.done = Promise.all([proxy, this.#serveEvents()]).then(() =>
        this.#close()
      );
    } catch (error) {
      this.#close();
      throw error;
    }
  }

  /** Instances connected to the backend now. */
  get instances(): number {
    return this.#instances.connected;
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

  /**
   * Answers ZAP requests and reads the backend's monitor from the main
   * thread until the broker stops.
   */
  async #serveEvents(): Promise<void> {
    const zap = this.#zap, monitors = this.#monitors;
    const sockets = [zap?.socket, ...monitors.map((m) => m.socket)]
      .filter((s) => s != null);
    if (sockets.length === 0) return;
    const reader = new MessageReader(this.#zmq);
    const items = pollItems(sockets);
    while (!this.#stopping) {
      // A short timeout: stop() is noticed within it.
      await this.#zmq.zmq_poll(items, sockets.length, 200n);
      // ZAP first: an approval is known before its handshake's end is read.
      zap?.answer(reader);
      for (const monitor of monitors) monitor.read(reader);
    }
  }

  /** Monitors `socket` for the events given, if any. */
  #watch(socket: Deno.PointerValue, events: MonitorEvents): void {
    if (!Object.values(events).some((handler) => handler !== undefined)) {
      return;
    }
    this.#monitors.push(
      new SocketMonitor(
        this.#zmq,
        socket,
        this.#socket(ZMQ_PAIR),
        events,
        (what, rc) => this.#call(what, rc),
      ),
    );
  }

  /** Makes `socket` a CURVE server of `side`'s ZAP domain. */
  #curveServer(
    socket: Deno.PointerValue,
    curve: CurveServerOptions,
    side: keyof typeof DOMAINS,
  ): void {
    setCurveServer(this.#zmq, socket, curve.secretKey);
    const domain = new TextEncoder().encode(DOMAINS[side]);
    setBytesOption(this.#zmq, socket, ZMQ_ZAP_DOMAIN, domain);
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
