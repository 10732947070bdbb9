/**
 * The client's own errors, not the service's: no reply in time, no
 * connection, a refused handshake, an aborted call, an endpoint refused for
 * want of CURVE. Each has a static `code`; all are re-exported by errors.ts.
 *
 * @module
 */

import { KeyServiceClientError } from "./_error_base.ts";

/**
 * The request was sent and no reply came within the timeout, on every try.
 * The service may have carried it out.
 */
export class TimeoutError extends KeyServiceClientError {
  /** The code of every {@linkcode TimeoutError}. */
  static override readonly code = "timeout";
  /** `timeout`. */
  readonly code = "timeout";
  /** How many times it was sent. */
  readonly attempts: number;
  /** After `attempts` sends, each given `timeoutMs`. */
  constructor(attempts: number, timeoutMs: number) {
    super(`no reply within ${timeoutMs} ms, ${attempts} attempt(s)`);
    this.attempts = attempts;
  }
}

/**
 * No connection to any endpoint came up (nothing listening there, or a
 * handshake that failed without libzmq saying so): the request was never
 * sent. A handshake the server refused is {@linkcode HandshakeRefused}.
 */
export class UnreachableError extends KeyServiceClientError {
  /** The code of every {@linkcode UnreachableError}. */
  static override readonly code = "unreachable";
  /** `unreachable`. */
  readonly code = "unreachable";
  /** The endpoints tried. */
  readonly endpoints: readonly string[];
  /** After `attempts` tries at `endpoints`, each given `timeoutMs`. */
  constructor(
    endpoints: readonly string[],
    attempts: number,
    timeoutMs: number,
  ) {
    super(
      `no connection to ${
        endpoints.join(", ")
      } within ${timeoutMs} ms, ${attempts} attempt(s)`,
    );
    this.endpoints = endpoints;
  }
}

/**
 * Why the server refused the handshake, as libzmq tells the client:
 * `not_allowed`, the server's allow list does not hold this client's CURVE
 * key; `handshake_failed`, the handshake itself failed (the server's key is
 * not the one this client was given, or one side speaks CURVE and the
 * other does not). The same words as the service's
 * `keyservice_curve_handshakes_refused_total{reason}`.
 */
export type HandshakeRefusal = "not_allowed" | "handshake_failed";

/**
 * The server refused the handshake at every endpoint that was reached (and
 * none answered): the request was never sent. libzmq tells a client of a
 * refusal; retrying with the same keys does not help.
 */
export class HandshakeRefused extends KeyServiceClientError {
  /** The code of every {@linkcode HandshakeRefused}. */
  static override readonly code = "handshake_refused";
  /** `handshake_refused`. */
  readonly code = "handshake_refused";
  /** The endpoints that refused it. */
  readonly endpoints: readonly string[];
  /** Why, as far as libzmq says. */
  readonly reason: HandshakeRefusal;
  /** Refused by `endpoints`, for `reason`. */
  constructor(endpoints: readonly string[], reason: HandshakeRefusal) {
    super(
      reason === "not_allowed"
        ? `${endpoints.join(", ")} refused the CURVE handshake: this ` +
          "client's key is not on the server's allow list"
        : `the handshake with ${endpoints.join(", ")} failed: the server's ` +
          "CURVE key is not the one given, or one side speaks CURVE and " +
          "the other does not",
    );
    this.endpoints = endpoints;
    this.reason = reason;
  }
}

/** The call's `AbortSignal` fired: the call was abandoned, not retried. */
export class Aborted extends KeyServiceClientError {
  /** The code of every {@linkcode Aborted}. */
  static override readonly code = "aborted";
  /** `aborted`. */
  readonly code = "aborted";
  /** The call abandoned; `reason` is the signal's. */
  constructor(reason?: unknown) {
    super("the call was aborted", { cause: reason });
  }
}

/**
 * An endpoint off this machine without CURVE, not opted into: the client
 * refuses to send requests there in clear (`allowInsecure` overrides).
 */
export class InsecureEndpoint extends KeyServiceClientError {
  /** The code of every {@linkcode InsecureEndpoint}. */
  static override readonly code = "insecure_endpoint";
  /** `insecure_endpoint`. */
  readonly code = "insecure_endpoint";
  /** The endpoint refused. */
  readonly endpoint: string;
  /** Refuses `endpoint`. */
  constructor(endpoint: string) {
    super(
      `refusing to talk to ${endpoint} without CURVE: private keys would ` +
        "cross the network in clear, to whatever listens there. Give the " +
        "server's CURVE key, or allowInsecure (--allow-insecure-network).",
    );
    this.endpoint = endpoint;
  }
}
