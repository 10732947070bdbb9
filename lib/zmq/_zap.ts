// Private: the ZAP handler (ZeroMQ RFC 27) that decides each CURVE handshake
// on the server's context. libzmq asks on `inproc://zeromq.zap.01`; the
// handler must be bound there before any client connects, and it answers
// from the server's poll loop, on the thread that owns the sockets.

import { cstring, type Libzmq, ZMQ_LINGER } from "./_ffi.ts";
import { type MessageReader, sendMessage, setIntOption } from "./_socket.ts";

/** The ZAP handler's endpoint, fixed by RFC 27. */
const ZAP_ENDPOINT = "inproc://zeromq.zap.01";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Decides one handshake: the client's public key (Z85), its IP address, and
 * the ZAP domain of the socket it reached (ZMQ_ZAP_DOMAIN; empty when not
 * set), which tells apart the sockets of one context.
 */
export type Authorize = (
  clientKey: string,
  address: string,
  domain: string,
) => boolean;

/** A bound ZAP handler; the server polls `socket` and calls `answer()`. */
export class ZapHandler {
  /** The REP socket bound to the ZAP endpoint. */
  readonly socket: Deno.PointerValue;
  readonly #zmq: Libzmq;
  readonly #authorize: Authorize;
  readonly #z85: (key: Uint8Array) => string;
  readonly #userIds: boolean;

  /**
   * Binds the handler on `socket` (a REP socket of the server's context,
   * closed by its owner). `z85` writes a raw key as Z85; `check` throws on a
   * failed libzmq call. With `userIds`, an allowed client's key is its user
   * id, which each of its messages then carries (MessageReader.userId).
   * Only a socket that reads its messages itself asks for it: with user ids
   * on its backend, libzmq 4.3.5's zmq_proxy returned -1 about a second
   * after an instance joined, which stopped the broker
   * (tests/e2e/broker_test.ts, "only listed instances serve").
   */
  constructor(
    zmq: Libzmq,
    socket: Deno.PointerValue,
    authorize: Authorize,
    z85: (key: Uint8Array) => string,
    check: (what: string, rc: number) => void,
    userIds = false,
  ) {
    this.#zmq = zmq;
    this.socket = socket;
    this.#authorize = authorize;
    this.#z85 = z85;
    this.#userIds = userIds;
    setIntOption(zmq, socket, ZMQ_LINGER, 0);
    check("zmq_bind", zmq.zmq_bind(socket, cstring(ZAP_ENDPOINT)));
  }

  /** Answers the requests waiting, at most 256, without blocking. */
  answer(reader: MessageReader): void {
    for (let n = 0; n < 256; n++) {
      const request = reader.read(this.socket, 8);
      if (request === null) return;
      // version, request id, domain, address, identity, mechanism, key
      const [version, requestId, domain, address, , mechanism, key] = request;
      const text = (frame: Uint8Array | undefined) =>
        decoder.decode(frame ?? new Uint8Array());
      let allowed = false;
      if (text(mechanism) === "CURVE" && key?.length === 32) {
        allowed = this.#authorize(this.#z85(key), text(address), text(domain));
      }
      const reply = [
        version ?? new Uint8Array(),
        requestId ?? new Uint8Array(),
        encoder.encode(allowed ? "200" : "400"),
        encoder.encode(allowed ? "OK" : "client key not allowed"),
        // The user id: the client's key, so that the service knows who asks.
        allowed && this.#userIds && key !== undefined
          ? encoder.encode(this.#z85(key))
          : new Uint8Array(),
        new Uint8Array(),
      ];
      // Never blocks: libzmq reads its ZAP replies on its own I/O thread,
      // and a reply it cannot take fails that handshake, which is the safe
      // side.
      sendMessage(this.#zmq, this.socket, reply);
    }
  }
}
