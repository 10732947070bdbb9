// The ROUTER envelope split, without a socket: a REQ client's envelope ends
// at its empty delimiter, a proxy's hops stay in it, a DEALER without one
// has the routing id alone, and a message that cannot be answered (its
// envelope cut off, or too long) is null.

import assert from "node:assert/strict";
import {
  MAX_ENVELOPE_FRAMES,
  splitEnvelope,
} from "../../../lib/zmq/envelope.ts";

const text = (value: string) => new TextEncoder().encode(value);
const ID = new Uint8Array([0, 0x80, 0, 0x41, 0xa7]);
const EMPTY = new Uint8Array(0);
const BODY = text('{"type":"ping"}');

Deno.test("a REQ client's message: the envelope is the routing id and the delimiter", () => {
  assert.deepEqual(splitEnvelope([ID, EMPTY, BODY], false), {
    envelope: [ID, EMPTY],
    parts: [BODY],
  });
});

Deno.test("hops added by proxies stay in the envelope, in order", () => {
  const hop = text("hop");
  assert.deepEqual(splitEnvelope([ID, hop, EMPTY, BODY], false), {
    envelope: [ID, hop, EMPTY],
    parts: [BODY],
  });
});

Deno.test("an empty routing id is not taken for the delimiter", () => {
  assert.deepEqual(splitEnvelope([EMPTY, EMPTY, BODY], false), {
    envelope: [EMPTY, EMPTY],
    parts: [BODY],
  });
});

Deno.test("every frame after the delimiter is the request's, empty ones included", () => {
  const second = text("second");
  assert.deepEqual(splitEnvelope([ID, EMPTY, BODY, EMPTY, second], false), {
    envelope: [ID, EMPTY],
    parts: [BODY, EMPTY, second],
  });
  assert.deepEqual(splitEnvelope([ID, EMPTY, EMPTY], false), {
    envelope: [ID, EMPTY],
    parts: [EMPTY],
  });
  assert.deepEqual(splitEnvelope([ID, EMPTY], false), {
    envelope: [ID, EMPTY],
    parts: [],
  });
});

Deno.test("a DEALER without a delimiter: the envelope is the routing id alone", () => {
  const more = text("more");
  assert.deepEqual(splitEnvelope([ID, BODY, more], false), {
    envelope: [ID],
    parts: [BODY, more],
  });
});

Deno.test("a message cut short without a delimiter cannot be answered", () => {
  assert.equal(splitEnvelope([ID, text("a"), text("b")], true), null);
});

Deno.test("a message cut short after its delimiter is still split", () => {
  assert.deepEqual(splitEnvelope([ID, EMPTY, BODY], true), {
    envelope: [ID, EMPTY],
    parts: [BODY],
  });
});

Deno.test(`an envelope of ${MAX_ENVELOPE_FRAMES} frames is answered; one more is not`, () => {
  const hops = (n: number) =>
    Array.from({ length: n }, (_, i) => text(`h${i}`));
  const longest = [ID, ...hops(MAX_ENVELOPE_FRAMES - 2), EMPTY, BODY];
  assert.equal(
    splitEnvelope(longest, false)?.envelope.length,
    MAX_ENVELOPE_FRAMES,
  );
  const tooLong = [ID, ...hops(MAX_ENVELOPE_FRAMES - 1), EMPTY, BODY];
  assert.equal(splitEnvelope(tooLong, false), null);
});
