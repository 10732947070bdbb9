// The broker's count of its instances, from its backend monitor's events
// and its ZAP approvals: a finished handshake joins the oldest connection
// still handshaking, with the oldest approval; a connection lost before its
// handshake ended was never an instance; one lost after it leaves with the
// key it joined with.

import assert from "node:assert/strict";
import {
  type InstanceChange,
  InstanceTracker,
} from "../../../lib/zmq/_instances.ts";

/** The change the tracker reports for an instance with a key. */
function change(
  joined: boolean,
  key: string,
  address: string,
  instances: number,
): InstanceChange {
  return { joined, key, address, instances };
}

Deno.test("instances join in handshake order with their approvals and leave with them", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(7);
  tracker.accepted(9);
  tracker.approved("KEY-A", "10.0.0.1");
  assert.deepEqual(tracker.up(), change(true, "KEY-A", "10.0.0.1", 1));
  tracker.approved("KEY-B", "10.0.0.2");
  assert.deepEqual(tracker.up(), change(true, "KEY-B", "10.0.0.2", 2));
  assert.deepEqual(tracker.down(7), change(false, "KEY-A", "10.0.0.1", 1));
  assert.equal(tracker.down(7), undefined, "one leave per join");
  assert.equal(tracker.connected, 1);
});

Deno.test("a connection refused or failed in its handshake never counts", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(5); // refused by ZAP: no approval, then lost
  tracker.accepted(6);
  assert.equal(tracker.down(5), undefined);
  tracker.approved("KEY", "127.0.0.1");
  assert.deepEqual(tracker.up(), change(true, "KEY", "127.0.0.1", 1));
  assert.equal(tracker.up(), undefined, "no handshake without a connection");
  assert.equal(tracker.connected, 1);
});

Deno.test("without ZAP (an ipc:// backend) instances are counted without a key", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(3);
  assert.deepEqual(tracker.up(), { joined: true, instances: 1 });
  assert.deepEqual(tracker.down(3), { joined: false, instances: 0 });
});

Deno.test("a join taken for a connection that then fails moves to the one still handshaking", () => {
  const tracker = new InstanceTracker();
  tracker.accepted(4); // a stranger, slow in its handshake
  tracker.accepted(8); // the instance
  tracker.approved("KEY", "127.0.0.1");
  assert.deepEqual(tracker.up(), change(true, "KEY", "127.0.0.1", 1));
  // The stranger is refused: its failure, then its loss.
  tracker.failed();
  assert.equal(tracker.down(4), undefined, "the stranger never joined");
  assert.equal(tracker.connected, 1);
  assert.deepEqual(tracker.down(8), change(false, "KEY", "127.0.0.1", 0));
});
