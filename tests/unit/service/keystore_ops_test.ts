// The keystore's operations inside the request handler, on a real SQLite
// keystore and a real audit log.

import assert from "node:assert/strict";
import { AuditLog } from "../../../lib/keystore/audit.ts";
import { Keystore } from "../../../lib/keystore/keystore.ts";
import { newKey } from "../../../lib/keystore/sealing.ts";
import { SqliteStorage } from "../../../lib/keystore/sqlite.ts";
import { KeyService } from "../../../lib/service/key_service.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function ask(service: KeyService, body: unknown, clientKey?: string) {
  const outcome = await service.handle(
    [encoder.encode(JSON.stringify(body))],
    "c",
    clientKey,
  );
  return JSON.parse(decoder.decode(outcome.reply));
}

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-ops-" });
  const keystore = await Keystore.open(
    new SqliteStorage(`${dir}/keystore.db`),
    newKey(),
  );
  const audit = AuditLog.open(`${dir}/audit.log`);
  const service = new KeyService({ keystore: { keystore, audit } });
  return {
    dir,
    service,
    audit,
    async close() {
      audit.close();
      await keystore.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("an audit log that cannot be written refuses keystore operations, and only those (fail closed)", async () => {
  const { service, audit, close } = await setup();
  try {
    assert.equal(
      (await ask(service, { type: "create_key", key_id: "k" })).key.key_id,
      "k",
    );
    audit.close(); // every write from here on fails
    assert.equal(
      (await ask(service, { type: "show_key", key_id: "k" })).code,
      "audit_unavailable",
    );
    assert.equal(
      (await ask(service, { type: "rotate_key", key_id: "k" })).code,
      "audit_unavailable",
    );
    assert.equal(
      (await ask(service, { type: "encrypt_fernet", key_id: "k", fernet: "x" }))
        .code,
      "audit_unavailable",
    );
    assert.equal((await ask(service, { type: "ping" })).status, "ok");
  } finally {
    await close();
  }
});

Deno.test("a refused use is audited with the client's key and its code; no ciphertext in the clear", async () => {
  const { service, dir, close } = await setup();
  const alice = "A".repeat(40);
  const bob = "B".repeat(40);
  try {
    await ask(service, { type: "create_key", key_id: "k" }, alice);
    const wrapped = await ask(service, {
      type: "encrypt_fernet",
      key_id: "k",
      fernet: "F",
    }, alice);
    const refused = await ask(service, {
      type: "decrypt_fernet",
      key_id: "k",
      encrypted_fernet: wrapped.encrypted_fernet,
    }, bob);
    assert.equal(refused.code, "permission_denied");
    const lines = Deno.readTextFileSync(`${dir}/audit.log`).trimEnd().split(
      "\n",
    ).map((l) => JSON.parse(l));
    const last = lines.at(-1);
    assert.deepEqual([last.client, last.op, last.key_id, last.outcome], [
      bob,
      "decrypt_fernet",
      "k",
      "permission_denied",
    ]);
    assert.equal(last.ciphertext_hmacs.length, 1);
    assert.ok(
      !JSON.stringify(lines).includes(wrapped.encrypted_fernet.slice(6)),
    );
  } finally {
    await close();
  }
});

Deno.test("keystore requests without a keystore: keystore_unavailable; v1 requests (key_id beside a PEM key ignored) unchanged", async () => {
  const service = new KeyService();
  assert.equal(
    (await ask(service, { type: "list_keys" })).code,
    "keystore_unavailable",
  );
  assert.equal(
    (await ask(service, { type: "encrypt_fernet", key_id: "k", fernet: "x" }))
      .code,
    "keystore_unavailable",
  );
  assert.equal(
    (await ask(service, {
      type: "encrypt_fernet",
      key_id: "k",
      fernet: "x",
      rsa_public: "P",
    })).code,
    // With its PEM key it is a v1 request, key_id ignored as before.
    "invalid_pem",
  );
  assert.equal(
    (await ask(service, { type: "encrypt_fernet", fernet: "x" })).code,
    "missing_field",
  );
});
