// The client's error classes: one for each code of the contract,
// carrying the reply's code and message; an unknown code still comes
// through as a ServiceError with that code.

import assert from "node:assert/strict";
import { ERROR_CODES } from "../../../lib/contract/mod.ts";
import {
  DecryptionFailed,
  errorFromReply,
  Overloaded,
  SERVICE_ERRORS,
  ServiceError,
  TimeoutError,
} from "../../../lib/client/errors.ts";

Deno.test("the client has an error class for every code of the contract, its code static", () => {
  assert.deepEqual(Object.keys(SERVICE_ERRORS).sort(), [...ERROR_CODES].sort());
  for (const [code, Class] of Object.entries(SERVICE_ERRORS)) {
    assert.equal(Class.code, code);
    const error = new Class("message");
    assert.equal(error.code, code);
    assert.ok(error instanceof ServiceError);
  }
  assert.equal(TimeoutError.code, new TimeoutError(1, 1).code);
});

Deno.test("errorFromReply: the class of the code, with the reply's message", () => {
  const error = errorFromReply({
    error: "Decryption failed",
    code: "decryption_failed",
  });
  assert.ok(error instanceof DecryptionFailed);
  assert.equal(error.message, "Decryption failed");
  assert.equal(error.name, "DecryptionFailed");
  assert.ok(
    errorFromReply({ error: "busy", code: "overloaded" }) instanceof Overloaded,
  );
});

Deno.test("errorFromReply: an unknown code, or none (a seed service), is a ServiceError", () => {
  const future = errorFromReply({ error: "x", code: "quota_exceeded" });
  assert.equal(future.constructor, ServiceError);
  assert.equal(future.code, "quota_exceeded");
  assert.equal(errorFromReply({ error: "Invalid request type" }).code, "error");
});

Deno.test("errorFromReply: a code named like an Object property is a ServiceError", () => {
  const error = errorFromReply({ error: "x", code: "constructor" });
  assert.equal(error.constructor, ServiceError);
  assert.equal(error.code, "constructor");
  assert.equal(error.message, "x");
});
