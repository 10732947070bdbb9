// The broker's count of its instances, from its backend monitor's events
// and its ZAP approvals: a finished handshake joins the oldest connection
// still handshaking, with the oldest approval; a connection lost before its
// handshake ended was never an instance; one lost after it leaves with the
// key it joined with.

import assert from "node:assert/strict";
import { InstanceTracker } from "../../../lib/zmq/_instances.ts";

Deno.test("instances join in handshake order with their approvals and leave with them", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(7);
  tracker.accepted(9);
  tracker.approved("KEY-A", "10.0.0.1");
  assert.deepEqual(tracker.up(), {
    joined: true,
    key: "KEY-A",
    address: "10.0.0.1",
    instances: 1,
  });
  tracker.approved("KEY-B", "10.0.0.2");
  assert.deepEqual(tracker.up(), {
    joined: true,
    key: "KEY-B",
    address: "10.0.0.2",
    instances: 2,
  });
  assert.deepEqual(tracker.down(7), {
    joined: false,
    key: "KEY-A",
    address: "10.0.0.1",
    instances: 1,
  });
  assert.equal(tracker.down(7), undefined, "one leave per join");
  assert.equal(tracker.connected, 1);
});

Deno.test("a connection refused or failed in its handshake never counts", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(5); // refused by ZAP: no approval, then lost
  tracker.accepted(6);
  assert.equal(tracker.down(5), undefined);
  tracker.approved("KEY", "127.0.0.1");
  assert.deepEqual(tracker.up(), {
    joined: true,
    key: "KEY",
    address: "127.0.0.1",
    instances: 1,
  });
  assert.equal(tracker.up(), undefined, "no handshake without a connection");
  assert.equal(tracker.connected, 1);
});

Deno.test("without ZAP (an ipc:// backend) instances are counted without a key", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(3);
  assert.deepEqual(tracker.up(), { joined: true, instances: 1 });
  assert.deepEqual(tracker.down(3), { joined: false, instances: 0 });
});
