// The keystore's behaviour, run against each backend (sqlite_test.ts,
// postgres_test.ts): the same suite, the same expectations.

import assert from "node:assert/strict";
import {
  DeletionNotAllowed,
  InvalidMinVersion,
  KeyExists,
  KeyNotFound,
  MasterKeyMismatch,
  TooManyVersions,
  VersionNotFound,
} from "../../../lib/keystore/errors.ts";
import { type KeyMaterial, Keystore } from "../../../lib/keystore/keystore.ts";
import { newKey } from "../../../lib/keystore/sealing.ts";
import type { KeyStorage } from "../../../lib/keystore/storage.ts";

/** A fresh, empty backend, and how to open another on the same data. */
export interface Backend {
  /** A new connection to the same (initially empty) store. */
  connect(): KeyStorage;
  /** Removes the store. */
  dispose(): Promise<void>;
}

function material(tag: number): KeyMaterial {
  const privateKey = crypto.getRandomValues(new Uint8Array(64));
  privateKey[0] = tag;
  return { publicKey: `public ${tag}`, privateKey };
}

async function withKeystore(
  makeBackend: () => Promise<Backend>,
  fn: (
    keystore: Keystore,
    backend: Backend,
    master: Uint8Array,
  ) => Promise<void>,
): Promise<void> {
  const backend = await makeBackend();
  const master = newKey();
  const keystore = await Keystore.open(backend.connect(), master);
  try {
    await fn(keystore, backend, master);
  } finally {
    await keystore.close();
    await backend.dispose();
  }
}

/** Registers the suite under `name` (`sqlite`, `postgres`). */
export function keystoreSuite(
  name: string,
  makeBackend: () => Promise<Backend>,
  ignore = false,
): void {
  const test = (what: string, fn: Parameters<typeof withKeystore>[1]) =>
    Deno.test({
      name: `${name}: ${what}`,
      ignore,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: () => withKeystore(makeBackend, fn),
    });

  test("a created key is shown with version 1 and listed", async (ks) => {
    const one = material(1);
    const key = await ks.create({
      id: "group-1",
      type: "rsa-2048",
      padding: "oaep-sha256",
      material: one,
      creator: "client-a",
    });
    assert.equal(key.latestVersion, 1);
    assert.equal(key.minDecryptionVersion, 1);
    assert.equal(key.deletionAllowed, false);
    assert.deepEqual(key.policy.admin, ["client-a"]);
    assert.deepEqual(key.versions.map((v) => [v.version, v.publicKey]), [
      [1, "public 1"],
    ]);
    assert.deepEqual(await ks.privateKey("group-1", 1), one.privateKey);
    assert.deepEqual((await ks.list({ limit: 10 })).map((k) => k.id), [
      "group-1",
    ]);
    await assert.rejects(
      ks.create({
        id: "group-1",
        type: "rsa-2048",
        padding: "oaep-sha256",
        material: one,
      }),
      KeyExists,
    );
    await assert.rejects(ks.describe("nope"), KeyNotFound);
  });

  test("rotation adds numbered versions, each opening to its own key", async (ks) => {
    await ks.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: material(1),
    });
    const two = material(2);
    const three = material(3);
    assert.equal(await ks.rotate("k", two), 2);
    assert.equal(await ks.rotate("k", three), 3);
    assert.deepEqual(await ks.privateKey("k", 2), two.privateKey);
    assert.deepEqual(await ks.privateKey("k", 3), three.privateKey);
    assert.equal((await ks.describe("k")).latestVersion, 3);
    await assert.rejects(ks.privateKey("k", 4), VersionNotFound);
    await assert.rejects(ks.rotate("none", two), KeyNotFound);
  });

  test(
    "concurrent rotations through two connections give distinct versions",
    async (ks, backend, master) => {
      await ks.create({
        id: "k",
        type: "rsa-2048",
        padding: "pkcs1v15",
        material: material(1),
      });
      const other = await Keystore.open(backend.connect(), master);
      try {
        const versions = await Promise.all(
          Array.from(
            { length: 12 },
            (_, i) => (i % 2 === 0 ? ks : other).rotate("k", material(i + 2)),
          ),
        );
        assert.deepEqual(
          [...versions].sort((a, b) => a - b),
          Array.from({ length: 12 }, (_, i) => i + 2),
        );
        const described = await ks.describe("k");
        assert.equal(described.latestVersion, 13);
        assert.equal(described.versions.length, 13);
      } finally {
        await other.close();
      }
    },
  );

  test("the minimum decryption version is bounded, and trim removes below it", async (ks) => {
    await ks.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: material(1),
    });
    await ks.rotate("k", material(2));
    await ks.rotate("k", material(3));
    await assert.rejects(ks.setMinDecryptionVersion("k", 0), InvalidMinVersion);
    await assert.rejects(ks.setMinDecryptionVersion("k", 4), InvalidMinVersion);
    await ks.setMinDecryptionVersion("k", 3);
    assert.equal((await ks.summary("k")).minDecryptionVersion, 3);
    assert.equal(await ks.trim("k"), 2);
    assert.deepEqual((await ks.describe("k")).versions.map((v) => v.version), [
      3,
    ]);
    await assert.rejects(ks.privateKey("k", 1), VersionNotFound);
    assert.equal(await ks.trim("k"), 0);
  });

  test("deletion only when the key's configuration allows it", async (ks) => {
    await ks.create({
      id: "kept",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: material(1),
    });
    await assert.rejects(ks.delete("kept"), DeletionNotAllowed);
    await ks.configure("kept", { deletionAllowed: true });
    await ks.delete("kept");
    await assert.rejects(ks.describe("kept"), KeyNotFound);
    await assert.rejects(ks.delete("kept"), KeyNotFound);
  });

  test("the policy is stored and changed", async (ks) => {
    await ks.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: material(1),
      creator: "a",
    });
    await ks.configure("k", {
      policy: { encrypt: ["*"], decrypt: ["a", "b"], rewrap: [], admin: ["a"] },
    });
    const { policy } = await ks.summary("k");
    assert.deepEqual(policy.decrypt, ["a", "b"]);
    assert.deepEqual(policy.encrypt, ["*"]);
  });

  test("another master key cannot open the store", async (ks, backend) => {
    await ks.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: material(1),
    });
    const storage = backend.connect();
    await assert.rejects(Keystore.open(storage, newKey()), MasterKeyMismatch);
    await storage.close();
  });

  test(
    "master key rotation rewraps data keys; the old master no longer opens",
    async (ks, backend, master) => {
      const one = material(1);
      await ks.create({
        id: "a",
        type: "rsa-2048",
        padding: "pkcs1v15",
        material: one,
      });
      await ks.create({
        id: "b",
        type: "rsa-2048",
        padding: "pkcs1v15",
        material: material(2),
      });
      const next = newKey();
      assert.equal(await ks.rotateMasterKey(next), 2);
      assert.deepEqual(await ks.privateKey("a", 1), one.privateKey);
      const old = backend.connect();
      await assert.rejects(Keystore.open(old, master), MasterKeyMismatch);
      await old.close();
      const reopened = await Keystore.open(backend.connect(), next);
      assert.deepEqual(await reopened.privateKey("a", 1), one.privateKey);
      await reopened.close();
    },
  );

  test("pages of keys, by id, cover every key exactly once", async (ks) => {
    // Mixed case and punctuation: pages follow byte order on both backends.
    const ids = Array.from(
      { length: 23 },
      (_, i) =>
        `${i % 2 === 0 ? "K" : "k"}.${String(i).padStart(2, "0")}-${i % 3}`,
    );
    for (const id of ids) {
      await ks.create({
        id,
        type: "rsa-2048",
        padding: "pkcs1v15",
        material: material(1),
      });
    }
    const seen: string[] = [];
    let after: string | undefined;
    while (true) {
      const page = await ks.list({ after, limit: 5 });
      assert.ok(page.length <= 5);
      seen.push(...page.map((k) => k.id));
      if (page.length < 5) break;
      after = page.at(-1)!.id;
    }
    assert.deepEqual(seen, [...ids].sort());
  });

  test(
    "a key holds at most maxVersions; trimmed versions make room again",
    async (_ks, backend, master) => {
      const ks = await Keystore.open(backend.connect(), master, {
        maxVersions: 3,
      });
      try {
        await ks.create({
          id: "k",
          type: "rsa-2048",
          padding: "pkcs1v15",
          material: material(1),
        });
        assert.equal(await ks.rotate("k", material(2)), 2);
        assert.equal(await ks.rotate("k", material(3)), 3);
        await assert.rejects(ks.rotate("k", material(4)), TooManyVersions);
        assert.equal((await ks.describe("k")).versions.length, 3);
        await ks.setMinDecryptionVersion("k", 2);
        assert.equal(await ks.trim("k"), 1);
        assert.equal(await ks.rotate("k", material(4)), 4);
        assert.deepEqual(
          (await ks.describe("k")).versions.map((v) => v.version),
          [2, 3, 4],
        );
      } finally {
        await ks.close();
      }
    },
  );

  test(
    "concurrent rotations through two connections never pass maxVersions",
    async (_ks, backend, master) => {
      const one = await Keystore.open(backend.connect(), master, {
        maxVersions: 5,
      });
      const other = await Keystore.open(backend.connect(), master, {
        maxVersions: 5,
      });
      try {
        await one.create({
          id: "k",
          type: "rsa-2048",
          padding: "pkcs1v15",
          material: material(1),
        });
        const outcomes = await Promise.allSettled(
          Array.from(
            { length: 10 },
            (_, i) => (i % 2 === 0 ? one : other).rotate("k", material(i + 2)),
          ),
        );
        const made = outcomes.filter((o) => o.status === "fulfilled");
        assert.equal(made.length, 4);
        for (const o of outcomes) {
          if (o.status === "rejected") {
            assert.ok(o.reason instanceof TooManyVersions, String(o.reason));
          }
        }
        assert.equal((await one.describe("k")).versions.length, 5);
      } finally {
        await one.close();
        await other.close();
      }
    },
  );

  test(
    "maxVersions out of range is refused on opening",
    async (_ks, backend, master) => {
      for (const maxVersions of [0, 257, 1.5]) {
        const storage = backend.connect();
        await assert.rejects(
          Keystore.open(storage, master, { maxVersions }),
          RangeError,
        );
        await storage.close();
      }
    },
  );
}
