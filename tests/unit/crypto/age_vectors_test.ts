// Published vectors for the primitives under age's mlkem768x25519 type
// (tests/vectors/README.md says where each file is from):
// - X-Wing (draft-connolly-cfrg-xwing-kem, spec/test-vectors.json): the seed
//   gives the encapsulation key, and decapsulating the ciphertext gives the
//   shared secret. (Encapsulation is randomized in WebCrypto: it cannot take
//   the vectors' eseed; round trips and the interop tests cover it.)
// - ML-KEM-768 (Wycheproof, a subset): decapsulation from a seed, including
//   implicit rejection; and encapsulation keys, with every modulus-overflow
//   ("not reduced") key refused by the FIPS 203 check and by WebCrypto.

import assert from "node:assert/strict";
import {
  checkEncapsulationKey,
  decapsulate,
  encapsulate,
  encapsulationKeyOf,
  importDecapsulationSeed,
  importEncapsulationKey,
} from "../../../lib/crypto/age/mlkem.ts";
import {
  decapsulateXWing,
  openXWingKey,
  xwingPublicKey,
} from "../../../lib/crypto/age/xwing.ts";
import {
  InvalidEncapsulationKey,
  WrongKeyLength,
} from "../../../lib/crypto/age/errors.ts";
import { subtle } from "../../../lib/crypto/age/_subtle.ts";

const VECTORS = new URL("../../vectors/", import.meta.url);
const json = async (name: string) =>
  JSON.parse(await Deno.readTextFile(new URL(name, VECTORS)));
const hex = (text: string) => Uint8Array.fromHex(text);

Deno.test("X-Wing draft vectors: seed to encapsulation key, decapsulation to shared secret", async () => {
  const vectors: { sk: string; pk: string; ct: string; ss: string }[] =
    await json("xwing_test_vectors.json");
  assert.equal(vectors.length, 3);
  for (const v of vectors) {
    const key = await openXWingKey(hex(v.sk));
    assert.equal((await xwingPublicKey(key)).toHex(), v.pk);
    const ss = await decapsulateXWing(key, hex(v.ct));
    assert.equal(ss?.toHex(), v.ss);
  }
});

interface DecapsTest {
  tcId: number;
  seed: string;
  ek: string;
  c: string;
  K: string;
  result: "valid" | "invalid";
}

Deno.test("Wycheproof ML-KEM-768 decapsulation subset: keys from seeds, shared secrets, refusals", async () => {
  const file = await json("mlkem_768_subset_test.json");
  const tests: DecapsTest[] = file.testGroups.flatMap((
    g: { tests: DecapsTest[] },
  ) => g.tests);
  assert.equal(tests.length, file.numberOfTests);
  let valid = 0;
  for (const t of tests) {
    const outcome = await (async () => {
      const key = await importDecapsulationSeed(hex(t.seed));
      assert.equal(
        (await encapsulationKeyOf(key)).toHex(),
        t.ek,
        `tcId ${t.tcId}`,
      );
      return (await decapsulate(key, hex(t.c))).toHex();
    })().then((k) => k, () => "refused");
    if (t.result === "valid") {
      valid++;
      assert.equal(outcome, t.K, `tcId ${t.tcId}`);
    } else assert.equal(outcome, "refused", `tcId ${t.tcId}`);
  }
  assert.ok(valid > 10 && valid < tests.length);
});

interface EncapsTest {
  tcId: number;
  ek: string;
  result: "valid" | "invalid";
  flags: string[];
  comment?: string;
}

Deno.test("Wycheproof ML-KEM-768 encapsulation keys: valid ones used, every modulus overflow refused", async () => {
  const file = await json("mlkem_768_encaps_subset_test.json");
  const tests: EncapsTest[] = file.testGroups.flatMap((
    g: { tests: EncapsTest[] },
  ) => g.tests);
  let overflows = 0;
  for (const t of tests) {
    const ek = hex(t.ek);
    if (t.result === "valid") {
      checkEncapsulationKey(ek);
      const { ciphertext } = await encapsulate(
        await importEncapsulationKey(ek),
      );
      assert.equal(ciphertext.length, 1088);
      continue;
    }
    if (ek.length !== 1184) {
      assert.throws(
        () => checkEncapsulationKey(ek),
        WrongKeyLength,
        `tcId ${t.tcId}`,
      );
      continue;
    }
    overflows++;
    assert.throws(
      () => checkEncapsulationKey(ek),
      InvalidEncapsulationKey,
      `tcId ${t.tcId}`,
    );
    // WebCrypto, without the check first, refuses to encapsulate to it too.
    const raw = await subtle.importKey(
      "raw-public",
      ek,
      { name: "ML-KEM-768" },
      false,
      ["encapsulateBits"],
    );
    await assert.rejects(subtle.encapsulateBits({ name: "ML-KEM-768" }, raw));
  }
  assert.equal(overflows, 32);
});
