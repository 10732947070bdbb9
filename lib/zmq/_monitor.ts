// Private: a socket monitor that reports failed handshakes on the server's
// socket (a client without CURVE, or with the wrong server key), which
// libzmq otherwise drops in silence. Events arrive on an inproc PAIR socket
// that the server polls.

import {
  cstring,
  type Libzmq,
  ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
  ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
  ZMQ_LINGER,
} from "./_ffi.ts";
import { type MessageReader, setIntOption } from "./_socket.ts";

/** Why a handshake failed, as far as libzmq tells. */
export type HandshakeFailure = "protocol" | "no-detail";

let monitors = 0;

/** A monitor of one socket's failed handshakes. */
export class HandshakeMonitor {
  /** The PAIR socket the events arrive on. */
  readonly socket: Deno.PointerValue;
  readonly #onFailed: (reason: HandshakeFailure) => void;

  /**
   * Starts monitoring `watched`, with events read on `socket` (a PAIR socket
   * of the same context, closed by its owner). `check` throws on a failed
   * libzmq call.
   */
  constructor(
    zmq: Libzmq,
    watched: Deno.PointerValue,
    socket: Deno.PointerValue,
    onFailed: (reason: HandshakeFailure) => void,
    check: (what: string, rc: number) => void,
  ) {
    this.socket = socket;
    this.#onFailed = onFailed;
    const endpoint = `inproc://keyservice-monitor-${++monitors}`;
    const events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
    check(
      "zmq_socket_monitor",
      zmq.zmq_socket_monitor(watched, cstring(endpoint), events),
    );
    setIntOption(zmq, socket, ZMQ_LINGER, 0);
    check("zmq_connect", zmq.zmq_connect(socket, cstring(endpoint)));
  }

  /** Reports the events waiting, at most 256, without blocking. */
  read(reader: MessageReader): void {
    for (let n = 0; n < 256; n++) {
      const event = reader.read(this.socket, 2);
      if (event === null) return;
      // The first frame: a 16-bit event id, then a 32-bit value.
      const id = event[0]?.length >= 2 ? event[0][0] | (event[0][1] << 8) : 0;
      this.#onFailed(
        id === ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no-detail",
      );
    }
  }
}
