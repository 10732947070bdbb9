// Deno's version is pinned once, in .dvmrc; the README's commands, .ci/run
// and the scripts must agree with it. That the Deno running is the pinned
// one is .ci/run's check, not a test: a contributor may run another.

import assert from "node:assert/strict";
import { pinnedDenoVersion } from "../../../scripts/_pin.ts";

const ROOT = new URL("../../..", import.meta.url);
const pinned = pinnedDenoVersion();

Deno.test("the README's npx commands use the pinned Deno", () => {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const versions = [...readme.matchAll(/deno@(\d+\.\d+\.\d+)/g)].map((m) =>
    m[1]
  );
  assert.ok(versions.length >= 2, "README names no deno@VERSION command");
  for (const version of versions) assert.equal(version, pinned);
});

Deno.test(".ci/run reads the pin from .dvmrc", () => {
  const ci = Deno.readTextFileSync(new URL(".ci/run", ROOT));
  assert.match(ci, /\.dvmrc/);
  assert.doesNotMatch(ci, /deno@\d/);
});
