// Private: one request thread as the socket thread sees it: its Worker, its
// routing id and sockets, the requests it has in hand, and the messages it
// sends besides replies (ready, asks, reports, stopped). RequestThreads
// (request_threads.ts) keeps the slots and the requests.

import type {
  Ask,
  FromThread,
  ThreadSetup,
  ToThread,
} from "./_thread_protocol.ts";
import { Overloaded } from "../service/errors.ts";

/** The request thread's module. */
export const REQUEST_THREAD_URL: string =
  new URL("./_request_thread.ts", import.meta.url).href;

/** What a slot needs from its owner. */
export interface SlotOwner {
  /** The thread's set-up, given its routing id. */
  setup(id: string): ThreadSetup;
  /** Answers what the thread asks. */
  ask(ask: Ask): Promise<unknown>;
  /** A report of an unexpected failure on the thread (its class). */
  internalError(error: string): void;
  /** The thread died after it was up. */
  died(slot: ThreadSlot): void;
}

const encoder = new TextEncoder();

/** One request thread. */
export class ThreadSlot {
  readonly worker: Worker;
  /** Its routing id, as the port addresses it. */
  readonly id: Uint8Array;
  /**
   * Its sockets' addresses once it is up, for closing them if it dies;
   * empty once it has closed them itself.
   */
  sockets: bigint[] = [];
  /** Whether its greeting came through the port: requests may go to it. */
  ready = false;
  /** Whether it was asked to stop. */
  stopping = false;
  /** Request ids in its hands. */
  readonly requests = new Set<number>();
  /** When it last had nothing in hand (performance.now()). */
  idleSince = performance.now();
  /** Resolves once the thread is up; rejects when it fails to start. */
  readonly started: Promise<void>;
  /** Resolves once the thread has stopped or died. */
  readonly ended: Promise<void>;
  #ended!: () => void;

  constructor(name: string, owner: SlotOwner) {
    this.id = encoder.encode(name);
    this.ended = new Promise((resolve) => (this.#ended = resolve));
    const worker = this.worker = new Worker(REQUEST_THREAD_URL, {
      type: "module",
    });
    let up = false;
    this.started = new Promise((resolve, reject) => {
      worker.onmessage = ({ data }: MessageEvent<FromThread>) => {
        switch (data.kind) {
          case "ready":
            this.sockets = data.sockets;
            up = true;
            resolve();
            return;
          case "ask":
            owner.ask(data.ask).then(
              (value) =>
                this.#tell({ kind: "answer", id: data.id, ok: true, value }),
              (error) =>
                this.#tell({
                  kind: "answer",
                  id: data.id,
                  ok: false,
                  overloaded: error instanceof Overloaded,
                }),
            );
            return;
          case "internal-error":
            owner.internalError(data.error);
            return;
          case "stopped":
            this.sockets = [];
            this.end();
            return;
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.end();
        if (up) owner.died(this);
        else {reject(
            new Error(`a request thread failed to start: ${event.message}`),
          );}
      };
    });
    this.#tell({ kind: "start", setup: owner.setup(name) });
  }

  /** Terminates the worker (if running) and marks the slot ended. */
  end(): void {
    this.ready = false;
    this.worker.terminate();
    this.#ended();
  }

  #tell(message: ToThread): void {
    try {
      this.worker.postMessage(message);
    } catch {
      // The thread is gone; its requests are answered when it is found dead.
    }
  }
}
