/**
 * What a `RouterServer` (router.ts) is set up with and hands out: its options
 * (endpoint, limits, CurveZMQ) and the messages it yields.
 *
 * @example
 * ```ts
 * import type { RouterOptions } from "./router_options.ts";
 *
 * const options: RouterOptions = {
 *   endpoint: "tcp://127.0.0.1:5555",
 *   maxFrameBytes: 64 * 1024,
 *   maxQueuedReplies: 32,
 * };
 * ```
 * @module
 */

import type { HandshakeFailure } from "./_monitor.ts";
import type { CurveClientKeys } from "./_socket.ts";
import type { Authorize } from "./_zap.ts";

/** How the server's socket is set up. */
export interface RouterOptions {
  /** Where to bind, such as `tcp://127.0.0.1:5555` (`:*` picks a port). */
  readonly endpoint: string;
  /**
   * Connect to `endpoint` (a broker's backend) instead of binding it. A lost
   * connection is connected again, whatever the cause.
   */
  readonly connect?: boolean;
  /** Connecting: told when the connection comes up (true) or is lost. */
  readonly onConnection?: (up: boolean) => void;
  /**
   * ROUTER hops in front of this socket whose routing ids it trusts: 0 for
   * clients that connect directly (the default), 1 behind a broker. A
   * message's client is its first `trustedHops + 1` routing ids, never the
   * frames a client wrote before its delimiter (see client_key.ts).
   */
  readonly trustedHops?: number;
  /** libzmq drops a connection that sends a larger frame. -1: no limit. */
  readonly maxFrameBytes?: number;
  /**
   * Frames kept per message (envelope included; 10 by default: an envelope
   * of 8 frames, the delimiter and the request). A message with more, whose
   * envelope does not end among them, is dropped unanswered.
   */
  readonly maxFrames?: number;
  /**
   * Replies queued for one client, at most (ZMQ_SNDHWM; 64 by default): a
   * client that never reads its replies pins no more than this many, and
   * further ones are dropped. It is kept well above the requests queued
   * from one client, so that a burst of immediate replies (`overloaded`)
   * to a client that reads them is not dropped.
   */
  readonly maxQueuedReplies?: number;
  /** Requests queued from one client, at most (ZMQ_RCVHWM; 16 by default). */
  readonly maxQueuedRequests?: number;
  /** CurveZMQ: encrypt every connection, and optionally vet each client. */
  readonly curve?: CurveServerOptions;
  /**
   * Connecting: CurveZMQ as a client of the peer (a broker's backend, a
   * CURVE server with an allow list), which must hold the secret of
   * `serverKey`; this socket shows its own public key. Not with `curve`.
   */
  readonly curveClient?: CurveClientOptions;
}

/** How a connecting server runs CurveZMQ as the client of its peer. */
export interface CurveClientOptions extends CurveClientKeys {
  /**
   * Told of each handshake that failed: the peer does not hold the secret
   * of `serverKey` ("no-detail": it closed the connection), or it speaks no
   * CURVE ("protocol").
   */
  readonly onHandshakeFailed?: (reason: HandshakeFailure) => void;
  /** Told when the peer's ZAP handler refused this socket's public key. */
  readonly onRefused?: () => void;
}

/** How the server runs CurveZMQ. */
export interface CurveServerOptions {
  /** The server's secret key, Z85. */
  readonly secretKey: string;
  /**
   * Decides each CURVE handshake through a ZAP handler: the client's public
   * key (Z85) and IP address in, allowed or not out. Without it, any client
   * that knows the server's public key gets in.
   */
  readonly authorize?: Authorize;
  /**
   * Told of each handshake that failed for another reason than the allow
   * list (a client without CURVE, or with the wrong server key, say).
   */
  readonly onHandshakeFailed?: (reason: HandshakeFailure) => void;
}

/** One message from a client, to be answered exactly once. */
export interface IncomingMessage {
  /** The message's frames after the envelope: one for a valid request. */
  readonly parts: readonly Uint8Array[];
  /**
   * Who sent it: the routing ids of its connection and of the trusted hops
   * (`RouterOptions.trustedHops`), as text. Stable for one connection
   * (through a broker, for one client behind it), whatever frames the
   * client adds; a key for bounds per client, never shown to anyone.
   */
  readonly client: string;
  /**
   * Under CURVE, the client's public key (Z85) from its handshake; without
   * CURVE, undefined.
   */
  readonly clientKey?: string;
  /** Sends the reply. A second call does nothing. */
  reply(body: Uint8Array): void;
}
