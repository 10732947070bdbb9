// Private: the instances connected to the broker's backend, from its socket
// monitor's events and its ZAP handler's answers. libzmq's monitor (v1, the
// stable API) tells a bound socket's file descriptor when it accepts a
// connection and when it loses one, but not which of them a finished
// handshake was (HANDSHAKE_SUCCEEDED carries no descriptor), nor the peer's
// key or address; the ZAP handler hears the key and the IP address, and no
// descriptor. Handshakes run on libzmq's one I/O thread, so that they end in
// the order their ZAP requests were answered: a finished handshake is taken
// as that of the oldest connection still handshaking, with the oldest
// approval not yet matched. A connection whose handshake fails is never
// counted.

/** Who an instance is, as far as the broker knows. */
export interface Instance {
  /** Its CURVE public key (Z85), when the backend vets keys. */
  readonly key?: string;
  /** Its IP address, when the backend vets keys (ZAP tells it). */
  readonly address?: string;
}

/** An instance joined or left; `instances`: how many are connected now. */
export interface InstanceChange extends Instance {
  readonly joined: boolean;
  readonly instances: number;
}

/** Approvals kept unmatched at most: a bound on what a flood can leave. */
const MAX_APPROVED = 1024;

/** The backend's connections, and which of them are instances. */
export class InstanceTracker {
  /** Accepted, handshake not done: descriptors, oldest first. */
  readonly #pending: number[] = [];
  /** ZAP approvals not yet matched to a handshake, oldest first. */
  readonly #approved: Instance[] = [];
  readonly #joined = new Map<number, Instance>();

  /** Instances connected now. */
  get connected(): number {
    return this.#joined.size;
  }

  /** A connection was accepted on `fd`. */
  accepted(fd: number): void {
    if (this.#pending.length >= MAX_APPROVED) this.#pending.shift();
    this.#pending.push(fd);
  }

  /** The ZAP handler let `key` from `address` in. */
  approved(key: string, address: string): void {
    if (this.#approved.length >= MAX_APPROVED) this.#approved.shift();
    this.#approved.push({ key, address });
  }

  /** A handshake succeeded: an instance joined. */
  up(): InstanceChange | undefined {
    const fd = this.#pending.shift();
    if (fd === undefined) return undefined;
    const instance = this.#approved.shift() ?? {};
    this.#joined.set(fd, instance);
    return { joined: true, ...instance, instances: this.#joined.size };
  }

  /** The connection on `fd` was lost: an instance left, if it had joined. */
  down(fd: number): InstanceChange | undefined {
    const instance = this.#joined.get(fd);
    if (instance !== undefined) {
      this.#joined.delete(fd);
      return { joined: false, ...instance, instances: this.#joined.size };
    }
    // Lost before its handshake ended (refused, or a failed handshake):
    // libzmq answers the ZAP request and ends the handshake in one go, so
    // an approved connection does not end here.
    const at = this.#pending.indexOf(fd);
    if (at !== -1) this.#pending.splice(at, 1);
    return undefined;
  }
}
