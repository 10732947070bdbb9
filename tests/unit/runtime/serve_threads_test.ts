// The serve loop on the socket thread: admission, the hand-off to a request
// thread, one reply per message, a listener that throws. The socket thread
// answers a plain ping itself (its reply is all socket thread state); any
// other request, or a ping with more fields, goes to a request thread.

import assert from "node:assert/strict";
import type { ThreadOutcome } from "../../../lib/runtime/request_threads.ts";
import {
  isPlainPing,
  type Message,
  serveOnThreads,
} from "../../../lib/runtime/serve_threads.ts";
import { Admission } from "../../../lib/service/admission.ts";

const frame = (text: string) => [new TextEncoder().encode(text)];

Deno.test("a plain ping, spaced or not, is answered on the socket thread", () => {
  assert.ok(isPlainPing(frame('{"type":"ping"}')));
  assert.ok(isPlainPing(frame('{"type": "ping"}')));
});

Deno.test("anything else goes to a request thread", () => {
  for (
    const text of [
      '{"type":"ping","x":1}',
      '{"type":"generate_keys"}',
      '["ping"]',
      "ping",
      '{"type":"ping"',
      `{"type":"ping","pad":"${"x".repeat(80)}"}`,
    ]
  ) assert.ok(!isPlainPing(frame(text)), text);
  assert.ok(!isPlainPing([...frame('{"type":"ping"}'), new Uint8Array()]));
});

// The loop itself, with request threads that answer in the order they are
// told to (a stand-in for RequestThreads.handle: the loop's own behaviour is
// what is tested; the threads have tests/e2e/threads_test.ts).

const encoder = new TextEncoder(), decoder = new TextDecoder();

interface Sent {
  readonly client: string;
  readonly replies: string[];
}

function message(client: string, text: string, sent: Sent[]): Message {
  const record: Sent = { client, replies: [] };
  sent.push(record);
  return {
    client,
    parts: [encoder.encode(text)],
    reply: (body) => record.replies.push(decoder.decode(body)),
  };
}

async function* each(messages: Message[]): AsyncIterable<Message> {
  for (const m of messages) yield m;
}

/** Threads that hold each request until `answerAll`, then echo it. */
function heldThreads() {
  const held: {
    parts: readonly Uint8Array[];
    done: (o: ThreadOutcome) => void;
  }[] = [];
  return {
    handle(
      parts: readonly Uint8Array[],
      done: (outcome: ThreadOutcome) => void,
    ): void {
      held.push({ parts, done });
    },
    answerAll(): void {
      for (const { parts, done } of held.splice(0)) {
        done({
          reply: encoder.encode(`echo ${decoder.decode(parts[0])}`),
          type: "encrypt_fernet",
          code: "ok",
          threadMs: 0,
          decryptions: { pkcs1v15: 0, oaep: 0 },
        });
      }
    },
  };
}

Deno.test("each message is answered once, with its own thread's reply", async () => {
  const sent: Sent[] = [];
  const threads = heldThreads();
  const outcomes: string[] = [];
  await serveOnThreads(
    each(["a", "b", "c"].map((c) => message(c, `req-${c}`, sent))),
    new Admission(),
    threads,
    (outcome) => outcomes.push(outcome.code),
  );
  threads.answerAll();
  assert.deepEqual(sent.map((s) => s.replies), [
    ["echo req-a"],
    ["echo req-b"],
    ["echo req-c"],
  ]);
  assert.deepEqual(outcomes, ["ok", "ok", "ok"]);
});

Deno.test("past its in-flight cap a client is answered overloaded at once, and admitted again once answered", async () => {
  const sent: Sent[] = [];
  const threads = heldThreads();
  const admission = new Admission({ maxInflightPerClient: 2 });
  await serveOnThreads(
    each([1, 2, 3].map((n) => message("busy", `r${n}`, sent))),
    admission,
    threads,
  );
  assert.equal(JSON.parse(sent[2].replies[0]).code, "overloaded");
  assert.deepEqual(sent.slice(0, 2).map((s) => s.replies), [[], []]);
  threads.answerAll();
  assert.equal(admission.inflight, 0);
  assert.ok(admission.admit("busy"));
});

Deno.test("a plain ping is answered by the loop's own ping, not a thread", async () => {
  const sent: Sent[] = [];
  const threads = heldThreads();
  await serveOnThreads(
    each([message("p", '{"type":"ping"}', sent)]),
    new Admission(),
    threads,
    () => {},
    { ping: () => encoder.encode('{"status":"ok"}') },
  );
  assert.deepEqual(sent[0].replies, ['{"status":"ok"}']);
});

Deno.test("a listener that throws costs neither the reply nor the loop, and is reported", async () => {
  const sent: Sent[] = [];
  const threads = heldThreads();
  const reported: unknown[] = [];
  const admission = new Admission({ maxInflightPerClient: 1 });
  await serveOnThreads(
    each([
      message("x", "one", sent),
      message("x", "two", sent), // overloaded: its listener call throws too
      message("y", "three", sent),
    ]),
    admission,
    threads,
    () => {
      throw new Error("listener broke");
    },
    { onListenerError: (error) => reported.push(error) },
  );
  threads.answerAll();
  assert.deepEqual(sent.map((s) => s.replies.length), [1, 1, 1]);
  assert.equal(reported.length, 3);
  assert.equal(admission.inflight, 0);
});

Deno.test("a listener that throws, with a reporter that throws too, still costs nothing", async () => {
  const sent: Sent[] = [];
  const threads = heldThreads();
  await serveOnThreads(
    each([message("x", "one", sent), message("y", "two", sent)]),
    new Admission(),
    threads,
    () => {
      throw new Error("listener broke");
    },
    {
      onListenerError: () => {
        throw new Error("so did the reporter");
      },
    },
  );
  threads.answerAll();
  assert.deepEqual(sent.map((s) => s.replies.length), [1, 1]);
});
