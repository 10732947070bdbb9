// Crash safety of the embedded keystore: the service is killed with SIGKILL
// at random points while clients create, import and rotate keys, 50 times.
// After each restart, every version a client was told of is there, and
// every version there decrypts: nothing committed is lost, nothing is
// half-written.

import assert from "node:assert/strict";
import {
  encryptWith,
  generateRsaKeyPair,
  parsePublicKey,
} from "../../lib/crypto/mod.ts";
import { ReqClient } from "../../lib/zmq/client.ts";
import {
  ask,
  type RunningService,
  startService,
  testLibzmq,
} from "../_helpers/service.ts";

const ROOT = new URL("../..", import.meta.url);
const ROUNDS = 50;
const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

/** Keys and versions the service acknowledged. */
const acknowledged = new Map<string, number>();

function note(reply: Record<string, unknown>): void {
  const key = reply.key as
    | { key_id: string; latest_version: number }
    | undefined;
  if (key === undefined) return;
  acknowledged.set(
    key.key_id,
    Math.max(acknowledged.get(key.key_id) ?? 0, key.latest_version),
  );
}

/** Creates, imports and rotates until the service is gone. */
async function work(
  service: RunningService,
  round: number,
  worker: number,
  pems: string[],
) {
  const client = ReqClient.connect(testLibzmq(), {
    endpoint: service.endpoint,
  });
  try {
    for (let i = 0;; i++) {
      const id = `r${round}-w${worker}-${i}`;
      // Key generation (creates, rotations) is the slow part: half imports.
      const which = i % 4;
      const request = which === 0
        ? { type: "create_key", key_id: id }
        : which === 3
        ? { type: "rotate_key", key_id: `r${round}-w${worker}-0` }
        : {
          type: "import_key",
          key_id: id,
          rsa_private: pems[i % pems.length],
        };
      note(await ask(client, request, 5_000));
    }
  } catch {
    // The service was killed: the request in flight has no reply.
  } finally {
    client.close();
  }
}

/**
 * The keys whose ids start with `prefix`: each acknowledged version there,
 * and every version there decrypting. Resolves to the versions checked.
 */
async function check(
  service: RunningService,
  prefix: string,
): Promise<number> {
  // Every page: the store outgrows one page (100 keys) within a few rounds.
  const listed: { key_id: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.request({ type: "list_keys", cursor });
    listed.push(...page.keys as { key_id: string }[]);
    cursor = page.next_cursor as string | undefined;
  } while (cursor !== undefined);
  const present = new Set(
    listed.map((k) => k.key_id).filter((id) => id.startsWith(prefix)),
  );
  for (const [id, version] of acknowledged) {
    if (!id.startsWith(prefix)) continue;
    assert.ok(present.has(id), `acknowledged key ${id} is gone`);
    const shown = (await service.request({ type: "show_key", key_id: id }))
      .key as {
        latest_version: number;
        padding: string;
        versions: { version: number; public_key: string }[];
      };
    assert.ok(shown.latest_version >= version, `${id} lost version ${version}`);
  }
  let versions = 0;
  for (const id of present) {
    const shown = (await service.request({ type: "show_key", key_id: id }))
      .key as {
        latest_version: number;
        versions: { version: number; public_key: string }[];
      };
    assert.deepEqual(
      shown.versions.map((v) => v.version),
      Array.from({ length: shown.latest_version }, (_, i) => i + 1),
      `${id}: a version is missing`,
    );
    for (const { version, public_key } of shown.versions) {
      const ciphertext = encryptWith(
        "oaep-sha256",
        parsePublicKey(public_key),
        new TextEncoder().encode(FERNET),
      );
      const reply = await service.request({
        type: "decrypt_fernet",
        key_id: id,
        encrypted_fernet: `ks:v${version}:${ciphertext.toBase64()}`,
      });
      assert.equal(
        reply.fernet,
        FERNET,
        `${id} v${version}: ${JSON.stringify(reply)}`,
      );
      versions++;
    }
  }
  return versions;
}

Deno.test("crash safety: SIGKILL at random points during creates, imports and rotations, 50 times; every committed version decrypts", async () => {
  const dir = `data/crash-test-${crypto.randomUUID()}`;
  const pems = await Promise.all(
    [1, 2].map(async () => (await generateRsaKeyPair()).private),
  );
  const args = ["--data-dir", dir, "--pool-size", "4"];
  try {
    let checked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const service = await startService(args, {}, { direct: true });
      // After each restart: what the round before committed is all there.
      if (round > 0) checked += await check(service, `r${round - 1}-`);
      const workers = [0, 1, 2].map((w) => work(service, round, w, pems));
      // A random point: after 0 to 15 acknowledged requests of this round.
      const target = acknowledged.size + Math.floor(Math.random() * 16);
      const deadline = Date.now() + 20_000;
      while (acknowledged.size < target && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      }
      service.signal("SIGKILL");
      await service.exited;
      await Promise.all(workers);
    }
    const service = await startService(args, {}, { direct: true });
    try {
      checked += await check(service, `r${ROUNDS - 1}-`);
      // Every round's keys again, all at once, on the last restart.
      assert.equal(await check(service, "r"), checked);
      assert.ok(checked >= acknowledged.size, `${checked} versions checked`);
    } finally {
      await service.shutDown();
    }
  } finally {
    await Deno.remove(new URL(`${dir}/`, ROOT), { recursive: true }).catch(
      () => {},
    );
  }
});
