// Fairness and bounds against hostile clients, end to end: a greedy DEALER
// that pipelines hundreds of requests beside a polite REQ client, the cap
// on requests waiting for the key pool, clients that never read their
// replies, a client-chosen routing id taken by a second peer, and messages
// whose envelope runs past the frames read.

import assert from "node:assert/strict";
import { Dealer } from "../_helpers/dealer.ts";
import { FIXED_PUBLIC_PEM } from "../_helpers/fixed_key.ts";
import {
  FORGED_HOP_LIMITS,
  forgeWhilePolite,
} from "../_helpers/forged_hops.ts";
import {
  ask,
  jsonBytes,
  withClient,
  withService,
} from "../_helpers/service.ts";

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** The JSON body of a DEALER's REQ-style reply: ["", body]. */
function body(message: Uint8Array[]): Record<string, unknown> {
  assert.equal(message.length, 2, "a reply is the delimiter and one body");
  assert.equal(message[0].length, 0);
  return JSON.parse(decoder.decode(message[1]));
}

function codes(messages: Uint8Array[][]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const message of messages) {
    const reply = body(message);
    const code = String(reply.code ?? "ok");
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

const FERNET = "x".repeat(44);
const encryptRequest = jsonBytes({
  type: "encrypt_fernet",
  rsa_public: FIXED_PUBLIC_PEM,
  fernet: FERNET,
});

Deno.test("a greedy DEALER pipelining 400 generate_keys is held to its own cap; a polite client is never overloaded", async () => {
  await withService(async (service) => {
    const greedy = Dealer.connect(service.endpoint);
    try {
      for (let i = 0; i < 400; i++) {
        greedy.send([EMPTY, jsonBytes({ type: "generate_keys" })]);
      }
      // The greedy client reads as it goes: a client that does not read
      // loses replies past its queue (see the slow-reader test).
      const greedyReplies = greedy.receive(400, 20_000);
      const polite: string[] = [];
      await withClient(service, async (client) => {
        for (let i = 0; i < 20; i++) {
          const reply = await ask(client, encryptRequest);
          polite.push("encrypted_fernet" in reply ? "ok" : String(reply.code));
        }
      });
      assert.deepEqual(polite, Array(20).fill("ok"));
      // A client that falls behind its replies loses those past its queue
      // (64 by default) when they come in a burst, as `overloaded` does:
      // what arrived is counted, not required to be all.
      const replies = await greedyReplies;
      const counts = codes(replies);
      console.log(
        `greedy client: ${replies.length} of 400 replies arrived, by code:`,
        counts,
      );
      assert.ok((counts.overloaded ?? 0) > 0, JSON.stringify(counts));
      assert.deepEqual(
        Object.keys(counts).filter((c) => c !== "ok" && c !== "overloaded"),
        [],
      );
    } finally {
      greedy.close();
    }
  }, ["--max-inflight-per-client", "8", "--pool-size", "2"]);
});

Deno.test("a DEALER writing a new hop frame before each request is still one client, held to its cap; a polite client is never overloaded", async () => {
  await withService(async (service) => {
    const forger = Dealer.connect(service.endpoint);
    try {
      const { statuses, inFlight, sent } = await withClient(
        service,
        (client) =>
          forgeWhilePolite(forger, () => ask(client, { type: "ping" })),
      );
      const forged = await forger.receive(sent, 120_000);
      const counts: Record<string, number> = {};
      for (const message of forged) {
        const code = String(
          JSON.parse(decoder.decode(message.at(-1))).code ?? "ok",
        );
        counts[code] = (counts[code] ?? 0) + 1;
      }
      console.log(
        `forged hops: ${forged.length} of ${sent} replies, by code:`,
        counts,
        "; requests in flight seen by the polite client:",
        inFlight.join(" "),
      );
      assert.deepEqual(statuses, Array(20).fill("ok"));
      // One connection, one client: never more than its cap in flight,
      // however many hops it makes up.
      assert.ok(Math.max(...inFlight) <= 4, inFlight.join(" "));
      assert.ok((counts.overloaded ?? 0) > 0, JSON.stringify(counts));
    } finally {
      forger.close();
    }
  }, [...FORGED_HOP_LIMITS]);
});

Deno.test("--max-pool-waiters 2: generate_keys past two waiting for the pool is overloaded; encrypt_fernet is not", async () => {
  await withService(async (service) => {
    const dealers = Array.from(
      { length: 5 },
      () => Dealer.connect(service.endpoint),
    );
    try {
      for (const dealer of dealers) {
        for (let i = 0; i < 4; i++) {
          dealer.send([EMPTY, jsonBytes({ type: "generate_keys" })]);
        }
      }
      const encrypt = await service.request({
        type: "encrypt_fernet",
        rsa_public: FIXED_PUBLIC_PEM,
        fernet: FERNET,
      });
      assert.equal(typeof encrypt.encrypted_fernet, "string");
      const replies = (await Promise.all(
        dealers.map((dealer) => dealer.receive(4, 120_000)),
      )).flat();
      assert.equal(replies.length, 20);
      const counts = codes(replies);
      console.log("20 generate_keys against a drained pool:", counts);
      assert.ok((counts.overloaded ?? 0) > 0, JSON.stringify(counts));
      assert.ok((counts.ok ?? 0) >= 2, JSON.stringify(counts));
    } finally {
      for (const dealer of dealers) dealer.close();
    }
  }, ["--pool-size", "1", "--max-pool-waiters", "2"]);
});

Deno.test("40 clients that pipeline and never read: RSS stays bounded and a REQ client is served", async () => {
  const recipients = Array(64).fill(FIXED_PUBLIC_PEM);
  const many = jsonBytes({
    type: "encrypt_fernet_many",
    rsa_publics: recipients,
    fernet: FERNET,
  });
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  await withService(async (service) => {
    const first = await service.ping();
    const rss = [first.rss_bytes];
    const heap = [first.heap_used_bytes];
    const slow = Array.from(
      { length: 40 },
      () => Dealer.connect(service.endpoint, { receiveQueue: 1 }),
    );
    try {
      // Waves of 8 (the per-client cap), so that most are served and their
      // ~22 KB replies queue up toward clients that never read: every 15
      // waves would pin 105 MB more if every reply were kept. RSS climbs
      // until the queues are full and each thread's allocator has reached
      // its high-water mark, which happens at a wave that depends on the
      // load (the second request thread's arena can grow late): so the
      // waves go on (90 at least) until 30 of them add less than 48 MB, and
      // a service that kept replies never gets there.
      const minWaves = 90, maxWaves = 180;
      let wave = 0;
      const grew = () => rss.at(-1)! - rss.at(-3)!;
      while (wave < minWaves || grew() >= 48 * 1024 * 1024) {
        assert.ok(
          wave < maxWaves,
          `RSS still grew ${mb(grew())} MB over the last 30 of ${wave} ` +
            `waves: ${rss.map(mb).join(", ")} MB`,
        );
        for (let n = 0; n < 15; n++) {
          wave++;
          for (const dealer of slow) {
            for (let i = 0; i < 8; i++) dealer.send([EMPTY, many]);
          }
          const reply = await service.request({
            type: "encrypt_fernet",
            rsa_public: FIXED_PUBLIC_PEM,
            fernet: FERNET,
          });
          assert.equal(
            typeof reply.encrypted_fernet,
            "string",
            JSON.stringify(reply),
          );
        }
        const ping = await service.ping();
        rss.push(ping.rss_bytes);
        heap.push(ping.heap_used_bytes);
      }
      console.log(
        `slow readers, RSS at start and after every 15 of ${wave} waves of ` +
          `40 x 8 requests: ${rss.map(mb).join(", ")} MB (JavaScript heap ` +
          `in use: ${heap.map(mb).join(", ")} MB)`,
      );
    } finally {
      for (const dealer of slow) dealer.close();
    }
  });
});

Deno.test("a routing id a client chose cannot be taken over by a second peer", async () => {
  await withService(async (service) => {
    const first = Dealer.connect(service.endpoint, { routingId: "chosen-id" });
    const ping = () => jsonBytes({ type: "ping" });
    try {
      first.send([EMPTY, ping()]);
      assert.equal(body((await first.receive(1, 30_000))[0]).status, "ok");
      const squatter = Dealer.connect(service.endpoint, {
        routingId: "chosen-id",
      });
      try {
        squatter.send([EMPTY, ping()]);
        first.send([EMPTY, ping()]);
        assert.equal(body((await first.receive(1, 30_000))[0]).status, "ok");
        // A later request of the first client, answered, shows the
        // squatter's has been read or refused by now: libzmq refuses a
        // second connection with an id in use (ZMQ_ROUTER_HANDOVER is off).
        first.send([EMPTY, ping()]);
        assert.equal(body((await first.receive(1, 30_000))[0]).status, "ok");
        assert.deepEqual(squatter.drain(), []);
      } finally {
        squatter.close();
      }
    } finally {
      first.close();
    }
  });
});

Deno.test("a message whose envelope runs past the frames read gets no reply, and the service lives on", async () => {
  await withService(async (service) => {
    const dealer = Dealer.connect(service.endpoint);
    try {
      // Twelve frames with no delimiter among the first ten: no client to
      // answer. Then a well-formed request on the same connection.
      dealer.send(Array.from({ length: 12 }, () => Uint8Array.of(1)));
      dealer.send([EMPTY, jsonBytes({ type: "ping" })]);
      const replies = await dealer.receive(1, 30_000);
      assert.equal(replies.length, 1);
      assert.equal(body(replies[0]).status, "ok");
      assert.deepEqual(dealer.drain(), []);
    } finally {
      dealer.close();
    }
  });
});

Deno.test("by default a frame past the largest request limit (768 KiB, age requests) drops the connection, not the service", async () => {
  await withService(async (service) => {
    const dealer = Dealer.connect(service.endpoint);
    try {
      dealer.send([EMPTY, new Uint8Array(780 * 1024).fill(0x20)]);
      const reply = await service.request({ type: "ping" });
      assert.equal(reply.status, "ok");
    } finally {
      dealer.close();
    }
  });
});
