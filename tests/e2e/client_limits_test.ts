// The client library's defaults (issue 16, finding 7): no plaintext to an
// endpoint off this machine unless asked; one libzmq context per client and
// a bound on requests out at once, so that 200 concurrent calls cost a few
// dozen threads and descriptors, not hundreds; and a cap on reply frames.

import assert from "node:assert/strict";
import {
  DEFAULT_MAX_IN_FLIGHT,
  InsecureEndpoint,
  KeyServiceClient,
  TimeoutError,
} from "../../lib/client/mod.ts";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import { RouterServer } from "../../lib/zmq/router.ts";
import { runCli } from "../_helpers/cli.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";

const REMOTE = "tcp://10.0.0.5:5555";

Deno.test("the client refuses plaintext to an endpoint off this machine unless allowInsecure", async () => {
  const libzmq = testLibzmq();
  assert.throws(
    () => new KeyServiceClient({ endpoints: REMOTE, libzmq }),
    (error: unknown) => {
      assert.ok(error instanceof InsecureEndpoint, String(error));
      assert.equal(error.code, "insecure_endpoint");
      assert.equal(error.endpoint, REMOTE);
      return true;
    },
  );
  // One remote endpoint among local ones is enough to refuse.
  assert.throws(
    () =>
      new KeyServiceClient({
        endpoints: ["tcp://127.0.0.1:5555", REMOTE],
        libzmq,
      }),
    InsecureEndpoint,
  );
  const allowed = [
    { endpoints: REMOTE, libzmq, allowInsecure: true },
    {
      endpoints: REMOTE,
      libzmq,
      curve: { serverKey: generateCurveKeyPair(libzmq).public },
    },
    { endpoints: ["tcp://127.0.0.1:5555", "ipc:///tmp/ks.sock"], libzmq },
  ];
  for (const options of allowed) new KeyServiceClient(options).close();

  const cli = await runCli(["ping", "--endpoint", REMOTE]);
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    /^keyservice: refusing to talk to tcp:\/\/10\.0\.0\.5:5555 without CURVE/,
  );
  const help = await runCli(["ping", "--help"]);
  assert.match(help.stdout, /--allow-insecure-network/);
  assert.match(help.stdout, /a local process that binds it first receives/);
});

/** Entries of a /proc/self folder. */
function count(folder: "fd" | "task"): number {
  return [...Deno.readDirSync(`/proc/self/${folder}`)].length;
}

Deno.test({
  name:
    "the client: 200 concurrent calls use one context and at most maxInFlight sockets, not hundreds of threads and descriptors",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await withService(async (service) => {
      const before = { fd: count("fd"), task: count("task") };
      const client = new KeyServiceClient({
        endpoints: service.endpoint,
        libzmq: testLibzmq(),
      });
      let peak = { fd: 0, task: 0 };
      const sample = () => {
        peak = {
          fd: Math.max(peak.fd, count("fd")),
          task: Math.max(peak.task, count("task")),
        };
      };
      try {
        const calls = Array.from({ length: 200 }, async () => {
          const reply = await client.ping();
          sample();
          return reply.status;
        });
        sample();
        assert.deepEqual(new Set(await Promise.all(calls)), new Set(["ok"]));
      } finally {
        client.close();
      }
      const after = { fd: count("fd"), task: count("task") };
      const grown = { fd: peak.fd - before.fd, task: peak.task - before.task };
      console.log(
        `200 concurrent pings, maxInFlight ${DEFAULT_MAX_IN_FLIGHT}: ` +
          `descriptors ${before.fd} -> peak ${peak.fd} -> ${after.fd} closed; ` +
          `threads ${before.task} -> peak ${peak.task} -> ${after.task}`,
      );
      // Per socket in flight: its mailbox and its connection, and while it
      // connects its handshake monitor (two mailboxes more); per context a
      // few more. Per request waiting: one Deno thread; per context two.
      assert.ok(
        grown.fd <= 5 * DEFAULT_MAX_IN_FLIGHT + 16,
        `descriptors grew by ${grown.fd}`,
      );
      assert.ok(
        grown.task <= DEFAULT_MAX_IN_FLIGHT + 8,
        `threads grew by ${grown.task}`,
      );
      // Closed, the client leaves no descriptor behind.
      assert.ok(after.fd <= before.fd + 2, `descriptors: ${after.fd}`);
    }, ["--max-inflight-per-client", "256", "--max-inflight", "256"]);
  },
});

Deno.test("the client refuses a reply frame over maxReplyBytes", async () => {
  // A server (a squatter, say) that answers every request with 2 MiB.
  const huge = new TextEncoder().encode(
    JSON.stringify({ status: "ok", pad: "x".repeat(2 * 1024 ** 2) }),
  );
  const squatter = RouterServer.bind(testLibzmq(), {
    endpoint: "tcp://127.0.0.1:*",
  });
  const answering = (async () => {
    for await (const message of squatter) message.reply(huge);
  })();
  const client = (maxReplyBytes?: number) =>
    new KeyServiceClient({
      endpoints: squatter.endpoint,
      libzmq: testLibzmq(),
      timeoutMs: 1000,
      retries: 0,
      maxReplyBytes,
    });
  const capped = client();
  const roomy = client(4 * 1024 ** 2);
  try {
    // The default cap (1 MiB): the connection is cut, nothing is taken.
    await assert.rejects(capped.ping(), TimeoutError);
    // The same reply under a larger cap comes through: the cap refused it.
    assert.equal((await roomy.ping()).status, "ok");
  } finally {
    capped.close();
    roomy.close();
    squatter.close(0);
    await answering;
  }
});

Deno.test({
  name:
    "the client: requests past maxInFlight wait their turn, and sockets idle for idleMs are closed",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await withService(async (service) => {
      const before = count("fd");
      const client = new KeyServiceClient({
        endpoints: service.endpoint,
        libzmq: testLibzmq(),
        maxInFlight: 2,
        idleMs: 100,
      });
      try {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, async () => (await client.ping()).status),
        );
        assert.deepEqual(new Set(statuses), new Set(["ok"]));
        // Open: the context's few descriptors, and two idle sockets' until
        // they are closed, which the wait sees.
        await waitFor(() => count("fd") <= before + 6, {
          what: "the idle sockets to be closed",
          explain: () => `descriptors: ${before} -> ${count("fd")}`,
        });
        assert.equal((await client.ping()).status, "ok");
      } finally {
        client.close();
      }
    });
  },
});
