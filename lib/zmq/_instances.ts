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
// counted: libzmq reports its failure (HANDSHAKE_FAILED_*) and its loss
// (DISCONNECTED) in one go, one event right after the other, so a loss
// right after a failure is that of a connection that never joined. Were a
// join taken for such a connection (an older one still handshaking when a
// newer one finished), it moves to the next connection still handshaking:
// the count stays right, and the key with its connection.

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
  /** The last event was a failed handshake: the next loss is its own. */
  #failing = false;

  /** Instances connected now. */
  get connected(): number {
    return this.#joined.size;
  }

  /** A connection was accepted on `fd`. */
  accepted(fd: number): void {
    this.#failing = false;
    if (this.#pending.length >= MAX_APPROVED) this.#pending.shift();
    this.#pending.push(fd);
  }

  /** The ZAP handler let `key` from `address` in. */
  approved(key: string, address: string): void {
    if (this.#approved.length >= MAX_APPROVED) this.#approved.shift();
    this.#approved.push({ key, address });
  }

  /** A handshake failed (its connection's loss comes next). */
  failed(): void {
    this.#failing = true;
  }

  /** A handshake succeeded: an instance joined. */
  up(): InstanceChange | undefined {
    this.#failing = false;
    const fd = this.#pending.shift();
    if (fd === undefined) return undefined;
    const instance = this.#approved.shift() ?? {};
    this.#joined.set(fd, instance);
    return { joined: true, ...instance, instances: this.#joined.size };
  }

  /** The connection on `fd` was lost: an instance left, if it had joined. */
  down(fd: number): InstanceChange | undefined {
    const failed = this.#failing;
    this.#failing = false;
    const instance = this.#joined.get(fd);
    const at = this.#pending.indexOf(fd);
    if (at !== -1) this.#pending.splice(at, 1);
    if (instance === undefined) return undefined;
    this.#joined.delete(fd);
    if (failed) {
      // Never joined: the join was another connection's, still pending.
      const other = this.#pending.shift();
      if (other !== undefined) {
        this.#joined.set(other, instance);
        return undefined;
      }
    }
    return { joined: false, ...instance, instances: this.#joined.size };
  }
}
