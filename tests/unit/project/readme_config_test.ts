// The README's configuration table and `--help` list the same options, with
// the same environment variables: neither can drift from the option table.

import assert from "node:assert/strict";
import { HELP, OPTIONS } from "../../../lib/cli/config.ts";

const ROOT = new URL("../../..", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

/** The rows of the README's table under `## Configuration`: [flags, env]. */
function readmeRows(): [string[], string][] {
  const section = README.split(/^## Configuration$/m)[1]?.split(/^## /m)[0];
  assert.ok(section !== undefined, "README has a ## Configuration section");
  return section.split("\n")
    .filter((line) => /^\| `-/.test(line))
    .map((line) => {
      const [flags, env] = line.split("|").slice(1, 3);
      return [
        [...flags.matchAll(/(--?[a-zA-Z][a-z0-9-]*)/g)].map((m) => m[1]),
        env.trim().replace(/`/g, ""),
      ];
    });
}

/** Every flag `--help` prints at the start of an entry. */
function helpFlags(): string[] {
  return [...HELP.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z0-9-]+)/gm)].map((m) =>
    m[1]
  );
}

Deno.test("the README's configuration table lists every flag --help prints, and no other", () => {
  const readme = readmeRows().flatMap(([flags]) => flags)
    .filter((flag) => flag.startsWith("--"));
  assert.deepEqual([...readme].sort(), [...helpFlags()].sort());
});

Deno.test("the README's configuration table gives each flag its environment variable", () => {
  const rows = new Map(readmeRows().map(([flags, env]) => [flags[0], env]));
  for (const option of OPTIONS) {
    assert.equal(rows.get(`--${option.flag}`), option.env, option.flag);
  }
});

Deno.test("--help lists every option of the table with its environment variable", () => {
  for (const option of OPTIONS) {
    assert.match(HELP, new RegExp(`^ {2}--${option.flag}\\b`, "m"));
    assert.ok(HELP.includes(`[${option.env}]`), option.env);
  }
});
