/**
 * The serve loop on the socket thread: each message the transport hands
 * over is counted in by the {@linkcode Admission} (or answered `overloaded`
 * at once), handed to a request thread, and its reply sent back on the
 * message as soon as the thread has it, then counted out. The loop ends
 * when the transport's iteration does (after its drain).
 *
 * @example
 * ```ts
 * import { serveOnThreads } from "./serve_threads.ts";
 * import type { RequestThreads } from "./request_threads.ts";
 * import { Admission } from "../service/admission.ts";
 * import type { Message } from "../service/serve.ts";
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
import type { Message } from "../service/serve.ts";

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

/** Answers every message of `messages` on `threads`; see the module. */
export async function serveOnThreads(
  messages: AsyncIterable<Message>,
  admission: Admission,
  threads: RequestThreads,
  onOutcome: ThreadOutcomeListener = () => {},
): Promise<void> {
  for await (const message of messages) {
    const started = performance.now();
    const client = message.client ?? "";
    if (!admission.admit(client)) {
      message.reply(OVERLOADED.reply);
      onOutcome(OVERLOADED, performance.now() - started);
      continue;
    }
    threads.handle(message.parts, (outcome) => {
      admission.release(client);
      message.reply(outcome.reply);
      onOutcome(outcome, performance.now() - started);
    }, client);
  }
}
