/**
 * The service's validated configuration, one field per option of the
 * command line's OPTIONS table (lib/cli/options.ts, which re-exports it):
 * what the runtime runs from.
 *
 * @module
 */

import type { LOG_FORMATS, LOG_LEVELS } from "./ops/log.ts";

/** The cores this machine offers: the default worker count. */
export const CORES: number = Math.max(1, navigator.hardwareConcurrency || 1);

/** Everything `main.ts` needs to start the service. */
export interface Config {
  /** Where the ROUTER socket binds. */
  readonly endpoint: string;
  /** A broker's backend to connect to instead of binding, or undefined. */
  readonly connect: string | undefined;
  /** An explicit libzmq file, or undefined to search. */
  readonly libzmq: string | undefined;
  /** Least severe level logged. */
  readonly logLevel: typeof LOG_LEVELS[number];
  /** How log records are written: `key=value` text, or JSON lines. */
  readonly logFormat: typeof LOG_FORMATS[number];
  /** Where the metrics and health HTTP listener binds; undefined: off. */
  readonly metrics: string | undefined;
  /** Seconds to answer in-flight requests after SIGINT or SIGTERM. */
  readonly drainSeconds: number;
  /** RSA key pairs kept ready; 0 generates each on demand. */
  readonly poolSize: number;
  /** Seconds a ready pair may wait to be handed out before it is replaced. */
  readonly poolMaxAge: number;
  /** Request threads; undefined: as many as `workers`. */
  readonly threads: number | undefined;
  /** Decryptions at once; the request threads when `threads` is not given. */
  readonly workers: number;
  /** What decrypts: OpenSSL where it can be had, OpenSSL only, or node:crypto. */
  readonly cryptoBackend: "auto" | "openssl" | "node";
  /** An explicit libcrypto file, or undefined for the system's. */
  readonly libcrypto: string | undefined;
  /** Private keys kept prepared in OpenSSL (0: none, the default). */
  readonly preparedKeys: number;
  /** Seconds a prepared key is kept after it was made. */
  readonly preparedKeySeconds: number;
  /** Requests handled at once; past it, `overloaded`. */
  readonly maxInflight: number;
  /** Requests handled at once for one connection. */
  readonly maxInflightPerClient: number;
  /**
   * Broker hops in front of the service that name a client (see
   * RouterOptions.trustedHops); undefined: 0, or 1 with `connect`.
   */
  readonly trustedHops: number | undefined;
  /** `generate_keys` requests waiting for the pool at once. */
  readonly maxPoolWaiters: number;
  /**
   * libzmq drops a connection that sends a larger frame (ZMQ_MAXMSGSIZE);
   * undefined follows the largest request answered.
   */
  readonly maxFrameBytes: number | undefined;
  /** Largest request answered; larger ones get `request_too_large`. */
  readonly maxRequestBytes: number;
  /** Largest `encrypt_fernet_many` request answered. */
  readonly maxManyRequestBytes: number;
  readonly maxAgeRequestBytes: number;
  /** Smallest RSA modulus accepted in requests, in bits. */
  readonly minKeyBits: number;
  /** PBKDF2 iterations for private keys `generate_keys` protects. */
  readonly pbkdf2Iterations: number;
  /** Most PBKDF2 iterations an encrypted key in a request may ask for. */
  readonly maxPbkdf2Iterations: number;
  /** CURVE secret key (Z85), given directly. */
  readonly curveSecretKey: string | undefined;
  /**
   * Whether that key came as `--curve-secret-key` on the command line (not
   * from its variable), where `ps` and `deno task`'s echo show it.
   */
  readonly curveSecretKeyOnCommandLine: boolean;
  /** A file holding the CURVE secret key. */
  readonly curveSecretKeyFile: string | undefined;
  /** A file listing the client public keys admitted. */
  readonly curveAllowFile: string | undefined;
  /**
   * With `connect`: the broker's backend public key (Z85), given directly;
   * the instance is then a CURVE client of the broker, with the key pair
   * of `curveSecretKey(File)`.
   */
  readonly brokerCurveServerKey: string | undefined;
  /** A file holding that key (the key, or a `public` line). */
  readonly brokerCurveServerKeyFile: string | undefined;
  /** Bind off loopback without CURVE anyway. */
  readonly allowInsecureNetwork: boolean;
  /** Bind off loopback with CURVE but without an allow list anyway. */
  readonly allowAnyCurveClient: boolean;
  /** What `ping` tells: up and capabilities, or also load and memory. */
  readonly pingDetail: "none" | "full";
  /** The embedded keystore's folder. */
  readonly dataDir: string;
  /** A SQLite file, a PostgreSQL URL, `off`, or undefined: the default. */
  readonly keystore: string | undefined;
  /** The master key's file, or undefined: the default (SQLite only). */
  readonly masterKeyFile: string | undefined;
  /** Versions a stored key may hold at once. */
  readonly keystoreMaxVersions: number;
  /** Where keystore operations are recorded, or undefined: not recorded. */
  readonly auditLog: string | undefined;
}
