/**
 * {@linkcode KeystoreClient}: contract v1.2 (keys kept in the service, by
 * key id) over a {@linkcode KeyServiceClient}. One method per operation,
 * results as typed values, an error reply as the `ServiceError` class of
 * its code (`KeyNotFound`, `PermissionDenied`, `KeyVersionBelowMinimum`,
 * ...). No method ever sends or receives a private key, except `importKey`,
 * which hands one over.
 *
 * @example
 * ```ts
 * import { KeyServiceClient } from "./client.ts";
 * import { KeystoreClient } from "./keystore_client.ts";
 *
 * const client = new KeyServiceClient({ endpoints: "tcp://127.0.0.1:5555" });
 * const keys = new KeystoreClient(client);
 * try {
 *   await keys.create("group-7");
 *   const { fernet, encryptedFernet } = await keys.generateDataKey("group-7");
 *   console.log(await keys.decrypt("group-7", encryptedFernet) === fernet); // true
 * } finally {
 *   client.close();
 * }
 * ```
 * @module
 */

import type { KeyServiceClient } from "./client.ts";
import type { ReplyObject } from "./_pirate.ts";
import { BadReply, errorFromReply } from "./errors.ts";
import type { ManyResult, Padding } from "./types.ts";

/** Client keys (Z85) allowed each use of a stored key; `*`: anyone. */
export interface KeyPolicy {
  /** Who may wrap under the key (`encrypt`, `generateDataKey`). */
  readonly encrypt?: readonly string[];
  /** Who may unwrap with it. */
  readonly decrypt?: readonly string[];
  /** Who may rewrap ciphertexts under its latest version. */
  readonly rewrap?: readonly string[];
  /** Who may rotate, configure, trim and delete it. */
  readonly admin?: readonly string[];
}

/** How a new stored key is set up. */
export interface StoredKeyOptions {
  /** Default `oaep-sha256`. */
  readonly padding?: Padding;
  /** Default false: `delete` is refused. */
  readonly deletionAllowed?: boolean;
  /** Default: every use for the creator's client key. */
  readonly policy?: KeyPolicy;
}

/** One version of a stored key. */
export interface StoredKeyVersion {
  /** The version's number, from 1. */
  readonly version: number;
  /** SPKI PEM. */
  readonly publicKey: string;
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
}

/** A stored key as `show` tells it (no private key, ever). */
export interface StoredKey {
  /** The key's id. */
  readonly keyId: string;
  /** Such as `rsa-2048`. */
  readonly keyType: string;
  /** The padding its ciphertexts use unless a request names another. */
  readonly padding: Padding;
  /** The version new ciphertexts are made under. */
  readonly latestVersion: number;
  /** Ciphertexts under older versions are refused (rewrap them). */
  readonly minDecryptionVersion: number;
  /** Whether `delete` is allowed. */
  readonly deletionAllowed: boolean;
  /** Who may do what with it. */
  readonly policy: KeyPolicy;
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
  /** When its settings last changed (ISO 8601). */
  readonly updatedAt: string;
  /** Only in `show` and the administrative replies, not in `list`. */
  readonly versions?: readonly StoredKeyVersion[];
}

/** One page of `list_keys`. */
export interface KeyListPage {
  /** The keys, by id. */
  readonly keys: readonly StoredKey[];
  /** Where the next page starts; absent on the last page. */
  readonly nextCursor?: string;
}

function storedKey(value: unknown): StoredKey {
  const key = value as ReplyObject | undefined;
  if (typeof key?.key_id !== "string") {
    throw new BadReply('the reply has no "key"');
  }
  return {
    keyId: key.key_id,
    keyType: key.key_type as string,
    padding: key.padding as Padding,
    latestVersion: key.latest_version as number,
    minDecryptionVersion: key.min_decryption_version as number,
    deletionAllowed: key.deletion_allowed as boolean,
    policy: key.policy as KeyPolicy,
    createdAt: key.created_at as string,
    updatedAt: key.updated_at as string,
    versions: Array.isArray(key.versions)
      ? key.versions.map((v: ReplyObject) => ({
        version: v.version as number,
        publicKey: v.public_key as string,
        createdAt: v.created_at as string,
      }))
      : undefined,
  };
}

function text(reply: ReplyObject, field: string): string {
  if (typeof reply[field] !== "string") {
    throw new BadReply(`the reply has no string "${field}"`);
  }
  return reply[field] as string;
}

function results(reply: ReplyObject): ManyResult[] {
  if (!Array.isArray(reply.results)) {
    throw new BadReply('the reply has no "results" list');
  }
  return reply.results.map((result: ReplyObject): ManyResult =>
    typeof result?.encrypted_fernet === "string"
      ? { encryptedFernet: result.encrypted_fernet }
      : { error: errorFromReply(result ?? {}) }
  );
}

function keyOptions(options: StoredKeyOptions): Record<string, unknown> {
  return {
    padding: options.padding,
    deletion_allowed: options.deletionAllowed,
    policy: options.policy,
  };
}

/** Contract v1.2's operations, over a {@linkcode KeyServiceClient}. */
export class KeystoreClient {
  readonly #client: KeyServiceClient;

  /** Sends through `client`, which keeps its connection and bounds. */
  constructor(client: KeyServiceClient) {
    this.#client = client;
  }

  async #call(body: Record<string, unknown>): Promise<ReplyObject> {
    const defined = Object.fromEntries(
      Object.entries(body).filter(([, v]) => v !== undefined),
    );
    const reply = await this.#client.request(defined);
    if ("error" in reply) throw errorFromReply(reply);
    return reply;
  }

  /** `create_key`: a new key (`rsa-2048` unless `keyType` says). */
  async create(
    keyId: string,
    options: StoredKeyOptions & { readonly keyType?: string } = {},
  ): Promise<StoredKey> {
    const reply = await this.#call({
      type: "create_key",
      key_id: keyId,
      key_type: options.keyType,
      ...keyOptions(options),
    });
    return storedKey(reply.key);
  }

  /** `import_key`: a private key in any form v1.1 reads, into custody. */
  async import(
    keyId: string,
    rsaPrivate: string,
    options: StoredKeyOptions & { readonly passphrase?: string } = {},
  ): Promise<StoredKey> {
    const reply = await this.#call({
      type: "import_key",
      key_id: keyId,
      rsa_private: rsaPrivate,
      passphrase: options.passphrase,
      ...keyOptions(options),
    });
    return storedKey(reply.key);
  }

  /** `show_key`: the key with each version's public key. */
  async show(keyId: string): Promise<StoredKey> {
    return storedKey(
      (await this.#call({ type: "show_key", key_id: keyId })).key,
    );
  }

  /**
   * `list_keys`, every page: the keys this client may use, by id, one
   * request per page (see {@linkcode listPage}).
   */
  async list(): Promise<StoredKey[]> {
    const keys: StoredKey[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listPage({ cursor });
      keys.push(...page.keys);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return keys;
  }

  /**
   * One page of `list_keys`: at most `limit` keys (default 100, at most
   * 500) from `cursor` (a page's `nextCursor`; none: the first page).
   * `nextCursor` is set while there may be more; a page may hold fewer
   * keys than `limit`, even none, and still have one.
   */
  async listPage(
    page: { readonly limit?: number; readonly cursor?: string } = {},
  ): Promise<KeyListPage> {
    const reply = await this.#call({
      type: "list_keys",
      limit: page.limit,
      cursor: page.cursor,
    });
    if (!Array.isArray(reply.keys) || typeof reply.more !== "boolean") {
      throw new BadReply('no "keys" list or "more"');
    }
    let nextCursor: string | undefined;
    if (reply.more) {
      if (typeof reply.next_cursor !== "string") {
        throw new BadReply('"more" without a "next_cursor"');
      }
      nextCursor = reply.next_cursor;
    }
    return { keys: reply.keys.map(storedKey), nextCursor };
  }

  /** `rotate_key`: a new version; resolves to the key after it. */
  async rotate(keyId: string): Promise<StoredKey> {
    return storedKey(
      (await this.#call({ type: "rotate_key", key_id: keyId })).key,
    );
  }

  /** `configure_key`: minimum decryption version, deletion, policy. */
  async configure(
    keyId: string,
    changes: {
      readonly minDecryptionVersion?: number;
      readonly deletionAllowed?: boolean;
      readonly policy?: KeyPolicy;
    },
  ): Promise<StoredKey> {
    const reply = await this.#call({
      type: "configure_key",
      key_id: keyId,
      min_decryption_version: changes.minDecryptionVersion,
      deletion_allowed: changes.deletionAllowed,
      policy: changes.policy,
    });
    return storedKey(reply.key);
  }

  /** `trim_key`: drops versions below the minimum; how many went. */
  async trim(keyId: string): Promise<number> {
    const reply = await this.#call({ type: "trim_key", key_id: keyId });
    return reply.trimmed as number;
  }

  /** `delete_key`: only when the key's configuration allows it. */
  async delete(keyId: string): Promise<void> {
    await this.#call({ type: "delete_key", key_id: keyId });
  }

  /** `encrypt_fernet` by key id: `ks:v<n>:...` under the latest version. */
  async encrypt(
    keyId: string,
    fernet: string,
    options: { readonly padding?: Padding } = {},
  ): Promise<string> {
    const reply = await this.#call({
      type: "encrypt_fernet",
      key_id: keyId,
      fernet,
      padding: options.padding,
    });
    return text(reply, "encrypted_fernet");
  }

  /** `encrypt_fernet_many` by key ids: one result per key, in order. */
  async encryptMany(
    keyIds: readonly string[],
    fernet: string,
  ): Promise<ManyResult[]> {
    return results(
      await this.#call({
        type: "encrypt_fernet_many",
        key_ids: keyIds,
        fernet,
      }),
    );
  }

  /** `decrypt_fernet` by key id: the Fernet key in a `ks:v<n>:...`. */
  async decrypt(
    keyId: string,
    encryptedFernet: string,
    options: { readonly padding?: Padding } = {},
  ): Promise<string> {
    const reply = await this.#call({
      type: "decrypt_fernet",
      key_id: keyId,
      encrypted_fernet: encryptedFernet,
      padding: options.padding,
    });
    return text(reply, "fernet");
  }

  /** `rewrap_fernet`: each ciphertext under the latest version. */
  async rewrap(
    keyId: string,
    encryptedFernets: readonly string[],
  ): Promise<ManyResult[]> {
    return results(
      await this.#call({
        type: "rewrap_fernet",
        key_id: keyId,
        encrypted_fernets: encryptedFernets,
      }),
    );
  }

  /** `generate_data_key`: a new Fernet key and its wrap under `keyId`. */
  async generateDataKey(
    keyId: string,
  ): Promise<{ fernet: string; encryptedFernet: string }> {
    const reply = await this.#call({
      type: "generate_data_key",
      key_id: keyId,
    });
    return {
      fernet: text(reply, "fernet"),
      encryptedFernet: text(reply, "encrypted_fernet"),
    };
  }
}
