/**
 * The client's options and the typed results of each operation, as the
 * contract (docs/contract.md, v1.1) defines them.
 *
 * @example
 * ```ts
 * import type { KeyServiceClientOptions } from "./types.ts";
 *
 * const options: KeyServiceClientOptions = {
 *   endpoints: ["tcp://10.0.0.5:5555", "tcp://10.0.0.6:5555"],
 *   timeoutMs: 2000,
 *   retries: 3,
 *   curve: { serverKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7" },
 * };
 * ```
 * @module
 */

import type { LoadedLibzmq } from "../zmq/libzmq.ts";
import type { CurveClientKeys } from "../zmq/curve.ts";
import type { ReplyObject } from "./_pirate.ts";
import type {
  Capabilities,
  ErrorCode,
  GenerateKeysReply,
  KeyBits,
  KeyFormat,
  KeystoreCapabilities,
  Padding,
  PingReply,
  PoolStatus,
} from "../contract/mod.ts";
import type { ServiceError } from "./errors.ts";

export type {
  Capabilities,
  CurveClientKeys,
  ErrorCode,
  GenerateKeysReply,
  KeyBits,
  KeyFormat,
  KeystoreCapabilities,
  LoadedLibzmq,
  Padding,
  PingReply,
  PoolStatus,
  ReplyObject,
};

/**
 * CurveZMQ: the server's public key, and this client's key pair, each as
 * Z85 or a file. Without a pair, a fresh one is made (enough for a server
 * without an allow list).
 */
export interface CurveOptions {
  /** The server's public key, Z85. */
  readonly serverKey?: string;
  /** A file holding it: the key alone, or a `public KEY` line. */
  readonly serverKeyFile?: string;
  /** This client's secret key, Z85 (its public key is derived from it). */
  readonly secretKey?: string;
  /** A file `keyservice curve-keypair` wrote: this client's pair. */
  readonly keyPairFile?: string;
}

/** Why a request is sent again. */
export type RetryReason = "timeout" | "unreachable" | "overloaded";

/** Told of each retry. */
export interface RetryEvent {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Where it went. */
  readonly endpoint: string;
  /** What happened to it. */
  readonly reason: RetryReason;
}

/** How a {@linkcode KeyServiceClient} connects and retries. */
export interface KeyServiceClientOptions {
  /** One endpoint or several. Default `tcp://127.0.0.1:5555` (the contract's). */
  readonly endpoints?: string | readonly string[];
  /** Time for one attempt: connecting, then the reply. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Attempts after the first (the retry budget). Default 3. */
  readonly retries?: number;
  /** First wait after `overloaded`; doubled after each. Default 100 ms. */
  readonly backoffMs?: number;
  /**
   * `spread` (the default): each request starts at the next endpoint in
   * turn, for instances without a broker. `failover`: always the first
   * endpoint that answers, the others as standbys.
   */
  readonly strategy?: "spread" | "failover";
  /** An endpoint that failed is tried last for this long. Default 5000 ms. */
  readonly downMs?: number;
  /** CurveZMQ, when the service (or broker) runs it. */
  readonly curve?: CurveOptions;
  /** The libzmq to use: an opened one, or a path. Default: found. */
  readonly libzmq?: LoadedLibzmq | string;
  /** Told of each retry (for logs and metrics). */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * Speak in clear (no CURVE) to endpoints off this machine. Default false:
   * the constructor throws `InsecureEndpoint` for such an endpoint, since
   * private keys would cross the network unencrypted, to whatever listens
   * there. On loopback, `ipc://` and `inproc://` no CURVE is needed, but a
   * local process that takes the port first (a squatter) then receives
   * every request, private keys included, and its forged replies are taken
   * as the service's: use CURVE wherever other users share the machine.
   */
  readonly allowInsecure?: boolean;
  /**
   * Requests out at once, at most (each holds a socket, and a Deno thread
   * while it waits). Further ones queue in order. Default 16.
   */
  readonly maxInFlight?: number;
  /** A socket unused this long is closed. Default 30000 ms. */
  readonly idleMs?: number;
  /**
   * The largest reply frame taken, in bytes: a larger one cuts the
   * connection (libzmq, before it is copied), and the attempt times out.
   * Default 1 MiB, above the largest reply the service sends.
   */
  readonly maxReplyBytes?: number;
}

/** What every operation takes besides its own options. */
export interface CallOptions {
  /** Time for one attempt of this call; default the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Abandons the call: it rejects with `Aborted` at once, no retry follows,
   * and the socket of an attempt under way is closed (the service may still
   * carry it out).
   */
  readonly signal?: AbortSignal;
}

/** `generate_keys` options; each left out keeps the v1 request. */
export interface GenerateKeysOptions extends CallOptions {
  /** Modulus size. Default 2048. */
  readonly bits?: KeyBits;
  /** PEM format. Default `pkcs1`; a passphrase needs `pkcs8`. */
  readonly format?: KeyFormat;
  /** Encrypts the private key (PKCS#8, PBES2) under this passphrase. */
  readonly passphrase?: string;
}

/** A new key set: the contract's `generate_keys` reply. */
export type KeySet = GenerateKeysReply;

/** An age key type (v1.x): hybrid post-quantum, or classic X25519. */
export type AgeKeyType = "mlkem768x25519" | "x25519";

/** What `generateAgeKeys` resolves to. */
export interface AgeKeySet {
  /** The key type. */
  readonly keyType: AgeKeyType;
  /** The recipient: `age1pq1...` or `age1...`, what age's `-r` takes. */
  readonly recipient: string;
  /** The identity: `AGE-SECRET-KEY-PQ-1...` or `AGE-SECRET-KEY-1...`. */
  readonly identity: string;
  /** A Fernet key, URL-safe base64, 44 characters. */
  readonly fernet: string;
}

/** `encrypt_fernet` and `encrypt_fernet_many` options. */
export interface EncryptOptions extends CallOptions {
  /** Default `pkcs1v15`. */
  readonly padding?: Padding;
}

/** `decrypt_fernet` options. */
export interface DecryptOptions extends CallOptions {
  /** Default `pkcs1v15`. */
  readonly padding?: Padding;
  /** Opens an `ENCRYPTED PRIVATE KEY`. */
  readonly passphrase?: string;
}

/** One recipient's result of `encrypt_fernet_many`. */
export type ManyResult =
  | { readonly encryptedFernet: string }
  | { readonly error: ServiceError };
