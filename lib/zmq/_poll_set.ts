/**
 * The `zmq_pollitem_t` array a poll loop hands to `zmq_poll`, and which of
 * its sockets the last poll found readable.
 *
 * @module
 */

import { POLLITEM_SIZE, ZMQ_POLLIN } from "./_ffi.ts";
import { pollItems } from "./_socket.ts";

/** Poll items over `sockets`, in that order, each watched for input. */
export class PollSet {
  /** The items, for `zmq_poll`. */
  readonly items: Uint8Array;
  readonly #sockets: readonly Deno.PointerValue[];
  readonly #view: DataView;

  constructor(sockets: readonly Deno.PointerValue[]) {
    this.#sockets = sockets;
    this.items = pollItems(sockets);
    this.#view = new DataView(this.items.buffer);
  }

  /** The items from the second on (a poll that leaves out the first). */
  get rest(): Uint8Array {
    return this.items.subarray(POLLITEM_SIZE);
  }

  /** `socket`'s place among the items, or -1. */
  indexOf(socket: Deno.PointerValue | undefined): number {
    return socket === undefined ? -1 : this.#sockets.indexOf(socket);
  }

  /** Whether the last poll found input on item `at` (false for -1). */
  ready(at: number): boolean {
    return at >= 0 &&
      (this.#view.getInt16(at * POLLITEM_SIZE + 14, true) & ZMQ_POLLIN) !== 0;
  }

  /** Clears every item's `revents`: items a poll leaves out stay clear. */
  clear(): void {
    for (let i = 0; i < this.#sockets.length; i++) {
      this.#view.setInt16(i * POLLITEM_SIZE + 14, 0, true);
    }
  }
}
