/**
 * A process's would-be instance: a DEALER socket that connects to a
 * broker's backend, in clear or as a CURVE server with a key of its own,
 * tells when its connection is made (before any handshake), and shows what
 * requests reached it. Tests use it as the stranger that must not join.
 *
 * @example
 * ```ts
 * import { Peer } from "./peer.ts";
 *
 * const peer = Peer.connect("tcp://127.0.0.1:5556");
 * await peer.connected(10_000);
 * console.log(peer.drain().length); // requests it received
 * peer.close();
 * ```
 * @module
 */

import {
  cstring,
  ZMQ_DEALER,
  ZMQ_LINGER,
  ZMQ_PAIR,
  ZMQ_POLLIN,
} from "../../lib/zmq/_ffi.ts";
import {
  MessageReader,
  setCurveServer,
  setIntOption,
} from "../../lib/zmq/_socket.ts";
import type { LoadedLibzmq } from "../../lib/zmq/libzmq.ts";
import { testLibzmq } from "./service.ts";

/** ZMQ_EVENT_CONNECTED: the TCP (or ipc) connection is made. */
const ZMQ_EVENT_CONNECTED = 0x0001;

let monitors = 0;

/** A connected DEALER socket with its own context and a monitor. */
export class Peer {
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #context: Deno.PointerValue;
  readonly #socket: Deno.PointerValue;
  readonly #monitor: Deno.PointerValue;
  readonly #reader: MessageReader;

  private constructor(endpoint: string, curveServerSecret?: string) {
    const zmq = this.#zmq = testLibzmq().symbols;
    this.#reader = new MessageReader(zmq);
    this.#context = zmq.zmq_ctx_new();
    this.#socket = zmq.zmq_socket(this.#context, ZMQ_DEALER);
    setIntOption(zmq, this.#socket, ZMQ_LINGER, 0);
    if (curveServerSecret !== undefined) {
      setCurveServer(zmq, this.#socket, curveServerSecret);
    }
    const events = cstring(`inproc://test-peer-monitor-${++monitors}`);
    zmq.zmq_socket_monitor(this.#socket, events, ZMQ_EVENT_CONNECTED);
    this.#monitor = zmq.zmq_socket(this.#context, ZMQ_PAIR);
    setIntOption(zmq, this.#monitor, ZMQ_LINGER, 0);
    zmq.zmq_connect(this.#monitor, events);
    if (zmq.zmq_connect(this.#socket, cstring(endpoint)) !== 0) {
      throw new Error(`cannot connect to ${endpoint}`);
    }
  }

  /**
   * Connects to `endpoint`: in clear, or, given `curveServerSecret` (Z85),
   * as a CURVE server with that key, the way an instance connects.
   */
  static connect(
    endpoint: string,
    options: { curveServerSecret?: string } = {},
  ): Peer {
    return new Peer(endpoint, options.curveServerSecret);
  }

  /**
   * Waits up to `timeoutMs` for its connection to be made (the transport's,
   * before any handshake); true when it was.
   */
  async connected(timeoutMs: number): Promise<boolean> {
    const items = new Uint8Array(16);
    const view = new DataView(items.buffer);
    view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(this.#monitor)), true);
    view.setInt16(12, ZMQ_POLLIN, true);
    const ready = await this.#zmq.zmq_poll(items, 1, BigInt(timeoutMs));
    return ready > 0 && this.#reader.read(this.#monitor, 2) !== null;
  }

  /** The messages (requests) waiting now. */
  drain(): Uint8Array[][] {
    const messages: Uint8Array[][] = [];
    for (let m; (m = this.#reader.read(this.#socket, 16)) !== null;) {
      messages.push(m);
    }
    return messages;
  }

  /** Closes the sockets and the context. */
  close(): void {
    this.#zmq.zmq_close(this.#monitor);
    this.#zmq.zmq_close(this.#socket);
    this.#zmq.zmq_ctx_term(this.#context);
  }
}
