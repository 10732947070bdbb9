// Private: a socket monitor. It reports failed handshakes on the server's
// socket (a client without CURVE, or with the wrong server key), which
// libzmq otherwise drops in silence, and, on a socket that connects (an
// instance to its broker), when the connection comes up, when it is lost,
// and when the peer's ZAP handler refused this socket's key; on a socket
// that binds (the broker's backend), each connection accepted, its
// handshake done, and its loss. Events arrive on an inproc PAIR socket that
// the server polls.

import {
  cstring,
  type Libzmq,
  ZMQ_EVENT_ACCEPTED,
  ZMQ_EVENT_DISCONNECTED,
  ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
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
  /**
   * The peer's ZAP handler refused this socket's key (a CURVE client's
   * event; a server hears of its refusals from its own handler).
   */
  readonly onAuthFailed?: () => void;
  /** A connection is up: its handshake succeeded. */
  readonly onUp?: () => void;
  /**
   * A connection was lost (closed by the peer, or a protocol error): its
   * file descriptor, as {@linkcode MonitorEvents.onAccepted} gave it.
   */
  readonly onDown?: (fd: number) => void;
  /** A bound socket took a connection, on this file descriptor. */
  readonly onAccepted?: (fd: number) => void;
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
      (events.onAuthFailed ? ZMQ_EVENT_HANDSHAKE_FAILED_AUTH : 0) |
      (events.onUp ? ZMQ_EVENT_HANDSHAKE_SUCCEEDED : 0) |
      (events.onDown ? ZMQ_EVENT_DISCONNECTED : 0) |
      (events.onAccepted ? ZMQ_EVENT_ACCEPTED : 0);
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
      // The first frame: a 16-bit event id, then a 32-bit value (a file
      // descriptor, an errno, a status), both in the machine's byte order.
      const head = event[0] ?? new Uint8Array();
      const id = head.length >= 2 ? head[0] | (head[1] << 8) : 0;
      const value = head.length >= 6
        ? new DataView(head.buffer, head.byteOffset).getInt32(2, true)
        : -1;
      if (id === ZMQ_EVENT_HANDSHAKE_SUCCEEDED) this.#events.onUp?.();
      else if (id === ZMQ_EVENT_DISCONNECTED) this.#events.onDown?.(value);
      else if (id === ZMQ_EVENT_ACCEPTED) this.#events.onAccepted?.(value);
      else if (id === ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
        this.#events.onAuthFailed?.();
      } else {
        this.#events.onHandshakeFailed?.(
          id === ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no-detail",
        );
      }
    }
  }
}

/** The first wait before connecting again after a refused handshake. */
const FIRST_RETRY_MS = 100;
/** The longest such wait: the waits double up to it. */
const MAX_RETRY_MS = 5000;

/**
 * A connecting socket's one connection (an instance's, to its broker): up
 * or down, and connected again when lost. libzmq reconnects by itself after
 * a closed connection, but not after a protocol error (a frame over
 * ZMQ_MAXMSGSIZE, or a handshake the peer's ZAP handler refused): it then
 * drops the endpoint for good. So a lost connection is connected again
 * here, whatever the cause: at once when it had been up, and after a wait
 * that doubles (100 ms up to 5 s) while handshakes fail, so that an
 * instance the broker refuses does not hammer it. The owner's poll loop
 * waits no longer than {@linkcode Reconnector.waitMs} and then calls
 * {@linkcode Reconnector.retry}: the socket is touched only on its thread.
 */
export class Reconnector {
  readonly #zmq: Libzmq;
  readonly #socket: Deno.PointerValue;
  readonly #address: Uint8Array<ArrayBuffer>;
  readonly #onChange: ((up: boolean) => void) | undefined;
  #closed = false;
  #retryAt: number | undefined;
  #delayMs = FIRST_RETRY_MS;
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
    return { onUp: () => this.#up(), onDown: () => this.#down() };
  }

  /** The socket is being closed: no more reconnecting. */
  close(): void {
    this.#closed = true;
  }

  /** Milliseconds until a retry is due (0: now), or -1 when none is. */
  waitMs(now: number): number {
    if (this.#retryAt === undefined || this.#closed) return -1;
    return Math.max(0, Math.ceil(this.#retryAt - now));
  }

  /** Connects again when a retry is due. */
  retry(now: number): void {
    if (this.#retryAt === undefined || now < this.#retryAt) return;
    this.#retryAt = undefined;
    this.#reconnect();
  }

  #up(): void {
    this.#retryAt = undefined;
    this.#delayMs = FIRST_RETRY_MS;
    if (this.connected) return;
    this.connected = true;
    this.#onChange?.(true);
  }

  #down(): void {
    if (this.#closed) return;
    if (this.connected) {
      this.connected = false;
      this.#onChange?.(false);
      this.#reconnect();
      return;
    }
    // Never up: the handshake failed. A retry already due stays as it is.
    if (this.#retryAt !== undefined) return;
    this.#retryAt = performance.now() + this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, MAX_RETRY_MS);
  }

  #reconnect(): void {
    if (this.#closed) return;
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
  readonly onAuthFailed?: () => void;
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
  if (
    options.onHandshakeFailed === undefined &&
    options.onAuthFailed === undefined && link === undefined
  ) {
    return undefined;
  }
  const monitor = new SocketMonitor(zmq, watched, options.pair(), {
    onHandshakeFailed: options.onHandshakeFailed,
    onAuthFailed: options.onAuthFailed,
    ...link?.events,
  }, options.check);
  monitor.link = link;
  return monitor;
}
