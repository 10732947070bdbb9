// The serve loop with an in-process transport: each message gets exactly one
// reply, its own; a slow request does not hold up a quick one behind it; the
// client a message came from reaches the service's per-client bound; the
// listener hears of each outcome, timed on the loop's clock; and a listener
// that throws costs neither the reply nor the loop.

import assert from "node:assert/strict";
import { KeyService } from "../../../lib/service/key_service.ts";
import { type Message, serve } from "../../../lib/service/serve.ts";
import type { Outcome } from "../../../lib/service/key_service.ts";
import type { RsaKeyPairPem } from "../../../lib/crypto/mod.ts";
import { waitFor } from "../../_helpers/wait.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A transport the test feeds: messages in, replies out, then the end. */
function transport() {
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  async function* messages(): AsyncGenerator<Message> {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    messages: messages(),
    /** Sends `request`; resolves to each reply it gets (a list, to count). */
    send(
      request: unknown,
      client?: string,
    ): { replies: unknown[]; first: Promise<Record<string, unknown>> } {
      const replies: unknown[] = [];
      const first = new Promise<Record<string, unknown>>((resolve) => {
        queue.push({
          parts: [encoder.encode(JSON.stringify(request))],
          client,
          reply(body) {
            const reply = JSON.parse(decoder.decode(body));
            replies.push(reply);
            resolve(reply);
          },
        });
      });
      wake?.();
      return { replies, first };
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

/** A key source whose takes wait until the test releases them. */
function heldKeys() {
  const held: ((pair: RsaKeyPairPem) => void)[] = [];
  return {
    held,
    take: () => new Promise<RsaKeyPairPem>((resolve) => held.push(resolve)),
  };
}

Deno.test("serve answers each message once, with its own reply, and ends with the iteration", async () => {
  const wire = transport();
  const loop = serve(wire.messages, new KeyService({ version: "9.9.9" }));
  const ping = wire.send({ type: "ping" });
  const unknown = wire.send({ type: "launch" });
  const notObject = wire.send([1, 2]);
  assert.equal((await ping.first).version, "9.9.9");
  assert.equal((await unknown.first).code, "unknown_type");
  assert.equal((await notObject.first).code, "not_an_object");
  wire.end();
  await loop;
  assert.deepEqual(
    [ping, unknown, notObject].map((sent) => sent.replies.length),
    [1, 1, 1],
  );
});

Deno.test("a slow request does not hold up the replies to those after it", async () => {
  const keys = heldKeys();
  const wire = transport();
  const loop = serve(wire.messages, new KeyService({ keyPairs: keys }));
  const slow = wire.send({ type: "generate_keys" });
  const quick = wire.send({ type: "ping" });
  assert.equal((await quick.first).status, "ok");
  assert.equal(slow.replies.length, 0, "generate_keys still waits for a pair");
  assert.equal(keys.held.length, 1);
  keys.held[0]({ public: "public", private: "private" });
  const keySet = await slow.first;
  assert.deepEqual(keySet.rsa, { public: "public", private: "private" });
  wire.end();
  await loop;
});

Deno.test("the client a message came from reaches the per-client bound", async () => {
  const keys = heldKeys();
  const wire = transport();
  const service = new KeyService({ keyPairs: keys, maxInflightPerClient: 1 });
  const loop = serve(wire.messages, service);
  const first = wire.send({ type: "generate_keys" }, "a");
  const second = wire.send({ type: "generate_keys" }, "a");
  const other = wire.send({ type: "generate_keys" }, "b");
  assert.equal((await second.first).code, "overloaded");
  await waitFor(() => keys.held.length === 2, { what: "two takes waiting" });
  for (const release of keys.held) release({ public: "p", private: "k" });
  assert.ok("rsa" in await first.first);
  assert.ok("rsa" in await other.first);
  wire.end();
  await loop;
});

Deno.test("the listener hears each outcome, timed on the loop's clock", async () => {
  let now = 1000;
  const heard: [Outcome["type"], string, number][] = [];
  const wire = transport();
  const loop = serve(
    wire.messages,
    new KeyService(),
    (outcome, ms) => heard.push([outcome.type, outcome.code, ms]),
    { clock: { now: () => (now += 5) } },
  );
  await wire.send({ type: "ping" }).first;
  await wire.send("not an object").first;
  wire.end();
  await loop;
  // Each request reads the clock twice: on arrival and when answered.
  assert.deepEqual(heard, [
    ["ping", "ok", 5],
    ["invalid", "not_an_object", 5],
  ]);
});

Deno.test("a listener that throws costs neither the reply nor the loop", async () => {
  const failures: unknown[] = [];
  const boom = new Error("listener broke");
  let calls = 0;
  const wire = transport();
  const loop = serve(
    wire.messages,
    new KeyService(),
    () => {
      calls++;
      throw boom;
    },
    { onListenerError: (error) => failures.push(error) },
  );
  const first = wire.send({ type: "ping" });
  assert.equal((await first.first).status, "ok");
  const second = wire.send({ type: "ping" });
  assert.equal((await second.first).status, "ok");
  wire.end();
  await loop;
  // The listener ran after each reply went; both of its failures were told.
  await waitFor(() => failures.length === 2, { what: "both failures told" });
  assert.equal(calls, 2);
  assert.deepEqual(failures, [boom, boom]);
  assert.deepEqual([first.replies.length, second.replies.length], [1, 1]);
});

Deno.test("a listener that throws, with no one to tell, still costs nothing", async () => {
  const wire = transport();
  const loop = serve(wire.messages, new KeyService(), () => {
    throw new Error("listener broke");
  });
  assert.equal((await wire.send({ type: "ping" }).first).status, "ok");
  assert.equal((await wire.send({ type: "ping" }).first).status, "ok");
  wire.end();
  await loop;
});
