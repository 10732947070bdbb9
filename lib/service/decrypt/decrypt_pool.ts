/**
 * RSA private-key decryption on a pool of Web Workers, so that the main
 * thread, which serves the socket, never runs it. Jobs go to the worker with
 * the fewest in hand. A worker that dies is replaced; its jobs fail with
 * `InternalError`. A decryption that fails inside a worker fails with
 * `DecryptionFailed` and the worker carries on. The key's DER is
 * transferred to the worker, not copied (the caller's `key.der` is left
 * detached, empty), and wiped there after the job; the plaintext comes back
 * transferred too.
 *
 * @example
 * ```ts
 * import { DecryptPool } from "./decrypt_pool.ts";
 * import { encryptPkcs1v15, generateRsaKeyPair, parsePrivateKey, parsePublicKey } from "../../crypto/mod.ts";
 *
 * const pool = new DecryptPool({ size: 2 });
 * const pair = await generateRsaKeyPair();
 * const ciphertext = encryptPkcs1v15(parsePublicKey(pair.public), new Uint8Array([1, 2]));
 * // The parsed key's DER moves to the worker.
 * await pool.decrypt(parsePrivateKey(pair.private), ciphertext); // Uint8Array [1, 2]
 * pool.close();
 * ```
 * @module
 */

import { DecryptionFailed, InternalError } from "../errors.ts";
import type { Padding, RsaPrivateKey } from "../../crypto/mod.ts";
import type { DecryptBackend } from "../types.ts";
import type { DecryptJob, DecryptResult } from "./_decrypt_worker.ts";

interface Pending {
  resolve(plaintext: Uint8Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  readonly jobs: Map<number, Pending>;
}

/** The decryption worker's module. */
export const DECRYPT_WORKER_URL: string =
  new URL("./_decrypt_worker.ts", import.meta.url).href;

/** Starts the real decryption worker. */
export function startDecryptWorker(): Worker {
  return new Worker(DECRYPT_WORKER_URL, { type: "module" });
}

/** How a {@linkcode DecryptPool} behaves. */
export interface DecryptPoolOptions {
  /** Workers (at least one). */
  readonly size: number;
  /**
   * Starts one worker, at start-up and to replace one that died. Default
   * {@linkcode startDecryptWorker}; tests pass one that records what the
   * pool does with its workers.
   */
  readonly createWorker?: () => Worker;
}

/** A fixed number of decryption workers (`node:crypto` in each). */
export class DecryptPool implements DecryptBackend {
  /** The backend's name, for logs and `ping`. */
  readonly name = "node";
  readonly #slots: Slot[] = [];
  readonly #createWorker: () => Worker;
  #nextId = 0;
  #closed = false;

  /** Starts the workers. */
  constructor(options: DecryptPoolOptions) {
    this.#createWorker = options.createWorker ?? startDecryptWorker;
    for (let i = 0; i < Math.max(1, options.size); i++) {
      const slot: Slot = {
        worker: undefined as unknown as Worker,
        jobs: new Map(),
      };
      this.#start(slot);
      this.#slots.push(slot);
    }
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /** Decryptions at once, at most: one per worker. */
  get concurrency(): number {
    return this.#slots.length;
  }

  /** Jobs handed to workers and not yet answered. */
  get pending(): number {
    return this.#slots.reduce((sum, slot) => sum + slot.jobs.size, 0);
  }

  /**
   * Decrypts on a worker. Rejects with `DecryptionFailed` when decryption
   * fails, `InternalError` when the worker dies. Takes `key.der`: its buffer
   * moves to the worker, which wipes it after use; pass a key that is not
   * used again (or a copy: `{ ...key, der: key.der.slice() }`).
   */
  decrypt(
    key: RsaPrivateKey,
    ciphertext: Uint8Array,
    padding: Padding = "pkcs1v15",
  ): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new InternalError());
    let slot = this.#slots[0];
    for (const candidate of this.#slots) {
      if (candidate.jobs.size < slot.jobs.size) slot = candidate;
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      const job: DecryptJob = { id, key, ciphertext, padding };
      try {
        slot.worker.postMessage(job, [key.der.buffer as ArrayBuffer]);
      } catch {
        // A key whose DER was already handed over (detached).
        slot.jobs.delete(id);
        reject(new InternalError());
      }
    });
  }

  /** Stops the workers; jobs in hand fail with `InternalError`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.worker.terminate();
      this.#failAll(slot);
    }
  }

  #start(slot: Slot): void {
    const worker = this.#createWorker();
    worker.onmessage = ({ data }: MessageEvent<DecryptResult>) => {
      const pending = slot.jobs.get(data.id);
      if (pending === undefined) return;
      slot.jobs.delete(data.id);
      if (data.ok) pending.resolve(data.plaintext);
      else pending.reject(new DecryptionFailed());
    };
    worker.onerror = (event) => {
      // The worker is gone: fail its jobs and put a new one in its place.
      event.preventDefault();
      worker.terminate();
      this.#failAll(slot);
      if (!this.#closed) this.#start(slot);
    };
    slot.worker = worker;
  }

  #failAll(slot: Slot): void {
    for (const pending of slot.jobs.values()) {
      pending.reject(new InternalError());
    }
    slot.jobs.clear();
  }
}
