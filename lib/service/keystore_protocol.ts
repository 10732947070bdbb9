/**
 * Contract v1.2's requests: keys kept in the service, named by `key_id`.
 * The administrative requests (`create_key`, `import_key`, `show_key`,
 * `list_keys`, `rotate_key`, `configure_key`, `trim_key`, `delete_key`),
 * the uses (`rewrap_fernet`, `generate_data_key`), and the v1 requests
 * `encrypt_fernet`, `encrypt_fernet_many` and `decrypt_fernet` when they
 * name a key id in place of a PEM key. Each is validated here into a typed
 * value; see docs/contract.md for their shapes.
 *
 * @example
 * ```ts
 * import { keystoreRequestFrom } from "./keystore_protocol.ts";
 *
 * const request = keystoreRequestFrom({ type: "show_key", key_id: "group-7" });
 * request?.op; // "show_key"
 * ```
 * @module
 */

import { CAPABILITIES, type Capabilities } from "../contract/mod.ts";
import { type Padding, PADDINGS } from "../crypto/mod.ts";
import { KEY_ID_PATTERN } from "../keystore/key_id.ts";
import { type Policy, USES } from "../keystore/policy.ts";
import { InvalidField, MissingField } from "./errors.ts";

/** Key types `create_key` makes; later issues add theirs here. */
export const KEY_TYPES = ["rsa-2048", "rsa-3072", "rsa-4096"] as const;

/** A key type's name. */
export type KeyType = typeof KEY_TYPES[number];

/** Most key ids or ciphertexts one request names. */
export const MAX_BATCH = 256;

/** Keys a `list_keys` reply holds without `limit`. */
export const DEFAULT_LIST_LIMIT = 100;

/** The most keys one `list_keys` reply holds (the largest `limit`). */
export const MAX_LIST_LIMIT = 500;

/** v1.2's request types of their own. */
export const KEYSTORE_REQUEST_TYPES = [
  "create_key",
  "import_key",
  "show_key",
  "list_keys",
  "rotate_key",
  "configure_key",
  "trim_key",
  "delete_key",
  "rewrap_fernet",
  "generate_data_key",
] as const;

/**
 * What `ping` lists with a keystore on: v1.1's capabilities and, last,
 * `keystore` (contract v1.2, its operations and limits). Without one, ping
 * lists {@linkcode CAPABILITIES} alone, as v1.1 did.
 */
export function keystoreCapabilities(maxVersions: number): Capabilities {
  return {
    ...CAPABILITIES,
    keystore: {
      contract: "1.2",
      operations: KEYSTORE_REQUEST_TYPES,
      key_types: KEY_TYPES,
      max_versions: maxVersions,
      max_list_limit: MAX_LIST_LIMIT,
    },
  };
}

interface Keyed {
  readonly keyId: string;
}

/** Options a new key takes (create and import). */
export interface KeyOptions {
  readonly padding: Padding | undefined;
  readonly deletionAllowed: boolean | undefined;
  readonly policy: Policy | undefined;
}

/**
 * A validated v1.2 request: `type` is `keystore` (so that it never narrows
 * as a v1 request of the same wire type), `op` is the wire `type`.
 */
export type KeystoreRequest =
  & { readonly type: "keystore" }
  & (
    | { readonly op: "create_key"; readonly keyType: KeyType }
      & Keyed
      & KeyOptions
    | {
      readonly op: "import_key";
      readonly rsaPrivate: string;
      readonly passphrase: string | undefined;
    }
      & Keyed
      & KeyOptions
    | { readonly op: "show_key" | "rotate_key" | "trim_key" | "delete_key" }
      & Keyed
    | {
      readonly op: "list_keys";
      /** Keys in this page, 1 to {@linkcode MAX_LIST_LIMIT}. */
      readonly limit: number;
      /** Where the page starts: a reply's `next_cursor`; none: the first. */
      readonly cursor: string | undefined;
    }
    | {
      readonly op: "configure_key";
      readonly minDecryptionVersion: number | undefined;
      readonly deletionAllowed: boolean | undefined;
      readonly policy: Policy | undefined;
    } & Keyed
    | {
      readonly op: "rewrap_fernet";
      readonly ciphertexts: readonly string[];
    } & Keyed
    | { readonly op: "generate_data_key" } & Keyed
    | {
      readonly op: "encrypt_fernet";
      readonly fernet: string;
      readonly padding: Padding | undefined;
    } & Keyed
    | {
      readonly op: "encrypt_fernet_many";
      readonly fernet: string;
      readonly keyIds: readonly string[];
    }
    | {
      readonly op: "decrypt_fernet";
      readonly encryptedFernet: string;
      readonly padding: Padding | undefined;
    } & Keyed
  );

type Json = Record<string, unknown>;

function has(object: Json, name: string): boolean {
  return Object.hasOwn(object, name);
}

function text(object: Json, name: string, max = 16 * 1024): string {
  if (!has(object, name)) throw new MissingField(name);
  const value = object[name];
  if (typeof value !== "string") {
    throw new InvalidField(name, "must be a string");
  }
  if (value.length > max || !value.isWellFormed()) {
    throw new InvalidField(
      name,
      `must be well-formed and at most ${max} characters`,
    );
  }
  return value;
}

function keyIdFrom(value: unknown, name: string): string {
  if (typeof value !== "string" || !KEY_ID_PATTERN.test(value)) {
    // Never the value: a client may have put a secret in this field.
    throw new InvalidField(
      name,
      "must be 1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit",
    );
  }
  return value;
}

function keyId(object: Json): string {
  if (!has(object, "key_id")) throw new MissingField("key_id");
  return keyIdFrom(object.key_id, "key_id");
}

function list(object: Json, name: string): unknown[] {
  if (!has(object, name)) throw new MissingField(name);
  const value = object[name];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BATCH) {
    throw new InvalidField(
      name,
      `must be an array of 1 to ${MAX_BATCH} entries`,
    );
  }
  return value;
}

function optionalPadding(object: Json): Padding | undefined {
  if (!has(object, "padding")) return undefined;
  if (!PADDINGS.includes(object.padding as Padding)) {
    throw new InvalidField(
      "padding",
      `must be one of ${PADDINGS.map((p) => `"${p}"`).join(", ")}`,
    );
  }
  return object.padding as Padding;
}

function optionalBoolean(object: Json, name: string): boolean | undefined {
  if (!has(object, name)) return undefined;
  if (typeof object[name] !== "boolean") {
    throw new InvalidField(name, "must be true or false");
  }
  return object[name] as boolean;
}

function optionalPolicy(object: Json): Policy | undefined {
  if (!has(object, "policy")) return undefined;
  const value = object.policy;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidField("policy", `must be an object of ${USES.join(", ")}`);
  }
  const policy: Record<string, string[]> = {};
  for (const use of USES) {
    const entries = (value as Json)[use] ?? [];
    if (
      !Array.isArray(entries) || entries.length > MAX_BATCH ||
      !entries.every((e) =>
        typeof e === "string" && /^(\*|[\x21-\x7e]{40})$/.test(e)
      )
    ) {
      throw new InvalidField(
        `policy.${use}`,
        'must be a list of CURVE public keys (40 characters of Z85) or "*"',
      );
    }
    policy[use] = entries as string[];
  }
  return policy as unknown as Policy;
}

function keyOptions(object: Json): KeyOptions {
  return {
    padding: optionalPadding(object),
    deletionAllowed: optionalBoolean(object, "deletion_allowed"),
    policy: optionalPolicy(object),
  };
}

/**
 * The v1.2 request `object` is, or undefined when it is a v1/v1.1 request
 * (which the v1 parser handles, unchanged). Throws `MissingField` and
 * `InvalidField`.
 */
export function keystoreRequestFrom(
  object: Json,
): KeystoreRequest | undefined {
  const request = parse(object);
  return request === undefined ? undefined : { ...request, type: "keystore" };
}

type Parsed = KeystoreRequest extends infer R
  ? R extends { type: "keystore" } ? Omit<R, "type"> : never
  : never;

function parse(object: Json): Parsed | undefined {
  const type = object.type;
  switch (type) {
    case "encrypt_fernet":
    case "decrypt_fernet":
      // With its PEM key, a v1 request, as it always was: a field the
      // contract did not name (key_id) is ignored, as it always was.
      if (
        !has(object, "key_id") ||
        has(object, type === "encrypt_fernet" ? "rsa_public" : "rsa_private")
      ) return undefined;
      return type === "encrypt_fernet"
        ? {
          op: type,
          keyId: keyId(object),
          fernet: text(object, "fernet"),
          padding: optionalPadding(object),
        }
        : {
          op: type,
          keyId: keyId(object),
          encryptedFernet: text(object, "encrypted_fernet"),
          padding: optionalPadding(object),
        };
    case "encrypt_fernet_many":
      if (!has(object, "key_ids") || has(object, "rsa_publics")) {
        return undefined;
      }
      return {
        op: type,
        fernet: text(object, "fernet"),
        keyIds: list(object, "key_ids").map((id, i) =>
          keyIdFrom(id, `key_ids[${i}]`)
        ),
      };
    case "create_key": {
      const keyType = has(object, "key_type") ? object.key_type : "rsa-2048";
      if (!KEY_TYPES.includes(keyType as KeyType)) {
        throw new InvalidField(
          "key_type",
          `must be one of ${KEY_TYPES.map((t) => `"${t}"`).join(", ")}`,
        );
      }
      return {
        op: type,
        keyId: keyId(object),
        keyType: keyType as KeyType,
        ...keyOptions(object),
      };
    }
    case "import_key": {
      const passphrase = has(object, "passphrase")
        ? text(object, "passphrase")
        : undefined;
      if (passphrase === "") {
        throw new InvalidField("passphrase", "must not be empty");
      }
      return {
        op: type,
        keyId: keyId(object),
        rsaPrivate: text(object, "rsa_private"),
        passphrase,
        ...keyOptions(object),
      };
    }
    case "show_key":
    case "rotate_key":
    case "trim_key":
    case "delete_key":
    case "generate_data_key":
      return { op: type, keyId: keyId(object) };
    case "list_keys": {
      let limit = DEFAULT_LIST_LIMIT;
      if (has(object, "limit")) {
        const value = object.limit;
        if (
          !Number.isSafeInteger(value) || (value as number) < 1 ||
          (value as number) > MAX_LIST_LIMIT
        ) {
          throw new InvalidField(
            "limit",
            `must be a JSON integer from 1 to ${MAX_LIST_LIMIT}`,
          );
        }
        limit = value as number;
      }
      // A cursor is sealed by the keystore: opaque to clients.
      let cursor: string | undefined;
      if (has(object, "cursor")) {
        if (
          typeof object.cursor !== "string" ||
          !/^[A-Za-z0-9_-]{1,256}$/.test(object.cursor)
        ) {
          throw new InvalidField(
            "cursor",
            "must be a next_cursor of a list_keys reply",
          );
        }
        cursor = object.cursor;
      }
      return { op: type, limit, cursor };
    }
    case "configure_key": {
      let minDecryptionVersion: number | undefined;
      if (has(object, "min_decryption_version")) {
        const value = object.min_decryption_version;
        if (!Number.isSafeInteger(value) || (value as number) < 1) {
          throw new InvalidField(
            "min_decryption_version",
            "must be a positive JSON integer",
          );
        }
        minDecryptionVersion = value as number;
      }
      return {
        op: type,
        keyId: keyId(object),
        minDecryptionVersion,
        deletionAllowed: optionalBoolean(object, "deletion_allowed"),
        policy: optionalPolicy(object),
      };
    }
    case "rewrap_fernet":
      return {
        op: type,
        keyId: keyId(object),
        ciphertexts: list(object, "encrypted_fernets").map((c, i) => {
          if (typeof c !== "string" || c.length > 2048) {
            throw new InvalidField(
              `encrypted_fernets[${i}]`,
              "must be a string of at most 2048 characters",
            );
          }
          return c;
        }),
      };
    default:
      return undefined;
  }
}
