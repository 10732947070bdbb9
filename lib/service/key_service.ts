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
  checkCiphertext,
  decryptPkcs1v15,
  encryptPkcs1v15,
  generateFernetKey,
  generateRsaKeyPair,
  type KeyLimits,
  parsePrivateKey,
  parsePublicKey,
} from "../crypto/mod.ts";
import {
  DecryptionFailed,
  InternalError,
  InvalidCiphertext,
  KeyServiceError,
  MultipartRequest,
  Overloaded,
  RequestTooLarge,
  wireError,
} from "./errors.ts";
import {
  encodeReply,
  errorReply,
  parseRequest,
  type Reply,
  type Request,
  type RequestType,
} from "./protocol.ts";
import type { Decryptor, KeyPairSource } from "./types.ts";

/** How a {@linkcode KeyService} behaves; every field has a default. */
export interface KeyServiceOptions {
  /** Largest request accepted, in bytes. Default 64 KiB. */
  readonly maxRequestBytes?: number;
  /** Requests handled at once; past it `overloaded`. Default 256. */
  readonly maxInflight?: number;
  /** Bounds on RSA keys in requests. */
  readonly keyLimits?: KeyLimits;
  /** Key pairs for `generate_keys`. Default: generate each on demand. */
  readonly keyPairs?: KeyPairSource;
  /** Decryption. Default: on the calling thread. */
  readonly decrypt?: Decryptor;
  /** The version `ping` reports. Default `"unknown"`. */
  readonly version?: string;
  /** Extra fields for the `ping` reply (the key pool's depth, say). */
  readonly status?: () => Record<string, unknown>;
  /** Told of each unexpected failure; the client gets `internal_error`. */
  readonly onInternalError?: (error: unknown) => void;
}

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
const decryptHere: Decryptor = (key, ciphertext) => {
  try {
    return Promise.resolve(decryptPkcs1v15(key, ciphertext));
  } catch (error) {
    return Promise.reject(error);
  }
};
// ignoreBOM: a leading U+FEFF is part of the plaintext, as Python keeps it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Handles requests of the key-service contract. */
export class KeyService {
  readonly #maxRequestBytes: number;
  readonly #maxInflight: number;
  readonly #keyLimits: KeyLimits;
  readonly #keyPairs: KeyPairSource;
  readonly #decrypt: Decryptor;
  readonly #version: string;
  readonly #status: () => Record<string, unknown>;
  readonly #onInternalError: (error: unknown) => void;
  #inflight = 0;

  constructor(options: KeyServiceOptions = {}) {
    this.#maxRequestBytes = options.maxRequestBytes ?? 64 * 1024;
    this.#maxInflight = options.maxInflight ?? 256;
    this.#keyLimits = options.keyLimits ?? {};
    this.#keyPairs = options.keyPairs ?? onDemand;
    this.#decrypt = options.decrypt ?? decryptHere;
    this.#version = options.version ?? "unknown";
    this.#status = options.status ?? (() => ({}));
    this.#onInternalError = options.onInternalError ?? (() => {});
  }

  /** Requests being handled now. */
  get inflight(): number {
    return this.#inflight;
  }

  /**
   * Handles one message (its frames) and resolves to its reply. Never
   * rejects: every failure becomes an error reply.
   */
  async handle(parts: readonly Uint8Array[]): Promise<Outcome> {
    let type: Outcome["type"] = "invalid";
    if (this.#inflight >= this.#maxInflight) {
      return failure(type, new Overloaded());
    }
    this.#inflight++;
    try {
      if (parts.length !== 1) throw new MultipartRequest();
      if (parts[0].length > this.#maxRequestBytes) {
        throw new RequestTooLarge(this.#maxRequestBytes);
      }
      const request = parseRequest(parts[0]);
      type = request.type;
      const reply = await this.#perform(request);
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
      this.#inflight--;
    }
  }

  async #perform(request: Request): Promise<Reply> {
    switch (request.type) {
      case "generate_keys": {
        const pair = await this.#keyPairs.take();
        return {
          rsa: { public: pair.public, private: pair.private },
          fernet: generateFernetKey(),
        };
      }
      case "encrypt_fernet": {
        const key = about(
          "rsa_public",
          () => parsePublicKey(request.rsaPublic, this.#keyLimits),
        );
        const plaintext = encoder.encode(request.fernet);
        const ciphertext = about(
          "fernet",
          () => encryptPkcs1v15(key, plaintext),
        );
        return { encrypted_fernet: ciphertext.toBase64() };
      }
      case "decrypt_fernet": {
        const key = about(
          "rsa_private",
          () => parsePrivateKey(request.rsaPrivate, this.#keyLimits),
        );
        let ciphertext: Uint8Array;
        try {
          ciphertext = Uint8Array.fromBase64(request.encryptedFernet, {
            lastChunkHandling: "strict",
          });
        } catch {
          throw new InvalidCiphertext(
            "encrypted_fernet",
            "is not valid standard base64",
          );
        }
        about("encrypted_fernet", () => checkCiphertext(key, ciphertext));
        let plaintext: Uint8Array;
        try {
          plaintext = await this.#decrypt(key, ciphertext);
        } catch (error) {
          throw wireError(error, "encrypted_fernet");
        }
        let fernet: string;
        try {
          fernet = utf8.decode(plaintext);
        } catch {
          // The same reply as every other decryption failure.
          throw new DecryptionFailed();
        }
        return { fernet };
      }
      case "ping":
        return {
          status: "ok",
          version: this.#version,
          in_flight: this.#inflight - 1, // not counting this ping
          ...this.#status(),
        };
    }
  }
}

/** Runs `fn`, turning a crypto error into the wire error for `field`. */
function about<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw wireError(error, field);
  }
}

function failure(type: Outcome["type"], error: KeyServiceError): Outcome {
  return { reply: encodeReply(errorReply(error)), type, code: error.code };
}
