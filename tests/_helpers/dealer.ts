/**
 * A raw DEALER socket for tests that act as a greedy or careless client:
 * pipelining many requests without waiting, choosing its own routing id,
 * sending odd envelopes, or never reading its replies. Built on the same
 * libzmq symbols as the service.
 *
 * @example
 * ```ts
 * import { Dealer } from "./dealer.ts";
 *
 * const dealer = Dealer.connect("tcp://127.0.0.1:5555");
 * dealer.send([new Uint8Array(0), new TextEncoder().encode('{"type":"ping"}')]);
 * const replies = await dealer.receive(1, 5000);
 * dealer.close();
 * ```
 * @module
 */

import {
  cstring,
  ZMQ_DEALER,
  ZMQ_LINGER,
  ZMQ_POLLIN,
  ZMQ_RCVHWM,
  ZMQ_SNDMORE,
} from "../../lib/zmq/_ffi.ts";
import {
  MessageReader,
  setBytesOption,
  setIntOption,
} from "../../lib/zmq/_socket.ts";
import type { LoadedLibzmq } from "../../lib/zmq/libzmq.ts";
import { testLibzmq } from "./service.ts";

/** ZMQ_ROUTING_ID (not among the transport's own options). */
const ZMQ_ROUTING_ID = 5;

/** A connected DEALER socket with its own context. */
export class Dealer {
  readonly #zmq: LoadedLibzmq["symbols"];
  readonly #context: Deno.PointerValue;
  readonly #socket: Deno.PointerValue;
  readonly #reader: MessageReader;
  readonly #items = new Uint8Array(16);

  private constructor(
    endpoint: string,
    routingId?: string | Uint8Array,
    rcvHwm?: number,
  ) {
    const zmq = testLibzmq().symbols;
    this.#zmq = zmq;
    this.#reader = new MessageReader(zmq);
    this.#context = zmq.zmq_ctx_new();
    this.#socket = zmq.zmq_socket(this.#context, ZMQ_DEALER);
    setIntOption(zmq, this.#socket, ZMQ_LINGER, 0);
    if (rcvHwm !== undefined) {
      setIntOption(zmq, this.#socket, ZMQ_RCVHWM, rcvHwm);
    }
    if (routingId !== undefined) {
      setBytesOption(
        zmq,
        this.#socket,
        ZMQ_ROUTING_ID,
        typeof routingId === "string"
          ? new TextEncoder().encode(routingId)
          : routingId,
      );
    }
    if (zmq.zmq_connect(this.#socket, cstring(endpoint)) !== 0) {
      throw new Error(`cannot connect to ${endpoint}`);
    }
    const view = new DataView(this.#items.buffer);
    view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(this.#socket)), true);
    view.setInt16(12, ZMQ_POLLIN, true);
  }

  /**
   * Connects a DEALER to `endpoint`: with `routingId` (text or bytes) it
   * names itself, as a client may; `receiveQueue` sets its ZMQ_RCVHWM.
   */
  static connect(
    endpoint: string,
    options: { routingId?: string | Uint8Array; receiveQueue?: number } = {},
  ): Dealer {
    return new Dealer(endpoint, options.routingId, options.receiveQueue);
  }

  /** Sends one message of `frames` (a REQ-style message starts with ""). */
  send(frames: readonly Uint8Array[]): void {
    frames.forEach((frame, i) => {
      const flags = i < frames.length - 1 ? ZMQ_SNDMORE : 0;
      const rc = this.#zmq.zmq_send(
        this.#socket,
        frame,
        BigInt(frame.length),
        flags,
      );
      if (rc < 0) throw new Error("zmq_send failed");
    });
  }

  /** Messages waiting now, without waiting for more. */
  drain(): Uint8Array[][] {
    const messages: Uint8Array[][] = [];
    for (let m; (m = this.#reader.read(this.#socket, 16)) !== null;) {
      messages.push(m);
    }
    return messages;
  }

  /** Waits up to `timeoutMs` for `count` messages; returns what came. */
  async receive(count: number, timeoutMs: number): Promise<Uint8Array[][]> {
    const deadline = performance.now() + timeoutMs;
    const messages: Uint8Array[][] = [];
    while (messages.length < count) {
      messages.push(...this.drain());
      const left = Math.ceil(deadline - performance.now());
      if (messages.length >= count || left <= 0) break;
      await this.#zmq.zmq_poll(this.#items, 1, BigInt(Math.min(left, 200)));
    }
    return messages;
  }

  /** Closes the socket and its context. */
  close(): void {
    this.#zmq.zmq_close(this.#socket);
    this.#zmq.zmq_ctx_term(this.#context);
  }
}
