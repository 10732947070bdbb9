// The benchmark's command line (scripts/bench.ts): --help runs with no
// permission at all (so importing the registry loads no library and touches
// nothing), exits 0 and lists every registered scenario and option; a
// mistake is one line and exit code 2, not a stack trace; --only, --skip and
// the opt-in soak pick the scenarios.

import assert from "node:assert/strict";
import { parseBenchArgs } from "../../../scripts/bench.ts";
import { SCENARIOS } from "../../../scripts/bench/registry.ts";

const BENCH = new URL("../../../scripts/bench.ts", import.meta.url).pathname;

async function bench(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", BENCH, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test("bench --help exits 0 without permissions and lists every scenario", async () => {
  const { code, stdout, stderr } = await bench("--help");
  assert.equal(code, 0, stderr);
  for (const scenario of SCENARIOS) {
    assert.match(
      stdout,
      new RegExp(
        `^  ${scenario.name}\\b.*${escape(scenario.description)}`,
        "m",
      ),
    );
  }
  for (const flag of ["--only", "--skip", "--out", "--seconds", "--quick"]) {
    assert.ok(stdout.includes(flag), flag);
  }
});

Deno.test("an unknown scenario or flag is one line and exit code 2", async () => {
  for (const args of [["--only", "nope"], ["--frobnicate"]]) {
    const { code, stderr } = await bench(...args);
    assert.equal(code, 2);
    assert.doesNotMatch(stderr, /\bat \S+:\d+:\d+/);
    assert.match(stderr, /^bench: /);
  }
});

Deno.test("scenario names are unique, plain, and described", () => {
  const names = SCENARIOS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  for (const scenario of SCENARIOS) {
    assert.match(scenario.name, /^[a-z][a-z0-9_]*$/);
    assert.ok(scenario.description.length > 10, scenario.name);
  }
});

Deno.test("by default every scenario runs but the opt-in ones; --only and --skip pick", () => {
  const all = parseBenchArgs([]).scenarios.map((s) => s.name);
  assert.deepEqual(
    all,
    SCENARIOS.filter((s) => !s.optIn).map((s) => s.name),
  );
  assert.ok(!all.includes("soak"));
  assert.deepEqual(
    parseBenchArgs(["--only", "soak,floor"]).scenarios.map((s) => s.name),
    // In the registry's order, not the flag's.
    SCENARIOS.map((s) => s.name).filter((n) => n === "soak" || n === "floor"),
  );
  assert.ok(
    !parseBenchArgs(["--skip", "mix"]).scenarios.some((s) => s.name === "mix"),
  );
});

Deno.test("--quick shortens the loads; flags override; bad numbers are refused", () => {
  const quick = parseBenchArgs(["--quick"], SCENARIOS, 16).options;
  assert.equal(quick.scale, 0.2);
  assert.equal(quick.seconds, 2);
  assert.equal(quick.maxThreads, 16);
  const set = parseBenchArgs(["--seconds", "7", "--max-threads", "4"]).options;
  assert.equal(set.seconds, 7);
  assert.equal(set.maxThreads, 4);
  assert.throws(() => parseBenchArgs(["--seconds", "zero"]), /--seconds/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
