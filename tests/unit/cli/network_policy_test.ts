// Where the service may listen in clear: loopback, ipc and inproc only,
// unless CURVE is on or the operator allows it.

import assert from "node:assert/strict";
import {
  insecureBindRefusal,
  isLocalEndpoint,
} from "../../../lib/cli/network_policy.ts";

Deno.test("isLocalEndpoint: loopback, ipc and inproc only", () => {
  for (
    const endpoint of [
      "tcp://127.0.0.1:5555",
      "tcp://127.0.0.1:*",
      "tcp://127.1.2.3:5555",
      "tcp://localhost:5555",
      "tcp://[::1]:5555",
      "ipc:///tmp/keyservice.sock",
      "inproc://keyservice",
    ]
  ) {
    assert.equal(isLocalEndpoint(endpoint), true, endpoint);
  }
  for (
    const endpoint of [
      "tcp://0.0.0.0:5555",
      "tcp://*:5555",
      "tcp://10.0.0.5:5555",
      "tcp://192.168.1.2:5555",
      "tcp://[::]:5555",
      "tcp://eth0:5555",
      "tcp://example.com:5555",
      "tcp://127.0.0.1.example.com:5555",
      "tcp://localhost.example.com:5555",
      "udp://127.0.0.1:5555",
      "127.0.0.1:5555",
    ]
  ) {
    assert.equal(isLocalEndpoint(endpoint), false, endpoint);
  }
});

Deno.test("insecureBindRefusal refuses off loopback without CURVE, in one line", () => {
  const reason = insecureBindRefusal("tcp://0.0.0.0:5555", {
    curve: false,
    allowInsecureNetwork: false,
  });
  assert.ok(reason !== undefined);
  assert.match(
    reason,
    /^refusing to bind tcp:\/\/0\.0\.0\.0:5555 without CURVE/,
  );
  assert.match(reason, /--allow-insecure-network/);
  assert.ok(!reason.includes("\n"));
});

Deno.test("insecureBindRefusal allows loopback, CURVE, or the operator's override", () => {
  const off = { curve: false, allowInsecureNetwork: false };
  assert.equal(insecureBindRefusal("tcp://127.0.0.1:5555", off), undefined);
  assert.equal(
    insecureBindRefusal("tcp://0.0.0.0:5555", { ...off, curve: true }),
    undefined,
  );
  assert.equal(
    insecureBindRefusal("tcp://0.0.0.0:5555", {
      ...off,
      allowInsecureNetwork: true,
    }),
    undefined,
  );
});

Deno.test("insecureBindRefusal refuses CURVE without an allow list off loopback, unless told", () => {
  const curve = { curve: true, allowInsecureNetwork: false, allowList: false };
  const reason = insecureBindRefusal("tcp://0.0.0.0:5555", curve);
  assert.ok(reason !== undefined);
  assert.match(reason, /^refusing to bind tcp:\/\/0\.0\.0\.0:5555 with CURVE/);
  assert.match(reason, /--curve-allow/);
  assert.match(reason, /--allow-any-curve-client/);
  assert.equal(
    insecureBindRefusal("tcp://0.0.0.0:5555", { ...curve, allowList: true }),
    undefined,
  );
  assert.equal(
    insecureBindRefusal("tcp://0.0.0.0:5555", {
      ...curve,
      allowAnyCurveClient: true,
    }),
    undefined,
  );
  assert.equal(insecureBindRefusal("tcp://127.0.0.1:5555", curve), undefined);
});
