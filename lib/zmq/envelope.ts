/**
 * The ROUTER envelope split: a message a ROUTER socket reads is
 * `[routing id, ..., empty delimiter, body...]`. The envelope (up to and
 * including the first empty frame after the routing id) is what the reply
 * must carry back; the frames after it are the request. A pure function, so
 * that the split is tested without a socket.
 *
 * @example
 * ```ts
 * import { splitEnvelope } from "./envelope.ts";
 *
 * const id = new Uint8Array([0, 1, 2, 3, 4]);
 * const body = new TextEncoder().encode('{"type":"ping"}');
 * const split = splitEnvelope([id, new Uint8Array(0), body], false);
 * split?.envelope.length; // 2: the routing id and the delimiter
 * split?.parts.length; // 1: the request's one frame
 * ```
 * @module
 */

/** Most envelope frames a client may send: REQ through a few proxies. */
export const MAX_ENVELOPE_FRAMES = 8;

/** A message split into the envelope to reply on and the request's frames. */
export interface SplitMessage {
  /** The frames the reply goes back with, the delimiter included. */
  readonly envelope: Uint8Array[];
  /** The request's frames. */
  readonly parts: Uint8Array[];
}

/**
 * Splits `frames` at the envelope's end: the first empty frame after the
 * routing id (a REQ client, or one behind proxies); without one, a DEALER's
 * message whose envelope is the routing id alone. `truncated` says that the
 * reader cut the message short, so that a missing delimiter may have been
 * cut off. Null when the message cannot be answered: its envelope was cut
 * off, or is longer than {@linkcode MAX_ENVELOPE_FRAMES}.
 */
export function splitEnvelope(
  frames: Uint8Array[],
  truncated: boolean,
): SplitMessage | null {
  let split = frames.findIndex((frame, i) => i > 0 && frame.length === 0);
  if (split === -1) {
    if (truncated) return null; // its envelope was cut off
    split = 0;
  }
  const envelope = frames.slice(0, split + 1);
  if (envelope.length > MAX_ENVELOPE_FRAMES) return null;
  return { envelope, parts: frames.slice(split + 1) };
}
