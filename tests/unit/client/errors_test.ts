// The client's error classes: one for each code the service answers with,
// carrying the reply's code and message; an unknown code still comes
// through as a ServiceError with that code.

import assert from "node:assert/strict";
import * as serviceErrors from "../../../lib/service/errors.ts";
import {
  DecryptionFailed,
  errorFromReply,
  Overloaded,
  SERVICE_ERRORS,
  ServiceError,
} from "../../../lib/client/errors.ts";

/** Every code the service's error classes carry. */
function serviceCodes(): string[] {
  const codes: string[] = [];
  for (const value of Object.values(serviceErrors)) {
    if (
      typeof value !== "function" ||
      !(value.prototype instanceof serviceErrors.KeyServiceError)
    ) continue;
    const Class = value as unknown as new (...args: unknown[]) => {
      code: string;
    };
    codes.push(new Class("field", "why", 1, 2).code);
  }
  return codes;
}

Deno.test("the client has an error class for every code the service answers with", () => {
  const codes = serviceCodes();
  assert.ok(codes.length >= 16, `${codes}`);
  assert.deepEqual([...codes].sort(), Object.keys(SERVICE_ERRORS).sort());
  for (const [code, Class] of Object.entries(SERVICE_ERRORS)) {
    const error = new Class("message");
    assert.equal(error.code, code);
    assert.ok(error instanceof ServiceError);
  }
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
