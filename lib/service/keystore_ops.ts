/**
 * Contract v1.2's operations: keys kept in the service. Each request is
 * checked against the key's policy (under CURVE; without it there is one
 * tenant), carried out on the {@linkcode Keystore}, and recorded in the audit
 * log, refusals included; a record that cannot be written turns the reply
 * into `audit_unavailable` (fail closed). Private keys never leave: replies
 * hold public keys, ciphertexts `ks:v<version>:<base64>`, and Fernet keys.
 * Decryption goes through `decryptStored`, which keeps each version
 * prepared in OpenSSL (see prepared_keys.ts).
 *
 * @example
 * ```ts ignore
 * const ops = new KeystoreOperations({ keystore, ...context });
 * await ops.perform({ type: "keystore", op: "show_key", keyId: "group-7" }, undefined);
 * ```
 * @module
 */

import {
  checkCiphertext,
  encodePem,
  generateFernetKey,
  type Padding,
  parsePrivateKey,
  parsePublicKey,
  PRIVATE_LABEL,
  type RsaPublicKey,
} from "../crypto/mod.ts";
import type { AuditEvent } from "../keystore/audit.ts";

/**
 * Where operations are recorded: the audit log itself, or (on a request
 * thread) a message to the one thread that writes it, so its chain never
 * forks. A rejection refuses the operation (fail closed).
 */
export interface AuditSink {
  record(event: AuditEvent): void | Promise<void>;
}
import type { Keystore, KeySummary } from "../keystore/keystore.ts";
import { allows, type Use } from "../keystore/policy.ts";
import {
  AuditUnavailable,
  InvalidCiphertext,
  KeyServiceError,
  KeyVersionBelowMinimum,
  KeyVersionNotFound,
  PermissionDenied,
  wireError,
} from "./errors.ts";
import type { KeystoreRequest } from "./keystore_protocol.ts";
import { formatCiphertext, parseCiphertext } from "./stored_ciphertext.ts";
import { fernetReply, type OperationContext } from "./operations.ts";
import type { Reply } from "./protocol.ts";
import { adminOperation, allowed, fromStore } from "./keystore_admin.ts";
import type { Decryptor, StoredDecryptor } from "./types.ts";

/** What the operations work with, beside the v1 context. */
export interface KeystoreContext extends OperationContext {
  readonly keystore: Keystore;
  /** Where each operation is recorded; none: not recorded. */
  readonly audit?: AuditSink;
  /** Decryption with a stored version, prepared once. */
  readonly decryptStored: StoredDecryptor;
}

/** What an operation tells the audit log beside its outcome. */
export interface Note {
  keyId?: string;
  version?: number;
  ciphertexts?: readonly string[];
}

const encoder = new TextEncoder();

/** The keystore and what goes with it, for `KeyServiceOptions`. */
export interface KeystoreParts {
  readonly keystore: Keystore;
  /** Each keystore operation recorded. */
  readonly audit?: AuditSink;
  /** Versions held prepared (OpenSSL). Default: loaded for each use. */
  readonly decryptStored?: StoredDecryptor;
}

/** Decryption with a stored version loaded for each use (no OpenSSL). */
export function loadEachTime(decrypt: Decryptor): StoredDecryptor {
  return async (_id, load, ciphertext, padding) => {
    const key = await load();
    try {
      checkCiphertext(key, ciphertext);
      return await decrypt(key, ciphertext, padding);
    } finally {
      // Unless a worker pool took it (transferred: nothing left to wipe).
      if (key.der.byteLength > 0) key.der.fill(0);
    }
  };
}

/** Public keys parsed once per version; a few hundred at most. */
const PUBLIC_CACHE = 256;

/**
 * The one thing a request handler needs of the keystore: carry out a v1.2
 * request for a client key. Narrow on purpose, so that a handler on another
 * thread can get its own (a store opened there) or a proxy to one.
 */
export interface KeystoreHandler {
  /** Performs `request` for `client` (its CURVE key; none: one tenant). */
  perform(request: KeystoreRequest, client: string | undefined): Promise<Reply>;
}

/** Carries out v1.2 requests. */
export class KeystoreOperations implements KeystoreHandler {
  readonly #context: KeystoreContext;
  readonly #publicKeys = new Map<string, RsaPublicKey>();

  constructor(context: KeystoreContext) {
    this.#context = context;
  }

  /** Performs `request` for `client` (its CURVE key; none: one tenant). */
  async perform(
    request: KeystoreRequest,
    client: string | undefined,
  ): Promise<Reply> {
    const note: Note = "keyId" in request ? { keyId: request.keyId } : {};
    let reply: Reply;
    try {
      reply = await this.#perform(request, client, note);
    } catch (error) {
      const wire = fromStore(error);
      const code = wire instanceof KeyServiceError
        ? wire.code
        : "internal_error";
      await this.#record(request, client, note, code);
      throw wire;
    }
    await this.#record(request, client, note, "ok");
    return reply;
  }

  async #record(
    request: KeystoreRequest,
    client: string | undefined,
    note: Note,
    outcome: string,
  ): Promise<void> {
    const audit = this.#context.audit;
    if (audit === undefined) return;
    try {
      await audit.record({
        client: client ?? null,
        op: request.op,
        outcome,
        ...note,
      });
    } catch {
      throw new AuditUnavailable();
    }
  }

  async #perform(
    request: KeystoreRequest,
    client: string | undefined,
    note: Note,
  ): Promise<Reply> {
    switch (request.op) {
      case "encrypt_fernet": {
        const key = await allowed(
          this.#context,
          request.keyId,
          "encrypt",
          client,
        );
        note.version = key.latestVersion;
        return {
          encrypted_fernet: await this.#wrap(
            key,
            encoder.encode(request.fernet),
            request.padding,
          ),
        };
      }
      case "generate_data_key": {
        const key = await allowed(
          this.#context,
          request.keyId,
          "encrypt",
          client,
        );
        note.version = key.latestVersion;
        const fernet = generateFernetKey();
        return {
          fernet,
          encrypted_fernet: await this.#wrap(
            key,
            encoder.encode(fernet),
            undefined,
          ),
        };
      }
      case "encrypt_fernet_many": {
        const plaintext = encoder.encode(request.fernet);
        const results: Reply[] = [];
        for (const keyId of request.keyIds) {
          try {
            const key = await allowed(this.#context, keyId, "encrypt", client);
            results.push({
              encrypted_fernet: await this.#wrap(key, plaintext, undefined),
            });
          } catch (error) {
            const wire = fromStore(error);
            if (!(wire instanceof KeyServiceError)) throw wire;
            results.push({ error: wire.message, code: wire.code });
          }
        }
        return { results };
      }
      case "decrypt_fernet": {
        note.ciphertexts = [request.encryptedFernet];
        const key = await allowed(
          this.#context,
          request.keyId,
          "decrypt",
          client,
        );
        const plaintext = await this.#unwrap(
          key,
          request.encryptedFernet,
          "encrypted_fernet",
          request.padding,
          note,
        );
        return fernetReply(plaintext);
      }
      case "rewrap_fernet": {
        note.ciphertexts = request.ciphertexts;
        const key = await allowed(
          this.#context,
          request.keyId,
          "rewrap",
          client,
        );
        note.version = key.latestVersion;
        const results: Reply[] = [];
        for (const [i, ciphertext] of request.ciphertexts.entries()) {
          try {
            const plaintext = await this.#unwrap(
              key,
              ciphertext,
              `encrypted_fernets[${i}]`,
              undefined,
              {},
            );
            try {
              results.push({
                encrypted_fernet: await this.#wrap(key, plaintext, undefined),
              });
            } finally {
              plaintext.fill(0);
            }
          } catch (error) {
            const wire = fromStore(error);
            if (!(wire instanceof KeyServiceError)) throw wire;
            results.push({ error: wire.message, code: wire.code });
          }
        }
        return { results };
      }
      default:
        return await adminOperation(this.#context, request, client, note);
    }
  }

  /** The key's row, once its policy allows `client` to `use` it. */
  async #allowed(
    keyId: string,
    use: Use,
    client: string | undefined,
  ): Promise<KeySummary> {
    const key = await this.#context.keystore.summary(keyId);
    if (!allows(key.policy, use, client)) throw new PermissionDenied(use);
    return key;
  }

  /** The plaintext encrypted under the key's latest version, as `ks:v<n>:...`. */
  async #wrap(
    key: KeySummary,
    plaintext: Uint8Array,
    padding: Padding | undefined,
  ): Promise<string> {
    const version = key.latestVersion;
    const cacheId = `${key.uid}:${version}`;
    let publicKey = this.#publicKeys.get(cacheId);
    if (publicKey === undefined) {
      publicKey = parsePublicKey(
        await this.#context.keystore.publicKey(key.id, version),
      );
      if (this.#publicKeys.size >= PUBLIC_CACHE) {
        this.#publicKeys.delete(this.#publicKeys.keys().next().value!);
      }
      this.#publicKeys.set(cacheId, publicKey);
    }
    try {
      const ciphertext = await this.#context.encrypt(
        publicKey,
        plaintext,
        padding ?? key.padding as Padding,
      );
      return formatCiphertext(version, ciphertext);
    } catch (error) {
      throw wireError(error, "fernet");
    }
  }

  /** The plaintext of a `ks:v<n>:...` ciphertext under the key. */
  async #unwrap(
    key: KeySummary,
    text: string,
    field: string,
    padding: Padding | undefined,
    note: Note,
  ): Promise<Uint8Array> {
    const parsed = parseCiphertext(text);
    if (parsed === undefined) {
      throw new InvalidCiphertext(
        field,
        'is not "ks:v<version>:<standard base64>"',
      );
    }
    note.version = parsed.version;
    if (parsed.version > key.latestVersion) throw new KeyVersionNotFound();
    if (parsed.version < key.minDecryptionVersion) {
      throw new KeyVersionBelowMinimum();
    }
    const load = async () => {
      const der = await this.#context.keystore.privateKey(
        key.id,
        parsed.version,
      );
      try {
        return parsePrivateKey(encodePem(PRIVATE_LABEL, der));
      } finally {
        der.fill(0);
      }
    };
    try {
      return await this.#context.decryptStored(
        `${key.uid}:${parsed.version}`,
        load,
        parsed.bytes,
        padding ?? key.padding as Padding,
      );
    } catch (error) {
      throw wireError(fromStore(error), field);
    }
  }
}
