/**
 * The serve loop: each message a transport hands over goes to the
 * {@linkcode KeyService}, and its reply goes back on that message, as soon
 * as it is ready (replies may leave in another order than their requests
 * came). The loop ends when the transport's iteration ends.
 *
 * @example
 * ```ts
 * import { KeyService } from "./key_service.ts";
 * import { serve } from "./serve.ts";
 *
 * async function* oneMessage() {
 *   yield {
 *     parts: [new TextEncoder().encode('{"type":"ping"}')],
 *     reply: (body: Uint8Array) => console.log(new TextDecoder().decode(body)),
 *   };
 * }
 * await serve(oneMessage(), new KeyService());
 * ```
 * @module
 */

import { type Clock, systemClock } from "../clock/mod.ts";
import type { KeyService, Outcome } from "./key_service.ts";

/** One request from a transport, to be answered once. */
export interface Message {
  /** The request's frames: one for a valid request. */
  readonly parts: readonly Uint8Array[];
  /** The client it came from, for the bound per client (see `KeyService`). */
  readonly client?: string;
  /** Under CURVE, the client's public key (Z85): who asks, for policies. */
  readonly clientKey?: string;
  /** Sends the reply. */
  reply(body: Uint8Array): void;
}

/** Told of each request answered, with its handling time in milliseconds. */
export type OutcomeListener = (outcome: Outcome, ms: number) => void;

/** How {@linkcode serve} times requests and reports a listener's failure. */
export interface ServeOptions {
  /**
   * Told when the outcome listener throws. The reply has gone by then, and
   * the loop goes on serving. Default: nothing is told.
   */
  readonly onListenerError?: (error: unknown) => void;
  /** Times each request, for the listener. Default: the real clock. */
  readonly clock?: Pick<Clock, "now">;
}

/**
 * Answers every message of `messages` with `service`; resolves when the
 * iteration ends. Requests are handled concurrently: the loop does not wait
 * for one reply before it takes the next message. A listener that throws
 * costs neither the reply nor the loop.
 */
export async function serve(
  messages: AsyncIterable<Message>,
  service: KeyService,
  onOutcome: OutcomeListener = () => {},
  options: ServeOptions = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const onListenerError = options.onListenerError ?? (() => {});
  for await (const message of messages) {
    const started = clock.now();
    service.handle(message.parts, message.client, message.clientKey).then(
      (outcome) => {
        message.reply(outcome.reply);
        try {
          onOutcome(outcome, clock.now() - started);
        } catch (error) {
          try {
            onListenerError(error);
          } catch {
            // Reporting must not cost the loop either.
          }
        }
      },
    );
  }
}
