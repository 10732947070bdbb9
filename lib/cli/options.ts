/**
 * The service's options, declared once: each option's flag, environment
 * variable, type, default, bounds and help line. They are `serve`'s flags in
 * the one flag parser (flags.ts), which parses, checks and lists them in
 * `--help`; a test holds the README's configuration table to them.
 *
 * @example
 * ```ts
 * import { OPTIONS } from "./options.ts";
 *
 * for (const option of OPTIONS) console.log(`--${option.flag}`, option.env);
 * ```
 * @module
 */

import type { Config } from "../runtime/config.ts";
import type { FlagSpec, FlagType } from "./flags.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../runtime/ops/log.ts";
import { SECURITY_OPTIONS } from "./_options_security.ts";
import { KEYSTORE_OPTIONS } from "./_options_keystore.ts";

import { DEFAULT_ENDPOINT } from "../contract/mod.ts";

export type { Config } from "../runtime/config.ts";

/** Cores of this machine, the default number of decryption workers. */
export { CORES } from "../runtime/config.ts";
import { CORES } from "../runtime/config.ts";

/**
 * The default endpoint, the contract's: loopback, where seed clients'
 * `localhost` lands.
 */
export { DEFAULT_ENDPOINT };

/** How an option's value is read: the command line's flag types. */
export type OptionType = FlagType;

/**
 * One option of `serve`: a flag of the one flag parser (flags.ts) that sets
 * a `Config` field, always with a variable, a type and a section.
 */
export interface OptionSpec extends FlagSpec {
  /** The `Config` field it sets. */
  readonly key: keyof Config;
  /** The environment variable read when the flag is absent. */
  readonly env: string;
  /** Its type and bounds. */
  readonly type: OptionType;
  /** The value when neither flag nor variable is given. */
  readonly default: string | number | boolean | undefined;
  /** The `--help` section it is listed in. */
  readonly section:
    | "Options"
    | "Limits"
    | "Security (see SECURITY.md)"
    | "Keystore (see docs/keystore.md)";
}

/** Every option, in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: "endpoint",
    flag: "endpoint",
    arg: "ADDR",
    env: "KEYSERVICE_ENDPOINT",
    type: { kind: "string" },
    default: DEFAULT_ENDPOINT,
    help: 'ZeroMQ endpoint to bind; "tcp://127.0.0.1:*" picks a free port',
    section: "Options",
  },
  {
    key: "connect",
    flag: "connect",
    arg: "ADDR",
    env: "KEYSERVICE_CONNECT",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off: bind --endpoint",
    help:
      "connect to a broker's backend (keyservice broker) instead of binding; not with --endpoint",
    section: "Options",
  },
  {
    key: "libzmq",
    flag: "libzmq",
    arg: "PATH",
    env: "KEYSERVICE_LIBZMQ",
    type: { kind: "string" },
    default: undefined,
    defaultText: "the one inside npm:zeromq, then the system's",
    help: "libzmq file to load",
    section: "Options",
  },
  {
    key: "logLevel",
    flag: "log-level",
    arg: "LEVEL",
    env: "KEYSERVICE_LOG_LEVEL",
    type: { kind: "choice", choices: LOG_LEVELS },
    default: "info",
    help: `least severe log level written: ${LOG_LEVELS.join(", ")}`,
    section: "Options",
  },
  {
    key: "logFormat",
    flag: "log-format",
    arg: "FORMAT",
    env: "KEYSERVICE_LOG_FORMAT",
    type: { kind: "choice", choices: LOG_FORMATS },
    default: "text",
    help:
      "text (one key=value line a record) or json (one JSON object a line, for log shippers)",
    section: "Options",
  },
  {
    key: "metrics",
    flag: "metrics",
    arg: "ADDR",
    env: "KEYSERVICE_METRICS",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "serve Prometheus metrics (/metrics) and health (/healthz) over HTTP on HOST:PORT, or on 127.0.0.1 for a bare PORT; port 0 picks a free one",
    section: "Options",
  },
  {
    key: "drainSeconds",
    flag: "drain-seconds",
    arg: "N",
    env: "KEYSERVICE_DRAIN_SECONDS",
    type: { kind: "seconds", min: 0 },
    default: 10,
    help: "on SIGINT/SIGTERM, time to answer the requests in flight",
    section: "Options",
  },
  {
    key: "poolSize",
    flag: "pool-size",
    arg: "N",
    env: "KEYSERVICE_POOL_SIZE",
    type: { kind: "integer", min: 0, max: 1_000_000 },
    default: 32,
    help:
      "RSA key pairs generated ahead of demand, kept in memory only; 0 generates each on demand",
    section: "Options",
  },
  {
    key: "poolMaxAge",
    flag: "pool-max-age",
    arg: "SECONDS",
    env: "KEYSERVICE_POOL_MAX_AGE",
    type: { kind: "seconds", min: 1 },
    default: 3600,
    help:
      "a pooled pair not handed out by then is dropped and a new one made, so no private key waits in memory longer",
    section: "Options",
  },
  {
    key: "threads",
    flag: "threads",
    arg: "N",
    env: "KEYSERVICE_THREADS",
    type: { kind: "integer", min: 1, max: 1024 },
    default: undefined,
    defaultText: "--workers, the number of cores",
    help:
      "request threads: each parses, checks, encrypts and decrypts (OpenSSL or node:crypto) on its own core",
    section: "Options",
  },
  {
    key: "workers",
    flag: "workers",
    arg: "N",
    env: "KEYSERVICE_WORKERS",
    type: { kind: "integer", min: 1, max: 1_000_000 },
    default: CORES,
    defaultText: `the number of cores, ${CORES}`,
    help:
      "decryptions at once; the request threads when --threads is not given (each thread runs its own)",
    section: "Options",
  },
  {
    key: "cryptoBackend",
    flag: "crypto-backend",
    arg: "NAME",
    env: "KEYSERVICE_CRYPTO_BACKEND",
    type: { kind: "choice", choices: ["auto", "openssl", "node"] },
    default: "auto",
    help:
      "what decrypts: auto (OpenSSL 3 where it loads, else node:crypto), openssl (or fail), node",
    section: "Options",
  },
  {
    key: "libcrypto",
    flag: "libcrypto",
    arg: "PATH",
    env: "KEYSERVICE_LIBCRYPTO",
    type: { kind: "string" },
    default: undefined,
    defaultText: "the system's libcrypto.so.3",
    help: "OpenSSL 3 libcrypto file to load",
    section: "Options",
  },
  {
    key: "preparedKeys",
    flag: "prepared-keys",
    arg: "N",
    env: "KEYSERVICE_PREPARED_KEYS",
    type: { kind: "integer", min: 0, max: 1024 },
    default: 0,
    defaultText: "0, off",
    help:
      "OpenSSL only: keep up to N private keys prepared, for clients that decrypt many keys with one private key (see SECURITY.md)",
    section: "Options",
  },
  {
    key: "preparedKeySeconds",
    flag: "prepared-key-seconds",
    arg: "N",
    env: "KEYSERVICE_PREPARED_KEY_SECONDS",
    type: { kind: "seconds", min: 1 },
    default: 10,
    help: "how long a prepared key is kept after it was made",
    section: "Options",
  },
  {
    key: "maxInflight",
    flag: "max-inflight",
    arg: "N",
    env: "KEYSERVICE_MAX_INFLIGHT",
    type: { kind: "integer", min: 1, max: 1_000_000 },
    default: 256,
    help:
      'requests handled at once; past it a request is answered "overloaded"',
    section: "Options",
  },
  {
    key: "maxInflightPerClient",
    flag: "max-inflight-per-client",
    arg: "N",
    env: "KEYSERVICE_MAX_INFLIGHT_PER_CLIENT",
    type: { kind: "integer", min: 1, max: 1_000_000 },
    default: 8,
    help:
      'requests handled at once for one connection; past it that client is answered "overloaded"',
    section: "Options",
  },
  {
    key: "trustedHops",
    flag: "trusted-hops",
    arg: "N",
    env: "KEYSERVICE_TRUSTED_HOPS",
    type: { kind: "integer", min: 0, max: 6 },
    default: undefined,
    defaultText: "0, or 1 with --connect",
    help:
      "ROUTER hops (brokers) in front of the service whose routing ids name a client, for the per-client bounds; frames a client writes itself never do",
    section: "Options",
  },
  {
    key: "maxPoolWaiters",
    flag: "max-pool-waiters",
    arg: "N",
    env: "KEYSERVICE_MAX_POOL_WAITERS",
    type: { kind: "integer", min: 1, max: 1_000_000 },
    default: 32,
    help:
      'generate_keys requests waiting for the key pool at once; past it "overloaded"',
    section: "Options",
  },
  {
    key: "maxFrameBytes",
    flag: "max-frame-bytes",
    arg: "N",
    env: "KEYSERVICE_MAX_FRAME_BYTES",
    type: { kind: "integer", min: 1024, max: 1024 ** 3 },
    default: undefined,
    defaultText: "the larger request limit",
    help:
      "libzmq drops a connection that sends a larger frame, before it is read",
    section: "Limits",
  },
  {
    key: "maxRequestBytes",
    flag: "max-request-bytes",
    arg: "N",
    env: "KEYSERVICE_MAX_REQUEST_BYTES",
    type: { kind: "integer", min: 1024, max: 1024 ** 3 },
    default: 64 * 1024,
    help: "larger requests get an error reply",
    section: "Limits",
  },
  {
    key: "maxManyRequestBytes",
    flag: "max-many-request-bytes",
    arg: "N",
    env: "KEYSERVICE_MAX_MANY_REQUEST_BYTES",
    type: { kind: "integer", min: 1024, max: 1024 ** 3 },
    default: 320 * 1024,
    help:
      "the same for encrypt_fernet_many, whose 256 recipients' keys need more room",
    section: "Limits",
  },
  {
    key: "maxAgeRequestBytes",
    flag: "max-age-request-bytes",
    arg: "N",
    env: "KEYSERVICE_MAX_AGE_REQUEST_BYTES",
    type: { kind: "integer", min: 1024, max: 1024 ** 3 },
    default: 768 * 1024,
    help:
      "the same for age requests with recipients or an identity (256 hybrid recipients: about 0.5 MB)",
    section: "Limits",
  },
  {
    key: "minKeyBits",
    flag: "min-key-bits",
    arg: "N",
    env: "KEYSERVICE_MIN_KEY_BITS",
    type: { kind: "integer", min: 512, max: 4096 },
    default: 2048,
    help: "smallest RSA modulus accepted in requests",
    section: "Limits",
  },
  {
    key: "pbkdf2Iterations",
    flag: "pbkdf2-iterations",
    arg: "N",
    env: "KEYSERVICE_PBKDF2_ITERATIONS",
    type: { kind: "integer", min: 100_000, max: 10_000_000 },
    default: 600_000,
    help:
      "PBKDF2-HMAC-SHA-256 iterations for a private key generate_keys protects with a passphrase",
    section: "Limits",
  },
  {
    key: "maxPbkdf2Iterations",
    flag: "max-pbkdf2-iterations",
    arg: "N",
    env: "KEYSERVICE_MAX_PBKDF2_ITERATIONS",
    type: { kind: "integer", min: 100_000, max: 10_000_000 },
    default: 2_000_000,
    help:
      "most PBKDF2 iterations an encrypted private key in a request may ask for (never below --pbkdf2-iterations): the cost one request may put on a core",
    section: "Limits",
  },
  ...SECURITY_OPTIONS,
  ...KEYSTORE_OPTIONS,
];

/** The environment variables the service reads, and no others. */
export const ENV_VARS: readonly string[] = OPTIONS.map((option) => option.env);
