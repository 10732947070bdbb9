/**
 * The transport's errors, each with a stable `code`.
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

/** No libzmq could be opened; `message` lists what was tried and why. */
export class LibzmqUnavailable extends Error {
  readonly code = "libzmq_unavailable";
  constructor(tried: string[]) {
    super(`cannot load libzmq (tried: ${tried.join("; ")})`);
  }
}

/**
 * The transport does not run on this platform. It lays out libzmq's
 * `zmq_pollitem_t` as Unix does (the socket pointer, then an `int` file
 * descriptor); on Windows that field is a 64-bit `SOCKET`, so the poll items
 * would be misread.
 */
export class UnsupportedPlatform extends Error {
  readonly code = "unsupported_platform";
  constructor(os: string) {
    super(
      `${os} is not supported: keyservice runs on Linux (x64, arm64) and macOS`,
    );
  }
}

/** A CURVE key is not 40 characters of valid Z85, or an allow list is bad. */
export class InvalidCurveKey extends Error {
  readonly code = "invalid_curve_key";
}

/** The libzmq loaded was built without CURVE security. */
export class CurveUnavailable extends Error {
  readonly code = "curve_unavailable";
  constructor(path: string) {
    super(`libzmq at ${path} was built without CURVE`);
  }
}
