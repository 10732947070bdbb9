// The private synchronous SHA-256 (lib/crypto/_sha256.ts) that OAEP
// encryption hashes with: FIPS 180-4's examples, and node:crypto's digest
// over every length across the padding's block boundaries and random ones.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256, SHA256_BYTES } from "../../../lib/crypto/_sha256.ts";

const encoder = new TextEncoder();

function reference(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes at a time.
  for (let i = 0; i < length; i += 65536) {
    crypto.getRandomValues(out.subarray(i, i + 65536));
  }
  return out;
}

Deno.test('sha256 gives FIPS 180-4\'s digests of "abc", the two-block message and ""', () => {
  assert.equal(
    sha256(encoder.encode("abc")).toHex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256(
      encoder.encode(
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      ),
    ).toHex(),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    sha256(new Uint8Array(0)).toHex(),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("sha256 matches node:crypto for every length from 0 to 200, across the block boundaries", () => {
  // 55/56 and 119/120 are where the length stops fitting the last block;
  // 63, 64, 65 are around a full block.
  for (let length = 0; length <= 200; length++) {
    const data = randomBytes(length);
    const digest = sha256(data);
    assert.equal(digest.length, SHA256_BYTES);
    assert.equal(digest.toHex(), reference(data), `length ${length}`);
  }
});

Deno.test("sha256 matches node:crypto over random lengths up to 70,000 bytes", () => {
  const lengths = [511, 512, 513, 1000, 4096, 65536, 70_000];
  for (let i = 0; i < 40; i++) {
    lengths.push(Math.floor(Math.random() * 5000));
  }
  for (const length of lengths) {
    const data = randomBytes(length);
    assert.equal(sha256(data).toHex(), reference(data), `length ${length}`);
  }
});

Deno.test("sha256 hashes a subarray's own bytes, not its buffer's", () => {
  const buffer = randomBytes(300);
  const view = buffer.subarray(17, 17 + 100);
  assert.equal(sha256(view).toHex(), reference(view.slice()));
  assert.equal(buffer.length, 300);
});

Deno.test("sha256 leaves its input as it was", () => {
  const data = randomBytes(77);
  const copy = data.slice();
  sha256(data);
  assert.deepEqual(data, copy);
});
