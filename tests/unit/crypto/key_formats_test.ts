// SPKI (`PUBLIC KEY`) and PKCS#8 (`PRIVATE KEY`) around PKCS#1: round trips,
// byte-for-byte agreement with node:crypto's encoder and with the test
// toolkit's independent builder, strict DER, and keys of other algorithms.

import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  CryptoError,
  MalformedKey,
  parsePrivateKey,
  parsePublicKey,
  pkcs1FromPkcs8,
  pkcs1FromSpki,
  pkcs8FromPkcs1,
  spkiFromPkcs1,
  UnsupportedKeyAlgorithm,
} from "../../../lib/crypto/mod.ts";
import { wireError } from "../../../lib/service/errors.ts";
import {
  concat,
  derInteger,
  derSequence,
  derSequenceWith,
  pem,
  pkcs8Der,
  spkiDer,
  tlv,
} from "../../_helpers/der.ts";

// One RSA key for the file (generation is the slow part), from node:crypto,
// so that its encodings come from an encoder that is not the service's.
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

function der(
  key: KeyObject,
  type: "pkcs1" | "spki" | "pkcs8",
): Uint8Array {
  return new Uint8Array(key.export({ type, format: "der" } as never));
}

const PUBLIC_PKCS1 = der(rsa.publicKey, "pkcs1");
const PRIVATE_PKCS1 = der(rsa.privateKey, "pkcs1");
const NODE_SPKI = der(rsa.publicKey, "spki");
const NODE_PKCS8 = der(rsa.privateKey, "pkcs8");

const RSA_OID = Uint8Array.fromHex("06092a864886f70d010101");
const NULL = Uint8Array.of(0x05, 0x00);
const RSA_ALGORITHM = derSequence(RSA_OID, NULL);

function assertCode(fn: () => unknown, code: string): CryptoError {
  let caught: unknown;
  assert.throws(fn, (error: unknown) => {
    caught = error;
    assert.ok(error instanceof CryptoError, `not a CryptoError: ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
  return caught as CryptoError;
}

/** An SPKI of `algorithm` and a BIT STRING of `key` (no unused bits). */
function spkiOf(algorithm: Uint8Array, key = PUBLIC_PKCS1): Uint8Array {
  return derSequence(algorithm, tlv(0x03, concat([0], key)));
}

/** A PKCS#8 of version 0, `algorithm` and an OCTET STRING of `key`. */
function pkcs8Of(algorithm: Uint8Array, key = PRIVATE_PKCS1): Uint8Array {
  return derSequence(derInteger(0n), algorithm, tlv(0x04, key));
}

// --- round trips and agreement with other encoders -------------------------

Deno.test("pkcs1FromSpki(spkiFromPkcs1(x)) gives back x's bytes", () => {
  assert.deepEqual(pkcs1FromSpki(spkiFromPkcs1(PUBLIC_PKCS1)), PUBLIC_PKCS1);
});

Deno.test("pkcs1FromPkcs8(pkcs8FromPkcs1(x)) gives back x's bytes", () => {
  assert.deepEqual(
    pkcs1FromPkcs8(pkcs8FromPkcs1(PRIVATE_PKCS1)),
    PRIVATE_PKCS1,
  );
});

Deno.test("spkiFromPkcs1 is byte-identical to node:crypto's spki DER export", () => {
  assert.equal(spkiFromPkcs1(PUBLIC_PKCS1).toHex(), NODE_SPKI.toHex());
});

Deno.test("pkcs8FromPkcs1 is byte-identical to node:crypto's pkcs8 DER export", () => {
  assert.equal(pkcs8FromPkcs1(PRIVATE_PKCS1).toHex(), NODE_PKCS8.toHex());
});

Deno.test("spkiFromPkcs1 and pkcs8FromPkcs1 match the test toolkit's spkiDer and pkcs8Der", () => {
  assert.deepEqual(spkiFromPkcs1(PUBLIC_PKCS1), spkiDer(PUBLIC_PKCS1));
  assert.deepEqual(pkcs8FromPkcs1(PRIVATE_PKCS1), pkcs8Der(PRIVATE_PKCS1));
});

Deno.test("pkcs1FromSpki and pkcs1FromPkcs8 of node:crypto's exports give node's PKCS#1 DER", () => {
  assert.deepEqual(pkcs1FromSpki(NODE_SPKI), PUBLIC_PKCS1);
  assert.deepEqual(pkcs1FromPkcs8(NODE_PKCS8), PRIVATE_PKCS1);
});

Deno.test("rsaEncryption with its parameters absent is accepted, as documented", () => {
  const algorithm = derSequence(RSA_OID);
  assert.deepEqual(pkcs1FromSpki(spkiOf(algorithm)), PUBLIC_PKCS1);
  assert.deepEqual(pkcs1FromPkcs8(pkcs8Of(algorithm)), PRIVATE_PKCS1);
});

Deno.test("an SPKI PEM and a PKCS#8 PEM parse to the same key as the PKCS#1 PEMs", () => {
  const fromPkcs1 = parsePublicKey(pem("RSA PUBLIC KEY", PUBLIC_PKCS1));
  const fromSpki = parsePublicKey(pem("PUBLIC KEY", NODE_SPKI));
  assert.deepEqual(fromSpki, fromPkcs1);
  const privateFromPkcs1 = parsePrivateKey(
    pem("RSA PRIVATE KEY", PRIVATE_PKCS1),
  );
  const privateFromPkcs8 = parsePrivateKey(pem("PRIVATE KEY", NODE_PKCS8));
  assert.deepEqual(privateFromPkcs8, privateFromPkcs1);
  assert.deepEqual(privateFromPkcs8.der, PRIVATE_PKCS1);
});

// --- strict DER: SubjectPublicKeyInfo --------------------------------------

const SPKI_CONTENT = concat(
  RSA_ALGORITHM,
  tlv(0x03, concat([0], PUBLIC_PKCS1)),
);

const BAD_SPKI: Record<string, Uint8Array> = {
  "a trailing byte after the SEQUENCE": concat(NODE_SPKI, [0]),
  "trailing bytes 00 00 after the SEQUENCE": concat(NODE_SPKI, [0, 0]),
  "a long-form length with a leading zero octet on the SEQUENCE": tlv(
    0x30,
    SPKI_CONTENT,
    { octets: 3 },
  ),
  "a long-form length where the short form fits (algorithm)": derSequence(
    derSequenceWith({ long: true }, RSA_OID, NULL),
    tlv(0x03, concat([0], PUBLIC_PKCS1)),
  ),
  "a long-form length on the NULL parameters": spkiOf(
    derSequence(RSA_OID, tlv(0x05, new Uint8Array(0), { long: true })),
  ),
  "an indefinite length": tlv(0x30, SPKI_CONTENT, { indefinite: true }),
  "a declared length one short": tlv(0x30, SPKI_CONTENT, {
    declared: SPKI_CONTENT.length - 1,
  }),
  "a BIT STRING with 1 unused bit": derSequence(
    RSA_ALGORITHM,
    tlv(0x03, concat([1], PUBLIC_PKCS1)),
  ),
  "a BIT STRING with 7 unused bits": derSequence(
    RSA_ALGORITHM,
    tlv(0x03, concat([7], PUBLIC_PKCS1)),
  ),
  "an empty BIT STRING": derSequence(
    RSA_ALGORITHM,
    tlv(0x03, new Uint8Array()),
  ),
  "an OCTET STRING instead of the BIT STRING": derSequence(
    RSA_ALGORITHM,
    tlv(0x04, PUBLIC_PKCS1),
  ),
  "rsaEncryption parameters INTEGER 0 instead of NULL": spkiOf(
    derSequence(RSA_OID, derInteger(0n)),
  ),
  "rsaEncryption parameters an empty OCTET STRING": spkiOf(
    derSequence(RSA_OID, tlv(0x04, new Uint8Array())),
  ),
  "rsaEncryption parameters an empty SEQUENCE": spkiOf(
    derSequence(RSA_OID, derSequence()),
  ),
  "a third item in the AlgorithmIdentifier": spkiOf(
    derSequence(RSA_OID, NULL, NULL),
  ),
  "an INTEGER where the algorithm OID belongs": spkiOf(
    derSequence(derInteger(1n), NULL),
  ),
  "an empty AlgorithmIdentifier": spkiOf(derSequence()),
  "a third item in the SubjectPublicKeyInfo": derSequence(
    RSA_ALGORITHM,
    tlv(0x03, concat([0], PUBLIC_PKCS1)),
    NULL,
  ),
  "no subjectPublicKey": derSequence(RSA_ALGORITHM),
  "an empty SEQUENCE": derSequence(),
  "no bytes at all": new Uint8Array(),
  "a SET instead of the SEQUENCE": tlv(0x31, SPKI_CONTENT),
  "the PKCS#1 RSAPublicKey itself": PUBLIC_PKCS1,
};

for (const [what, bytes] of Object.entries(BAD_SPKI)) {
  Deno.test(`pkcs1FromSpki: ${what} is malformed_key`, () => {
    const error = assertCode(() => pkcs1FromSpki(bytes), "malformed_key");
    assert.ok(error instanceof MalformedKey);
  });
}

Deno.test("parsePublicKey of a PUBLIC KEY PEM with non-DER in it is malformed_key", () => {
  for (const bytes of Object.values(BAD_SPKI)) {
    if (bytes.length === 0) continue; // an empty body is its own PEM error
    assertCode(() => parsePublicKey(pem("PUBLIC KEY", bytes)), "malformed_key");
  }
});

Deno.test("parsePublicKey: an SPKI whose inner RSAPublicKey is not canonical DER is malformed_key", () => {
  const inner = [
    concat(PUBLIC_PKCS1, [0]), // trailing byte inside the BIT STRING
    tlv(0x30, PUBLIC_PKCS1.subarray(4), { octets: 3 }), // long-form length
    derSequence(derInteger(65537n)), // one integer only
  ];
  for (const key of inner) {
    assertCode(
      () => parsePublicKey(pem("PUBLIC KEY", spkiDer(key))),
      "malformed_key",
    );
  }
});

Deno.test("a PKCS#1 body under a PUBLIC KEY label, and an SPKI body under RSA PUBLIC KEY, are malformed_key", () => {
  assertCode(
    () => parsePublicKey(pem("PUBLIC KEY", PUBLIC_PKCS1)),
    "malformed_key",
  );
  assertCode(
    () => parsePublicKey(pem("RSA PUBLIC KEY", NODE_SPKI)),
    "malformed_key",
  );
});

// --- strict DER: PKCS#8 PrivateKeyInfo -------------------------------------

const PKCS8_CONTENT = concat(
  derInteger(0n),
  RSA_ALGORITHM,
  tlv(0x04, PRIVATE_PKCS1),
);

const BAD_PKCS8: Record<string, Uint8Array> = {
  "a trailing byte after the SEQUENCE": concat(NODE_PKCS8, [0]),
  "a long-form length with a leading zero octet on the SEQUENCE": tlv(
    0x30,
    PKCS8_CONTENT,
    { octets: 4 },
  ),
  "a long-form length on the version": derSequence(
    derInteger(0n, { long: true }),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
  ),
  "a long-form length with a leading zero octet on the OCTET STRING":
    derSequence(
      derInteger(0n),
      RSA_ALGORITHM,
      tlv(0x04, PRIVATE_PKCS1, { octets: 3 }),
    ),
  "an indefinite length": tlv(0x30, PKCS8_CONTENT, { indefinite: true }),
  "version 1 (OneAsymmetricKey v2) without a public key": derSequence(
    derInteger(1n),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
  ),
  "version 2": derSequence(
    derInteger(2n),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
  ),
  "version 0 with an extra leading zero": derSequence(
    derInteger(0n, { extraZero: true }),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
  ),
  "no version": derSequence(RSA_ALGORITHM, tlv(0x04, PRIVATE_PKCS1)),
  "attributes [0] present": derSequence(
    derInteger(0n),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
    tlv(0xa0, derSequence(Uint8Array.fromHex("06032a0304"), NULL)),
  ),
  "an empty attributes [0]": derSequence(
    derInteger(0n),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
    tlv(0xa0, new Uint8Array()),
  ),
  "version 1 with a public key [1]": derSequence(
    derInteger(1n),
    RSA_ALGORITHM,
    tlv(0x04, PRIVATE_PKCS1),
    tlv(0x81, concat([0], PUBLIC_PKCS1)),
  ),
  "a BIT STRING instead of the OCTET STRING": derSequence(
    derInteger(0n),
    RSA_ALGORITHM,
    tlv(0x03, concat([0], PRIVATE_PKCS1)),
  ),
  "rsaEncryption parameters INTEGER 0 instead of NULL": pkcs8Of(
    derSequence(RSA_OID, derInteger(0n)),
  ),
  "rsaEncryption parameters an empty OCTET STRING": pkcs8Of(
    derSequence(RSA_OID, tlv(0x04, new Uint8Array())),
  ),
  "a third item in the AlgorithmIdentifier": pkcs8Of(
    derSequence(RSA_OID, NULL, NULL),
  ),
  "an empty SEQUENCE": derSequence(),
  "no bytes at all": new Uint8Array(),
  "the PKCS#1 RSAPrivateKey itself": PRIVATE_PKCS1,
};

for (const [what, bytes] of Object.entries(BAD_PKCS8)) {
  Deno.test(`pkcs1FromPkcs8: ${what} is malformed_key`, () => {
    const error = assertCode(() => pkcs1FromPkcs8(bytes), "malformed_key");
    assert.ok(error instanceof MalformedKey);
  });
}

Deno.test("parsePrivateKey of a PRIVATE KEY PEM with non-DER in it is malformed_key", () => {
  for (const bytes of Object.values(BAD_PKCS8)) {
    if (bytes.length === 0) continue;
    assertCode(
      () => parsePrivateKey(pem("PRIVATE KEY", bytes)),
      "malformed_key",
    );
  }
});

Deno.test("parsePrivateKey: a PKCS#8 whose inner RSAPrivateKey has a trailing byte is malformed_key", () => {
  assertCode(
    () =>
      parsePrivateKey(pem("PRIVATE KEY", pkcs8Der(concat(PRIVATE_PKCS1, [0])))),
    "malformed_key",
  );
});

Deno.test("a PKCS#1 body under a PRIVATE KEY label, and a PKCS#8 body under RSA PRIVATE KEY, are malformed_key", () => {
  assertCode(
    () => parsePrivateKey(pem("PRIVATE KEY", PRIVATE_PKCS1)),
    "malformed_key",
  );
  assertCode(
    () => parsePrivateKey(pem("RSA PRIVATE KEY", NODE_PKCS8)),
    "malformed_key",
  );
});

// --- keys of other algorithms ----------------------------------------------

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed25519 = generateKeyPairSync("ed25519");
const x25519 = generateKeyPairSync("x25519");
// RSASSA-PSS: 1024 bits is enough to carry the OID, and fast to make.
const pss = generateKeyPairSync("rsa-pss", { modulusLength: 1024 });
const pssSpki = der(pss.publicKey, "spki");
// Deno's node:crypto cannot export an RSA-PSS private key as PKCS#8 (yet):
// build it as OpenSSL writes one, from the AlgorithmIdentifier node:crypto
// put in the SPKI (id-RSASSA-PSS, no parameters) and an RSAPrivateKey.
const pssAlgorithm = pssSpki.subarray(
  pssSpki[1] & 0x80 ? 2 + (pssSpki[1] & 0x7f) : 2,
);
const PSS_PKCS8 = pkcs8Of(
  pssAlgorithm.subarray(0, 2 + pssAlgorithm[1]),
  PRIVATE_PKCS1,
);

const OTHERS: [string, Uint8Array, Uint8Array, string][] = [
  [
    "EC (P-256)",
    der(ec.publicKey, "spki"),
    der(ec.privateKey, "pkcs8"),
    "an EC key",
  ],
  [
    "Ed25519",
    der(ed25519.publicKey, "spki"),
    der(ed25519.privateKey, "pkcs8"),
    "an Ed25519 key",
  ],
  [
    "X25519",
    der(x25519.publicKey, "spki"),
    der(x25519.privateKey, "pkcs8"),
    "an X25519 key",
  ],
  ["RSASSA-PSS", pssSpki, PSS_PKCS8, "an RSASSA-PSS key"],
];

Deno.test("the hand-built RSASSA-PSS PKCS#8 carries id-RSASSA-PSS", () => {
  assert.equal(
    pssAlgorithm.subarray(0, 2 + pssAlgorithm[1]).toHex(),
    derSequence(Uint8Array.fromHex("06092a864886f70d01010a")).toHex(),
  );
});

for (const [name, spki, pkcs8, algorithm] of OTHERS) {
  Deno.test(`a ${name} SPKI is unsupported_key_algorithm naming ${algorithm}`, () => {
    const error = assertCode(
      () => pkcs1FromSpki(spki),
      "unsupported_key_algorithm",
    );
    assert.ok(error instanceof UnsupportedKeyAlgorithm);
    assert.equal(error.algorithm, algorithm);
    assertCode(
      () => parsePublicKey(pem("PUBLIC KEY", spki)),
      "unsupported_key_algorithm",
    );
  });

  Deno.test(`a ${name} PKCS#8 is unsupported_key_algorithm naming ${algorithm}`, () => {
    const error = assertCode(
      () => pkcs1FromPkcs8(pkcs8),
      "unsupported_key_algorithm",
    );
    assert.ok(error instanceof UnsupportedKeyAlgorithm);
    assert.equal(error.algorithm, algorithm);
    assertCode(
      () => parsePrivateKey(pem("PRIVATE KEY", pkcs8)),
      "unsupported_key_algorithm",
    );
  });

  Deno.test(`a ${name} key on the wire is wrong_key_type naming ${algorithm} and the field`, () => {
    let caught: unknown;
    try {
      parsePublicKey(pem("PUBLIC KEY", spki));
    } catch (error) {
      caught = wireError(error, "rsa_public");
    }
    assert.ok(caught instanceof Error);
    assert.equal((caught as { code?: string }).code, "wrong_key_type");
    assert.equal(
      caught.message,
      `Field "rsa_public" must hold an RSA key, found ${algorithm}`,
    );
  });
}

Deno.test("an unknown algorithm OID is unsupported_key_algorithm in fixed words, not naming the OID", () => {
  const unknown = derSequence(Uint8Array.fromHex("06032a0304"), NULL); // 1.2.3.4
  for (
    const fn of [
      () => pkcs1FromSpki(spkiOf(unknown)),
      () => pkcs1FromPkcs8(pkcs8Of(unknown)),
    ]
  ) {
    const error = assertCode(fn, "unsupported_key_algorithm");
    assert.equal(
      (error as UnsupportedKeyAlgorithm).algorithm,
      "another algorithm",
    );
    assert.ok(!error.message.includes("1.2.3.4"), error.message);
  }
});

Deno.test("an EC key with a well-formed structure is refused for its algorithm before anything else", () => {
  // The algorithm decides: the EC point in the BIT STRING is not read.
  const ecAlgorithm = Uint8Array.fromHex(
    "301306072a8648ce3d020106082a8648ce3d030107",
  );
  assertCode(
    () => pkcs1FromSpki(spkiOf(ecAlgorithm, Uint8Array.of(4, 1, 2))),
    "unsupported_key_algorithm",
  );
});

Deno.test("key errors hold no key bytes", () => {
  const hex = PUBLIC_PKCS1.subarray(10, 30).toHex();
  const b64 = PUBLIC_PKCS1.subarray(12, 30).toBase64();
  for (
    const bytes of [...Object.values(BAD_SPKI), ...Object.values(BAD_PKCS8)]
  ) {
    for (
      const fn of [() => pkcs1FromSpki(bytes), () => pkcs1FromPkcs8(bytes)]
    ) {
      try {
        fn();
      } catch (error) {
        const text = String((error as Error).message);
        assert.ok(!text.toLowerCase().includes(hex), text);
        assert.ok(!text.includes(b64), text);
      }
    }
  }
});
