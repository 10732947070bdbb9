/**
 * The age operations (see age_protocol.ts): an identity and its recipient for
 * `generate_keys`, one armored age file for all recipients of
 * `encrypt_fernet`/`encrypt_fernet_many`, and `decrypt_fernet` with an
 * identity. Every failure to open a file (armor, header, stanza, MAC,
 * payload, wrong identity) is the one `decryption_failed` reply RSA has.
 *
 * @example
 * ```ts
 * import { performAge } from "./age_ops.ts";
 *
 * const reply = await performAge({ type: "generate_keys", age: true, keyType: "mlkem768x25519" });
 * // { age: { key_type: "mlkem768x25519", recipient: "age1pq1...", identity: "AGE-SECRET-KEY-PQ-1..." }, fernet: "..." }
 * ```
 * @module
 */

import {
  type AgeRecipient,
  armor,
  checkRecipients,
  dearmor,
  decryptAge,
  encryptAge,
  KEY_TYPES,
  parseIdentity,
  parseRecipient,
} from "../crypto/age/mod.ts";
import { generateFernetKey } from "../crypto/mod.ts";
import { fernetReply } from "./operations.ts";
import { ageWireError } from "./age_errors.ts";
import type {
  AgeDecryptRequest,
  AgeEncryptRequest,
  AgeGenerateKeysRequest,
  AgeRequest,
} from "./age_protocol.ts";
import type { Reply } from "./protocol.ts";

const encoder = new TextEncoder();

/** Most plaintext bytes decrypted: `fernet` fields are 16 Ki code units. */
const MAX_PLAINTEXT_BYTES = 3 * 16 * 1024;

/** Runs `fn`, turning a crypto error into the wire error for `field`. */
async function about<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw ageWireError(error, field);
  }
}

async function generate(request: AgeGenerateKeysRequest): Promise<Reply> {
  const type = KEY_TYPES[request.keyType];
  const identity = await type.generateIdentity();
  return {
    age: {
      key_type: type.name,
      recipient: await type.recipientOf(identity),
      identity,
    },
    fernet: generateFernetKey(),
  };
}

async function encrypt(request: AgeEncryptRequest): Promise<Reply> {
  // Parsing checks each key (Bech32, length, FIPS 203) without WebCrypto;
  // the imports run with the wrapping, several stanzas at once.
  const recipients: AgeRecipient[] = [];
  for (const { field, value } of request.recipients) {
    recipients.push(await about(field, () => parseRecipient(value)));
  }
  const file = await about("recipients", async () => {
    checkRecipients(recipients);
    return await encryptAge(recipients, encoder.encode(request.fernet));
  });
  return { encrypted_fernet: armor(file) };
}

async function decrypt(request: AgeDecryptRequest): Promise<Reply> {
  const identity = await about(
    "identity",
    () => parseIdentity(request.identity),
  );
  let plaintext: Uint8Array;
  try {
    const file = dearmor(request.encryptedFernet);
    plaintext = await decryptAge(file, [identity], {
      maxPlaintextBytes: MAX_PLAINTEXT_BYTES,
    });
  } catch (error) {
    throw ageWireError(error, "encrypted_fernet");
  }
  return fernetReply(plaintext);
}

/** The reply to a validated age request. */
export function performAge(request: AgeRequest): Promise<Reply> {
  switch (request.type) {
    case "generate_keys":
      return generate(request);
    case "encrypt_fernet":
    case "encrypt_fernet_many":
      return encrypt(request);
    case "decrypt_fernet":
      return decrypt(request);
  }
}
