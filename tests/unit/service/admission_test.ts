// Admission, the bounds kept on the socket thread: per client, in all, the
// reserve for a client with nothing in flight, and release.

import assert from "node:assert/strict";
import { Admission } from "../../../lib/service/admission.ts";

Deno.test("Admission: a client is held to its own cap; others are not", () => {
  const admission = new Admission({
    maxInflight: 100,
    maxInflightPerClient: 2,
  });
  assert.ok(admission.admit("a"));
  assert.ok(admission.admit("a"));
  assert.equal(admission.admit("a"), false);
  assert.ok(admission.admit("b"));
  assert.equal(admission.inflight, 3);
});

Deno.test("Admission: past the overall limit only a client with nothing in flight gets in, up to the reserve", () => {
  const admission = new Admission({ maxInflight: 2, maxInflightPerClient: 8 });
  assert.ok(admission.admit("busy"));
  assert.ok(admission.admit("busy"));
  assert.equal(admission.admit("busy"), false, "the limit is reached");
  assert.ok(admission.admit("quiet-1"), "the reserve");
  assert.ok(admission.admit("quiet-2"), "the reserve");
  assert.equal(admission.admit("quiet-3"), false, "the reserve is spent");
  assert.equal(admission.admit("quiet-1"), false, "quiet-1 has one in flight");
});

Deno.test("Admission: release counts a request out, and a client with none left is forgotten", () => {
  const admission = new Admission({ maxInflight: 1, maxInflightPerClient: 1 });
  assert.ok(admission.admit("a"));
  assert.equal(admission.admit("a"), false);
  admission.release("a");
  assert.equal(admission.inflight, 0);
  assert.ok(admission.admit("a"));
  admission.release("a");
  admission.release("a"); // one too many: ignored
  assert.equal(admission.inflight, 0);
});
