// Where the service may listen in clear: loopback, ipc and inproc only,
// unless CURVE is on or the operator allows it.

import assert from "node:assert/strict";
import {
  backendRefusal,
  insecureBindRefusal,
  ipcFolderProblem,
  isLocalEndpoint,
} from "../../../lib/runtime/network_policy.ts";
import { effectiveUid } from "../../../lib/runtime/harden.ts";

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

Deno.test({
  name:
    "ipcFolderProblem: a folder of this user's, mode 0700, and nothing else",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const uid = effectiveUid()!;
    const dir = await Deno.makeTempDir();
    try {
      await Deno.chmod(dir, 0o700);
      assert.equal(ipcFolderProblem(`ipc://${dir}/sock`, uid), undefined);
      assert.match(
        ipcFolderProblem(`ipc://${dir}/sock`, uid + 1)!,
        /not owned by this user/,
      );
      for (const mode of [0o750, 0o705, 0o710, 0o777]) {
        await Deno.chmod(dir, mode);
        assert.match(
          ipcFolderProblem(`ipc://${dir}/sock`, uid)!,
          /open to group or others/,
          mode.toString(8),
        );
      }
      await Deno.writeTextFile(`${dir}/file`, "");
      assert.match(
        ipcFolderProblem(`ipc://${dir}/file/sock`, uid)!,
        /is not a folder/,
      );
      assert.match(ipcFolderProblem("ipc://@name", uid)!, /abstract/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("backendRefusal: CURVE, or a private ipc folder; otherwise only with --insecure-backend, and off loopback only with --allow-insecure-network too", () => {
  const base = {
    curve: false,
    insecureBackend: false,
    allowInsecureNetwork: false,
    uid: -1,
  };
  const tcp = "tcp://127.0.0.1:5556";
  const remote = "tcp://0.0.0.0:5556";
  assert.equal(backendRefusal(remote, { ...base, curve: true }), undefined);
  assert.match(backendRefusal(tcp, base)!, /without CURVE.*--insecure-backend/);
  assert.ok(!backendRefusal(tcp, base)!.includes("\n"));
  assert.equal(
    backendRefusal(tcp, { ...base, insecureBackend: true }),
    undefined,
  );
  assert.match(
    backendRefusal(remote, { ...base, insecureBackend: true })!,
    /--allow-insecure-network/,
  );
  assert.equal(
    backendRefusal(remote, {
      ...base,
      insecureBackend: true,
      allowInsecureNetwork: true,
    }),
    undefined,
  );
  // uid -1 owns nothing: the folder check refuses, the override allows.
  assert.match(backendRefusal("ipc:///tmp/b", base)!, /not owned/);
  assert.equal(
    backendRefusal("ipc:///tmp/b", { ...base, insecureBackend: true }),
    undefined,
  );
});
