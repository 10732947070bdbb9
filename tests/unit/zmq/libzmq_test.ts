// Loading libzmq: the supported platforms, and the refusal elsewhere.

import assert from "node:assert/strict";
import { UnsupportedPlatform } from "../../../lib/zmq/errors.ts";
import { checkPlatform, loadLibzmq } from "../../../lib/zmq/libzmq.ts";

Deno.test("checkPlatform refuses Windows with one line naming the supported platforms", () => {
  assert.throws(() => checkPlatform("windows"), (error: unknown) => {
    assert.ok(error instanceof UnsupportedPlatform);
    assert.equal(error.code, "unsupported_platform");
    assert.equal(
      error.message,
      "Windows is not supported: keyservice runs on Linux (x64, arm64) and macOS",
    );
    return true;
  });
});

Deno.test("checkPlatform accepts Linux and macOS", () => {
  checkPlatform("linux");
  checkPlatform("darwin");
});

Deno.test("loadLibzmq with no path finds a libzmq 4 here, with CURVE", () => {
  const libzmq = loadLibzmq();
  assert.match(libzmq.version, /^4\.\d+\.\d+$/);
  assert.equal(libzmq.hasCurve, true);
});
