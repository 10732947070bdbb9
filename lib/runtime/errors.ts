/**
 * The one error the runtime throws when the service or the broker cannot
 * start: the command line prints its message on one line and picks the exit
 * code; the runtime itself prints no usage and never exits the process.
 *
 * @example
 * ```ts
 * import { StartupError } from "./errors.ts";
 *
 * const error = new StartupError("cannot bind tcp://127.0.0.1:1: in use");
 * error.message; // "cannot bind tcp://127.0.0.1:1: in use"
 * StartupError.code; // "startup-failed"
 * ```
 * @module
 */

import { firstLine } from "./ops/log.ts";

/** The service or the broker could not start; `message` says why. */
export class StartupError extends Error {
  /** The code of this class, readable without an instance. */
  static code = "startup-failed" as const;
  /** The same code, on the instance. */
  readonly code: typeof StartupError.code = StartupError.code;

  /** `reason` is a sentence, or an error whose first line says why. */
  constructor(reason: unknown) {
    super(typeof reason === "string" ? reason : firstLine(reason), {
      cause: reason,
    });
    this.name = "StartupError";
  }
}
