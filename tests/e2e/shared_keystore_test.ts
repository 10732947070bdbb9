// Instances sharing one PostgreSQL keystore: two behind the broker and one
// bound on its own, all on the same database. A key made and rotated
// through one is used at once through the others; rotations at once make
// distinct versions.

import assert from "node:assert/strict";
import { startBroker } from "../_helpers/cli.ts";
import { POSTGRES, startPostgres } from "../_helpers/postgres.ts";
import { type RunningService, startService } from "../_helpers/service.ts";
import { waitForLog } from "../_helpers/wait.ts";
import { ReqClient } from "../../lib/zmq/client.ts";
import { ask, testLibzmq } from "../_helpers/service.ts";

const ROOT = new URL("../..", import.meta.url);
const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

Deno.test({
  name:
    "shared PostgreSQL keystore: instances behind the broker and beside it see the same keys and versions",
  ignore: POSTGRES.ignore,
  fn: async () => {
    const cluster = await startPostgres({ tcp: true });
    const dir = `data/shared-test-${crypto.randomUUID()}`;
    await Deno.mkdir(new URL(`${dir}/`, ROOT), { recursive: true });
    const masterKeyFile = `${dir}/master.key`;
    await Deno.writeTextFile(
      new URL(masterKeyFile, ROOT),
      `${crypto.getRandomValues(new Uint8Array(32)).toBase64()}\n`,
      { mode: 0o600 },
    );
    const shared = [
      "--keystore",
      cluster.url,
      "--master-key-file",
      masterKeyFile,
      // Each request's line is at debug (lib/cli/request_log.ts).
      "--log-level",
      "debug",
    ];
    const broker = await startBroker();
    const services: RunningService[] = [];
    const through = (endpoint: string) => async (body: unknown) => {
      const client = ReqClient.connect(testLibzmq(), { endpoint });
      try {
        return await ask(client, body, 60_000);
      } finally {
        client.close();
      }
    };
    try {
      for (let i = 0; i < 2; i++) {
        services.push(
          await startService(["--connect", broker.backend, ...shared]),
        );
      }
      const beside = await startService(shared);
      services.push(beside);
      assert.match(
        beside.stderr(),
        / keystore=postgres:postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/,
      );
      const viaBroker = through(broker.frontend);
      const viaBeside = through(beside.endpoint);

      // Made behind the broker, used at once beside it, and back.
      const created = await viaBroker({ type: "create_key", key_id: "shared" });
      assert.equal((created.key as Record<string, unknown>).latest_version, 1);
      const v1 = (await viaBeside({
        type: "encrypt_fernet",
        key_id: "shared",
        fernet: FERNET,
      })).encrypted_fernet as string;
      assert.match(v1, /^ks:v1:/);
      assert.equal(
        (await viaBroker({
          type: "decrypt_fernet",
          key_id: "shared",
          encrypted_fernet: v1,
        })).fernet,
        FERNET,
      );

      // Rotated beside the broker: the instances behind it encrypt under v2 at once.
      await viaBeside({ type: "rotate_key", key_id: "shared" });
      for (let i = 0; i < 6; i++) {
        const wrapped = (await viaBroker({
          type: "encrypt_fernet",
          key_id: "shared",
          fernet: FERNET,
        })).encrypted_fernet as string;
        assert.match(wrapped, /^ks:v2:/);
        assert.equal(
          (await viaBeside({
            type: "decrypt_fernet",
            key_id: "shared",
            encrypted_fernet: wrapped,
          })).fernet,
          FERNET,
        );
      }

      // Rotations at once, through all three instances: each its own version.
      const rotations = await Promise.all([
        viaBroker({ type: "rotate_key", key_id: "shared" }),
        viaBroker({ type: "rotate_key", key_id: "shared" }),
        viaBeside({ type: "rotate_key", key_id: "shared" }),
        viaBeside({ type: "rotate_key", key_id: "shared" }),
      ]);
      for (const reply of rotations) {
        assert.ok(reply.key, JSON.stringify(reply));
      }
      const shown = (await viaBroker({ type: "show_key", key_id: "shared" }))
        .key as Record<string, unknown>;
      assert.equal(shown.latest_version, 6);
      assert.deepEqual(
        (shown.versions as { version: number }[]).map((v) => v.version),
        [1, 2, 3, 4, 5, 6],
      );
      // Both instances behind the broker served keystore requests.
      for (const service of services.slice(0, 2)) {
        await waitForLog(
          service,
          / DEBUG request type=\w+_key code=ok | DEBUG request type=\w+_fernet code=ok /,
        );
      }
    } finally {
      for (const service of services) await service.shutDown();
      await broker.stop();
      await cluster.stop();
      await Deno.remove(new URL(`${dir}/`, ROOT), { recursive: true });
    }
  },
});
