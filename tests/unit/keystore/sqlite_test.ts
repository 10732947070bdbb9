import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MasterKeyMismatch } from "../../../lib/keystore/errors.ts";
import { Keystore } from "../../../lib/keystore/keystore.ts";
import { newKey } from "../../../lib/keystore/sealing.ts";
import { SqliteStorage } from "../../../lib/keystore/sqlite.ts";
import { keystoreSuite } from "./_suite.ts";

async function sqliteBackend() {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-sqlite-" });
  const path = `${dir}/keystore.db`;
  return {
    connect: () => new SqliteStorage(path),
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
}

keystoreSuite("sqlite", sqliteBackend);

Deno.test("sqlite: a version's row moved to another version does not open", async () => {
  const backend = await sqliteBackend();
  const path = backend.connect().location;
  const keystore = await Keystore.open(new SqliteStorage(path), newKey());
  try {
    const privateKey = (n: number) => new Uint8Array(32).fill(n);
    await keystore.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: { publicKey: "p1", privateKey: privateKey(1) },
    });
    await keystore.rotate("k", { publicKey: "p2", privateKey: privateKey(2) });
    const db = new DatabaseSync(path);
    db.exec(
      `UPDATE keystore_versions SET sealed_private =
        (SELECT sealed_private FROM keystore_versions WHERE version = 1)
       WHERE version = 2`,
    );
    db.close();
    await assert.rejects(keystore.privateKey("k", 2), MasterKeyMismatch);
    assert.deepEqual(await keystore.privateKey("k", 1), privateKey(1));
  } finally {
    await keystore.close();
    await backend.dispose();
  }
});

Deno.test("sqlite: the file is in WAL mode with synchronous commits", async () => {
  const backend = await sqliteBackend();
  const storage = backend.connect();
  await storage.init();
  const db = new DatabaseSync(storage.location);
  assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
  db.close();
  await storage.close();
  await backend.dispose();
});

Deno.test("sqlite: settings edited in the database (a policy, a minimum) are refused, not obeyed", async () => {
  const backend = await sqliteBackend();
  const path = backend.connect().location;
  const keystore = await Keystore.open(new SqliteStorage(path), newKey());
  try {
    await keystore.create({
      id: "k",
      type: "rsa-2048",
      padding: "pkcs1v15",
      material: { publicKey: "p1", privateKey: new Uint8Array(32) },
      creator: "alice",
    });
    await keystore.configure("k", { deletionAllowed: true });
    const db = new DatabaseSync(path);
    db.exec(
      `UPDATE keystore_keys SET policy = replace(policy, '"decrypt":["alice"]', '"decrypt":["alice","mallory"]')`,
    );
    await assert.rejects(keystore.summary("k"), MasterKeyMismatch);
    await assert.rejects(keystore.list({ limit: 10 }), MasterKeyMismatch);
    await assert.rejects(
      keystore.configure("k", { deletionAllowed: false }),
      MasterKeyMismatch,
    );
    db.close();
  } finally {
    await keystore.close();
    await backend.dispose();
  }
});
