// The wire contract is written once: docs/contract.md lists exactly the
// table's codes with their messages, the service has one error class per
// code whose message is the table's, filled in, and messages fill in their
// placeholders once, never re-reading a value as a template.

import assert from "node:assert/strict";
import {
  ERROR_CODES,
  type ErrorCode,
  errorMessage,
  ERRORS,
} from "../../../lib/contract/mod.ts";
import * as serviceErrors from "../../../lib/service/errors.ts";

const DOC = new URL("../../../docs/contract.md", import.meta.url);

/** The rows of docs/contract.md's "Error codes" table: code -> message. */
function documentedCodes(): Map<string, string> {
  const text = Deno.readTextFileSync(DOC);
  const section = text.split(/^## /m).find((part) =>
    part.startsWith("Error codes")
  );
  assert.ok(section, 'docs/contract.md has no "## Error codes" section');
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `(\w+)` +\| `(.*?)` +\|/gm)) {
    rows.set(match[1], match[2]);
  }
  return rows;
}

Deno.test("docs/contract.md lists exactly the contract's error codes, with their messages", () => {
  const documented = documentedCodes();
  assert.deepEqual([...documented.keys()], [...ERROR_CODES]);
  for (const code of ERROR_CODES) {
    assert.equal(documented.get(code), ERRORS[code].message, code);
  }
});

Deno.test("the service has one error class per code, its code static and on each instance", () => {
  const { WIRE_ERRORS, KeyServiceError } = serviceErrors;
  assert.deepEqual(Object.keys(WIRE_ERRORS), [...ERROR_CODES]);
  for (const code of ERROR_CODES) assert.equal(WIRE_ERRORS[code].code, code);
  const classes = Object.values(serviceErrors).filter((value) =>
    typeof value === "function" &&
    value.prototype instanceof KeyServiceError
  );
  assert.equal(classes.length, ERROR_CODES.length, "no class outside the map");
});

/** A message template as a pattern: each placeholder matches anything. */
function templatePattern(code: ErrorCode): RegExp {
  const parts = ERRORS[code].message.split(/\{\w+\}/);
  const escaped = parts.map((part) =>
    part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${escaped.join(".*")}$`, "s");
}

Deno.test("each service error's message is its code's template, filled in", () => {
  const { WIRE_ERRORS } = serviceErrors;
  for (const code of ERROR_CODES) {
    const Class = WIRE_ERRORS[code] as unknown as new (
      ...args: unknown[]
    ) => Error & { code: string };
    const error = new Class("rsa_public", "is odd", 300, 245);
    assert.equal(error.code, code);
    assert.match(error.message, templatePattern(code), code);
    assert.doesNotMatch(
      error.message,
      /\{\w+\}/,
      `${code}: a placeholder left`,
    );
  }
});

Deno.test("errorMessage fills each placeholder once, and a value is never a template", () => {
  assert.equal(
    errorMessage("plaintext_too_long", { field: "f", limit: 245 }),
    'Field "f" is longer in UTF-8 than the 245 bytes this key can encrypt',
  );
  assert.equal(
    errorMessage("invalid_field", { field: "{why}", why: "$& {field}" }),
    'Field "{why}" $& {field}',
  );
  assert.equal(errorMessage("decryption_failed"), "Decryption failed");
});
