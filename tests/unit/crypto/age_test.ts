import assert from "node:assert/strict";
import {
  type AgeDecryptionFailed,
  AgeLimitExceeded,
  armor,
  dearmor,
  decodeBech32,
  decryptAge,
  encodeBech32,
  encodeHeader,
  encryptAge,
  MalformedBech32,
  MAX_STANZAS,
  MixedRecipients,
  MLKEM768X25519,
  parseHeader,
  parseIdentity,
  parseRecipient,
  UnexpectedAgeKey,
  WrongKeyLength,
  X25519,
} from "../../../lib/crypto/age/mod.ts";
import { InvalidEncapsulationKey } from "../../../lib/crypto/age/errors.ts";

const text = new TextEncoder();

for (const type of [MLKEM768X25519, X25519]) {
  Deno.test(`${type.name}: an identity opens what its recipient was sent, armored`, async () => {
    const identity = await type.generateIdentity();
    assert.ok(identity.startsWith(`${type.identityPrefix}1`));
    const recipient = await type.recipientOf(identity);
    assert.ok(recipient.startsWith(`${type.recipientPrefix}1`));
    const file = await encryptAge(
      [await parseRecipient(recipient)],
      text.encode("key"),
    );
    const opened = await decryptAge(dearmor(armor(file)), [
      await parseIdentity(identity),
    ]);
    assert.equal(new TextDecoder().decode(opened), "key");
  });

  Deno.test(`${type.name}: another identity gets "no match", a flipped header byte no file key`, async () => {
    const identity = await type.generateIdentity();
    const other = await type.generateIdentity();
    const file = await encryptAge([
      await parseRecipient(await type.recipientOf(identity)),
    ], text.encode("k"));
    const stage = (e: unknown) => (e as AgeDecryptionFailed).stage;
    await decryptAge(file, [await parseIdentity(other)]).then(
      () => assert.fail("opened"),
      (e) => assert.equal(stage(e), "no match"),
    );
    const tampered = file.slice();
    tampered[tampered.length - 1] ^= 1; // payload
    await decryptAge(tampered, [await parseIdentity(identity)]).then(
      () => assert.fail("opened"),
      (e) => assert.equal(stage(e), "payload failure"),
    );
  });
}

Deno.test("one file for many recipients: each identity opens it", async () => {
  const identities = await Promise.all(
    [1, 2, 3].map(() => MLKEM768X25519.generateIdentity()),
  );
  const recipients = await Promise.all(
    identities.map(async (i) =>
      parseRecipient(await MLKEM768X25519.recipientOf(i))
    ),
  );
  const file = await encryptAge(recipients, text.encode("group"));
  assert.equal(parseHeader(file).stanzas.length, 3);
  for (const identity of identities) {
    const opened = await decryptAge(file, [await parseIdentity(identity)]);
    assert.equal(new TextDecoder().decode(opened), "group");
  }
});

Deno.test("hybrid and classic recipients in one file are refused", async () => {
  const pq = await parseRecipient(
    await MLKEM768X25519.recipientOf(await MLKEM768X25519.generateIdentity()),
  );
  const classic = await parseRecipient(
    await X25519.recipientOf(await X25519.generateIdentity()),
  );
  await assert.rejects(
    encryptAge([pq, classic], text.encode("k")),
    MixedRecipients,
  );
});

Deno.test("recipients: malformed Bech32, wrong prefix and wrong length each have their error", async () => {
  const good = await X25519.recipientOf(await X25519.generateIdentity());
  const flipped = good.slice(0, -1) + (good.at(-1) === "q" ? "p" : "q");
  await assert.rejects(() => parseRecipient(flipped), MalformedBech32); // checksum
  await assert.rejects(
    () => parseRecipient(good.slice(0, 10) + good.slice(10).toUpperCase()),
    MalformedBech32,
  );
  await assert.rejects(() => parseRecipient("age1bb"), MalformedBech32);
  await assert.rejects(() => parseRecipient("RSA PUBLIC KEY"), MalformedBech32);
  await assert.rejects(
    () => parseRecipient(encodeBech32("age", new Uint8Array(31))),
    WrongKeyLength,
  );
  await assert.rejects(
    () => parseRecipient(encodeBech32("age1pq", new Uint8Array(1215))),
    WrongKeyLength,
  );
  await assert.rejects(() => parseIdentity(good), UnexpectedAgeKey);
  await assert.rejects(
    async () => parseRecipient(await X25519.generateIdentity()),
    UnexpectedAgeKey,
  );
});

Deno.test("a hybrid recipient whose ML-KEM key fails the FIPS 203 modulus check is refused", async () => {
  const key = new Uint8Array(1216);
  key.fill(0xff, 0, 3); // a coefficient of 4095 >= q
  await assert.rejects(
    () => parseRecipient(encodeBech32("age1pq", key)),
    InvalidEncapsulationKey,
  );
});

Deno.test("the X25519 all-zero shared secret is refused on both sides", async () => {
  // The identity point (all zeros) as a recipient: wrapping would give 0.
  const lowOrder = await parseRecipient(
    encodeBech32("age", new Uint8Array(32)),
  );
  await assert.rejects(lowOrder.wrap(new Uint8Array(16)));
});

Deno.test("headers past the stanza limit are refused before any unwrapping", () => {
  const stanza = { args: ["grease"], body: new Uint8Array(0) };
  const header = encodeHeader(
    Array(MAX_STANZAS + 1).fill(stanza),
    new Uint8Array(32),
  );
  assert.throws(() => parseHeader(header), AgeLimitExceeded);
  const atLimit = encodeHeader(
    Array(MAX_STANZAS).fill(stanza),
    new Uint8Array(32),
  );
  assert.equal(parseHeader(atLimit).stanzas.length, MAX_STANZAS);
});

Deno.test("a header with no end within the size limit is refused", () => {
  const huge = text.encode(
    "age-encryption.org/v1\n-> a\n" + "A".repeat(700 * 1024),
  );
  assert.throws(() => parseHeader(huge), AgeLimitExceeded);
});

Deno.test("the Bech32 decoder agrees with @scure/base on valid strings and on every one-character change", async () => {
  const { bech32 } = await import("@scure/base");
  const scure = (text: string) => {
    try {
      const { prefix, words } = bech32.decode(
        text as `${string}1${string}`,
        false,
      );
      return `${prefix}:${new Uint8Array(bech32.fromWords(words)).toHex()}`;
    } catch {
      return "refused";
    }
  };
  const ours = (text: string, hrp: string) => {
    try {
      return `${hrp}:${decodeBech32(text, hrp).toHex()}`;
    } catch {
      return "refused";
    }
  };
  const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l1bio";
  for (
    const [hrp, length] of [["age", 32], ["age1pq", 1216], ["age", 0], [
      "age",
      7,
    ]] as const
  ) {
    const bytes = new Uint8Array(length).map((_, i) =>
      (i * 131 + length) & 255
    );
    const text = encodeBech32(hrp, bytes);
    assert.equal(ours(text, hrp), scure(text));
    // Every position, a few replacement characters each.
    for (let i = 0; i < text.length; i += length > 100 ? 37 : 1) {
      for (const c of alphabet.slice(i % 7, i % 7 + 5)) {
        const changed = text.slice(0, i) + c + text.slice(i + 1);
        const expected = scure(changed);
        const got = ours(changed, hrp);
        // A changed prefix is the wrong kind of key here, refused either way.
        if (expected.startsWith(`${hrp}:`) || expected === "refused") {
          assert.equal(got, expected, `${changed.slice(0, 20)}... at ${i}`);
        } else assert.equal(got, "refused");
      }
    }
  }
});

Deno.test("stanzas tried at once give the outcome trying them in order gives", async () => {
  const identity = await MLKEM768X25519.generateIdentity();
  const mine = await parseRecipient(await MLKEM768X25519.recipientOf(identity));
  const others = await Promise.all(
    [1, 2, 3, 4, 5].map(async () =>
      parseRecipient(
        await MLKEM768X25519.recipientOf(
          await MLKEM768X25519.generateIdentity(),
        ),
      )
    ),
  );
  // A stanza whose X25519 share is the zero point: age aborts on it.
  const lowOrder = {
    args: [
      "mlkem768x25519",
      new Uint8Array(1120).fill(1, 0, 1088).toBase64({ omitPadding: true }),
    ],
    body: new Uint8Array(32),
  };
  const opened = await parseIdentity(identity);
  for (const at of [0, 6]) {
    const file = await encryptAge([...others, mine], text.encode("k"));
    const header = parseHeader(file);
    const stanzas = [...header.stanzas];
    stanzas.splice(at, 0, lowOrder);
    // The MAC no longer matches: past the stanzas, the failure is the MAC's.
    const edited = new Uint8Array([
      ...encodeHeader(stanzas, header.mac),
      ...file.subarray(header.payloadOffset),
    ]);
    for (const concurrency of [1, 4]) {
      const stage = await decryptAge(edited, [opened], { concurrency }).then(
        () => "opened",
        (e) => (e as AgeDecryptionFailed).stage,
      );
      assert.equal(
        stage,
        at === 0 ? "header failure" : "HMAC failure",
        `at ${at}, ${concurrency} at once`,
      );
    }
  }
});
