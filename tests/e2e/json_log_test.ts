// --log-format json: a whole run's log (start-up, every operation, errors,
// a passphrase, stop) parses line by line with JSON.parse, each record
// carrying time, level and event and the same fields as the text format;
// and a scan of it finds no key material: no PEM, no Fernet key, no
// ciphertext, no passphrase the run handled.

import assert from "node:assert/strict";
import { type KeySet, roundTrip } from "../_helpers/round_trip.ts";
import { withService } from "../_helpers/service.ts";

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

Deno.test("a whole run's JSON log parses line by line, with the fields of the text form and no key material", async () => {
  const secrets: string[] = [];
  const passphrase = "correct horse battery staple";
  const service = await withService(async (service) => {
    const { keys, encrypted: encrypted_fernet } = await roundTrip(service);
    const locked = await service.request({
      type: "generate_keys",
      passphrase,
    }) as unknown as KeySet;
    const wrong = await service.request({
      type: "decrypt_fernet",
      encrypted_fernet,
      rsa_private: locked.rsa.private,
      passphrase: "not it",
    });
    assert.equal(wrong.code, "invalid_passphrase");
    const many = await service.request({
      type: "encrypt_fernet_many",
      fernet: locked.fernet,
      rsa_publics: [keys.rsa.public, locked.rsa.public],
    }) as { results: { encrypted_fernet: string }[] };
    await service.request({ type: "encrypt_fernet", fernet: keys.fernet });
    await service.request({ type: keys.fernet });
    await service.request(new TextEncoder().encode(keys.rsa.private));
    await service.ping();
    for (const pair of [keys, locked]) {
      secrets.push(pair.fernet, pair.rsa.private, pair.rsa.public);
      // Every base64 line of the PEM bodies, on its own.
      for (const pem of [pair.rsa.private, pair.rsa.public]) {
        secrets.push(...pem.split("\n").filter((line) => line.length >= 40));
      }
    }
    secrets.push(
      encrypted_fernet,
      ...many.results.map((result) => result.encrypted_fernet),
      passphrase,
    );
  }, ["--log-format", "json", "--log-level", "debug"]);

  const log = service.stderr();
  const lines = log.split("\n");
  assert.equal(lines.pop(), "", "the log ends with a newline");
  const records = lines.map((line, i) => {
    const record = JSON.parse(line);
    assert.ok(typeof record === "object" && record !== null, line);
    assert.deepEqual(Object.keys(record).slice(0, 3), [
      "time",
      "level",
      "event",
    ], `line ${i + 1}: ${line}`);
    assert.match(record.time, TIME);
    assert.ok(["debug", "info", "warn", "error"].includes(record.level));
    return record as Record<string, unknown>;
  });

  const events = records.map((record) => record.event);
  // At debug level, the start-up hardening comes first.
  const listening = events.indexOf("listening");
  assert.deepEqual(events.slice(0, listening), ["not-dumpable"]);
  // At the stop, after the last request: the tally of each code.
  const tail = events.slice(events.indexOf("stopping"));
  assert.equal(tail.at(-1), "stopped");
  assert.ok(tail.includes("requests"), tail.join(" "));
  // The start-up line's fields, as the text format writes them.
  assert.deepEqual(Object.keys(records[listening]).slice(3), [
    "endpoint",
    "libzmq",
    "libzmq_source",
    "libzmq_version",
    "version",
    "pid",
    "crypto",
    "pool_size",
    "threads",
    "workers",
    "max_inflight",
    "keystore",
    "tenancy",
    "curve",
    "metrics",
  ]);
  assert.equal(records[listening].endpoint, service.endpoint);
  // Every request: type, code and a duration in milliseconds.
  const requests = records.filter((record) => record.event === "request");
  assert.equal(requests.length, 10);
  for (const request of requests) {
    assert.deepEqual(Object.keys(request).slice(3), ["type", "code", "ms"]);
    assert.equal(typeof request.ms, "number");
  }
  assert.deepEqual(
    requests.map((request) => `${request.type} ${request.code}`).slice(0, 9),
    [
      "generate_keys ok",
      "encrypt_fernet ok",
      "decrypt_fernet ok",
      "generate_keys ok",
      "decrypt_fernet invalid_passphrase",
      "encrypt_fernet_many ok",
      "invalid missing_field", // a request that does not parse is "invalid"
      "invalid unknown_type",
      "invalid invalid_json",
    ],
  );

  // No key material anywhere in the run's output.
  const output = log + service.stdout();
  for (const marker of ["-----BEGIN", "-----END", "PRIVATE KEY"]) {
    assert.ok(!output.includes(marker), `the log holds ${marker}`);
  }
  assert.ok(secrets.length > 20);
  for (const secret of secrets) {
    assert.ok(
      !output.includes(secret),
      `the log holds key material: ${secret.slice(0, 12)}...`,
    );
  }
});
