/**
 * The key service's request handling: request bytes in, reply bytes out.
 * It joins the protocol to the crypto, turns every failure into one JSON
 * error reply, and bounds the requests in flight. It knows nothing of
 * ZeroMQ: the transport hands it a message's frames and sends back what it
 * returns.
 *
 * @example
 * ```ts
 * import { KeyService } from "./key_service.ts";
 *
 * const service = new KeyService();
 * const outcome = await service.handle([
 *   new TextEncoder().encode('{"type":"generate_keys"}'),
 * ]);
 * outcome.code; // "ok"
 * JSON.parse(new TextDecoder().decode(outcome.reply)).fernet; // a Fernet key
 * ```
 * @module
 */

import {
  encryptWith,
  generateRsaKeyPair,
  type KeyLimits,
} from "../crypto/mod.ts";
import { Admission } from "./admission.ts";
import { performAge } from "./age_ops.ts";
import {
  type AgeRequest,
  ageRequestFrom,
  DEFAULT_MAX_AGE_REQUEST_BYTES,
  isAgeRequestValue,
} from "./age_protocol.ts";
import { CAPABILITIES, type Capabilities } from "../contract/mod.ts";
import type { RequestType } from "./protocol.ts";
import {
  InternalError,
  KeyServiceError,
  MultipartRequest,
  Overloaded,
  RequestTooLarge,
} from "./errors.ts";
import {
  decryptFernet,
  encryptFernet,
  encryptFernetMany,
  generateKeys,
  type OperationContext,
} from "./operations.ts";
import {
  decodeJson,
  encodeReply,
  errorReply,
  type Reply,
  type Request,
  requestFrom,
} from "./protocol.ts";
import type { Decryptor, Encryptor, KeyPairSource } from "./types.ts";
import {
  type KeystoreHandler,
  KeystoreOperations,
  type KeystoreParts,
  loadEachTime,
} from "./keystore_ops.ts";
import { KeystoreUnavailable } from "./errors.ts";
import { HEAVY_CONCURRENCY, WorkLimiter } from "./work_limiter.ts";
import {
  keystoreCapabilities,
  type KeystoreRequest,
} from "./keystore_protocol.ts";
import type { RsaKeyPairPem } from "../crypto/mod.ts";

/** How a {@linkcode KeyService} behaves; every field has a default. */
export interface KeyServiceOptions {
  /** Largest request accepted, in bytes. Default 64 KiB. */
  readonly maxRequestBytes?: number;
  /**
   * Largest `encrypt_fernet_many` request accepted, in bytes: 256 recipients'
   * keys do not fit the limit for one key. Default 320 KiB.
   */
  readonly maxManyRequestBytes?: number;
  /**
   * Largest age request with recipients or an identity accepted, in bytes:
   * 256 hybrid recipients, or a file for them, are about 0.5 MB. Default
   * 768 KiB.
   */
  readonly maxAgeRequestBytes?: number;
  /**
   * Requests handled at once; past it `overloaded`, except for a client
   * with nothing in flight, which has a reserve as large again. Default
   * 256.
   */
  readonly maxInflight?: number;
  /**
   * Requests handled at once for one client (see `handle`); past it that
   * client gets `overloaded` and the others are untouched. Default 8.
   */
  readonly maxInflightPerClient?: number;
  /**
   * `generate_keys` requests waiting for the pool at once; past it
   * `overloaded`, so that a drained pool cannot gather an unbounded queue.
   * Default 32.
   */
  readonly maxPoolWaiters?: number;
  /** Bounds on RSA keys in requests. */
  readonly keyLimits?: KeyLimits;
  /** 2048-bit pairs for `generate_keys`. Default: each on demand. */
  readonly keyPairs?: KeyPairSource;
  /** Makes pairs of other sizes on demand. Default: WebCrypto. */
  readonly generate?: (bits: number) => Promise<RsaKeyPairPem>;
  /** Decryption. Default: on the calling thread. */
  readonly decrypt?: Decryptor;
  /** Encryption. Default: in JavaScript, on the calling thread. */
  readonly encrypt?: Encryptor;
  /**
   * Bounds on-demand key generation (3072 and 4096 bits). Default: as many
   * at once as there are cores, at least 2.
   */
  readonly limiter?: WorkLimiter;
  /**
   * Bounds PBKDF2 for passphrases, apart from key generation, so that an
   * unlock never waits seconds behind 4096-bit generations. Default: as
   * many at once as there are cores, at least 2.
   */
  readonly passphraseLimiter?: WorkLimiter;
  /** PBKDF2 iterations for keys `generate_keys` protects. Default 600,000. */
  readonly pbkdf2Iterations?: number;
  /** The version `ping` reports. Default `"unknown"`. */
  readonly version?: string;
  /**
   * Extra fields for the `ping` reply (the key pool's depth, say); they
   * override the service's own `in_flight` (a request thread's status comes
   * from the socket thread, which counts every thread's requests).
   */
  readonly status?: () =>
    | Record<string, unknown>
    | Promise<Record<string, unknown>>;
  /**
   * What `ping` tells: `none` (the default), only that the service is up,
   * its version and capabilities, what any client may know; `full` adds
   * `in_flight` and the `status()` fields (pool, workers, backend, memory),
   * which tell a caller how busy the service is and what it runs on.
   */
  readonly pingDetail?: PingDetail;
  /** Told of each unexpected failure; the client gets `internal_error`. */
  readonly onInternalError?: (error: unknown) => void;
  /** v1.2's stored keys, as parts or a handler. Default: none (refused). */
  readonly keystore?: KeystoreParts | KeystoreHandler;
  /** What `ping` lists. Default: v1.1's, and with keystore parts v1.2's. */
  readonly capabilities?: Capabilities;
}

/** How much `ping` tells; see {@linkcode KeyServiceOptions.pingDetail}. */
export type PingDetail = "none" | "full";

/** What handling one request came to. */
export interface Outcome {
  /** The reply's bytes: one UTF-8 JSON object. */
  readonly reply: Uint8Array;
  /** The operation asked for, or `invalid` when the request did not parse. */
  readonly type: RequestType | "invalid";
  /** `ok`, or the error's code. */
  readonly code: string;
}

const onDemand: KeyPairSource = { take: () => generateRsaKeyPair() };
// Loaded on first use only: node_decrypt.ts imports node:crypto (which costs
// resident memory; see node_decrypt.ts), which a service given its
// decryption backend never needs.
// In JavaScript, on the calling thread (bigint RSA; see pkcs1v15.ts).
const encryptHere: Encryptor = (key, plaintext, padding) =>
  Promise.try(() => encryptWith(padding, key, plaintext));

const decryptHere: Decryptor = async (key, ciphertext, padding) => {
  const { decryptWith } = await import("../crypto/node_decrypt.ts");
  return decryptWith(padding, key, ciphertext);
};

/** `source`, refusing with `Overloaded` a take past `max` waiting at once. */
export function boundedWaiters(
  source: KeyPairSource,
  max: number,
): KeyPairSource {
  let waiting = 0;
  return {
    take() {
      if (waiting >= max) return Promise.reject(new Overloaded());
      waiting++;
      return source.take().finally(() => waiting--);
    },
  };
}

/** Handles requests of the key-service contract. */
export class KeyService {
  readonly #maxRequestBytes: number;
  readonly #maxManyRequestBytes: number;
  readonly #admission: Admission;
  readonly #maxAgeRequestBytes: number;
  readonly #context: OperationContext;
  readonly #version: string;
  readonly #status: NonNullable<KeyServiceOptions["status"]>;
  readonly #pingDetail: PingDetail;
  readonly #onInternalError: (error: unknown) => void;
  readonly #keystore: KeystoreHandler | undefined;
  readonly #capabilities: Capabilities;
  #generating = 0;

  constructor(options: KeyServiceOptions = {}) {
    this.#maxRequestBytes = options.maxRequestBytes ?? 64 * 1024;
    this.#maxManyRequestBytes = options.maxManyRequestBytes ?? 320 * 1024;
    this.#admission = new Admission(options);
    this.#maxAgeRequestBytes = options.maxAgeRequestBytes ??
      DEFAULT_MAX_AGE_REQUEST_BYTES;
    this.#context = {
      keyLimits: options.keyLimits ?? {},
      keyPairs: boundedWaiters(
        options.keyPairs ?? onDemand,
        options.maxPoolWaiters ?? 32,
      ),
      generate: this.#counted(
        options.generate ?? ((bits) => generateRsaKeyPair(bits)),
      ),
      decrypt: options.decrypt ?? decryptHere,
      encrypt: options.encrypt ?? encryptHere,
      limiter: options.limiter ?? new WorkLimiter(HEAVY_CONCURRENCY),
      passphraseLimiter: options.passphraseLimiter ??
        new WorkLimiter(HEAVY_CONCURRENCY),
      pbkdf2Iterations: options.pbkdf2Iterations ?? 600_000,
    };
    this.#version = options.version ?? "unknown";
    this.#status = options.status ?? (() => ({}));
    this.#pingDetail = options.pingDetail ?? "none";
    this.#onInternalError = options.onInternalError ?? (() => {});
    const stored = options.keystore;
    this.#capabilities = options.capabilities ??
      (stored === undefined || "perform" in stored
        ? CAPABILITIES
        : keystoreCapabilities(stored.keystore.maxVersions));
    this.#keystore = stored === undefined || "perform" in stored
      ? stored
      : new KeystoreOperations({
        ...this.#context,
        ...stored,
        decryptStored: stored.decryptStored ??
          loadEachTime(this.#context.decrypt),
      });
  }

  /** Requests being handled now. */
  get inflight(): number {
    return this.#admission.inflight;
  }

  /**
   * On-demand key generations under way (the sizes the key pool does not
   * keep); the pool counts its own.
   */
  get generating(): number {
    return this.#generating;
  }

  /** `generate`, counted in {@linkcode KeyService.generating} while it runs. */
  #counted(
    generate: (bits: number) => Promise<RsaKeyPairPem>,
  ): (bits: number) => Promise<RsaKeyPairPem> {
    return (bits) => {
      this.#generating++;
      return Promise.try(generate, bits).finally(() => this.#generating--);
    };
  }

  /**
   * Handles one message (its frames) and resolves to its reply. Never
   * rejects: every failure becomes an error reply. `client` names the
   * connection it came on (any string the transport keeps stable for it);
   * each client has its own bound of requests in flight.
   */
  async handle(
    parts: readonly Uint8Array[],
    client = "",
    clientKey?: string,
  ): Promise<Outcome> {
    let type: Outcome["type"] = "invalid";
    if (!this.#admission.admit(client)) return failure(type, new Overloaded());
    try {
      if (parts.length !== 1) throw new MultipartRequest();
      const request = this.#parse(parts[0]);
      type = request.type === "keystore" ? request.op : request.type;
      const reply = request.type === "keystore"
        ? await this.#stored(request, clientKey)
        : await this.#perform(request, client);
      return { reply: encodeReply(reply), type, code: "ok" };
    } catch (error) {
      if (error instanceof KeyServiceError) return failure(type, error);
      try {
        this.#onInternalError(error);
      } catch {
        // Reporting must not cost the client its reply.
      }
      return failure(type, new InternalError());
    } finally {
      this.#admission.release(client);
    }
  }

  /**
   * Parses a request within its size limit: `--max-request-bytes` for every
   * type, and past it, up to its own limit, `encrypt_fernet_many` only. Any
   * other request over the limit gets `request_too_large`, as in v1.
   */
  #parse(body: Uint8Array): Request | AgeRequest {
    if (body.length <= this.#maxRequestBytes) {
      return requestOrAge(decodeJson(body));
    }
    // Past the limit only encrypt_fernet_many and rewrap_fernet (v1.2) may
    // go, up to their own.
    let value: unknown;
    try {
      value = decodeJson(body);
    } catch {
      throw new RequestTooLarge(this.#maxRequestBytes);
    }
    // Age requests (recipients for a group, a group's file) have their own.
    if (isAgeRequestValue(value)) {
      if (body.length > this.#maxAgeRequestBytes) {
        throw new RequestTooLarge(this.#maxAgeRequestBytes);
      }
      return requestOrAge(value);
    }
    // JSON.parse makes own properties only: `type` is the request's own.
    const type = (value as { type?: unknown } | null)?.type;
    if (type !== "encrypt_fernet_many" && type !== "rewrap_fernet") {
      throw new RequestTooLarge(this.#maxRequestBytes);
    }
    if (body.length > this.#maxManyRequestBytes) {
      throw new RequestTooLarge(this.#maxManyRequestBytes);
    }
    return requestFrom(value);
  }

  /** v1.2: by the keystore, or refused when there is none. */
  #stored(request: KeystoreRequest, clientKey: string | undefined) {
    if (this.#keystore === undefined) throw new KeystoreUnavailable();
    return this.#keystore.perform(request, clientKey);
  }

  async #ping(): Promise<Reply> {
    return {
      status: "ok",
      version: this.#version,
      ...(this.#pingDetail === "full"
        ? {
          in_flight: this.inflight - 1, // not counting this ping
          ...await this.#status(),
        }
        : {}),
      capabilities: this.#capabilities,
    };
  }

  #perform(
    request: Exclude<Request, KeystoreRequest> | AgeRequest,
    client: string,
  ): Promise<Reply> | Reply {
    const context = this.#context;
    if ("age" in request) return performAge(request);
    switch (request.type) {
      case "generate_keys":
        return generateKeys(context, request, client);
      case "encrypt_fernet":
        return encryptFernet(context, request);
      case "decrypt_fernet":
        return decryptFernet(context, request, client);
      case "encrypt_fernet_many":
        return encryptFernetMany(context, request);
      case "ping":
        return this.#ping();
    }
  }
}

/** An age request (it names an age field), else the v1/v1.1 request. */
function requestOrAge(value: unknown): Request | AgeRequest {
  const isObject = typeof value === "object" && value !== null &&
    !Array.isArray(value);
  return (isObject && ageRequestFrom(value as Record<string, unknown>)) ||
    requestFrom(value);
}

function failure(type: Outcome["type"], error: KeyServiceError): Outcome {
  return { reply: encodeReply(errorReply(error)), type, code: error.code };
}
