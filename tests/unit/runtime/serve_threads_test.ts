// The socket thread answers a plain ping itself (its reply is all socket
// thread state); any other request, or a ping with more fields, goes to a
// request thread.

import assert from "node:assert/strict";
import { isPlainPing } from "../../../lib/runtime/serve_threads.ts";

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
