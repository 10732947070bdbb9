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
import type { KeyBits } from "../service/protocol.ts";
import type { PoolStatus } from "../service/status.ts";
import type { ServiceError } from "./errors.ts";

export type { KeyBits };

/** RSA encryption scheme: PKCS#1 v1.5 (the default) or OAEP with SHA-256. */
export type Padding = "pkcs1v15" | "oaep-sha256";

/** PEM format of a generated pair: PKCS#1 (the default) or SPKI/PKCS#8. */
export type KeyFormat = "pkcs1" | "pkcs8";

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
  /** One endpoint or several. Default `tcp://127.0.0.1:5555`. */
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
}

/** `generate_keys` options; each left out keeps the v1 request. */
export interface GenerateKeysOptions {
  /** Modulus size. Default 2048. */
  readonly bits?: KeyBits;
  /** PEM format. Default `pkcs1`; a passphrase needs `pkcs8`. */
  readonly format?: KeyFormat;
  /** Encrypts the private key (PKCS#8, PBES2) under this passphrase. */
  readonly passphrase?: string;
}

/** A new key set. */
export interface KeySet {
  /** The RSA pair, PEM. */
  readonly rsa: { readonly public: string; readonly private: string };
  /** A Fernet key, URL-safe base64, 44 characters. */
  readonly fernet: string;
}

/** `encrypt_fernet` and `encrypt_fernet_many` options. */
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

export interface EncryptOptions {
  /** Default `pkcs1v15`. */
  readonly padding?: Padding;
}

/** `decrypt_fernet` options. */
export interface DecryptOptions {
  /** Default `pkcs1v15`. */
  readonly padding?: Padding;
  /** Opens an `ENCRYPTED PRIVATE KEY`. */
  readonly passphrase?: string;
}

/** One recipient's result of `encrypt_fernet_many`. */
export type ManyResult =
  | { readonly encryptedFernet: string }
  | { readonly error: ServiceError };

/** What `ping` answers. */
export type PingReply = PoolStatus & {
  readonly status: string;
  readonly version: string;
  /** Requests being handled, not counting this ping. */
  readonly in_flight: number;
  /** What this version supports (v1.1 on). */
  readonly capabilities?: {
    readonly operations: readonly string[];
    readonly bits: readonly number[];
    readonly paddings: readonly string[];
    readonly formats: readonly string[];
    /** Key types `generate_keys` makes (v1.x on): `rsa`, age's. */
    readonly key_types?: readonly string[];
  };
};
