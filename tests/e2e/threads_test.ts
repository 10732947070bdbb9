// The request threads (--threads), end to end: the start-up line and the
// metrics name them; a thread starts when every running one is busy; the
// counters are the whole process's, whichever thread ran a request; a
// thread that dies (through the test-only hook KEYSERVICE_TEST_THREAD_CRASH,
// docs/architecture-threads.md) is replaced and each request it had in hand
// is answered internal_error, once; without the hook the same bytes are a
// plain invalid request.

import assert from "node:assert/strict";
import {
  ask,
  requestInFlight,
  type RunningService,
  withService,
} from "../_helpers/service.ts";
import { gauge } from "../_helpers/metrics.ts";
import { FIXED_PRIVATE_PEM, FIXED_PUBLIC_PEM } from "../_helpers/fixed_key.ts";
import { logLines, waitFor, waitForLog } from "../_helpers/wait.ts";

const CRASH = new TextEncoder().encode("crash-thread");
const SLOW = { type: "generate_keys", bits: 4096 };

/** The sum of a counter's samples whose labels include `labels`. */
async function counter(
  service: RunningService,
  name: string,
  labels: string,
): Promise<number> {
  const text = await (await fetch(`${service.metrics}/metrics`)).text();
  return text.split("\n")
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

Deno.test("the start-up line and the metrics name the request threads", async () => {
  await withService(async (service) => {
    const [line] = logLines(service, / INFO listening /);
    assert.match(line, / threads=3 /);
    assert.equal(await gauge(service, "keyservice_request_threads_max"), 3);
    // One runs from the start; the others when the load needs them.
    assert.equal(await gauge(service, "keyservice_request_threads"), 1);
  }, ["--threads", "3", "--metrics", "127.0.0.1:0"]);
});

Deno.test("a second thread starts while the first has a request in hand, and the counters add up over both", async () => {
  await withService(async (service) => {
    // The first thread waits for a 4096-bit pair: busy for seconds.
    const slow = await requestInFlight(service, SLOW);
    try {
      // Pings are answered on the socket thread; the next request that
      // needs a thread, while the first is busy, starts a second one.
      const encrypted = await service.request({
        type: "encrypt_fernet",
        fernet: "a".repeat(44),
        rsa_public: FIXED_PUBLIC_PEM,
      });
      assert.equal(await gauge(service, "keyservice_request_threads"), 2);
      const clients = Array.from({ length: 4 }, () => service.client());
      try {
        await Promise.all(clients.map(async (client) => {
          for (let i = 0; i < 5; i++) {
            const reply = await ask(client, {
              type: "decrypt_fernet",
              encrypted_fernet: encrypted.encrypted_fernet,
              rsa_private: FIXED_PRIVATE_PEM,
            });
            assert.equal(reply.fernet, "a".repeat(44));
          }
        }));
      } finally {
        for (const client of clients) client.close();
      }
      assert.equal(
        await counter(
          service,
          "keyservice_requests_total",
          'operation="decrypt_fernet",code="ok"',
        ),
        20,
      );
      assert.equal(
        await counter(service, "keyservice_decryptions_total", "pkcs1v15"),
        20,
      );
      assert.ok("rsa" in await slow.reply);
    } finally {
      slow.client.close();
    }
  }, ["--threads", "2", "--pool-size", "0", "--metrics", "127.0.0.1:0"]);
});

Deno.test("a request thread that dies is replaced, and what it had in hand is answered internal_error", async () => {
  await withService(
    async (service) => {
      // One thread, busy with a request that waits for a 4096-bit pair.
      const slow = await requestInFlight(service, SLOW);
      const crasher = service.client();
      try {
        const crashed = await ask(crasher, CRASH);
        assert.equal(crashed.code, "internal_error");
        assert.equal((await slow.reply).code, "internal_error");
        await waitForLog(service, / ERROR thread-died/);
        // The replacement serves; the client that crashed it is served too.
        assert.equal((await ask(crasher, { type: "ping" })).status, "ok");
        assert.equal((await service.request({ type: "ping" })).status, "ok");
        assert.equal(logLines(service, / ERROR thread-died/).length, 1);
      } finally {
        crasher.close();
        slow.client.close();
      }
    },
    ["--threads", "1", "--pool-size", "0"],
    {
      KEYSERVICE_TEST_THREAD_CRASH: "1",
    },
  );
});

Deno.test("without the test variable, the crash hook's bytes are an invalid request like any other", async () => {
  await withService(async (service) => {
    const reply = await service.request(CRASH);
    assert.equal(reply.code, "invalid_json");
    await waitFor(async () => (await service.ping()).status === "ok", {
      what: "a ping after it",
    });
    assert.deepEqual(logLines(service, /thread-died/), []);
  }, ["--threads", "1"]);
});
