// Keeping keys in memory for as short a time as possible and out of other
// processes' reach, end to end: the service, and the broker every request
// passes through, make themselves not dumpable at start-up (Linux), seen from outside as a process without capabilities
// that cannot read the service's /proc/<pid>/environ while it can read that
// of a dumpable process of the same user (`deno task`, the service's
// parent); and pooled key pairs that nobody takes are dropped at
// `--pool-max-age` and replaced.

import assert from "node:assert/strict";
import {
  encryptPkcs1v15,
  parsePrivateKey,
  parsePublicKey,
} from "../../lib/crypto/mod.ts";
import { decryptPkcs1v15 } from "../../lib/crypto/node_decrypt.ts";
import { startBroker } from "../_helpers/cli.ts";
import { gate } from "../_helpers/gate.ts";
import { withService } from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";

/** Runs `command` with no capabilities at all (root included). */
const NO_CAPS = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] as const;

function detectSetpriv(): { ok: boolean; reason: string } {
  if (Deno.build.os !== "linux") return { ok: false, reason: "not Linux" };
  try {
    const run = new Deno.Command("setpriv", {
      args: ["--bounding-set=-all", "--inh-caps=-all", "true"],
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    return run.code === 0 ? { ok: true, reason: "setpriv runs" } : {
      ok: false,
      reason: `setpriv fails: ${new TextDecoder().decode(run.stderr)}`,
    };
  } catch (error) {
    return {
      ok: false,
      reason: `no setpriv (Debian: util-linux): ${error}`,
    };
  }
}

const SETPRIV = gate("not-dumpable test", detectSetpriv());

/**
 * The service's process id, from its start-up line (`deno task` is its
 * parent; reading the task children file in /proc would need --allow-all).
 */
function servicePid(log: string): number {
  const match = / INFO listening .* pid=(\d+) /.exec(log);
  assert.ok(match, `no pid in the start-up line:\n${log}`);
  return Number(match[1]);
}

/** Whether a process without capabilities can read `/proc/<pid>/environ`. */
async function environReadable(pid: number): Promise<boolean> {
  const run = await new Deno.Command(NO_CAPS[0], {
    args: [...NO_CAPS.slice(1), "cat", `/proc/${pid}/environ`],
    stdout: "null",
    stderr: "null",
  }).output();
  return run.code === 0;
}

Deno.test({
  name:
    "the service is not dumpable: a process without capabilities cannot read its /proc/<pid>/environ, but can its parent's",
  ignore: SETPRIV.ignore,
  async fn() {
    SETPRIV.assertRunnable();
    await withService(
      async (service) => {
        const pid = servicePid(service.stderr());
        // The control: `deno task`, run the same way, is dumpable.
        assert.equal(await environReadable(service.pid), true);
        assert.equal(await environReadable(pid), false);
      },
      ["--pool-size", "0", "--log-level", "debug"],
      {},
      { wrapper: NO_CAPS },
    ).then((service) =>
      assert.match(service.stderr(), / DEBUG not-dumpable dumpable=0/)
    );
  },
});

Deno.test({
  name:
    "the broker is not dumpable either: a process without capabilities cannot read its /proc/<pid>/environ, but can its parent's",
  ignore: SETPRIV.ignore,
  async fn() {
    SETPRIV.assertRunnable();
    const broker = await startBroker(["--log-level", "debug"], {
      wrapper: NO_CAPS,
    });
    try {
      const match = / INFO broker-listening .* pid=(\d+)/.exec(broker.stderr());
      assert.ok(match, `no pid in the start-up line:\n${broker.stderr()}`);
      assert.equal(await environReadable(broker.pid), true);
      assert.equal(await environReadable(Number(match[1])), false);
      assert.match(broker.stderr(), / DEBUG not-dumpable dumpable=0/);
    } finally {
      assert.equal(await broker.stop(), 0, broker.stderr());
    }
  },
});

Deno.test("--pool-max-age 1: pooled pairs nobody takes are dropped and replaced, and a pair handed out after works", async () => {
  await withService(async (service) => {
    await waitFor(async () => {
      const { pool } = await service.ping();
      return pool.expired >= 2 && pool.depth === 1;
    }, {
      what: "two pooled pairs to expire unasked, and the pool to refill",
      timeoutMs: 60_000,
    });
    const reply = await service.request({ type: "generate_keys" });
    const pair = reply.rsa as { public: string; private: string };
    const message = new TextEncoder().encode("still a working pair");
    const ciphertext = encryptPkcs1v15(parsePublicKey(pair.public), message);
    assert.deepEqual(
      decryptPkcs1v15(parsePrivateKey(pair.private), ciphertext),
      message,
    );
  }, ["--pool-size", "1", "--pool-max-age", "1"]);
});
