/**
 * The wire contract's error codes: one table, each code with the message
 * its reply carries (placeholders in braces, such as `{field}`, filled in by
 * the service) and what it means. The service's error classes and the
 * client's are both typed by this table, and docs/contract.md lists exactly
 * its codes (a test holds both to it).
 *
 * @example
 * ```ts
 * import { ERROR_CODES, errorMessage } from "./errors.ts";
 *
 * ERROR_CODES.includes("decryption_failed"); // true
 * errorMessage("missing_field", { field: "fernet" }); // 'Missing field "fernet"'
 * ```
 * @module
 */

/** One code of the contract: its message template and what it means. */
export interface ErrorEntry {
  /** The reply's `error`, with `{name}` placeholders the service fills in. */
  readonly message: string;
  /** What the code tells a client, for the docs and the client's classes. */
  readonly meaning: string;
}

/**
 * Every code an error reply (`{"error": message, "code": code}`) may carry:
 * a closed set, so that metrics may label by code.
 */
export const ERRORS = {
  invalid_json: {
    message: "Request is not valid UTF-8 JSON",
    meaning: "The request is not UTF-8 JSON.",
  },
  not_an_object: {
    message: "Request must be a JSON object",
    meaning: "The request is JSON but not a JSON object.",
  },
  unknown_type: {
    message: "Invalid request type",
    meaning:
      "The request's `type` names no operation (the seed's exact message).",
  },
  missing_field: {
    message: 'Missing field "{field}"',
    meaning: "A required field is absent.",
  },
  invalid_field: {
    message: 'Field "{field}" {why}',
    meaning: "A field or option is present but has the wrong type or value.",
  },
  invalid_pem: {
    message: 'Field "{field}" is not a valid PEM key: {why}',
    meaning: "A PEM block is malformed: armour, base64 body or DER structure.",
  },
  wrong_key_type: {
    message: 'Field "{field}" must hold {what}',
    meaning:
      "A PEM block holds another kind of key than the field calls for (another label, or not RSA).",
  },
  invalid_passphrase: {
    message: 'Field "passphrase" does not open the private key',
    meaning: "The passphrase does not open the encrypted private key.",
  },
  invalid_key: {
    message: 'Field "{field}" is not a usable RSA key: {why}',
    meaning: "The key parses but is not a usable RSA key.",
  },
  plaintext_too_long: {
    message:
      'Field "{field}" is longer in UTF-8 than the {limit} bytes this key can encrypt',
    meaning: "The plaintext does not fit in one RSA block for the key.",
  },
  invalid_ciphertext: {
    message: 'Field "{field}" {why}',
    meaning:
      "The ciphertext is not strict base64, not as long as the modulus, or not below it.",
  },
  decryption_failed: {
    message: "Decryption failed",
    meaning:
      "Decryption of a well-formed ciphertext failed: one reply for every cause (padding, wrong key, not UTF-8).",
  },
  multipart_request: {
    message: "Request must be exactly one frame holding one JSON object",
    meaning: "The request arrived as more than one ZeroMQ frame.",
  },
  request_too_large: {
    message: "Request is larger than the limit of {limit} bytes",
    meaning: "The request is larger than the service accepts.",
  },
  overloaded: {
    message: "Service is overloaded, retry later",
    meaning: "Too many requests are in flight; the client may retry later.",
  },
  internal_error: {
    message: "Internal error",
    meaning:
      "Something failed inside the service; the details stay in the service.",
  },
  // Contract v1.2: keys kept in the service (docs/keystore.md).
  key_not_found: {
    message: "No key with this key_id",
    meaning: "No stored key has this `key_id` (v1.2).",
  },
  key_exists: {
    message: "A key with this key_id exists already",
    meaning:
      "`create_key` or `import_key` for a `key_id` that is taken (v1.2).",
  },
  key_version_not_found: {
    message: "The key holds no such version",
    meaning: "The version was never made, or was trimmed (v1.2).",
  },
  key_version_below_minimum: {
    message:
      "The ciphertext's key version is below the key's minimum decryption version; rewrap it",
    meaning:
      "The ciphertext is under a version below the key's minimum decryption version: rewrap it under a newer one (v1.2).",
  },
  key_version_limit: {
    message:
      "The key holds the most versions it may ({max}): raise its minimum decryption version and trim it before rotating",
    meaning:
      "`rotate_key` on a key that holds as many versions as the service allows (`--keystore-max-versions`): set `min_decryption_version` and `trim_key` first (v1.2).",
  },
  permission_denied: {
    message: "The key's policy does not allow this client this use ({use})",
    meaning:
      "The key's policy refuses this client the use, which the message names from the fixed list of uses (v1.2).",
  },
  deletion_not_allowed: {
    message:
      'The key\'s configuration does not allow its deletion (configure_key "deletion_allowed": true first)',
    meaning: "`delete_key` on a key whose configuration forbids it (v1.2).",
  },
  keystore_unavailable: {
    message: "The keystore is not available",
    meaning:
      "The service has no keystore, or cannot read or write it now (v1.2).",
  },
  audit_unavailable: {
    message: "The audit log cannot be written; keystore operations are refused",
    meaning:
      "The audit log cannot be written, so the keystore operation was refused (v1.2).",
  },
  invalid_bech32: {
    message: 'Field "{field}" is not a valid age key: {why}',
    meaning:
      "An age recipient or identity is not valid Bech32 (or has no age prefix).",
  },
  invalid_key_length: {
    message:
      'Field "{field}" holds {what} of the wrong length; it must be {expected} bytes',
    meaning:
      "An age recipient or identity decodes to the wrong number of bytes.",
  },
  invalid_encapsulation_key: {
    message:
      'Field "{field}" holds an ML-KEM-768 key that fails the FIPS 203 modulus check',
    meaning:
      "A hybrid recipient's ML-KEM-768 encapsulation key fails the FIPS 203 modulus check.",
  },
  invalid_recipient: {
    message:
      'Field "{field}" holds a low-order X25519 key: the shared secret would be all zeros',
    meaning: "An age recipient's X25519 key is a low-order point.",
  },
  mixed_recipients: {
    message: "Recipients may not be mixed: {why}",
    meaning:
      "RSA public keys and age recipients in one request, or post-quantum and classic age recipients in one file.",
  },
} as const satisfies Readonly<Record<string, ErrorEntry>>;

/** A code of the contract, such as `invalid_json`. */
export type ErrorCode = keyof typeof ERRORS;

/** Every code of the contract, in the table's order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(
  ERRORS,
) as ErrorCode[];

/** The placeholder names of a message template: `"{a} x {b}"` gives `a | b`. */
export type Placeholders<T extends string> = T extends
  `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** The values a code's message needs, by placeholder name. */
export type MessageValues<C extends ErrorCode> = {
  readonly [Name in Placeholders<(typeof ERRORS)[C]["message"]>]:
    | string
    | number;
};

/** The message of an error reply with `code`, its placeholders filled in. */
export function errorMessage<C extends ErrorCode>(
  code: C,
  ...[values]: Placeholders<(typeof ERRORS)[C]["message"]> extends never ? []
    : [MessageValues<C>]
): string {
  const named = (values ?? {}) as Readonly<Record<string, string | number>>;
  return ERRORS[code].message.replace(
    /\{(\w+)\}/g,
    (_, name: string) => String(named[name]),
  );
}
