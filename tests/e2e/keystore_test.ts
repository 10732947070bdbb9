// Contract v1.2 through the running service: keys kept in the service, by
// key id, on the default embedded keystore; policies under CURVE.

import assert from "node:assert/strict";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import {
  cliKeyPair,
  curveClient,
  withTempDir,
  writePrivate,
} from "../_helpers/curve.ts";
import {
  ask,
  type RunningService,
  testLibzmq,
  withService,
} from "../_helpers/service.ts";

type Reply = Record<string, unknown>;

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

function key(reply: Reply): Reply {
  assert.ok(reply.key, JSON.stringify(reply));
  return reply.key as Reply;
}

async function encrypt(service: RunningService, id: string): Promise<string> {
  const reply = await service.request({
    type: "encrypt_fernet",
    key_id: id,
    fernet: FERNET,
  });
  assert.equal(typeof reply.encrypted_fernet, "string", JSON.stringify(reply));
  return reply.encrypted_fernet as string;
}

Deno.test("keystore: create, use, rotate, rewrap, minimum version, trim and delete by key id", async () => {
  await withService(async (service) => {
    const created = key(
      await service.request({ type: "create_key", key_id: "group-7" }),
    );
    assert.equal(created.latest_version, 1);
    assert.equal(created.key_type, "rsa-2048");
    const versions = created.versions as Reply[];
    assert.match(
      String(versions[0].public_key),
      /^-----BEGIN PUBLIC KEY-----\n/,
    );
    assert.ok(!JSON.stringify(created).includes("PRIVATE"));

    const v1 = await encrypt(service, "group-7");
    assert.match(v1, /^ks:v1:[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(
      await service.request({
        type: "decrypt_fernet",
        key_id: "group-7",
        encrypted_fernet: v1,
      }),
      { fernet: FERNET },
    );

    const rotated = key(
      await service.request({ type: "rotate_key", key_id: "group-7" }),
    );
    assert.equal(rotated.latest_version, 2);
    const v2 = await encrypt(service, "group-7");
    assert.match(v2, /^ks:v2:/);
    // The old version still decrypts until the minimum says otherwise.
    assert.equal(
      (await service.request({
        type: "decrypt_fernet",
        key_id: "group-7",
        encrypted_fernet: v1,
      })).fernet,
      FERNET,
    );

    const rewrapped = await service.request({
      type: "rewrap_fernet",
      key_id: "group-7",
      encrypted_fernets: [v1, "junk"],
    });
    const [good, bad] = rewrapped.results as Reply[];
    assert.match(String(good.encrypted_fernet), /^ks:v2:/);
    assert.equal(bad.code, "invalid_ciphertext");
    assert.equal(
      (await service.request({
        type: "decrypt_fernet",
        key_id: "group-7",
        encrypted_fernet: good.encrypted_fernet,
      })).fernet,
      FERNET,
    );

    const configured = key(
      await service.request({
        type: "configure_key",
        key_id: "group-7",
        min_decryption_version: 2,
      }),
    );
    assert.equal(configured.min_decryption_version, 2);
    const refused = await service.request({
      type: "decrypt_fernet",
      key_id: "group-7",
      encrypted_fernet: v1,
    });
    assert.equal(refused.code, "key_version_below_minimum");
    assert.ok(!String(refused.error).includes(v1));

    const trimmed = await service.request({
      type: "trim_key",
      key_id: "group-7",
    });
    assert.equal(trimmed.trimmed, 1);
    assert.deepEqual((key(trimmed).versions as Reply[]).map((v) => v.version), [
      2,
    ]);
    assert.equal(
      (await service.request({
        type: "configure_key",
        key_id: "group-7",
        min_decryption_version: 1,
      })).code,
      "invalid_field",
    );

    assert.equal(
      (await service.request({ type: "delete_key", key_id: "group-7" })).code,
      "deletion_not_allowed",
    );
    await service.request({
      type: "configure_key",
      key_id: "group-7",
      deletion_allowed: true,
    });
    assert.deepEqual(
      await service.request({ type: "delete_key", key_id: "group-7" }),
      { key_id: "group-7", deleted: true },
    );
    assert.equal(
      (await service.request({ type: "show_key", key_id: "group-7" })).code,
      "key_not_found",
    );
    assert.equal(
      (await service.request({
        type: "decrypt_fernet",
        key_id: "group-7",
        encrypted_fernet: v2,
      })).code,
      "key_not_found",
    );
  });
});

Deno.test("keystore: data keys, many recipients by id, list, import with a passphrase", async () => {
  await withService(async (service) => {
    await service.request({
      type: "create_key",
      key_id: "alice",
      padding: "pkcs1v15",
    });
    await service.request({
      type: "create_key",
      key_id: "bob",
      key_type: "rsa-3072",
    });
    const data = await service.request({
      type: "generate_data_key",
      key_id: "alice",
    });
    assert.equal(String(data.fernet).length, 44);
    assert.equal(
      (await service.request({
        type: "decrypt_fernet",
        key_id: "alice",
        encrypted_fernet: data.encrypted_fernet,
      })).fernet,
      data.fernet,
    );

    const many = await service.request({
      type: "encrypt_fernet_many",
      fernet: FERNET,
      key_ids: ["alice", "bob", "nobody"],
    });
    const [a, b, nobody] = many.results as Reply[];
    assert.equal(nobody.code, "key_not_found");
    for (const [id, result] of [["alice", a], ["bob", b]] as const) {
      assert.equal(
        (await service.request({
          type: "decrypt_fernet",
          key_id: id,
          encrypted_fernet: result.encrypted_fernet,
        })).fernet,
        FERNET,
      );
    }
    const listed = (await service.request({ type: "list_keys" }))
      .keys as Reply[];
    assert.deepEqual(listed.map((k) => [k.key_id, k.key_type]), [[
      "alice",
      "rsa-2048",
    ], ["bob", "rsa-3072"]]);

    // A key the messenger made (v1.1, passphrase-protected), taken into custody.
    const pair = await service.request({
      type: "generate_keys",
      passphrase: "correct horse",
    });
    const rsa = pair.rsa as Reply;
    assert.equal(
      (await service.request({
        type: "import_key",
        key_id: "carol",
        rsa_private: rsa.private,
      })).code,
      "missing_field",
    );
    assert.equal(
      (await service.request({
        type: "import_key",
        key_id: "carol",
        rsa_private: rsa.private,
        passphrase: "wrong",
      })).code,
      "invalid_passphrase",
    );
    const imported = key(
      await service.request({
        type: "import_key",
        key_id: "carol",
        rsa_private: rsa.private,
        passphrase: "correct horse",
        padding: "pkcs1v15",
      }),
    );
    assert.equal((imported.versions as Reply[])[0].public_key, rsa.public);
    const wrapped = await service.request({
      type: "encrypt_fernet",
      fernet: FERNET,
      rsa_public: rsa.public,
    });
    assert.equal(
      (await service.request({
        type: "decrypt_fernet",
        key_id: "carol",
        encrypted_fernet: `ks:v1:${wrapped.encrypted_fernet}`,
      })).fernet,
      FERNET,
    );
    assert.equal(
      (await service.request({ type: "create_key", key_id: "carol" })).code,
      "key_exists",
    );
    assert.equal(
      (await service.request({ type: "create_key", key_id: "../etc" })).code,
      "invalid_field",
    );
  });
});

Deno.test("keystore: without a keystore the v1.2 requests are refused, v1 ones served", async () => {
  await withService(async (service) => {
    assert.equal(
      (await service.request({ type: "list_keys" })).code,
      "keystore_unavailable",
    );
    assert.equal(
      String((await service.request({ type: "generate_keys" })).fernet).length,
      44,
    );
    assert.match(service.stderr(), / keystore=off/);
  }, ["--keystore", "off"]);
});

Deno.test("keystore: under CURVE a key's policy decides; a refusal has its own code", async () => {
  await withTempDir(async (dir) => {
    const server = await cliKeyPair();
    const keyFile = await writePrivate(`${dir}/server.key`, server.text);
    const libzmq = testLibzmq();
    const alice = generateCurveKeyPair(libzmq);
    const bob = generateCurveKeyPair(libzmq);
    const allowFile = await writePrivate(
      `${dir}/allowed.txt`,
      `${alice.public}\n${bob.public}\n`,
    );
    await withService(async (service) => {
      assert.match(service.stderr(), / tenancy=per-client-key/);
      const as = async (pair: typeof alice, body: unknown) => {
        const client = curveClient(service, server.public, pair);
        try {
          return await ask(client, body);
        } finally {
          client.close();
        }
      };
      const created = key(
        await as(alice, { type: "create_key", key_id: "alices" }),
      );
      assert.deepEqual((created.policy as Reply).admin, [alice.public]);
      const wrapped = await as(alice, {
        type: "encrypt_fernet",
        key_id: "alices",
        fernet: FERNET,
      });
      const refused = await as(bob, {
        type: "decrypt_fernet",
        key_id: "alices",
        encrypted_fernet: wrapped.encrypted_fernet,
      });
      assert.equal(refused.code, "permission_denied");
      assert.equal(
        (await as(bob, { type: "rotate_key", key_id: "alices" })).code,
        "permission_denied",
      );
      assert.deepEqual((await as(bob, { type: "list_keys" })).keys, []);
      // Alice lets bob decrypt, and only that.
      await as(alice, {
        type: "configure_key",
        key_id: "alices",
        policy: {
          decrypt: [alice.public, bob.public],
          admin: [alice.public],
          encrypt: [alice.public],
        },
      });
      assert.equal(
        (await as(bob, {
          type: "decrypt_fernet",
          key_id: "alices",
          encrypted_fernet: wrapped.encrypted_fernet,
        })).fernet,
        FERNET,
      );
      assert.equal(
        (await as(bob, {
          type: "encrypt_fernet",
          key_id: "alices",
          fernet: FERNET,
        })).code,
        "permission_denied",
      );
    }, ["--curve-secret-key-file", keyFile, "--curve-allow", allowFile]);
  });
});
