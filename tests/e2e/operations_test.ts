// End-to-end: the real service process, started as `deno task start` does,
// driven through real ZeroMQ REQ sockets on loopback.

import assert from "node:assert/strict";
import { parsePublicKey } from "../../lib/crypto/mod.ts";
import {
  ask,
  jsonBytes,
  requestInFlight,
  runService,
  startService,
  withClient,
  withService,
} from "../_helpers/service.ts";

async function keys(
  service: { request(body: unknown): Promise<Record<string, unknown>> },
) {
  const reply = await service.request({ type: "generate_keys" });
  const rsa = reply.rsa as { public: string; private: string };
  return {
    public: rsa.public,
    private: rsa.private,
    fernet: reply.fernet as string,
  };
}

Deno.test("the three operations round-trip through the running service", async () => {
  await withService(async (service) => {
    const pair = await keys(service);
    assert.match(pair.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
    assert.match(pair.private, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(pair.fernet, /^[A-Za-z0-9_-]{43}=$/);
    const encrypted = await service.request({
      type: "encrypt_fernet",
      fernet: pair.fernet,
      rsa_public: pair.public,
    });
    assert.deepEqual(Object.keys(encrypted), ["encrypted_fernet"]);
    assert.equal(
      Uint8Array.fromBase64(encrypted.encrypted_fernet as string).length,
      256,
    );
    const decrypted = await service.request({
      type: "decrypt_fernet",
      encrypted_fernet: encrypted.encrypted_fernet,
      rsa_private: pair.private,
    });
    assert.deepEqual(decrypted, { fernet: pair.fernet });
  });
});

Deno.test("many clients at once each get their own replies", async () => {
  await withService(async (service) => {
    const pair = await keys(service);
    await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      await withClient(service, async (client) => {
        for (let j = 0; j < 10; j++) {
          const fernet = `client-${i}-request-${j}`;
          const encrypted = await ask(client, {
            type: "encrypt_fernet",
            fernet,
            rsa_public: pair.public,
          });
          const decrypted = await ask(client, {
            type: "decrypt_fernet",
            encrypted_fernet: encrypted.encrypted_fernet,
            rsa_private: pair.private,
          });
          assert.equal(decrypted.fernet, fernet);
        }
      });
    }));
  });
});

Deno.test("every bad request gets one JSON error and the service keeps serving", async () => {
  await withService(async (service) => {
    const pair = await keys(service);
    const other = await keys(service);
    // A ciphertext for `pair` that is also below the other key's modulus
    // (else the other key rejects it as invalid_ciphertext before trying):
    // each encryption is random, so a few tries find one.
    const otherN = parsePublicKey(other.public).n;
    let encrypted = "";
    for (let i = 0; i < 64 && encrypted === ""; i++) {
      const candidate = (await service.request({
        type: "encrypt_fernet",
        fernet: pair.fernet,
        rsa_public: pair.public,
      })).encrypted_fernet as string;
      const value = BigInt("0x" + Uint8Array.fromBase64(candidate).toHex());
      if (value < otherN) encrypted = candidate;
    }
    assert.notEqual(encrypted, "", "no ciphertext below the other modulus");
    const cases: [string, Uint8Array | readonly Uint8Array[], string][] = [
      ["not JSON", new TextEncoder().encode("{nope"), "invalid_json"],
      ["not UTF-8", new Uint8Array([0xff, 0xfe, 0x7b]), "invalid_json"],
      ["empty frame", new Uint8Array(0), "invalid_json"],
      ["a JSON array", jsonBytes([1, 2]), "not_an_object"],
      ["unknown type", jsonBytes({ type: "steal_keys" }), "unknown_type"],
      ["no type", jsonBytes({ fernet: "x" }), "unknown_type"],
      [
        "missing field",
        jsonBytes({ type: "encrypt_fernet", fernet: "x" }),
        "missing_field",
      ],
      [
        "non-string field",
        jsonBytes({
          type: "encrypt_fernet",
          fernet: 5,
          rsa_public: pair.public,
        }),
        "invalid_field",
      ],
      [
        "malformed PEM",
        jsonBytes({
          type: "encrypt_fernet",
          fernet: "x",
          rsa_public: "-----BEGIN",
        }),
        "invalid_pem",
      ],
      [
        "private key as the public key",
        jsonBytes({
          type: "encrypt_fernet",
          fernet: "x",
          rsa_public: pair.private,
        }),
        "wrong_key_type",
      ],
      [
        "plaintext too long",
        jsonBytes({
          type: "encrypt_fernet",
          fernet: "x".repeat(246),
          rsa_public: pair.public,
        }),
        "plaintext_too_long",
      ],
      [
        "ciphertext not base64",
        jsonBytes({
          type: "decrypt_fernet",
          encrypted_fernet: "***",
          rsa_private: pair.private,
        }),
        "invalid_ciphertext",
      ],
      [
        "ciphertext too short",
        jsonBytes({
          type: "decrypt_fernet",
          encrypted_fernet: "AAAA",
          rsa_private: pair.private,
        }),
        "invalid_ciphertext",
      ],
      [
        "wrong private key",
        jsonBytes({
          type: "decrypt_fernet",
          encrypted_fernet: encrypted,
          rsa_private: other.private,
        }),
        "decryption_failed",
      ],
      [
        "two frames",
        [jsonBytes({ type: "ping" }), jsonBytes({ type: "ping" })],
        "multipart_request",
      ],
      [
        "oversized",
        new Uint8Array(64 * 1024 + 1).fill(0x20),
        "request_too_large",
      ],
    ];
    for (const [name, body, code] of cases) {
      const reply = await withClient(
        service,
        (client) => ask(client, body, 10_000),
      );
      assert.equal(typeof reply.error, "string", name);
      assert.equal(reply.code, code, name);
      assert.deepEqual(Object.keys(reply).sort(), ["code", "error"], name);
    }
    const unknown = await service.request({ type: "steal_keys" });
    assert.equal(unknown.error, "Invalid request type");
    const ping = await service.request({ type: "ping" });
    assert.equal(ping.status, "ok");
  });
});

Deno.test("logs: a start-up line, one line per request at debug level, no key material", async () => {
  const service = await withService(async (service) => {
    const pair = await keys(service);
    const encrypted = await service.request({
      type: "encrypt_fernet",
      fernet: pair.fernet,
      rsa_public: pair.public,
    });
    await service.request({
      type: "decrypt_fernet",
      encrypted_fernet: encrypted.encrypted_fernet,
      rsa_private: pair.private,
    });
    // A failing request carrying a private key must not echo it either.
    await service.request({
      type: "encrypt_fernet",
      fernet: pair.fernet,
      rsa_public: pair.private,
    });
    const output = service.stderr() + service.stdout();
    const secrets = [
      pair.fernet,
      encrypted.encrypted_fernet as string,
      ...pair.private.split("\n").filter((line) =>
        line.length > 20 && !line.startsWith("-")
      ),
    ];
    for (const secret of secrets) {
      assert.ok(!output.includes(secret), "secret in output");
    }
    assert.ok(!output.includes("PRIVATE KEY"));
  }, ["--log-level", "debug"]);
  const lines = service.stderr().trim().split("\n");
  assert.match(
    lines.find((line) => / INFO listening /.test(line)) ?? "",
    /INFO listening endpoint=tcp:\/\/127\.0\.0\.1:\d+ libzmq=\S+ libzmq_source=\S+ libzmq_version=4\.\d+\.\d+/,
  );
  const requests = lines.filter((line) => / DEBUG request /.test(line));
  assert.equal(requests.length, 4);
  for (const line of requests) {
    assert.match(line, /^\S+Z DEBUG request type=\w+ code=\w+ ms=\d+\.\d\d$/);
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} answers the request in flight, then exits 0`, async () => {
    // No pool: the generate_keys is generated on demand, and the signal is
    // sent once a ping has seen it in flight.
    const service = await startService(["--pool-size", "0"]);
    try {
      const pending = await requestInFlight(service, {
        type: "generate_keys",
      });
      try {
        const code = await service.stop(signal);
        const reply = await pending.reply;
        assert.equal(typeof reply.fernet, "string");
        assert.equal(code, 0, service.stderr());
        assert.match(service.stderr(), new RegExp(`stopping signal=${signal}`));
        assert.match(service.stderr(), /INFO stopped/);
      } finally {
        pending.client.close();
      }
    } finally {
      await service.shutDown();
    }
  });
}

Deno.test("an address in use stops start-up with a one-line reason", async () => {
  await withService(async (service) => {
    const result = await runService(["--endpoint", service.endpoint]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /^keyservice: cannot bind .*Address already in use\n$/,
    );
  });
});

Deno.test("a libzmq that cannot load stops start-up with a one-line reason", async () => {
  const result = await runService(["--libzmq", "/nonexistent/libzmq.so"]);
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    /^keyservice: cannot load libzmq \(tried: \/nonexistent\/libzmq\.so: .*\)\n$/,
  );
});

Deno.test("a bad flag exits 2 with a one-line reason", async () => {
  const result = await runService(["--no-such-flag"]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
});

Deno.test("--help and --version print and exit 0", async () => {
  const help = await runService(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--endpoint/);
  const version = await runService(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^keyservice \d+\.\d+\.\d+\n$/);
});
