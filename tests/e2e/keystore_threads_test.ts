// The keystore on request threads (docs/keystore.md, "Where keys are kept"):
// with two threads running, each with its own SQLite connection, keystore
// requests from several clients at once all succeed, and the audit log,
// written by the socket thread alone, holds one line for each of them in one
// hash chain that `audit verify` accepts.

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { gauge } from "../_helpers/metrics.ts";
import { ask, requestInFlight, withService } from "../_helpers/service.ts";

const ROOT = new URL("../..", import.meta.url);
const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";
const SLOW = { type: "generate_keys", bits: 4096 };

Deno.test("keystore on two request threads: concurrent clients all served, one audit chain that verifies", async () => {
  const dir = `data/threads-test-${crypto.randomUUID()}`;
  await Deno.mkdir(new URL(`${dir}/`, ROOT), { recursive: true });
  const auditPath = `${dir}/audit.log`;
  const CLIENTS = 4;
  const ROUNDS = 3;
  try {
    await withService(async (service) => {
      // The first thread holds a slow request: the next ones start a second.
      const slow = await requestInFlight(service, SLOW);
      try {
        const clients = Array.from({ length: CLIENTS }, () => service.client());
        try {
          await Promise.all(clients.map(async (client, c) => {
            const keyId = `k${c}`;
            const created = await ask(client, {
              type: "create_key",
              key_id: keyId,
            });
            assert.ok(!("error" in created), JSON.stringify(created));
            for (let i = 0; i < ROUNDS; i++) {
              const wrapped = await ask(client, {
                type: "encrypt_fernet",
                key_id: keyId,
                fernet: FERNET,
              });
              assert.match(String(wrapped.encrypted_fernet), /^ks:v1:/);
              const opened = await ask(client, {
                type: "decrypt_fernet",
                key_id: keyId,
                encrypted_fernet: wrapped.encrypted_fernet,
              });
              assert.equal(opened.fernet, FERNET);
            }
          }));
        } finally {
          for (const client of clients) client.close();
        }
        assert.equal(await gauge(service, "keyservice_request_threads"), 2);
        assert.ok("rsa" in await slow.reply);
      } finally {
        slow.client.close();
      }
    }, [
      "--threads",
      "2",
      "--metrics",
      "127.0.0.1:0",
      "--data-dir",
      dir,
      "--audit-log",
      auditPath,
    ]);
    const lines = (await Deno.readTextFile(new URL(auditPath, ROOT)))
      .trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(lines.length, CLIENTS * (1 + 2 * ROUNDS));
    assert.ok(lines.every((l) => l.outcome === "ok"));
    const verdict = await runCli(["audit", "verify", auditPath]);
    assert.equal(verdict.code, 0, verdict.stderr);
    assert.match(verdict.stdout, new RegExp(`^ok: ${lines.length} line`));
  } finally {
    await Deno.remove(new URL(`${dir}/`, ROOT), { recursive: true });
  }
});
