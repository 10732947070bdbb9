/**
 * Admission: the bound on requests in flight, in all and per client, kept
 * apart from request handling so that it can run where the requests arrive
 * (the socket thread) while the handling runs elsewhere (request threads).
 * A client with nothing in flight may use a reserve as large again as the
 * overall limit: busy clients, each within its own cap, can then fill the
 * limit but never lock out a client that asks one thing at a time.
 *
 * @example
 * ```ts
 * import { Admission } from "./admission.ts";
 *
 * const admission = new Admission({ maxInflight: 256, maxInflightPerClient: 8 });
 * if (admission.admit("client-a")) {
 *   // ... handle the request, then:
 *   admission.release("client-a");
 * }
 * ```
 * @module
 */

/** How an {@linkcode Admission} bounds requests; every field has a default. */
export interface AdmissionOptions {
  /**
   * Requests in flight at once; past it a request is refused, except for a
   * client with nothing in flight, which has a reserve as large again.
   * Default 256.
   */
  readonly maxInflight?: number;
  /** Requests in flight at once for one client. Default 8. */
  readonly maxInflightPerClient?: number;
}

/** Counts requests in flight, in all and by client. */
export class Admission {
  readonly #maxInflight: number;
  readonly #maxPerClient: number;
  /** Requests in flight by client; a client leaves when it has none. */
  readonly #perClient = new Map<string, number>();
  #inflight = 0;

  constructor(options: AdmissionOptions = {}) {
    this.#maxInflight = options.maxInflight ?? 256;
    this.#maxPerClient = options.maxInflightPerClient ?? 8;
  }

  /** Requests in flight now. */
  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Counts a request of `client` in, or returns false when it is over a
   * bound (the caller answers `overloaded`). Each true is paired with one
   * {@linkcode Admission.release}.
   */
  admit(client: string): boolean {
    const mine = this.#perClient.get(client) ?? 0;
    const limit = mine === 0 ? 2 * this.#maxInflight : this.#maxInflight;
    if (this.#inflight >= limit || mine >= this.#maxPerClient) return false;
    this.#inflight++;
    this.#perClient.set(client, mine + 1);
    return true;
  }

  /** Counts a request of `client` out, once it is answered. */
  release(client: string): void {
    const mine = this.#perClient.get(client);
    if (mine === undefined) return;
    this.#inflight--;
    if (mine === 1) this.#perClient.delete(client);
    else this.#perClient.set(client, mine - 1);
  }
}
