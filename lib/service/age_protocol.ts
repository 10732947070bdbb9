/**
 * The age options of the wire contract (v1.x): requests that name an age key
 * type, recipient or identity instead of RSA keys. A request without these
 * fields is not an age request, and is parsed and answered exactly as before.
 *
 * - `generate_keys` + `"key_type": "mlkem768x25519" | "x25519"`
 * - `encrypt_fernet` + `"recipient"` (instead of `rsa_public`)
 * - `encrypt_fernet_many` + `"recipients"` (instead of `rsa_publics`)
 * - `decrypt_fernet` + `"identity"` (instead of `rsa_private`)
 *
 * @example
 * ```ts
 * import { ageRequestFrom } from "./age_protocol.ts";
 *
 * ageRequestFrom({ type: "generate_keys", key_type: "x25519" }); // { type: "generate_keys", age: true, keyType: "x25519" }
 * ageRequestFrom({ type: "generate_keys" }); // undefined: the RSA request
 * ```
 * @module
 */

import {
  AGE_KEY_TYPES,
  type AgeKeyTypeName,
  MAX_BECH32_LENGTH,
  MAX_RECIPIENTS,
} from "../crypto/age/mod.ts";
import { InvalidField, MissingField, MixedRecipients } from "./errors.ts";

/** `generate_keys` for an age identity and its recipient. */
export interface AgeGenerateKeysRequest {
  readonly type: "generate_keys";
  readonly age: true;
  readonly keyType: AgeKeyTypeName;
}

/** `encrypt_fernet` / `encrypt_fernet_many` to age recipients: one file. */
export interface AgeEncryptRequest {
  readonly type: "encrypt_fernet" | "encrypt_fernet_many";
  readonly age: true;
  readonly fernet: string;
  /** Recipient strings, with the request field each came in. */
  readonly recipients: readonly { field: string; value: string }[];
}

/** `decrypt_fernet` of an armored age file with an identity. */
export interface AgeDecryptRequest {
  readonly type: "decrypt_fernet";
  readonly age: true;
  readonly encryptedFernet: string;
  readonly identity: string;
}

/** A validated age request. */
export type AgeRequest =
  | AgeGenerateKeysRequest
  | AgeEncryptRequest
  | AgeDecryptRequest;

/** Longest `fernet` accepted, as for RSA requests (UTF-16 code units). */
const MAX_FERNET_LENGTH = 16 * 1024;

/**
 * Longest armored age file accepted in `encrypted_fernet`: a file for 256
 * hybrid recipients is about 540,000 characters.
 */
export const MAX_AGE_FILE_LENGTH = 700 * 1024;

/** Largest age request accepted by default, in bytes (see key_service.ts). */
export const DEFAULT_MAX_AGE_REQUEST_BYTES = 768 * 1024;

/** `value` as a string of at most `max` code units, else `invalid_field`. */
function text(label: string, value: unknown, max: number): string {
  if (typeof value !== "string") {
    throw new InvalidField(label, "must be a string");
  }
  if (value.length > max) {
    throw new InvalidField(
      label,
      `is longer than the limit of ${max} characters`,
    );
  }
  if (!value.isWellFormed()) {
    throw new InvalidField(label, "holds malformed Unicode (a lone surrogate)");
  }
  return value;
}

/** The required string field `name`. */
function string(
  object: Record<string, unknown>,
  name: string,
  max: number,
): string {
  if (!Object.hasOwn(object, name)) throw new MissingField(name);
  return text(name, object[name], max);
}

/** Refuses RSA-only options beside an age field. */
function refuse(
  object: Record<string, unknown>,
  names: readonly string[],
  why: string,
): void {
  for (const name of names) {
    if (Object.hasOwn(object, name)) throw new InvalidField(name, why);
  }
}

function recipientList(
  object: Record<string, unknown>,
): { field: string; value: string }[] {
  const value = object.recipients;
  if (!Array.isArray(value)) {
    throw new InvalidField("recipients", "must be an array of age recipients");
  }
  if (value.length === 0 || value.length > MAX_RECIPIENTS) {
    throw new InvalidField(
      "recipients",
      `must hold 1 to ${MAX_RECIPIENTS} recipients, got ${value.length}`,
    );
  }
  return value.map((item, i) => {
    const field = `recipients[${i}]`;
    // Before the length check: a 4096-bit key's PEM is longer than any age
    // recipient, and the clear answer is that it does not belong here.
    if (typeof item === "string" && /^\s*-----BEGIN/.test(item)) {
      throw new MixedRecipients(
        `"${field}" is a PEM key; RSA public keys go in "rsa_publics", in a request of their own`,
      );
    }
    return { field, value: text(field, item, MAX_BECH32_LENGTH) };
  });
}

/**
 * The age request in `object` (a request of type `type`), or undefined when
 * it names no age field (an RSA request). Throws wire errors for a malformed
 * one, `mixed_recipients` for RSA keys beside age recipients.
 */
export function ageRequestFrom(
  object: Record<string, unknown>,
): AgeRequest | undefined {
  const has = (name: string) => Object.hasOwn(object, name);
  switch (object.type) {
    case "generate_keys": {
      if (!has("key_type") || object.key_type === "rsa") return undefined;
      if (!AGE_KEY_TYPES.includes(object.key_type as AgeKeyTypeName)) {
        throw new InvalidField(
          "key_type",
          `must be one of "rsa", ${
            AGE_KEY_TYPES.map((t) => `"${t}"`).join(", ")
          } (strings)`,
        );
      }
      refuse(
        object,
        ["bits", "format", "passphrase"],
        "applies to RSA keys only",
      );
      return {
        type: "generate_keys",
        age: true,
        keyType: object.key_type as AgeKeyTypeName,
      };
    }
    case "encrypt_fernet":
    case "encrypt_fernet_many": {
      const many = object.type === "encrypt_fernet_many";
      const field = many ? "recipients" : "recipient";
      if (!has(field)) return undefined;
      const rsa = many ? "rsa_publics" : "rsa_public";
      if (has(rsa)) {
        throw new MixedRecipients(
          `"${rsa}" (RSA) and "${field}" (age) in one request`,
        );
      }
      refuse(object, ["padding"], "applies to RSA keys only");
      const fernet = string(object, "fernet", MAX_FERNET_LENGTH);
      return {
        type: object.type as "encrypt_fernet",
        age: true,
        fernet,
        recipients: many ? recipientList(object) : [{
          field,
          value: string(object, field, MAX_BECH32_LENGTH),
        }],
      };
    }
    case "decrypt_fernet": {
      if (!has("identity")) return undefined;
      if (has("rsa_private")) {
        throw new InvalidField(
          "identity",
          'and "rsa_private" may not both be given',
        );
      }
      refuse(object, ["padding", "passphrase"], "applies to RSA keys only");
      return {
        type: "decrypt_fernet",
        age: true,
        encryptedFernet: string(
          object,
          "encrypted_fernet",
          MAX_AGE_FILE_LENGTH,
        ),
        identity: string(object, "identity", MAX_BECH32_LENGTH),
      };
    }
    default:
      return undefined;
  }
}

/** Whether a decoded request is an age request (for its size limit). */
export function isAgeRequestValue(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const object = value as Record<string, unknown>;
  return (object.type === "encrypt_fernet_many" &&
    Object.hasOwn(object, "recipients")) ||
    (object.type === "decrypt_fernet" && Object.hasOwn(object, "identity"));
}
