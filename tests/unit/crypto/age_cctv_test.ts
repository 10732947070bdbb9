// The C2SP CCTV age vectors (tests/vectors/cctv-age, see its README): every
// vector whose identities are X25519 or mlkem768x25519 keys is decrypted and
// must give its expected outcome: the payload's SHA-256 on success, else the
// failure class (armor, header, no match, HMAC, payload). Vectors for
// passphrases only (scrypt, not supported here) are counted and left out.

import assert from "node:assert/strict";
import {
  AgeDecryptionFailed,
  dearmor,
  decryptAge,
  parseIdentity,
} from "../../../lib/crypto/age/mod.ts";

const DIR = new URL("../../vectors/cctv-age/", import.meta.url);

interface Vector {
  readonly name: string;
  readonly expect: string;
  readonly payload?: string;
  readonly identities: string[];
  readonly passphrases: number;
  readonly armored: boolean;
  readonly body: Uint8Array;
}

async function load(name: string): Promise<Vector> {
  const bytes = await Deno.readFile(new URL(name, DIR));
  const end = bytes.findIndex((b, i) => b === 0x0a && bytes[i + 1] === 0x0a);
  const fields = new TextDecoder().decode(bytes.subarray(0, end)).split("\n")
    .map((line) => line.split(": ")) as [string, string][];
  const get = (key: string) =>
    fields.filter(([k]) => k === key).map(([, v]) => v);
  let body = bytes.subarray(end + 2);
  if (get("compressed")[0] === "zlib") {
    const stream = new Blob([body]).stream().pipeThrough(
      new DecompressionStream("deflate"),
    );
    body = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return {
    name,
    expect: get("expect")[0],
    payload: get("payload")[0],
    identities: get("identity"),
    passphrases: get("passphrase").length,
    armored: get("armored")[0] === "yes",
    body,
  };
}

/** What decrypting a vector comes to: `success` or the failure class. */
async function outcome(vector: Vector): Promise<string> {
  try {
    const identities = await Promise.all(vector.identities.map(parseIdentity));
    const file = vector.armored
      ? dearmor(new TextDecoder().decode(vector.body))
      : vector.body;
    const plaintext = await decryptAge(file, identities, {
      maxPlaintextBytes: 64 * 1024 * 1024,
    });
    const hash = new Uint8Array(
      await crypto.subtle.digest("SHA-256", plaintext),
    );
    return hash.toHex() === vector.payload ? "success" : "wrong payload";
  } catch (error) {
    if (error instanceof AgeDecryptionFailed) return error.stage;
    throw error;
  }
}

const names = [...Deno.readDirSync(DIR)].map((e) => e.name)
  .filter((n) => n !== "README.md").sort();

Deno.test("every CCTV age vector for X25519 and mlkem768x25519 identities gives its expected outcome", async () => {
  const mismatches: string[] = [];
  let run = 0;
  let passphraseOnly = 0;
  for (const name of names) {
    const vector = await load(name);
    if (vector.identities.length === 0 && vector.passphrases > 0) {
      passphraseOnly++;
      continue;
    }
    run++;
    const got = await outcome(vector);
    if (got !== vector.expect) {
      mismatches.push(`${name}: expected ${vector.expect}, got ${got}`);
    }
  }
  assert.deepEqual(mismatches, []);
  // 143 vectors in the stored set; the scrypt-only ones are the rest.
  assert.equal(run + passphraseOnly, names.length);
  assert.ok(run >= 110, `only ${run} vectors ran`);
});
