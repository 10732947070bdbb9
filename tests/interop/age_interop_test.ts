// Interoperability of the age options with an independent age
// implementation: npm `age-encryption` (typage, by age's author, on
// @noble/post-quantum and @noble/curves rather than WebCrypto), version
// 0.3.1, which reads and writes `mlkem768x25519` and X25519 recipients.
// Both directions, for hybrid and classic recipients, and groups of 1, 2 and
// 256, against the service as a user starts it:
// - the service wraps (encrypt_fernet / encrypt_fernet_many), typage opens
//   the armored file with each tested member's identity;
// - typage encrypts (armored), the service opens it (decrypt_fernet with
//   the identity), for the first and the last member of the group.
// Keys come from both sides: the service's generate_keys, and typage's own.

import assert from "node:assert/strict";
import * as age from "age-encryption";
import { type RunningService, startService } from "../_helpers/service.ts";

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";
const TYPES = ["mlkem768x25519", "x25519"] as const;
const GROUPS = [1, 2, 256];

let service: RunningService | undefined;
async function running(): Promise<RunningService> {
  service ??= await startService();
  return service;
}

interface Member {
  readonly identity: string;
  readonly recipient: string;
}

/** `n` members: the first from the service's generate_keys, the rest typage's. */
async function members(
  type: typeof TYPES[number],
  n: number,
): Promise<Member[]> {
  const s = await running();
  const reply = await s.request({ type: "generate_keys", key_type: type });
  const first = reply.age as Member;
  // typage derives the same recipient from the service's identity.
  assert.equal(await age.identityToRecipient(first.identity), first.recipient);
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, async () => {
      const identity = type === "x25519"
        ? await age.generateX25519Identity()
        : await age.generateHybridIdentity();
      return { identity, recipient: await age.identityToRecipient(identity) };
    }),
  );
  return [first, ...rest];
}

for (const type of TYPES) {
  for (const n of GROUPS) {
    Deno.test(`interop ${type}, group of ${n}: the service's file opens in typage`, async () => {
      const s = await running();
      const group = await members(type, n);
      const reply = n === 1
        ? await s.request({
          type: "encrypt_fernet",
          fernet: FERNET,
          recipient: group[0].recipient,
        })
        : await s.request({
          type: "encrypt_fernet_many",
          fernet: FERNET,
          recipients: group.map((m) => m.recipient),
        });
      const file = age.armor.decode(reply.encrypted_fernet as string);
      for (const member of new Set([group[0], group[n - 1]])) {
        const decrypter = new age.Decrypter();
        decrypter.addIdentity(member.identity);
        assert.equal(await decrypter.decrypt(file, "text"), FERNET);
      }
    });

    Deno.test(`interop ${type}, group of ${n}: typage's file opens in the service`, async () => {
      const s = await running();
      const group = await members(type, n);
      const encrypter = new age.Encrypter();
      for (const member of group) encrypter.addRecipient(member.recipient);
      const armored = age.armor.encode(await encrypter.encrypt(FERNET));
      for (const member of new Set([group[0], group[n - 1]])) {
        const reply = await s.request({
          type: "decrypt_fernet",
          encrypted_fernet: armored,
          identity: member.identity,
        });
        assert.deepEqual(reply, { fernet: FERNET });
      }
    });
  }
}

// The age specification says a file SHOULD NOT go to both kinds (the classic
// stanza undoes the hybrid one's protection); the service refuses it, while
// typage 0.3.1 writes such a file: the service still opens it.
Deno.test("interop: the service refuses a hybrid and a classic recipient together, and opens typage's such file", async () => {
  const s = await running();
  const [pq] = await members("mlkem768x25519", 1);
  const [classic] = await members("x25519", 1);
  const reply = await s.request({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    recipients: [pq.recipient, classic.recipient],
  });
  assert.equal(reply.code, "mixed_recipients");
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(pq.recipient);
  encrypter.addRecipient(classic.recipient);
  const armored = age.armor.encode(await encrypter.encrypt(FERNET));
  for (const member of [pq, classic]) {
    const opened = await s.request({
      type: "decrypt_fernet",
      encrypted_fernet: armored,
      identity: member.identity,
    });
    assert.deepEqual(opened, { fernet: FERNET });
  }
  assert.equal(await s.stop("SIGTERM"), 0);
});
