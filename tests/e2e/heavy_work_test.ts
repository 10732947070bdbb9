// Heavy work of contract v1.1 (passphrase-protected keys: PBKDF2 at 600,000
// iterations; 4096-bit keys made on demand) waits its turn behind a bound,
// end to end: a flood of it never stops `ping` from being answered, every
// request of the flood is answered, and the service's memory stays bounded.

import assert from "node:assert/strict";
import {
  ask,
  closeAll,
  connectedClients,
  withService,
} from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";

Deno.test("pings are answered while 16 passphrase-protected generate_keys wait their turn, and all 16 succeed", async () => {
  // The default 600,000 iterations: the cost a client really asks for.
  await withService(async (service) => {
    const clients = await connectedClients(service, 16);
    try {
      const flood = Promise.all(clients.map((client) =>
        ask(client, {
          type: "generate_keys",
          passphrase: "correct horse battery staple",
        })
      ));
      // Once most of the flood is in flight (queued behind the bound), each
      // ping's own reply shows it was answered in the middle of it.
      await waitFor(async () => (await service.ping()).in_flight >= 8, {
        what: "8 or more passphrase requests in flight",
      });
      for (let i = 0; i < 3; i++) {
        const ping = await service.ping();
        assert.equal(ping.status, "ok");
        assert.ok(ping.in_flight > 0, JSON.stringify(ping));
      }
      const replies = await flood;
      for (const reply of replies) {
        assert.equal(reply.error, undefined, JSON.stringify(reply));
        const rsa = reply.rsa as { public: string; private: string };
        assert.match(rsa.private, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
        assert.match(rsa.public, /^-----BEGIN PUBLIC KEY-----\n/);
      }
      // Nothing is left behind.
      assert.equal((await service.ping()).in_flight, 0);
      assert.ok(
        !service.stderr().includes("correct horse"),
        "a passphrase reached the log",
      );
    } finally {
      closeAll(clients);
    }
  });
});

Deno.test("pings are answered while 4096-bit keys are made on demand, and RSS stays bounded", async () => {
  await withService(async (service) => {
    const before = (await service.ping()).rss_bytes;
    const clients = await connectedClients(service, 3);
    try {
      const flood = Promise.all(
        clients.map((client) =>
          ask(client, { type: "generate_keys", bits: 4096 })
        ),
      );
      await waitFor(async () => (await service.ping()).in_flight >= 2, {
        what: "2 or more 4096-bit generations in flight",
      });
      const ping = await service.ping();
      assert.ok(ping.in_flight > 0, JSON.stringify(ping));
      for (const reply of await flood) {
        assert.equal(reply.error, undefined, JSON.stringify(reply));
        const rsa = reply.rsa as { public: string };
        assert.match(rsa.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
      }
      const after = (await service.ping()).rss_bytes;
      // A generous bound: the point is "bounded", not a number.
      assert.ok(
        after - before < 200 * 1024 * 1024,
        `RSS grew by ${after - before} bytes`,
      );
    } finally {
      closeAll(clients);
    }
  });
});
