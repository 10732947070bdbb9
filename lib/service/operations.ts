/**
 * The operations behind the requests: what `generate_keys`,
 * `encrypt_fernet`, `decrypt_fernet` and `encrypt_fernet_many` do, given a
 * validated request. Crypto errors become wire errors here, with the field
 * they concern.
 *
 * @example
 * ```ts
 * import { generateKeys } from "./operations.ts";
 * import { WorkLimiter } from "./work_limiter.ts";
 * import { encryptWith, generateRsaKeyPair } from "../crypto/mod.ts";
 * import { decryptWith } from "../crypto/node_decrypt.ts";
 *
 * const reply = await generateKeys({
 *   keyLimits: {},
 *   keyPairs: { take: () => generateRsaKeyPair() },
 *   generate: (bits) => generateRsaKeyPair(bits),
 *   decrypt: (key, c, padding) => Promise.resolve(decryptWith(padding, key, c)),
 *   encrypt: (key, p, padding) => Promise.resolve(encryptWith(padding, key, p)),
 *   limiter: new WorkLimiter(2),
 *   passphraseLimiter: new WorkLimiter(2),
 *   pbkdf2Iterations: 600_000,
 * }, { type: "generate_keys", bits: 2048, format: "pkcs8", passphrase: undefined });
 * ```
 * @module
 */

import {
  checkCiphertext,
  checkCiphertextLength,
  checkSealedKey,
  exportKeyPair,
  generateFernetKey,
  type KeyLimits,
  openPrivateKey,
  type Padding,
  parsePrivateKey,
  parsePublicKey,
  PassphraseRequired,
  type RsaKeyPairPem,
  type RsaPrivateKey,
} from "../crypto/mod.ts";
import {
  DecryptionFailed,
  InvalidCiphertext,
  KeyServiceError,
  MissingField,
  wireError,
} from "./errors.ts";
import {
  type DecryptFernetRequest,
  type EncryptFernetManyRequest,
  type EncryptFernetRequest,
  errorReply,
  type GenerateKeysRequest,
  type Reply,
} from "./protocol.ts";
import type { Decryptor, Encryptor, KeyPairSource } from "./types.ts";
import type { WorkLimiter } from "./work_limiter.ts";

/** What the operations work with. */
export interface OperationContext {
  /** Bounds on RSA keys in requests. */
  readonly keyLimits: KeyLimits;
  /** 2048-bit pairs (the pool). */
  readonly keyPairs: KeyPairSource;
  /** Makes a pair of another size, on demand. */
  readonly generate: (bits: number) => Promise<RsaKeyPairPem>;
  /** Private-key decryption (on workers, in the service). */
  readonly decrypt: Decryptor;
  /** Public-key encryption (OpenSSL off the main thread, or JavaScript). */
  readonly encrypt: Encryptor;
  /** Bounds on-demand key generation. */
  readonly limiter: WorkLimiter;
  /** Bounds PBKDF2 (passphrases), apart from key generation. */
  readonly passphraseLimiter: WorkLimiter;
  /** PBKDF2 iterations for keys `generate_keys` protects. */
  readonly pbkdf2Iterations: number;
}

// ignoreBOM: a leading U+FEFF is part of the plaintext, as Python keeps it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Overwrites `bytes` with zeros; nothing to do once its buffer has been
 * transferred to another thread (detached: `fill` would throw).
 */
function wipe(bytes: Uint8Array): void {
  if (bytes.byteLength > 0) bytes.fill(0);
}

/** Runs `fn`, turning a crypto error into the wire error for `field`. */
function about<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw wireError(error, field);
  }
}

/**
 * `generate_keys`: a pair in the size and format asked for, and a key.
 * `client` names who asked, for turns at the heavy work (see `WorkLimiter`).
 */
export async function generateKeys(
  context: OperationContext,
  request: GenerateKeysRequest,
  client = "",
): Promise<Reply> {
  const { bits, format, passphrase } = request;
  let pair = bits === 2048
    ? await context.keyPairs.take()
    : await context.limiter.run(() => context.generate(bits), client);
  if (passphrase !== undefined) {
    pair = await context.passphraseLimiter.run(() =>
      exportKeyPair(pair, {
        format,
        passphrase,
        iterations: context.pbkdf2Iterations,
      }), client);
  } else if (format !== "pkcs1") {
    pair = await exportKeyPair(pair, { format });
  }
  return {
    rsa: { public: pair.public, private: pair.private },
    fernet: generateFernetKey(),
  };
}

/** Base64 of `plaintext` encrypted under the PEM key in `field`. */
async function wrap(
  context: OperationContext,
  plaintext: Uint8Array,
  pem: string,
  field: string,
  padding: Padding,
): Promise<string> {
  const key = about(field, () => parsePublicKey(pem, context.keyLimits));
  try {
    return (await context.encrypt(key, plaintext, padding)).toBase64();
  } catch (error) {
    throw wireError(error, "fernet");
  }
}

/** `encrypt_fernet`: the key's UTF-8 bytes, encrypted for one recipient. */
export async function encryptFernet(
  context: OperationContext,
  request: EncryptFernetRequest,
): Promise<Reply> {
  const plaintext = encoder.encode(request.fernet);
  return {
    encrypted_fernet: await wrap(
      context,
      plaintext,
      request.rsaPublic,
      "rsa_public",
      request.padding,
    ),
  };
}

/** Recipients handled between two turns of the event loop. */
const RECIPIENTS_PER_TURN = 16;

/**
 * `encrypt_fernet_many`: the key encrypted for each recipient, in order; a
 * recipient whose key fails gets its own error entry, naming
 * `rsa_publics[i]`. Yields to the event loop between batches, so that a long
 * list does not hold up other requests.
 */
export async function encryptFernetMany(
  context: OperationContext,
  request: EncryptFernetManyRequest,
): Promise<Reply> {
  const plaintext = encoder.encode(request.fernet);
  const results: Reply[] = [];
  for (const [i, pem] of request.rsaPublics.entries()) {
    if (i > 0 && i % RECIPIENTS_PER_TURN === 0) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const field = `rsa_publics[${i}]`;
    try {
      const ciphertext = await wrap(
        context,
        plaintext,
        pem,
        field,
        request.padding,
      );
      results.push({ encrypted_fernet: ciphertext });
    } catch (error) {
      if (!(error instanceof KeyServiceError)) throw error;
      results.push(errorReply(error));
    }
  }
  return { results };
}

/** The ciphertext of a request: strict standard base64. */
function ciphertextOf(request: DecryptFernetRequest): Uint8Array {
  try {
    return Uint8Array.fromBase64(request.encryptedFernet, {
      lastChunkHandling: "strict",
    });
  } catch {
    throw new InvalidCiphertext(
      "encrypted_fernet",
      "is not valid standard base64",
    );
  }
}

/**
 * `decrypt_fernet`: the plaintext, as UTF-8 text. `client` names who asked,
 * for turns at PBKDF2 (see `WorkLimiter`).
 */
export async function decryptFernet(
  context: OperationContext,
  request: DecryptFernetRequest,
  client = "",
): Promise<Reply> {
  let key: RsaPrivateKey | undefined;
  try {
    key = parsePrivateKey(request.rsaPrivate, context.keyLimits);
  } catch (error) {
    if (!(error instanceof PassphraseRequired)) {
      throw wireError(error, "rsa_private");
    }
  }
  const { passphrase } = request;
  if (key === undefined && passphrase === undefined) {
    throw new MissingField("passphrase");
  }
  // Checked before an encrypted key is opened, and before it waits its
  // turn: a junk request costs no key derivation.
  const ciphertext = ciphertextOf(request);
  if (key === undefined) {
    about(
      "rsa_private",
      () => checkSealedKey(request.rsaPrivate, context.keyLimits),
    );
    about(
      "encrypted_fernet",
      () => checkCiphertextLength(ciphertext.length, context.keyLimits),
    );
    try {
      key = await context.passphraseLimiter.run(
        () =>
          openPrivateKey(request.rsaPrivate, passphrase!, context.keyLimits),
        client,
      );
    } catch (error) {
      throw wireError(error, "rsa_private");
    }
  }
  let plaintext: Uint8Array;
  try {
    checkCiphertext(key, ciphertext);
    plaintext = await context.decrypt(key, ciphertext, request.padding);
  } catch (error) {
    throw wireError(error, "encrypted_fernet");
  } finally {
    // This request's own copy of the private key, parsed above: wiped once
    // decryption is over.
    wipe(key.der);
  }
  return fernetReply(plaintext);
}

/**
 * The reply to a decryption: `plaintext` as the `fernet` string, or
 * {@linkcode DecryptionFailed} (the reply of every other decryption
 * failure) when it is not UTF-8. The bytes are wiped either way; the reply
 * holds the plaintext as a string from here on, which no one can wipe.
 */
export function fernetReply(plaintext: Uint8Array): Reply {
  try {
    return { fernet: utf8.decode(plaintext) };
  } catch {
    throw new DecryptionFailed();
  } finally {
    wipe(plaintext);
  }
}
