// The reference classifier: what contract v1.1 makes of a request's frames.
// Either an error, with the code it must carry (and, for a field's error,
// the field its message names; for an unknown type, the seed's exact
// message), or an operation whose reply must be that operation's correct
// result (or, for encrypt and decrypt of a crafted input, an error of the
// operation's own codes). It mirrors JSON semantics (the last duplicate key
// wins, `__proto__` is an own key, only an own `type` counts) and the
// order in which lib/service/protocol.ts validates: the required fields in
// order, then the options (`bits`, `format`, `padding`, `passphrase`).

import { AGE_CODES, isAgeRequest } from "./_cases_age.ts";
import { MAX_REQUEST_BYTES, utf8 } from "./_config.ts";

/** The encryption schemes a request may name. */
export const PADDINGS = ["pkcs1v15", "oaep-sha256"] as const;
/** The key formats `generate_keys` writes. */
export const FORMATS = ["pkcs1", "pkcs8"] as const;
/** The modulus sizes `generate_keys` makes. */
export const BITS = [2048, 3072, 4096] as const;
/** Most recipients of one `encrypt_fernet_many`. */
export const MAX_RECIPIENTS = 256;
/** Longest string a field may hold, in UTF-16 code units. */
export const MAX_FIELD_LENGTH = 16 * 1024;

type PaddingName = typeof PADDINGS[number];

/** What the reply to a request must be. */
export type Expect =
  | {
    readonly kind: "error";
    readonly why: string;
    /** The code the reply must carry. */
    readonly code: string;
    /** The field the message must name, if any. */
    readonly field?: string;
    readonly unknownType: boolean;
  }
  | { readonly kind: "ping" }
  /** An age request (see _cases_age.ts, which checks its reply). */
  | { readonly kind: "age" }
  | {
    readonly kind: "generate";
    readonly bits: number;
    readonly format: "pkcs1" | "pkcs8";
    readonly passphrase: string | undefined;
  }
  | {
    readonly kind: "encrypt";
    readonly fernet: string;
    readonly publicPem: string;
    readonly padding: PaddingName;
  }
  | {
    readonly kind: "decrypt";
    readonly ciphertext: string;
    readonly privatePem: string;
    readonly padding: PaddingName;
    readonly passphrase: string | undefined;
  }
  | {
    readonly kind: "encrypt_many";
    readonly fernet: string;
    readonly publicPems: readonly string[];
    readonly padding: PaddingName;
  };

/** The error codes an operation may answer once its request is valid. */
export const OPERATION_CODES: Readonly<Record<string, readonly string[]>> = {
  age: AGE_CODES,
  encrypt: [
    "invalid_pem",
    "wrong_key_type",
    "invalid_key",
    "plaintext_too_long",
  ],
  decrypt: [
    "invalid_pem",
    "wrong_key_type",
    "invalid_key",
    "missing_field",
    "invalid_passphrase",
    "invalid_ciphertext",
    "decryption_failed",
  ],
};

const hasBom = (b: Uint8Array) =>
  b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** A request the service must refuse: its code, and the field named. */
class Refusal {
  constructor(
    readonly code: string,
    readonly field?: string,
    readonly why = `${code}${field === undefined ? "" : ` (${field})`}`,
  ) {}
}

const checkString = (name: string, value: unknown): string => {
  if (
    typeof value !== "string" || value.length > MAX_FIELD_LENGTH ||
    !value.isWellFormed()
  ) {
    throw new Refusal("invalid_field", name);
  }
  return value;
};

/**
 * What the contract makes of these frames: an error, or an operation whose
 * reply must be correct. Mirrors JSON semantics (the last duplicate key
 * wins; `__proto__` is an own key; only own `type` counts).
 */
export function classify(
  frames: readonly Uint8Array[],
): { expect: Expect; lenient: boolean } {
  const error = (
    why: string,
    code: string,
    field?: string,
    unknownType = false,
  ) => ({
    expect: { kind: "error", why, code, field, unknownType } as const,
    lenient: false,
  });
  if (frames.length !== 1) {
    return error(`${frames.length} frames`, "multipart_request");
  }
  const body = frames[0];
  // The size is checked before anything else.
  if (body.length > MAX_REQUEST_BYTES) {
    return error(`${body.length} bytes`, "request_too_large");
  }
  // A BOM: Python's json.loads would refuse what this service reads.
  const lenient = hasBom(body);
  const withLenience = (r: ReturnType<typeof error>) => ({ ...r, lenient });
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return withLenience(error("not UTF-8", "invalid_json"));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return withLenience(error("not JSON", "invalid_json"));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return withLenience(error("not a JSON object", "not_an_object"));
  }
  const object = value as Record<string, unknown>;
  const has = (name: string) => Object.hasOwn(object, name);
  const field = (name: string) => {
    if (!has(name)) throw new Refusal("missing_field", name);
    return checkString(name, object[name]);
  };
  const choice = <T>(name: string, choices: readonly T[]): T | undefined => {
    if (!has(name)) return undefined;
    if (!choices.includes(object[name] as T)) {
      throw new Refusal("invalid_field", name);
    }
    return object[name] as T;
  };
  const passphrase = () => {
    if (!has("passphrase")) return undefined;
    const p = checkString("passphrase", object.passphrase);
    if (p === "") throw new Refusal("invalid_field", "passphrase");
    return p;
  };
  const padding = () => choice("padding", PADDINGS) ?? "pkcs1v15";
  const type = has("type") ? object.type : undefined;
  if (isAgeRequest(object)) return { expect: { kind: "age" }, lenient };
  try {
    switch (type) {
      case "ping":
        return { expect: { kind: "ping" }, lenient };
      case "generate_keys": {
        const bits = choice("bits", BITS) ?? 2048;
        const format = choice("format", FORMATS);
        const secret = passphrase();
        if (secret !== undefined && format === "pkcs1") {
          throw new Refusal("invalid_field", "format");
        }
        return {
          expect: {
            kind: "generate",
            bits,
            format: format ?? (secret === undefined ? "pkcs1" : "pkcs8"),
            passphrase: secret,
          },
          lenient,
        };
      }
      case "encrypt_fernet": {
        const fernet = field("fernet");
        const publicPem = field("rsa_public");
        return {
          expect: { kind: "encrypt", fernet, publicPem, padding: padding() },
          lenient,
        };
      }
      case "decrypt_fernet": {
        const ciphertext = field("encrypted_fernet");
        const privatePem = field("rsa_private");
        return {
          expect: {
            kind: "decrypt",
            ciphertext,
            privatePem,
            padding: padding(),
            passphrase: passphrase(),
          },
          lenient,
        };
      }
      case "encrypt_fernet_many": {
        const fernet = field("fernet");
        const name = "rsa_publics";
        if (!has(name)) throw new Refusal("missing_field", name);
        const list = object[name];
        if (
          !Array.isArray(list) || list.length === 0 ||
          list.length > MAX_RECIPIENTS
        ) {
          throw new Refusal("invalid_field", name);
        }
        const publicPems = list.map((entry, i) =>
          checkString(`${name}[${i}]`, entry)
        );
        return {
          expect: {
            kind: "encrypt_many",
            fernet,
            publicPems,
            padding: padding(),
          },
          lenient,
        };
      }
      default:
        return withLenience(
          error("unknown type", "unknown_type", undefined, true),
        );
    }
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return withLenience(error(e.why, e.code, e.field));
  }
}
