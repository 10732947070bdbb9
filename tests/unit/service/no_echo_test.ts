// Issue 16, finding 4: no error reply holds bytes of the request. Each
// request below carries a distinctive value where errors used to quote it
// (a PEM label, an algorithm identifier, an iteration count, a key length,
// a modulus size, a plaintext or ciphertext length, a recipient count), and
// the reply must name the field and the reason without it.

import assert from "node:assert/strict";
import { KeyService } from "../../../lib/service/key_service.ts";
import { derInteger, derSequence, pem, tlv } from "../../_helpers/der.ts";
import { FIXED_PUBLIC_PEM } from "../../_helpers/fixed_key.ts";
import {
  oversizedKeys,
  oversizedRequest,
} from "../../_helpers/oversized_der.ts";

const FERNET = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=";
const CIPHERTEXT = new Uint8Array(256).toBase64();
const NULL = Uint8Array.of(0x05, 0x00);
const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
const oid = (hex: string) => Uint8Array.fromHex(hex);

/** 1.2.840.99887766: an algorithm no one uses. */
const ODD_OID = oid("06072a8648afd0d516");

/** PBES2 with PBKDF2 parameters as given; the rest as the service writes. */
function sealed(kdfParams: Uint8Array, scheme = "06092a864886f70d01050d") {
  return pem(
    "ENCRYPTED PRIVATE KEY",
    derSequence(
      derSequence(
        oid(scheme),
        derSequence(
          derSequence(oid("06092a864886f70d01050c"), kdfParams),
          derSequence(
            oid("060960864801650304012a"),
            octets(new Uint8Array(16)),
          ),
        ),
      ),
      octets(new Uint8Array(1232)),
    ),
  );
}
const HMAC = derSequence(oid("06082a864886f70d0209"), NULL);
const decrypt = (key: string, extra: Record<string, unknown> = {}) => ({
  type: "decrypt_fernet",
  encrypted_fernet: CIPHERTEXT,
  rsa_private: key,
  passphrase: "p",
  ...extra,
});

/** [what, request, the value that must not come back]. */
const CASES: [string, unknown, string][] = [
  [
    "a PEM label",
    {
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: pem("ZQXJ KEY", new Uint8Array(4)),
    },
    "ZQXJ",
  ],
  [
    "an algorithm identifier",
    {
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: pem(
        "PUBLIC KEY",
        derSequence(
          derSequence(ODD_OID, NULL),
          tlv(0x03, Uint8Array.of(0, 0x30, 0)),
        ),
      ),
    },
    "99887766",
  ],
  [
    "an encryption scheme identifier",
    decrypt(
      sealed(
        derSequence(octets(new Uint8Array(8)), derInteger(1000n), HMAC),
        "06072a8648afd0d516",
      ),
    ),
    "99887766",
  ],
  [
    "an iteration count",
    decrypt(
      sealed(
        derSequence(
          octets(new Uint8Array(8)),
          derInteger(98_765_432_101n),
          HMAC,
        ),
      ),
    ),
    "98765432101",
  ],
  [
    "a key length",
    decrypt(
      sealed(
        derSequence(
          octets(new Uint8Array(8)),
          derInteger(1000n),
          derInteger(77_777n),
          HMAC,
        ),
      ),
    ),
    "77777",
  ],
  [
    "a PRF identifier",
    decrypt(
      sealed(
        derSequence(
          octets(new Uint8Array(8)),
          derInteger(1000n),
          derSequence(ODD_OID, NULL),
        ),
      ),
    ),
    "99887766",
  ],
  [
    "a modulus size",
    {
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: pem(
        "RSA PUBLIC KEY",
        derSequence(derInteger((1n << 1031n) + 1n), derInteger(65537n)),
      ),
    },
    "1032",
  ],
  [
    "a plaintext length",
    {
      type: "encrypt_fernet",
      fernet: "x".repeat(333),
      rsa_public: FIXED_PUBLIC_PEM,
    },
    "333",
  ],
  [
    "a recipient count",
    {
      type: "encrypt_fernet_many",
      fernet: FERNET,
      rsa_publics: Array(257).fill("k"),
    },
    "257",
  ],
  ...oversizedKeys().map((key): [string, unknown, string] => [
    key.note,
    oversizedRequest(key, CIPHERTEXT),
    key.marker,
  ]),
];

for (const [what, request, marker] of CASES) {
  Deno.test(`no error reply echoes ${what} from the request`, async () => {
    const service = new KeyService({ maxRequestBytes: 1024 * 1024 });
    const outcome = await service.handle([
      new TextEncoder().encode(JSON.stringify(request)),
    ]);
    const reply = JSON.parse(new TextDecoder().decode(outcome.reply));
    assert.notEqual(outcome.code, "ok", JSON.stringify(reply));
    assert.equal(typeof reply.error, "string");
    assert.ok(
      !reply.error.includes(marker),
      `${outcome.code}: ${reply.error}`,
    );
  });
}
