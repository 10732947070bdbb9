// Private: a socket monitor. It reports failed handshakes on the server's
// socket (a client without CURVE, or with the wrong server key), which
// libzmq otherwise drops in silence, and, on a socket that connects (an
// instance to its broker), when the connection comes up and when it is
// lost. Events arrive on an inproc PAIR socket that the server polls.

import {
  cstring,
  type Libzmq,
  ZMQ_EVENT_DISCONNECTED,
  ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
  ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
  ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
  ZMQ_LINGER,
} from "./_ffi.ts";
import { type MessageReader, setIntOption } from "./_socket.ts";

/** Why a handshake failed, as far as libzmq tells. */
export type HandshakeFailure = "protocol" | "no-detail";

/** What the monitor reports; each left out is not watched. */
export interface MonitorEvents {
  /** A handshake failed (for another reason than ZAP's refusal). */
  readonly onHandshakeFailed?: (reason: HandshakeFailure) => void;
  /** A connection is up: its handshake succeeded. */
  readonly onUp?: () => void;
  /** A connection was lost (closed by the peer, or a protocol error). */
  readonly onDown?: () => void;
}

let monitors = 0;

/** A monitor of one socket's handshakes and connections. */
export class SocketMonitor {
  /** The PAIR socket the events arrive on. */
  readonly socket: Deno.PointerValue;
  /** A connecting socket's link, when the monitor drives one. */
  link: Reconnector | undefined;
  readonly #events: MonitorEvents;

  /**
   * Starts monitoring `watched`, with events read on `socket` (a PAIR socket
   * of the same context, closed by its owner). `check` throws on a failed
   * libzmq call.
   */
  constructor(
    zmq: Libzmq,
    watched: Deno.PointerValue,
    socket: Deno.PointerValue,
    events: MonitorEvents,
    check: (what: string, rc: number) => void,
  ) {
    this.socket = socket;
    this.#events = events;
    const endpoint = `inproc://keyservice-monitor-${++monitors}`;
    const mask =
      (events.onHandshakeFailed
        ? ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
          ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
        : 0) |
      (events.onUp ? ZMQ_EVENT_HANDSHAKE_SUCCEEDED : 0) |
      (events.onDown ? ZMQ_EVENT_DISCONNECTED : 0);
    check(
      "zmq_socket_monitor",
      zmq.zmq_socket_monitor(watched, cstring(endpoint), mask),
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
      if (id === ZMQ_EVENT_HANDSHAKE_SUCCEEDED) this.#events.onUp?.();
      else if (id === ZMQ_EVENT_DISCONNECTED) this.#events.onDown?.();
      else {
        this.#events.onHandshakeFailed?.(
          id === ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no-detail",
        );
      }
    }
  }
}

/**
 * A connecting socket's one connection (an instance's, to its broker): up
 * or down, and connected again when lost. libzmq reconnects by itself after
 * a closed connection, but not after a protocol error (a frame over
 * ZMQ_MAXMSGSIZE): it then drops the endpoint for good. So a lost
 * connection is connected again here, whatever the cause.
 */
export class Reconnector {
  readonly #zmq: Libzmq;
  readonly #socket: Deno.PointerValue;
  readonly #address: Uint8Array<ArrayBuffer>;
  readonly #onChange: ((up: boolean) => void) | undefined;
  #closed = false;
  /** Whether the connection is up (its handshake done). */
  connected = false;

  constructor(
    zmq: Libzmq,
    socket: Deno.PointerValue,
    address: Uint8Array<ArrayBuffer>,
    onChange?: (up: boolean) => void,
  ) {
    this.#zmq = zmq;
    this.#socket = socket;
    this.#address = address;
    this.#onChange = onChange;
  }

  /** The monitor events that drive it. */
  get events(): MonitorEvents {
    return {
      onUp: () => this.#change(true),
      onDown: () => this.#change(false),
    };
  }

  /** The socket is being closed: no more reconnecting. */
  close(): void {
    this.#closed = true;
  }

  #change(up: boolean): void {
    this.connected = up;
    this.#onChange?.(up);
    if (up || this.#closed) return;
    // The endpoint may already be gone (ENOENT): that is the case to fix.
    // Neither call fails for an endpoint that connected once.
    this.#zmq.zmq_disconnect(this.#socket, this.#address);
    this.#zmq.zmq_connect(this.#socket, this.#address);
  }
}

/** What {@linkcode watchSocket} watches for. */
export interface WatchOptions {
  /** Opens the PAIR socket the events arrive on (when one is needed). */
  readonly pair: () => Deno.PointerValue;
  readonly onHandshakeFailed?: (reason: HandshakeFailure) => void;
  /** The endpoint a connecting socket connects again when it is lost. */
  readonly reconnect?: Uint8Array<ArrayBuffer>;
  /** Told when that connection comes up (true) or is lost. */
  readonly onConnection?: (up: boolean) => void;
  readonly check: (what: string, rc: number) => void;
}

/**
 * The monitor a socket needs: failed handshakes when told of them, and the
 * link to reconnect when connecting; undefined when it needs none.
 */
export function watchSocket(
  zmq: Libzmq,
  watched: Deno.PointerValue,
  options: WatchOptions,
): SocketMonitor | undefined {
  const link = options.reconnect === undefined
    ? undefined
    : new Reconnector(zmq, watched, options.reconnect, options.onConnection);
  if (options.onHandshakeFailed === undefined && link === undefined) {
    return undefined;
  }
  const monitor = new SocketMonitor(zmq, watched, options.pair(), {
    onHandshakeFailed: options.onHandshakeFailed,
    ...link?.events,
  }, options.check);
  monitor.link = link;
  return monitor;
}
