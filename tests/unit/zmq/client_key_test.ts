// A client is the routing ids ROUTER sockets added (its connection, and
// behind a broker the hop the broker added), never frames it wrote itself.

import assert from "node:assert/strict";
import { clientKey } from "../../../lib/zmq/client_key.ts";

const id = (...bytes: number[]) => Uint8Array.from(bytes);
const connection = id(0, 1, 2, 3, 4);
const broker = id(0, 9, 9, 9, 9);

Deno.test("direct: hops a client writes before its delimiter do not change its key", () => {
  const plain = clientKey([connection], 0);
  assert.equal(clientKey([connection, id(7)], 0), plain);
  assert.equal(clientKey([connection, id(8), id(9)], 0), plain);
});

Deno.test("direct: two connections are two clients", () => {
  assert.notEqual(clientKey([connection], 0), clientKey([broker], 0));
});

Deno.test("behind a broker: the broker's hop names the client, later frames do not", () => {
  const a = clientKey([broker, id(0, 0, 0, 0, 1)], 1);
  const b = clientKey([broker, id(0, 0, 0, 0, 2)], 1);
  assert.notEqual(a, b);
  assert.equal(clientKey([broker, id(0, 0, 0, 0, 1), id(42)], 1), a);
});

Deno.test("fewer routing ids than trusted hops: the ids there are", () => {
  assert.equal(clientKey([broker], 1), clientKey([broker], 0));
});
