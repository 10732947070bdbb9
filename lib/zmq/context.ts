/**
 * A libzmq context that many REQ clients ({@linkcode ReqClient} of
 * ./client.ts) share: one I/O thread and one reaper for all of them.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { ZmqContext } from "./context.ts";
 *
 * const context = ZmqContext.create(loadLibzmq());
 * context.close(); // terminated once its last socket is released
 * ```
 * @module
 */

import { lastError } from "./_ffi.ts";
import { ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";

/**
 * A libzmq context shared by many REQ clients: one I/O thread
 * and one reaper for all of them, instead of a pair for each. It is
 * terminated once closed and its last socket released.
 */
export class ZmqContext {
  readonly #zmq: LoadedLibzmq["symbols"];
  /** The context's pointer, for the sockets opened in it. */
  readonly pointer: Deno.PointerValue;
  #sockets = 0;
  #closed = false;

  private constructor(zmq: LoadedLibzmq["symbols"]) {
    this.#zmq = zmq;
    this.pointer = zmq.zmq_ctx_new();
    if (this.pointer === null) {
      throw new ZmqError("zmq_ctx_new", lastError(zmq));
    }
  }

  /** A new context. */
  static create(libzmq: LoadedLibzmq): ZmqContext {
    return new ZmqContext(libzmq.symbols);
  }

  /** A socket was opened in it. */
  acquire(): void {
    if (this.#closed) throw new Error("ZmqContext is closed");
    this.#sockets++;
  }

  /** A socket opened in it was closed. */
  release(): void {
    this.#sockets--;
    this.#terminateIfDone();
  }

  /** Terminates the context once its last socket is closed. */
  close(): void {
    this.#closed = true;
    this.#terminateIfDone();
  }

  #terminateIfDone(): void {
    if (this.#closed && this.#sockets === 0) {
      this.#sockets = -1; // terminated once
      this.#zmq.zmq_ctx_term(this.pointer);
    }
  }
}
