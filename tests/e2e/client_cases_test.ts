// The shared client cases (tests/cases/client_cases.json) through the
// TypeScript client against the real service; the Python client runs the
// same file (clients/python/tests/test_client.py), so both libraries
// answer each case alike.

import assert from "node:assert/strict";
import {
  errorFromReply,
  KeyServiceClient,
  SERVICE_ERRORS,
  ServiceError,
} from "../../lib/client/mod.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";
import { parsePublicKey } from "../../lib/crypto/rsa_keys.ts";

interface Case {
  readonly name: string;
  readonly call: string;
  readonly args: Record<string, string | string[]>;
  readonly expect: string | string[];
}

const { cases } = JSON.parse(
  await Deno.readTextFile(
    new URL("../cases/client_cases.json", import.meta.url),
  ),
) as { cases: Case[] };

/** Runs one case; "ok", or the code of the error it raised. */
async function run(
  client: KeyServiceClient,
  call: string,
  a: Record<string, string | string[]>,
): Promise<string | string[]> {
  const s = (name: string) => a[name] as string | undefined;
  const padding = s("padding") as "pkcs1v15" | undefined;
  switch (call) {
    case "round_trip": {
      const wrapped = await client.encryptFernet(
        s("fernet")!,
        s("rsa_public")!,
        {
          padding,
        },
      );
      const opened = await client.decryptFernet(wrapped, s("rsa_private")!, {
        padding,
        passphrase: s("passphrase"),
      });
      assert.equal(opened, s("fernet"));
      return "ok";
    }
    case "encrypt_fernet":
      await client.encryptFernet(s("fernet")!, s("rsa_public")!, { padding });
      return "ok";
    case "decrypt_fernet":
      await client.decryptFernet(s("encrypted_fernet")!, s("rsa_private")!, {
        padding,
      });
      return "ok";
    case "generate_keys":
      await client.generateKeys(a as Record<string, string>);
      return "ok";
    case "encrypt_fernet_many": {
      const results = await client.encryptFernetMany(
        s("fernet")!,
        a.rsa_publics as string[],
        { padding },
      );
      return results.map((r) => "error" in r ? r.error.code : "ok");
    }
    case "request": {
      const reply = await client.request(a);
      if ("error" in reply) throw errorFromReply(reply);
      return "ok";
    }
  }
  throw new Error(`unknown call ${call}`);
}

function modulus(publicPem: string): bigint {
  return parsePublicKey(publicPem).n;
}

Deno.test("the shared client cases, through the TypeScript client", async () => {
  assert.ok(cases.length > 10);
  await withService(async (service) => {
    const client = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
      timeoutMs: 60_000,
    });
    try {
      // "Another key's ciphertext" must reach the decryption: a ciphertext
      // is below its own key's modulus, and is refused as malformed
      // (invalid_ciphertext) when it is not below the other key's. So the
      // other key is the one with the larger modulus.
      const pairs = [await client.generateKeys(), await client.generateKeys()]
        .sort((a, b) => modulus(a.rsa.public) < modulus(b.rsa.public) ? -1 : 1);
      const [first, other] = pairs;
      const encrypted = await client.generateKeys({
        format: "pkcs8",
        passphrase: "correct horse",
      });
      const values: Record<string, string> = {
        $public: first.rsa.public,
        $private: first.rsa.private,
        $fernet: first.fernet,
        $other_private: other.rsa.private,
        $encrypted_public: encrypted.rsa.public,
        $encrypted_private: encrypted.rsa.private,
      };
      const resolve = (v: string | string[]): string | string[] =>
        Array.isArray(v) ? v.map((x) => values[x] ?? x) : values[v] ?? v;
      for (const c of cases) {
        const args = Object.fromEntries(
          Object.entries(c.args).map(([k, v]) => [k, resolve(v)]),
        );
        let outcome: string | string[];
        try {
          outcome = await run(client, c.call, args);
        } catch (error) {
          assert.ok(error instanceof ServiceError, `${c.name}: ${error}`);
          if (Object.hasOwn(SERVICE_ERRORS, error.code)) {
            const known =
              SERVICE_ERRORS[error.code as keyof typeof SERVICE_ERRORS];
            assert.ok(error instanceof known, c.name);
          }
          outcome = error.code;
        }
        assert.deepEqual(outcome, c.expect, c.name);
      }
    } finally {
      client.close();
    }
  }, ["--pbkdf2-iterations", "100000"]);
});
