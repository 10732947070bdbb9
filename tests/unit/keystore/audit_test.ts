import assert from "node:assert/strict";
import {
  AuditLog,
  readAuditHead,
  verifyAuditLog,
} from "../../../lib/keystore/audit.ts";
import { StorageFailed } from "../../../lib/keystore/errors.ts";

async function tempLog(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-audit-" });
  return { path: `${dir}/audit.log`, dir };
}

function fill(path: string, count: number): void {
  const log = AuditLog.open(path);
  for (let i = 0; i < count; i++) {
    log.record({
      client: "client-key",
      op: "decrypt_fernet",
      keyId: "k",
      version: 1,
      outcome: "ok",
      ciphertexts: ["ks:v1:c2VjcmV0"],
    });
  }
  log.close();
}

Deno.test("audit: a log written across reopenings verifies, and holds no ciphertext", async () => {
  const { path, dir } = await tempLog();
  fill(path, 3);
  fill(path, 2);
  const text = Deno.readTextFileSync(path);
  assert.deepEqual(verifyAuditLog(text), {
    ok: true,
    lines: 5,
    head: readAuditHead(path),
  });
  assert.ok(!text.includes("c2VjcmV0"));
  assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(`${path}.salt`).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("audit: an edited, removed or reordered line is found", async () => {
  const { path, dir } = await tempLog();
  fill(path, 4);
  const lines = Deno.readTextFileSync(path).trimEnd().split("\n");
  const edited = [...lines];
  edited[1] = edited[1].replace(
    '"outcome":"ok"',
    '"outcome":"permission_denied"',
  );
  assert.deepEqual(verifyAuditLog(edited.join("\n")), {
    ok: false,
    line: 3,
    reason:
      "its hash of the line before does not match (a line was removed, added or edited)",
  });
  const removed = lines.filter((_, i) => i !== 2);
  assert.equal(
    (verifyAuditLog(removed.join("\n")) as { line: number }).line,
    3,
  );
  const lastGone = lines.slice(1);
  assert.equal(verifyAuditLog(lastGone.join("\n")).ok, false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("audit: a log that cannot be opened fails with StorageFailed", () => {
  assert.throws(
    () => AuditLog.open("/nonexistent-dir/audit.log"),
    StorageFailed,
  );
});

Deno.test("audit: lines cut from the end are found by the recorded head, on verify and on opening", async () => {
  const { path, dir } = await tempLog();
  fill(path, 5);
  const text = Deno.readTextFileSync(path);
  const verdict = verifyAuditLog(text);
  assert.ok(verdict.ok);
  const head = readAuditHead(path)!;
  assert.deepEqual(head, verdict.head);
  assert.equal(head.seq, 5);
  assert.equal(Deno.statSync(`${path}.head`).mode! & 0o777, 0o600);
  const cut = `${text.trimEnd().split("\n").slice(0, 3).join("\n")}\n`;
  // The chain alone cannot tell.
  assert.equal(verifyAuditLog(cut).ok, true);
  assert.deepEqual(verifyAuditLog(cut, [head]), {
    ok: false,
    line: 4,
    reason:
      "the log does not reach the head (line 5) it should have: lines were removed from its end, or it was replaced",
  });
  // A head by hash alone (as kept elsewhere) too; the whole log reaches it.
  assert.equal(verifyAuditLog(cut, [{ hash: head.hash }]).ok, false);
  assert.equal(verifyAuditLog(text, [{ hash: head.hash }]).ok, true);
  // Lines added after a head are no cut.
  fill(path, 1);
  assert.equal(verifyAuditLog(Deno.readTextFileSync(path), [head]).ok, true);
  // The service refuses to go on writing a log that was cut.
  Deno.writeTextFileSync(path, cut);
  assert.throws(() => AuditLog.open(path), /lines were removed from its end/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("audit: a head one line behind (a stop between a line and its head) opens and verifies", async () => {
  const { path, dir } = await tempLog();
  fill(path, 2);
  const behind = readAuditHead(path)!;
  fill(path, 1);
  Deno.writeTextFileSync(`${path}.head`, JSON.stringify(behind));
  const log = AuditLog.open(path);
  log.close();
  assert.equal(
    verifyAuditLog(Deno.readTextFileSync(path), [readAuditHead(path)!]).ok,
    true,
  );
  await Deno.remove(dir, { recursive: true });
});
