// The TypeScript client's contract v1.2 methods (KeystoreClient) against the
// running service: typed values, and each refusal as its error class.

import assert from "node:assert/strict";
import {
  DeletionNotAllowed,
  KeyExists,
  KeyNotFound,
  KeyServiceClient,
  KeystoreClient,
  KeyVersionBelowMinimum,
} from "../../lib/client/mod.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";

Deno.test("KeystoreClient: every operation, typed, and refusals as their error classes", async () => {
  await withService(async (service) => {
    const client = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
    });
    const keys = new KeystoreClient(client);
    try {
      const created = await keys.create("team", { padding: "pkcs1v15" });
      assert.equal(created.latestVersion, 1);
      assert.equal(created.padding, "pkcs1v15");
      await assert.rejects(keys.create("team"), KeyExists);
      const { fernet, encryptedFernet } = await keys.generateDataKey("team");
      assert.equal(await keys.decrypt("team", encryptedFernet), fernet);
      assert.equal((await keys.rotate("team")).latestVersion, 2);
      const [rewrapped] = await keys.rewrap("team", [encryptedFernet]);
      assert.ok(
        "encryptedFernet" in rewrapped &&
          rewrapped.encryptedFernet.startsWith("ks:v2:"),
      );
      const [many] = await keys.encryptMany(["team"], fernet);
      assert.ok("encryptedFernet" in many);
      assert.equal(
        (await keys.configure("team", { minDecryptionVersion: 2 }))
          .minDecryptionVersion,
        2,
      );
      await assert.rejects(
        keys.decrypt("team", encryptedFernet),
        KeyVersionBelowMinimum,
      );
      assert.equal(await keys.trim("team"), 1);
      assert.deepEqual(
        (await keys.show("team")).versions?.map((v) => v.version),
        [2],
      );
      assert.deepEqual((await keys.list()).map((k) => k.keyId), ["team"]);
      // Pages: one key each, every key once; list() follows them.
      await keys.create("team-2");
      const first = await keys.listPage({ limit: 1 });
      assert.deepEqual(first.keys.map((k) => k.keyId), ["team"]);
      assert.equal(typeof first.nextCursor, "string");
      const second = await keys.listPage({
        limit: 1,
        cursor: first.nextCursor,
      });
      assert.deepEqual(second.keys.map((k) => k.keyId), ["team-2"]);
      assert.equal(second.nextCursor, undefined);
      assert.deepEqual((await keys.list()).map((k) => k.keyId), [
        "team",
        "team-2",
      ]);
      await assert.rejects(keys.delete("team"), DeletionNotAllowed);
      await keys.configure("team", { deletionAllowed: true });
      await keys.delete("team");
      await assert.rejects(keys.show("team"), KeyNotFound);
    } finally {
      client.close();
    }
  });
});
