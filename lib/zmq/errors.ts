/**
 * The error a libzmq call reports.
 *
 * @example
 * ```ts
 * import { ZmqError } from "./errors.ts";
 *
 * const error = new ZmqError("zmq_bind", { errno: 98, message: "Address already in use" });
 * error.message; // "zmq_bind: Address already in use"
 * ```
 * @module
 */

/** A libzmq call failed; `errno` is libzmq's error number. */
export class ZmqError extends Error {
  readonly code = "zmq_error";
  /** libzmq's errno for the failure. */
  readonly errno: number;
  constructor(call: string, cause: { errno: number; message: string }) {
    super(`${call}: ${cause.message}`);
    this.errno = cause.errno;
  }
}
