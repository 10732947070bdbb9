/**
 * HPKE (RFC 9180) base mode, single-shot, for the one suite age's
 * `mlkem768x25519` stanza uses: KEM MLKEM768-X25519 (X-Wing, KEM id
 * 0x647a), KDF HKDF-SHA256 (0x0001), AEAD ChaCha20Poly1305 (0x0003). The KEM's
 * shared secret enters the key schedule as it is (X-Wing needs no
 * ExtractAndExpand). HMAC and the AEAD run in WebCrypto.
 *
 * @example
 * ```ts
 * import { openBase, sealBase } from "./hpke.ts";
 * import { generateXWingSeed, openXWingKey, xwingPublicKey } from "./xwing.ts";
 *
 * const key = await openXWingKey(generateXWingSeed());
 * const info = new TextEncoder().encode("example");
 * const sealed = await sealBase(await xwingPublicKey(key), info, new Uint8Array([1, 2, 3]));
 * await openBase(key, sealed.enc, info, sealed.ciphertext); // Uint8Array [1, 2, 3]
 * ```
 * @module
 */

import {
  type Bytes,
  chachaOpen,
  chachaSeal,
  concat,
  hkdfDeriveKey,
  hkdfKey,
  subtle,
  wipe,
} from "./_subtle.ts";
import {
  decapsulateXWing,
  encapsulateXWing,
  type XWingKey,
  type XWingPublicKey,
} from "./xwing.ts";

/** The HPKE KEM identifier of MLKEM768-X25519 (X-Wing). */
export const KEM_MLKEM768_X25519 = 0x647a;
const KDF_HKDF_SHA256 = 0x0001;
const AEAD_CHACHA20POLY1305 = 0x0003;

const text = new TextEncoder();
const SUITE_ID = concat(
  text.encode("HPKE"),
  new Uint8Array([
    KEM_MLKEM768_X25519 >> 8,
    KEM_MLKEM768_X25519 & 0xff,
    0,
    KDF_HKDF_SHA256,
    0,
    AEAD_CHACHA20POLY1305,
  ]),
);
const VERSION = text.encode("HPKE-v1");
const HASH_BYTES = 32;

async function hmac(key: Bytes, data: Bytes): Promise<Bytes> {
  // HKDF-Extract with an empty salt uses HashLen zero bytes (RFC 5869).
  const raw = key.length === 0 ? new Uint8Array(HASH_BYTES) : key;
  const k = await subtle.importKey(
    "raw",
    raw,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

/** LabeledExtract(salt, label, ikm). */
function labeledExtract(
  salt: Bytes,
  label: string,
  ikm: Bytes,
): Promise<Bytes> {
  return hmac(salt, concat(VERSION, SUITE_ID, text.encode(label), ikm));
}

/** key_schedule_context for base mode and `info`, kept per info string. */
const contexts = new Map<string, Promise<Bytes>>();

function scheduleContext(info: Bytes): Promise<Bytes> {
  const id = info.toHex();
  let context = contexts.get(id);
  if (context === undefined) {
    const empty = new Uint8Array(0);
    context = Promise.all([
      labeledExtract(empty, "psk_id_hash", empty),
      labeledExtract(empty, "info_hash", info),
    ]).then(([pskIdHash, infoHash]) =>
      concat(new Uint8Array([0]), pskIdHash, infoHash)
    );
    // A handful of fixed info strings in practice; bounded all the same.
    if (contexts.size < 16) contexts.set(id, context);
  }
  return context;
}

/**
 * The IKM of LabeledExtract(shared_secret, "secret", psk = ""): public, so
 * imported once. HKDF in WebCrypto then runs the key schedule's Extract
 * (salt = shared_secret) and each Expand in one call.
 */
let secretIkm: Promise<CryptoKey> | undefined;

/** LabeledExpand's info for `label` and `context`, `length` bytes. */
function expandInfo(label: string, context: Bytes, length: number): Bytes {
  return concat(
    new Uint8Array([length >> 8, length & 0xff]),
    VERSION,
    SUITE_ID,
    text.encode(label),
    context,
  );
}

/** KeyScheduleS/R, base mode: the AEAD key and base nonce. */
async function keySchedule(
  sharedSecret: Bytes,
  info: Bytes,
): Promise<{ key: CryptoKey; nonce: Bytes }> {
  secretIkm ??= hkdfKey(concat(VERSION, SUITE_ID, text.encode("secret")));
  const [ikm, context] = await Promise.all([secretIkm, scheduleContext(info)]);
  try {
    const [key, nonce] = await Promise.all([
      hkdfDeriveKey(
        ikm,
        sharedSecret,
        expandInfo("key", context, 32),
        "ChaCha20-Poly1305",
      ),
      crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: sharedSecret,
          info: expandInfo("base_nonce", context, 12),
        },
        ikm,
        96,
      ),
    ]);
    return { key, nonce: new Uint8Array(nonce) };
  } finally {
    wipe(sharedSecret);
  }
}

/** SealBase(pkR, info, aad = "", pt): the encapsulated key and ciphertext. */
export async function sealBase(
  recipient: Bytes | XWingPublicKey,
  info: Bytes,
  plaintext: Bytes,
): Promise<{ enc: Bytes; ciphertext: Bytes }> {
  const { sharedSecret, ciphertext: enc } = await encapsulateXWing(recipient);
  const { key, nonce } = await keySchedule(sharedSecret, info);
  return { enc, ciphertext: await chachaSeal(key, nonce, plaintext) };
}

/**
 * OpenBase(enc, skR, info, aad = "", ct): the plaintext, or undefined when
 * it does not open (wrong key, tampered). A low-order X25519 share throws
 * `LowOrderShare` (see xwing.ts).
 */
export async function openBase(
  key: XWingKey,
  enc: Uint8Array,
  info: Bytes,
  ciphertext: Bytes,
): Promise<Bytes | undefined> {
  const sharedSecret = await decapsulateXWing(key, enc);
  if (sharedSecret === undefined) return undefined;
  const { key: aead, nonce } = await keySchedule(sharedSecret, info);
  try {
    return await chachaOpen(aead, nonce, ciphertext);
  } catch {
    return undefined;
  }
}
