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

/** `path: "test name"` citations of `text`, whitespace folded. */
function citedTests(text: string): { file: string; name: string }[] {
  const folded = text.replace(/\s+/g, " ");
  return [...folded.matchAll(/(tests\/[\w/.-]+\.(?:ts|py)): "([^"]+)"/g)]
    .map((match) => ({ file: match[1], name: match[2] }));
}

/** Whether `source` holds the test `name`, where `...` stands for words left out. */
function holdsTest(source: string, name: string): boolean {
  const pattern = name.split("...").map((part) =>
    part.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join(".*?");
  return (/Deno\.test|def test_/.test(source)) &&
    new RegExp(pattern).test(source.replace(/\s+/g, " "));
}

Deno.test("every test SECURITY.md and docs/ cite by name is in the file they name", () => {
  const wrong: string[] = [];
  let cited = 0;
  for (const page of docs()) {
    const text = Deno.readTextFileSync(join(ROOT, page));
    for (const { file, name } of citedTests(text)) {
      cited++;
      const path = join(ROOT, file);
      if (!existsSync(path)) wrong.push(`${page}: ${file} does not exist`);
      else if (!holdsTest(Deno.readTextFileSync(path), name)) {
        wrong.push(`${page}: ${file} has no test "${name}"`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(cited >= 40, `only ${cited} tests cited by name`);
});

Deno.test("each of SECURITY.md's promises cites a test by name or says it is not tested", () => {
  const text = Deno.readTextFileSync(join(ROOT, "SECURITY.md"));
  const section = text.split(/^## What the service promises$/m)[1]
    ?.split(/^## /m)[0];
  assert.ok(section !== undefined, "SECURITY.md has its promises");
  assert.ok(
    text.indexOf("## Reporting") < text.indexOf("## Threat model") &&
      text.indexOf("## Threat model") <
        text.indexOf("## What the service promises"),
    "reporting first, then the threat model, then the promises",
  );
  const promises = section.split(/^- /m).slice(1);
  assert.ok(promises.length >= 20, `${promises.length} promises`);
  for (const promise of promises) {
    assert.ok(
      citedTests(promise).length > 0 || /not tested/.test(promise),
      promise,
    );
  }
});
