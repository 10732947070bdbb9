// Private: what the socket thread and a request thread say to each other.
// Requests and replies travel through libzmq (lib/zmq/thread_socket.ts):
// a request is [request id, body frames...], a reply [request id, reply,
// facts], and an empty frame alone asks the thread to stop. Everything else
// (start-up, key pairs and status asked of the socket thread, reports for
// the log) goes by the workers' own messages, which are few.

import type { Capabilities } from "../contract/mod.ts";
import type { AuditEvent } from "../keystore/audit.ts";
import type { KeystoreLocation } from "../keystore/open.ts";
import type { PingDetail } from "../service/key_service.ts";
import type { ThreadCryptoSetup } from "../service/decrypt/backend.ts";

/** What a request thread is started with (structured-cloneable). */
export interface ThreadSetup {
  /** The libzmq file the socket thread loaded. */
  readonly libzmq: string;
  /** The socket thread's port. */
  readonly port: { readonly context: bigint; readonly address: string };
  /** The thread's routing id. */
  readonly id: string;
  /** What decrypts, as resolved on the socket thread. */
  readonly crypto: ThreadCryptoSetup;
  readonly version: string;
  readonly maxRequestBytes: number;
  readonly maxManyRequestBytes: number;
  readonly minKeyBits: number;
  readonly pbkdf2Iterations: number;
  /** Most PBKDF2 iterations a key in a request may ask for. */
  readonly maxPbkdf2Iterations: number;
  /** Largest age request with recipients or an identity. */
  readonly maxAgeRequestBytes: number;
  readonly pingDetail: PingDetail;
  /**
   * What `ping` lists (with the keystore's, when it is on). Default: what
   * the thread's own KeyService lists for its keystore, or v1.1's.
   */
  readonly capabilities?: Capabilities;
  /** PBKDF2 runs at once on this thread. */
  readonly passphraseConcurrency: number;
  /** The test-only hook: a request `crash-thread` kills the thread. */
  readonly crashHook: boolean;
  /**
   * The keystore (v1.2), opened first on the socket thread: where it is and
   * its master key, read once there. Key material: never logged. Absent:
   * `--keystore off`.
   */
  readonly keystore?: {
    readonly location: KeystoreLocation;
    readonly master: Uint8Array;
    /**
     * Whether there is an audit log (`--audit-log`). Without one a thread
     * asks nothing per operation: a round trip to the socket thread for
     * each would cost more than the rest of a decryption by key id.
     */
    readonly audit: boolean;
  };
}

/** What a request thread asks of the socket thread. */
export type Ask =
  | { readonly what: "pair" }
  | { readonly what: "generate"; readonly bits: number }
  | { readonly what: "status" }
  // The audit log has one writer, the socket thread, so its chain never
  // forks; a thread's keystore operation waits for its line (fail closed).
  | { readonly what: "audit"; readonly event: AuditEvent };

/** Socket thread to request thread. */
export type ToThread =
  | { readonly kind: "start"; readonly setup: ThreadSetup }
  | {
    readonly kind: "answer";
    readonly id: number;
    readonly ok: true;
    readonly value: unknown;
  }
  | {
    readonly kind: "answer";
    readonly id: number;
    readonly ok: false;
    readonly overloaded: boolean;
  };

/** Request thread to socket thread. */
export type FromThread =
  | { readonly kind: "ready"; readonly sockets: bigint[] }
  | { readonly kind: "ask"; readonly id: number; readonly ask: Ask }
  | { readonly kind: "internal-error"; readonly error: string }
  | { readonly kind: "stopped" };

/** The body of the test-only crash request (see `crashHook`). */
export const CRASH_REQUEST = "crash-thread";

/** The environment variable that turns the crash hook on (tests only). */
export const CRASH_HOOK_ENV = "KEYSERVICE_TEST_THREAD_CRASH";

/** A reply's facts frame: type, code, ms on the thread, decryptions. */
export interface ReplyFacts {
  readonly type: string;
  readonly code: string;
  /** Milliseconds the thread spent on the request. */
  readonly threadMs: number;
  /** Private-key decryptions since the thread's previous reply, by padding. */
  readonly pkcs1v15: number;
  readonly oaep: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The facts frame. */
export function encodeFacts(facts: ReplyFacts): Uint8Array {
  return encoder.encode(
    `${facts.type} ${facts.code} ${facts.threadMs} ${facts.pkcs1v15} ${facts.oaep}`,
  );
}

/** The facts from their frame. */
export function decodeFacts(frame: Uint8Array): ReplyFacts {
  const [type, code, ms, pkcs1v15, oaep] = decoder.decode(frame).split(" ");
  return {
    type,
    code,
    threadMs: Number(ms),
    pkcs1v15: Number(pkcs1v15),
    oaep: Number(oaep),
  };
}

/** A request id as a frame. */
export function idFrame(id: number): Uint8Array {
  const frame = new Uint8Array(4);
  new DataView(frame.buffer).setUint32(0, id);
  return frame;
}

/** The id in a frame from {@linkcode idFrame}, or -1. */
export function idOf(frame: Uint8Array): number {
  return frame.length === 4
    ? new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0)
    : -1;
}
