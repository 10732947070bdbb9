// Process hardening: forbidCoreDumps() turns PR_GET_DUMPABLE from 1 to 0 in
// a fresh process (a subprocess, so that the test runner itself stays
// dumpable), and says why where it cannot.

import assert from "node:assert/strict";
import { dumpable, forbidCoreDumps } from "../../../lib/runtime/harden.ts";

const HARDEN = new URL("../../../lib/runtime/harden.ts", import.meta.url).href;

Deno.test({
  name: "forbidCoreDumps makes a fresh process not dumpable (Linux)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const script = `
      import { dumpable, forbidCoreDumps } from ${JSON.stringify(HARDEN)};
      const before = dumpable();
      const result = forbidCoreDumps();
      console.log(JSON.stringify({ before, result, after: dumpable() }));
    `;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(run.stdout)), {
      before: 1,
      result: { ok: true },
      after: 0,
    });
  },
});

Deno.test({
  name: "forbidCoreDumps elsewhere than Linux does nothing and says why",
  ignore: Deno.build.os === "linux",
  fn() {
    assert.deepEqual(forbidCoreDumps(), {
      ok: false,
      reason: `not Linux (${Deno.build.os})`,
    });
    assert.equal(dumpable(), undefined);
  },
});
