// deploy/keyservice.service and deploy/keyservice-broker.service:
// `systemd-analyze verify` passes on each (where the command exists), run on
// a copy whose ExecStart is the keyservice command `deno task install`
// really installs; each keeps the hardening a key service wants, and the
// service's ExecStart flags are ones keyservice accepts, with a stop timeout
// longer than the drain.

import assert from "node:assert/strict";
import { BROKER_COMMAND } from "../../../lib/cli/broker_command.ts";
import { parseConfig } from "../../../lib/cli/config.ts";
import { one, parseCommand } from "../../../lib/cli/flags.ts";
import { detectTool, gate } from "../../_helpers/gate.ts";

const unitText = (name: string) =>
  Deno.readTextFile(new URL(`../../../deploy/${name}`, import.meta.url));
const UNIT = await unitText("keyservice.service");
const BROKER_UNIT = await unitText("keyservice-broker.service");
const UNITS: [string, string][] = [
  ["keyservice.service", UNIT],
  ["keyservice-broker.service", BROKER_UNIT],
];
const ROOT = new URL("../../../", import.meta.url).pathname;
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
function settings(text = UNIT): [string, string][] {
  const service = text.split(/^\[Service\]$/m)[1].split(/^\[/m)[0];
  return service.split("\n")
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

/** `deno task install --root dir`: resolves to the installed command. */
async function install(dir: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "install", "--root", dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return `${dir}/bin/keyservice`;
}

Deno.test({
  name:
    "systemd-analyze verify passes on each shipped unit, run on the installed command",
  ignore: verify.ignore,
  async fn() {
    verify.assertRunnable();
    // verify insists that ExecStart's program exists: a copy of each unit
    // names the command `deno task install` has just put in a temporary
    // root, and is checked instead.
    const dir = await Deno.makeTempDir({ prefix: "keyservice-unit-" });
    try {
      const installed = await install(dir);
      for (const [name, text] of UNITS) {
        assert.ok(text.includes(`ExecStart=${INSTALLED} `), name);
        const unit = `${dir}/${name}`;
        await Deno.writeTextFile(unit, text.replaceAll(INSTALLED, installed));
        const out = await new Deno.Command("systemd-analyze", {
          args: ["verify", unit],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const said = new TextDecoder().decode(out.stderr) +
          new TextDecoder().decode(out.stdout);
        assert.ok(out.success, `${name}: ${said}`);
        // An unknown key or a bad value is only a warning, with exit 0.
        const about = said.split("\n").filter((line) => line.includes(unit));
        assert.deepEqual(about, [], said);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

for (const [name, text] of UNITS) {
  Deno.test(`${name} keeps the hardening a key service wants`, () => {
    const unit = new Map(settings(text));
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
    assert.match(text, /^# MemoryDenyWriteExecute=yes cannot be used: .*JIT/ms);
  });
}

Deno.test("the broker unit runs keyservice broker with a CURVE backend, an allow list of instance keys and its own --metrics, in flags the broker accepts", () => {
  const exec = new Map(settings(BROKER_UNIT)).get("ExecStart")!.split(/\s+/);
  assert.deepEqual(exec.slice(0, 2), [INSTALLED, "broker"]);
  const parsed = parseCommand(BROKER_COMMAND.spec, exec.slice(2));
  assert.ok(one(parsed, "backend-curve-secret-key-file"));
  assert.ok(one(parsed, "backend-curve-allow"));
  assert.ok(!exec.includes("--insecure-backend"));
  // Its own metrics and health, on loopback, not the service's port.
  assert.match(one(parsed, "metrics") ?? "", /^127\.0\.0\.1:\d+$/);
  assert.notEqual(one(parsed, "metrics"), "127.0.0.1:9464");
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
