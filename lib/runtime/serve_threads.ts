/**
 * The serve loop on the socket thread: each message the transport hands
 * over is counted in by the {@linkcode Admission} (or answered `overloaded`
 * at once), handed to a request thread, and its reply sent back on the
 * message as soon as the thread has it, then counted out. The loop ends
 * when the transport's iteration does (after its drain).
 *
 * @example
 * ```ts
 * import type { RequestThreads } from "./request_threads.ts";
 * import { Admission } from "../service/admission.ts";
 * import { type Message, serveOnThreads } from "./serve_threads.ts";
 *
 * declare const threads: RequestThreads;
 * declare const messages: AsyncIterable<Message>;
 * await serveOnThreads(messages, new Admission(), threads, (outcome, ms) =>
 *   console.log(outcome.type, outcome.code, ms));
 * ```
 * @module
 */

import type { RequestThreads, ThreadOutcome } from "./request_threads.ts";
import type { Admission } from "../service/admission.ts";
import { Overloaded } from "../service/errors.ts";
import { encodeReply, errorReply } from "../service/protocol.ts";

/** One request from a transport, to be answered once. */
export interface Message {
  /** The request's frames: one for a valid request. */
  readonly parts: readonly Uint8Array[];
  /** The client it came from, for the bounds per client (see `Admission`). */
  readonly client?: string;
  /** Under CURVE, the client's public key (Z85): who asks, for policies. */
  readonly clientKey?: string;
  /** Sends the reply. */
  reply(body: Uint8Array): void;
}

/** Told of each request answered, with its time in milliseconds. */
export type ThreadOutcomeListener = (
  outcome: ThreadOutcome,
  ms: number,
) => void;

const OVERLOADED: ThreadOutcome = {
  reply: encodeReply(errorReply(new Overloaded())),
  type: "invalid",
  code: new Overloaded().code,
  threadMs: 0,
  decryptions: { pkcs1v15: 0, oaep: 0 },
};

const decoder = new TextDecoder();

/**
 * Whether `parts` is a plain `{"type": "ping"}` (one frame, no other field):
 * the one request this thread answers itself, since its reply needs what
 * only this thread knows (requests in flight, the key pool) and nothing a
 * request thread does. A larger or different request is never parsed here.
 */
export function isPlainPing(parts: readonly Uint8Array[]): boolean {
  if (parts.length !== 1 || parts[0].length > 64) return false;
  try {
    const value = JSON.parse(decoder.decode(parts[0]));
    return typeof value === "object" && value !== null &&
      !Array.isArray(value) && value.type === "ping" &&
      Object.keys(value).length === 1;
  } catch {
    return false;
  }
}

/** Options of {@linkcode serveOnThreads}. */
export interface ServeOnThreadsOptions {
  /**
   * Answers a plain ping on this thread (see {@linkcode isPlainPing}), with
   * what a request thread would answer.
   * @default undefined (every ping goes to a request thread)
   */
  readonly ping?: () => Uint8Array;
  /**
   * Told when the outcome listener throws. The reply has gone by then, and
   * the loop goes on.
   * @default a function that does nothing
   */
  readonly onListenerError?: (error: unknown) => void;
}

/**
 * Answers every message of `messages` on `threads`; see the module. A
 * listener that throws costs neither the reply nor the loop.
 */
export async function serveOnThreads(
  messages: AsyncIterable<Message>,
  admission: Admission,
  threads: Pick<RequestThreads, "handle">,
  onOutcome: ThreadOutcomeListener = () => {},
  options: ServeOnThreadsOptions = {},
): Promise<void> {
  const { ping, onListenerError = () => {} } = options;
  const tell = (outcome: ThreadOutcome, ms: number) => {
    try {
      onOutcome(outcome, ms);
    } catch (error) {
      try {
        onListenerError(error);
      } catch { /* nothing left to tell */ }
    }
  };
  for await (const message of messages) {
    const started = performance.now();
    const client = message.client ?? "";
    if (!admission.admit(client)) {
      message.reply(OVERLOADED.reply);
      tell(OVERLOADED, performance.now() - started);
      continue;
    }
    if (ping !== undefined && isPlainPing(message.parts)) {
      const outcome: ThreadOutcome = {
        reply: ping(),
        type: "ping",
        code: "ok",
        threadMs: 0,
        decryptions: { pkcs1v15: 0, oaep: 0 },
      };
      admission.release(client);
      message.reply(outcome.reply);
      tell(outcome, performance.now() - started);
      continue;
    }
    threads.handle(
      message.parts,
      (outcome) => {
        admission.release(client);
        message.reply(outcome.reply);
        tell(outcome, performance.now() - started);
      },
      client,
      message.clientKey,
    );
  }
}
