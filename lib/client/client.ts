/**
 * {@linkcode KeyServiceClient}: a typed client of the key service. One
 * method per operation; results as typed values; a failure reply as the
 * {@linkcode ServiceError} class of its code. Requests are retried the
 * ZeroMQ guide's "Lazy Pirate" way: a timeout per attempt, a fresh socket
 * and a resend after it, up to a retry budget, `overloaded` after a
 * backoff, and the next endpoint when one does not answer. Several
 * requests may be in flight at once (each has its own socket, all in one
 * libzmq context; `maxInFlight`, 16 by default, at most, the rest queued;
 * sockets idle for `idleMs` closed). Without CURVE, only endpoints on this
 * machine are accepted unless `allowInsecure`; reply frames over
 * `maxReplyBytes` (1 MiB) are refused.
 *
 * @example
 * ```ts
 * import { KeyServiceClient } from "./client.ts";
 *
 * const client = new KeyServiceClient({ endpoints: "tcp://127.0.0.1:5555" });
 * try {
 *   const keys = await client.generateKeys();
 *   const wrapped = await client.encryptFernet(keys.fernet, keys.rsa.public);
 *   const fernet = await client.decryptFernet(wrapped, keys.rsa.private);
 *   console.log(fernet === keys.fernet); // true
 * } finally {
 *   client.close();
 * }
 * ```
 * @module
 */

import { DEFAULT_ENDPOINT } from "../contract/mod.ts";
import { type LoadedLibzmq, loadLibzmq } from "../zmq/libzmq.ts";
import { curveClientKeys } from "./curve_keys.ts";
import { ZmqContext } from "../zmq/client.ts";
import { isLocalEndpoint } from "../zmq/endpoint.ts";
import { Pirate, type ReplyObject, reqConnector } from "./_pirate.ts";
import { BadReply, errorFromReply, InsecureEndpoint } from "./errors.ts";
import type {
  AgeKeySet,
  AgeKeyType,
  CallOptions,
  DecryptOptions,
  EncryptOptions,
  GenerateKeysOptions,
  KeyServiceClientOptions,
  KeySet,
  ManyResult,
  PingReply,
} from "./types.ts";

/** Where a client connects when given no endpoint: the contract's default. */
export const DEFAULT_CLIENT_ENDPOINT: string = DEFAULT_ENDPOINT;

/** Requests out at once, by default. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/** The largest reply frame taken, by default: 1 MiB. */
export const DEFAULT_MAX_REPLY_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** `value` without the entries that are undefined: v1 requests stay v1. */
function defined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  );
}

function stringField(reply: ReplyObject, field: string): string {
  const value = reply[field];
  if (typeof value !== "string") {
    throw new BadReply(`the reply has no string "${field}"`);
  }
  return value;
}

/** A client of the key service; close it when done. */
export class KeyServiceClient {
  readonly #pirate: Pirate;
  /** The endpoints, in the order given. */
  readonly endpoints: readonly string[];

  /**
   * Loads libzmq (unless given) and reads the CURVE keys; connects lazily,
   * on the first request. Throws when libzmq or a key file cannot be read,
   * and `InsecureEndpoint` for an endpoint off this machine without CURVE
   * (unless `allowInsecure`).
   */
  constructor(options: KeyServiceClientOptions = {}) {
    const given = options.endpoints ?? DEFAULT_CLIENT_ENDPOINT;
    this.endpoints = typeof given === "string" ? [given] : [...given];
    if (this.endpoints.length === 0) throw new TypeError("no endpoint given");
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError("maxInFlight must be a whole number from 1");
    }
    if (options.curve === undefined && options.allowInsecure !== true) {
      const remote = this.endpoints.find((e) => !isLocalEndpoint(e));
      if (remote !== undefined) throw new InsecureEndpoint(remote);
    }
    const libzmq: LoadedLibzmq = typeof options.libzmq === "object"
      ? options.libzmq
      : loadLibzmq(options.libzmq);
    const curve = options.curve && curveClientKeys(libzmq, options.curve);
    const context = ZmqContext.create(libzmq);
    const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.#pirate = new Pirate({
      connect: reqConnector(libzmq, curve, context, maxReplyBytes),
      close: () => context.close(),
    }, {
      endpoints: this.endpoints,
      timeoutMs: options.timeoutMs ?? 5000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 100,
      strategy: options.strategy ?? "spread",
      downMs: options.downMs ?? 5000,
      onRetry: options.onRetry ?? (() => {}),
      maxInFlight,
      idleMs: options.idleMs ?? 30_000,
    });
  }

  /**
   * Sends one request object as is and resolves to the reply object, error
   * replies included: the escape hatch for operations this client does not
   * wrap. Rejects with `TimeoutError`, `UnreachableError` or `BadReply`.
   */
  async request(
    body: Record<string, unknown>,
    call: CallOptions = {},
  ): Promise<ReplyObject> {
    return await this.#pirate.request(
      encoder.encode(JSON.stringify(body)),
      call,
    );
  }

  /** Like {@linkcode request}, but an error reply rejects. */
  async #call(
    body: Record<string, unknown>,
    call: CallOptions,
  ): Promise<ReplyObject> {
    const reply = await this.request(defined(body), {
      timeoutMs: call.timeoutMs,
      signal: call.signal,
    });
    if ("error" in reply) throw errorFromReply(reply);
    return reply;
  }

  /** `generate_keys`: a new RSA pair and Fernet key. */
  async generateKeys(options: GenerateKeysOptions = {}): Promise<KeySet> {
    const { bits, format, passphrase } = options;
    const reply = await this.#call(
      { type: "generate_keys", bits, format, passphrase },
      options,
    );
    const rsa = reply.rsa as Record<string, unknown> | undefined;
    if (typeof rsa?.public !== "string" || typeof rsa.private !== "string") {
      throw new BadReply('the reply has no "rsa" pair');
    }
    return {
      rsa: { public: rsa.public, private: rsa.private },
      fernet: stringField(reply, "fernet"),
    };
  }

  /** `encrypt_fernet`: `fernet` wrapped for `rsaPublic`, base64. */
  async encryptFernet(
    fernet: string,
    rsaPublic: string,
    options: EncryptOptions = {},
  ): Promise<string> {
    const reply = await this.#call({
      type: "encrypt_fernet",
      fernet,
      rsa_public: rsaPublic,
      padding: options.padding,
    }, options);
    return stringField(reply, "encrypted_fernet");
  }

  /** `decrypt_fernet`: the Fernet key inside `encryptedFernet`. */
  async decryptFernet(
    encryptedFernet: string,
    rsaPrivate: string,
    options: DecryptOptions = {},
  ): Promise<string> {
    const reply = await this.#call({
      type: "decrypt_fernet",
      encrypted_fernet: encryptedFernet,
      rsa_private: rsaPrivate,
      padding: options.padding,
      passphrase: options.passphrase,
    }, options);
    return stringField(reply, "fernet");
  }

  /**
   * `encrypt_fernet_many`: `fernet` wrapped for each key of `rsaPublics`,
   * in order; a recipient whose key is bad gets its error, the others
   * their ciphertext.
   */
  async encryptFernetMany(
    fernet: string,
    rsaPublics: readonly string[],
    options: EncryptOptions = {},
  ): Promise<ManyResult[]> {
    const reply = await this.#call({
      type: "encrypt_fernet_many",
      fernet,
      rsa_publics: rsaPublics,
      padding: options.padding,
    }, options);
    if (!Array.isArray(reply.results)) {
      throw new BadReply('the reply has no "results" list');
    }
    return reply.results.map((result: ReplyObject): ManyResult => {
      if (typeof result?.encrypted_fernet === "string") {
        return { encryptedFernet: result.encrypted_fernet };
      }
      if (result !== null && "error" in result) {
        return { error: errorFromReply(result) };
      }
      throw new BadReply("a result is neither a ciphertext nor an error");
    });
  }

  /**
   * `generate_keys` with `key_type`: an age identity, its recipient, and a
   * Fernet key.
   */
  async generateAgeKeys(
    keyType: AgeKeyType,
    options: CallOptions = {},
  ): Promise<AgeKeySet> {
    const reply = await this.#call({
      type: "generate_keys",
      key_type: keyType,
    }, options);
    const age = reply.age as Record<string, unknown> | undefined;
    if (
      typeof age?.recipient !== "string" || typeof age.identity !== "string"
    ) {
      throw new BadReply('the reply has no "age" recipient and identity');
    }
    return {
      keyType,
      recipient: age.recipient,
      identity: age.identity,
      fernet: stringField(reply, "fernet"),
    };
  }

  /**
   * `fernet` as one armored age file for a recipient (`encrypt_fernet` with
   * `recipient`) or for each of a list (`encrypt_fernet_many` with
   * `recipients`: one file, one stanza per recipient).
   */
  async encryptFernetAge(
    fernet: string,
    recipients: string | readonly string[],
    options: CallOptions = {},
  ): Promise<string> {
    const reply = await this.#call(
      typeof recipients === "string"
        ? { type: "encrypt_fernet", fernet, recipient: recipients }
        : { type: "encrypt_fernet_many", fernet, recipients },
      options,
    );
    return stringField(reply, "encrypted_fernet");
  }

  /** `decrypt_fernet` with `identity`: the Fernet key in an age file. */
  async decryptFernetAge(
    encryptedFernet: string,
    identity: string,
    options: CallOptions = {},
  ): Promise<string> {
    const reply = await this.#call({
      type: "decrypt_fernet",
      encrypted_fernet: encryptedFernet,
      identity,
    }, options);
    return stringField(reply, "fernet");
  }

  /** `ping`: the service's health and status. */
  async ping(options: CallOptions = {}): Promise<PingReply> {
    const reply = await this.#call({ type: "ping" }, options);
    stringField(reply, "status");
    return reply as unknown as PingReply;
  }

  /**
   * Closes the sockets; requests in flight end with their socket. Calling it
   * again does nothing.
   */
  close(): void {
    this.#pirate.close();
  }

  /** Closes the client at the end of a `using` block (see {@linkcode close}). */
  [Symbol.dispose](): void {
    this.close();
  }
}
