// The reference classifier: what the contract makes of a request's frames.
// Either an error (any code, but "Invalid request type" for an unknown
// type), or an operation whose reply must be that operation's correct result
// (or, for encrypt and decrypt of a crafted input, an error). It mirrors
// JSON semantics: the last duplicate key wins, `__proto__` is an own key,
// only an own `type` counts.

import { MAX_REQUEST_BYTES, utf8 } from "./_config.ts";

/** What the reply to a request must be. */
export type Expect =
  | {
    readonly kind: "error";
    readonly why: string;
    readonly unknownType: boolean;
  }
  | { readonly kind: "ping" }
  | { readonly kind: "generate" }
  | {
    readonly kind: "encrypt";
    readonly fernet: string;
    readonly publicPem: string;
  }
  | {
    readonly kind: "decrypt";
    readonly ciphertext: string;
    readonly privatePem: string;
  };

const hasBom = (b: Uint8Array) =>
  b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/**
 * What the contract makes of these frames: an error, or an operation whose
 * reply must be correct. Mirrors JSON semantics (the last duplicate key
 * wins; `__proto__` is an own key; only own `type` counts).
 */
export function classify(
  frames: readonly Uint8Array[],
): { expect: Expect; lenient: boolean } {
  const error = (why: string, unknownType = false) => ({
    expect: { kind: "error", why, unknownType } as const,
    lenient: false,
  });
  if (frames.length !== 1) return error(`${frames.length} frames`);
  const body = frames[0];
  const lenient = body.length > MAX_REQUEST_BYTES || hasBom(body);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return error("not UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return error("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return error("not a JSON object");
  }
  const object = value as Record<string, unknown>;
  const type = Object.hasOwn(object, "type") ? object.type : undefined;
  const strings = (...names: string[]) =>
    names.every((name) =>
      Object.hasOwn(object, name) && typeof object[name] === "string"
    );
  switch (type) {
    case "ping":
      return { expect: { kind: "ping" }, lenient };
    case "generate_keys":
      return { expect: { kind: "generate" }, lenient };
    case "encrypt_fernet":
      if (!strings("fernet", "rsa_public")) {
        return error("missing or non-string field");
      }
      return {
        expect: {
          kind: "encrypt",
          fernet: object.fernet as string,
          publicPem: object.rsa_public as string,
        },
        lenient,
      };
    case "decrypt_fernet":
      if (!strings("encrypted_fernet", "rsa_private")) {
        return error("missing or non-string field");
      }
      return {
        expect: {
          kind: "decrypt",
          ciphertext: object.encrypted_fernet as string,
          privatePem: object.rsa_private as string,
        },
        lenient,
      };
    default:
      return error("unknown type", true);
  }
}
