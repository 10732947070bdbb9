/**
 * The wire contract of the key service, as code: the operations, the
 * enumerations their options take, the default endpoint, the shape of each
 * request and reply, and the table of error codes. The service validates
 * against it, the client is typed by it, and docs/contract.md describes it
 * (a test holds the docs to the error table). It imports nothing.
 *
 * @example
 * ```ts
 * import {
 *   DEFAULT_ENDPOINT,
 *   type EncryptFernetRequest,
 *   ERROR_CODES,
 *   PADDINGS,
 * } from "./mod.ts";
 *
 * const request: EncryptFernetRequest = {
 *   type: "encrypt_fernet",
 *   fernet: "a Fernet key",
 *   rsa_public: "-----BEGIN RSA PUBLIC KEY-----\n...",
 *   padding: PADDINGS[1], // "oaep-sha256"
 * };
 * console.log(DEFAULT_ENDPOINT, ERROR_CODES.length, request.type);
 * ```
 * @module
 */

export * from "./errors.ts";

/** Where the service listens, and a client connects, by default. */
export const DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555";

/** The operations a client can ask for. */
export const REQUEST_TYPES = [
  "generate_keys",
  "encrypt_fernet",
  "decrypt_fernet",
  "encrypt_fernet_many",
  "ping",
] as const;

/** The name of an operation. */
export type RequestType = typeof REQUEST_TYPES[number];

/** RSA modulus sizes `generate_keys` makes, default first. */
export const KEY_BITS = [2048, 3072, 4096] as const;

/** An RSA modulus size `generate_keys` makes. */
export type KeyBits = typeof KEY_BITS[number];

/** PEM formats of a generated pair, default first: PKCS#1, or SPKI/PKCS#8. */
export const KEY_FORMATS = ["pkcs1", "pkcs8"] as const;

/** PEM format of a generated pair. */
export type KeyFormat = typeof KEY_FORMATS[number];

/**
 * RSA encryption schemes, default first: PKCS#1 v1.5, or OAEP with SHA-256
 * (and MGF1-SHA-256).
 */
export const PADDINGS = ["pkcs1v15", "oaep-sha256"] as const;

/** An RSA encryption scheme. */
export type Padding = typeof PADDINGS[number];

/** Most recipients one `encrypt_fernet_many` wraps a key for. */
export const MAX_RECIPIENTS = 256;

/** Longest string accepted in any field, in UTF-16 code units. */
export const MAX_FIELD_LENGTH = 16 * 1024;

/**
 * Key types `generate_keys` makes (v1.x): RSA (the default, without
 * `key_type`), then age's hybrid post-quantum and classic X25519 types.
 */
export const KEY_TYPES = ["rsa", "mlkem768x25519", "x25519"] as const;

/** A key type `generate_keys` makes. */
export type KeyType = typeof KEY_TYPES[number];

/** What `ping` says this version supports. */
export const CAPABILITIES = {
  operations: REQUEST_TYPES,
  bits: KEY_BITS,
  paddings: PADDINGS,
  formats: KEY_FORMATS,
  key_types: KEY_TYPES,
} as const;

/** The shape of {@linkcode CAPABILITIES}, as a client reads it. */
export interface Capabilities {
  /** The request types served. */
  readonly operations: readonly string[];
  /** The modulus sizes `generate_keys` makes. */
  readonly bits: readonly number[];
  /** The paddings `encrypt_fernet` and `decrypt_fernet` take. */
  readonly paddings: readonly string[];
  /** The PEM formats `generate_keys` writes. */
  readonly formats: readonly string[];
  /** Key types `generate_keys` makes (v1.x on): `rsa`, age's. */
  readonly key_types?: readonly string[];
  /** Only from a service with a keystore on: contract v1.2. */
  readonly keystore?: KeystoreCapabilities;
}

/** What `ping` says of the keystore (contract v1.2), when it is on. */
export interface KeystoreCapabilities {
  /** `1.2`. */
  readonly contract: string;
  /** v1.2's own request types (`encrypt_fernet` and the rest by key id too). */
  readonly operations: readonly string[];
  /** Key types `create_key` makes, e.g. `rsa-2048`. */
  readonly key_types: readonly string[];
  /** Versions a stored key may hold at once (`--keystore-max-versions`). */
  readonly max_versions: number;
  /** The largest `limit` of `list_keys`. */
  readonly max_list_limit: number;
}

/** `generate_keys`: a new RSA key pair and Fernet key. */
export interface GenerateKeysRequest {
  /** The operation. */
  readonly type: "generate_keys";
  /** Modulus size. Default 2048. */
  readonly bits?: KeyBits;
  /** PEM format of the pair. Default `pkcs1`; `pkcs8` with a passphrase. */
  readonly format?: KeyFormat;
  /** Encrypts the private key (PKCS#8, PBES2) under this passphrase. */
  readonly passphrase?: string;
}

/** `encrypt_fernet`: a Fernet key wrapped for one RSA public key. */
export interface EncryptFernetRequest {
  /** The operation. */
  readonly type: "encrypt_fernet";
  /** The string whose UTF-8 bytes are encrypted. */
  readonly fernet: string;
  /** PEM public key: PKCS#1 or SPKI. */
  readonly rsa_public: string;
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding?: Padding;
}

/** `decrypt_fernet`: the inverse of `encrypt_fernet`. */
export interface DecryptFernetRequest {
  /** The operation. */
  readonly type: "decrypt_fernet";
  /** Standard base64 of the ciphertext. */
  readonly encrypted_fernet: string;
  /** PEM private key: PKCS#1, PKCS#8, or encrypted PKCS#8. */
  readonly rsa_private: string;
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding?: Padding;
  /** Opens an `ENCRYPTED PRIVATE KEY`. */
  readonly passphrase?: string;
}

/**
 * `encrypt_fernet_many`: one Fernet key wrapped for each of up to
 * {@linkcode MAX_RECIPIENTS} public keys.
 */
export interface EncryptFernetManyRequest {
  /** The operation. */
  readonly type: "encrypt_fernet_many";
  /** The string whose UTF-8 bytes are encrypted. */
  readonly fernet: string;
  /** PEM public keys, one per recipient. */
  readonly rsa_publics: readonly string[];
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding?: Padding;
}

/** `ping`: a health check (an extension to the seed's contract). */
export interface PingRequest {
  /** The operation. */
  readonly type: "ping";
}

/** A request, as a client sends it (one JSON object, one frame). */
export type Request =
  | GenerateKeysRequest
  | EncryptFernetRequest
  | DecryptFernetRequest
  | EncryptFernetManyRequest
  | PingRequest;

/** An error reply: the seed's `error`, and the table's `code` (v1.1 on). */
export interface ErrorReply {
  /** For people; never holds key material or any part of the request. */
  readonly error: string;
  /** One of {@linkcode ERROR_CODES}. */
  readonly code: string;
}

/** The reply to `generate_keys`. */
export interface GenerateKeysReply {
  /** The RSA pair, PEM. */
  readonly rsa: { readonly public: string; readonly private: string };
  /** A Fernet key, URL-safe base64, 44 characters. */
  readonly fernet: string;
}

/** The reply to `encrypt_fernet`. */
export interface EncryptFernetReply {
  /** Standard base64 of the ciphertext, as long as the modulus. */
  readonly encrypted_fernet: string;
}

/** The reply to `decrypt_fernet`. */
export interface DecryptFernetReply {
  /** The plaintext, decoded as UTF-8. */
  readonly fernet: string;
}

/** The reply to `encrypt_fernet_many`: one result per recipient, in order. */
export interface EncryptFernetManyReply {
  /** A ciphertext, or that recipient's error. */
  readonly results: readonly (EncryptFernetReply | ErrorReply)[];
}

/** What `ping` adds at detail `full`, read afresh on each call. */
export type PoolStatus = {
  /**
   * The key pool: pairs ready, its configured size, generations running,
   * and pairs dropped so far for reaching the maximum age unused.
   */
  readonly pool: {
    readonly depth: number;
    readonly size: number;
    readonly generating: number;
    readonly expired: number;
  };
  /** Decryptions at once, at most (worker threads, or OpenSSL calls). */
  readonly workers: number;
  /** What decrypts: `openssl-3.x.y`, or `node`. */
  readonly crypto: string;
  /** Resident set size of the process, in bytes. */
  readonly rss_bytes: number;
  /** Bytes used on the main JavaScript heap. */
  readonly heap_used_bytes: number;
};

/**
 * The reply to `ping`: `status`, `version` and `capabilities`, and at
 * detail `full` (not the service's default) also `in_flight` and the
 * {@linkcode PoolStatus} fields.
 */
export type PingReply = Partial<PoolStatus> & {
  /** `ok`. */
  readonly status: string;
  /** The service's version. */
  readonly version: string;
  /**
   * Requests being handled, not counting this ping: only with
   * `--ping-detail full`, like the {@linkcode PoolStatus} fields.
   */
  readonly in_flight?: number;
  /** What this version supports (v1.1 on; absent from older services). */
  readonly capabilities?: Capabilities;
};
