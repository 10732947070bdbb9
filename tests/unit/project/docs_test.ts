// The docs link only to files that exist, and the README stays short enough
// for a newcomer to read in a few minutes (the reference lives in docs/).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The README's line budget: the rest belongs in docs/. */
const README_LINES = 300;

function docs(): string[] {
  const pages = ["README.md", "SECURITY.md"];
  for (const entry of Deno.readDirSync(join(ROOT, "docs"))) {
    if (entry.isFile && entry.name.endsWith(".md")) {
      pages.push(join("docs", entry.name));
    }
  }
  return pages;
}

/** The relative link targets of a markdown page, without their anchors. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^(?:[a-z]+:|#|\/)/.test(target))
    .map((target) => target.split("#")[0]);
}

Deno.test("every relative link in README.md, SECURITY.md and docs/ points at a file that exists", () => {
  const broken: string[] = [];
  for (const page of docs()) {
    const text = Deno.readTextFileSync(join(ROOT, page));
    for (const target of relativeLinks(text)) {
      if (!existsSync(join(ROOT, dirname(page), target))) {
        broken.push(`${page} -> ${target}`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("the README stays under its line budget", () => {
  const lines = Deno.readTextFileSync(join(ROOT, "README.md")).split("\n");
  assert.ok(
    lines.length < README_LINES,
    `README.md has ${lines.length} lines; move reference to docs/`,
  );
});

Deno.test("every test SECURITY.md and docs/ cite as backing a claim exists", () => {
  const missing: string[] = [];
  for (const page of docs()) {
    const text = Deno.readTextFileSync(join(ROOT, page));
    for (const match of text.matchAll(/tests\/[\w/.-]+\.(?:ts|py|sh)\b/g)) {
      if (!existsSync(join(ROOT, match[0]))) {
        missing.push(`${page}: ${match[0]}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
