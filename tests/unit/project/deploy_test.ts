// deploy/keyservice.service: `systemd-analyze verify` passes on it (where
// the command exists), it keeps the hardening a key service wants, and its
// ExecStart flags are ones keyservice accepts, with a stop timeout longer
// than the drain.

import assert from "node:assert/strict";
import { parseConfig } from "../../../lib/cli/config.ts";
import { detectTool, gate } from "../../_helpers/gate.ts";

const UNIT_URL = new URL("../../../deploy/keyservice.service", import.meta.url);
const UNIT = await Deno.readTextFile(UNIT_URL);
const INSTALLED = "/usr/local/bin/keyservice";

const verify = gate(
  "systemd unit test (systemd-analyze verify)",
  await detectTool(
    "systemd-analyze",
    ["--version"],
    "Debian: apt-get install systemd",
  ),
);

/** The unit's `Key=value` settings of [Service], in order. */
function settings(): [string, string][] {
  const service = UNIT.split(/^\[Service\]$/m)[1].split(/^\[/m)[0];
  return service.split("\n")
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

Deno.test({
  name: "systemd-analyze verify passes on deploy/keyservice.service",
  ignore: verify.ignore,
  async fn() {
    verify.assertRunnable();
    // verify insists that ExecStart's program exists: on a machine where
    // keyservice is not installed, a copy of the unit names an executable
    // that is there (this test's own Deno) and is checked instead.
    const dir = await Deno.makeTempDir({ prefix: "keyservice-unit-" });
    try {
      const unit = `${dir}/keyservice.service`;
      await Deno.writeTextFile(
        unit,
        UNIT.replaceAll(INSTALLED, Deno.execPath()),
      );
      const out = await new Deno.Command("systemd-analyze", {
        args: ["verify", unit],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(out.stderr) +
        new TextDecoder().decode(out.stdout);
      assert.ok(out.success, said);
      // An unknown key or a bad value is only a warning, with exit 0.
      const about = said.split("\n").filter((line) => line.includes(unit));
      assert.deepEqual(about, [], said);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the unit keeps the hardening a key service wants", () => {
  const unit = new Map(settings());
  const wanted: Record<string, string> = {
    DynamicUser: "yes",
    NoNewPrivileges: "yes",
    PrivateTmp: "yes",
    ProtectSystem: "strict",
    ProtectHome: "yes",
    LimitCORE: "0",
    CapabilityBoundingSet: "",
    // Issue 16, finding 12: memory bounded, no swap, /proc of its own, and
    // an address allow list that denies everyone not named.
    MemorySwapMax: "0",
    ProcSubset: "pid",
    IPAddressDeny: "any",
    IPAddressAllow: "localhost",
  };
  for (const [key, value] of Object.entries(wanted)) {
    assert.equal(unit.get(key), value, key);
  }
  assert.match(unit.get("MemoryMax") ?? "", /^\d+[KMG]$/, "MemoryMax");
  // MemoryDenyWriteExecute would stop V8's JIT: absent, and the unit says why.
  assert.ok(!unit.has("MemoryDenyWriteExecute"));
  assert.match(UNIT, /^# MemoryDenyWriteExecute=yes cannot be used: .*JIT/ms);
});

Deno.test("the unit's ExecStart flags are ones keyservice accepts; it stops after the drain", () => {
  const exec = new Map(settings()).get("ExecStart")!.split(/\s+/);
  assert.equal(exec[0], INSTALLED);
  const parsed = parseConfig(exec.slice(1), {});
  assert.equal(parsed.kind, "run");
  if (parsed.kind !== "run") return;
  assert.equal(parsed.config.logFormat, "json");
  assert.match(parsed.config.metrics ?? "", /^127\.0\.0\.1:\d+$/);
  assert.match(parsed.config.endpoint, /^tcp:\/\/127\.0\.0\.1:/);
  const stop = /^(\d+)s$/.exec(new Map(settings()).get("TimeoutStopSec")!);
  assert.ok(stop && Number(stop[1]) > parsed.config.drainSeconds);
});
