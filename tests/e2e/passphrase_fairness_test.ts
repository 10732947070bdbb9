// Issue 16, finding 10: passphrase work takes turns client by client. One
// client's 8 costly keys (2,000,000 PBKDF2 iterations, the default cap,
// with a wrong passphrase) do not hold another client's key behind all of
// them: the second client's reply comes while most of the flood is still
// waiting. Ordering only: how many of the flood's replies came first.
//
// The service runs on one core (taskset), so that PBKDF2 runs two at a time
// (the limiter's least) on any machine, and the flood must queue.

import assert from "node:assert/strict";
import {
  encryptPkcs1v15,
  exportKeyPair,
  parsePublicKey,
} from "../../lib/crypto/mod.ts";
import { Dealer } from "../_helpers/dealer.ts";
import { FIXED_PRIVATE_PEM, FIXED_PUBLIC_PEM } from "../_helpers/fixed_key.ts";
import { ask, jsonBytes, withService } from "../_helpers/service.ts";
import { waitFor } from "../_helpers/wait.ts";

const PAIR = { public: FIXED_PUBLIC_PEM, private: FIXED_PRIVATE_PEM };
const FERNET = "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=";
const PASS = "correct horse battery staple";
const FLOOD = 8;

async function sealed(iterations: number): Promise<string> {
  const pair = await exportKeyPair(PAIR, {
    format: "pkcs8",
    passphrase: PASS,
    iterations,
  });
  return pair.private;
}

Deno.test("one client's 8 costly passphrase keys do not make another client's key wait behind all of them", async () => {
  const costly = await sealed(2_000_000);
  const cheap = await sealed(100_000);
  const ciphertext = encryptPkcs1v15(
    parsePublicKey(PAIR.public),
    new TextEncoder().encode(FERNET),
  ).toBase64();
  await withService(
    async (service) => {
      const flooder = Dealer.connect(service.endpoint);
      try {
        for (let i = 0; i < FLOOD; i++) {
          flooder.send([
            new Uint8Array(0),
            jsonBytes({
              type: "decrypt_fernet",
              encrypted_fernet: ciphertext,
              rsa_private: costly,
              passphrase: "wrong passphrase",
            }),
          ]);
        }
        await waitFor(async () => (await service.ping()).in_flight >= FLOOD, {
          what: `the flood's ${FLOOD} requests in flight`,
        });
        const before = flooder.drain().length;
        const client = service.client();
        let reply;
        try {
          reply = await ask(client, {
            type: "decrypt_fernet",
            encrypted_fernet: ciphertext,
            rsa_private: cheap,
            passphrase: PASS,
          });
        } finally {
          client.close();
        }
        assert.deepEqual(reply, { fernet: FERNET });
        const first = before + flooder.drain().length;
        // Round robin: the quiet key runs when the first of the flood's
        // running pair is done, beside its third; waiting in one FIFO it came
        // after all eight (measured: 7 or 8 before it).
        assert.ok(
          first <= 4,
          `${first} of the flood's ${FLOOD} replies came before the quiet client's`,
        );
        const rest = await flooder.receive(FLOOD - first, 120_000);
        assert.equal(first + rest.length, FLOOD);
        for (const message of rest) {
          const body = JSON.parse(new TextDecoder().decode(message.at(-1)));
          assert.equal(body.code, "invalid_passphrase");
        }
      } finally {
        flooder.close();
      }
    },
    [],
    {},
    { wrapper: ["taskset", "-c", "0"] },
  );
});

Deno.test("by default a key asking for more than 2,000,000 PBKDF2 iterations is refused before any key derivation, in fixed words", async () => {
  const costly = await sealed(2_000_001);
  const ciphertext = encryptPkcs1v15(
    parsePublicKey(PAIR.public),
    new TextEncoder().encode(FERNET),
  ).toBase64();
  await withService(async (service) => {
    const reply = await service.request({
      type: "decrypt_fernet",
      encrypted_fernet: ciphertext,
      rsa_private: costly,
      passphrase: PASS,
    });
    assert.equal(reply.code, "invalid_key", JSON.stringify(reply));
    assert.ok(!String(reply.error).includes("2000001"), String(reply.error));
  });
});
