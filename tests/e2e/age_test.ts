// The age options of the contract against the real service, as a user starts
// it: key generation per key type, one armored age file per request (one
// stanza per recipient, 256 hybrid recipients included), decryption with an
// identity, one reply for every decryption failure (the RSA one, byte for
// byte), the input errors with their codes, and no mixing of RSA keys with
// age recipients or of hybrid with classic recipients.

import { DEFAULT_MAX_VERSIONS } from "../../lib/keystore/limits.ts";
import { keystoreCapabilities } from "../../lib/service/keystore_protocol.ts";
import assert from "node:assert/strict";
import {
  encodeBech32,
  MLKEM768X25519,
  parseHeader,
  X25519,
} from "../../lib/crypto/age/mod.ts";
import { dearmor } from "../../lib/crypto/age/armor.ts";
import { type RunningService, startService } from "../_helpers/service.ts";

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";
const DECRYPTION_FAILED = {
  error: "Decryption failed",
  code: "decryption_failed",
};

let service: RunningService | undefined;
async function running(): Promise<RunningService> {
  service ??= await startService();
  return service;
}

async function pair(type = MLKEM768X25519) {
  const identity = await type.generateIdentity();
  return { identity, recipient: await type.recipientOf(identity) };
}

Deno.test("generate_keys with key_type gives an identity, its recipient and a Fernet key", async () => {
  const s = await running();
  for (const keyType of ["mlkem768x25519", "x25519"] as const) {
    const reply = await s.request({ type: "generate_keys", key_type: keyType });
    assert.deepEqual(Object.keys(reply), ["age", "fernet"]);
    const age = reply.age as Record<string, string>;
    assert.equal(age.key_type, keyType);
    const type = keyType === "x25519" ? X25519 : MLKEM768X25519;
    assert.ok(age.identity.startsWith(`${type.identityPrefix}1`));
    assert.equal(await type.recipientOf(age.identity), age.recipient);
    assert.equal((reply.fernet as string).length, 44);
  }
  // Without the option, the v1 reply.
  const v1 = await s.request({ type: "generate_keys" });
  assert.deepEqual(Object.keys(v1), ["rsa", "fernet"]);
});

Deno.test("encrypt_fernet to a recipient returns an armored age file its identity opens", async () => {
  const s = await running();
  for (const type of [MLKEM768X25519, X25519]) {
    const { identity, recipient } = await pair(type);
    const wrapped = await s.request({
      type: "encrypt_fernet",
      fernet: FERNET,
      recipient,
    });
    const file = wrapped.encrypted_fernet as string;
    assert.ok(file.startsWith("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    const opened = await s.request({
      type: "decrypt_fernet",
      encrypted_fernet: file,
      identity,
    });
    assert.deepEqual(opened, { fernet: FERNET });
  }
});

Deno.test("encrypt_fernet_many to 256 hybrid recipients returns one file of 256 stanzas; the last member opens it", async () => {
  const s = await running();
  const members = await Promise.all(Array.from({ length: 256 }, () => pair()));
  const reply = await s.request({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    recipients: members.map((m) => m.recipient),
  });
  const file = reply.encrypted_fernet as string;
  assert.equal(parseHeader(dearmor(file)).stanzas.length, 256);
  for (const member of [members[0], members[255]]) {
    const opened = await s.request({
      type: "decrypt_fernet",
      encrypted_fernet: file,
      identity: member.identity,
    });
    assert.deepEqual(opened, { fernet: FERNET });
  }
});

Deno.test("every decryption failure gets the one reply RSA's failures get", async () => {
  const s = await running();
  const { identity, recipient } = await pair();
  const other = await pair();
  const file =
    (await s.request({ type: "encrypt_fernet", fernet: FERNET, recipient }))
      .encrypted_fernet as string;
  const bytes = dearmor(file);
  const flip = (at: number) => {
    const copy = bytes.slice();
    copy[at] ^= 1;
    return `-----BEGIN AGE ENCRYPTED FILE-----\n${
      copy.toBase64().match(/.{1,64}/g)!.join("\n")
    }\n-----END AGE ENCRYPTED FILE-----\n`;
  };
  const header = parseHeader(bytes);
  const cases: [string, string, string][] = [
    ["another identity", file, other.identity],
    ["a flipped bit in the stanza's enc", flip(40), identity],
    [
      "a flipped bit in the stanza body",
      flip(header.payloadOffset - 60),
      identity,
    ],
    ["a flipped bit in the MAC", flip(header.payloadOffset - 5), identity],
    ["a flipped bit in the payload", flip(bytes.length - 1), identity],
    [
      "a stanza cut short",
      file.replace(/\n[A-Za-z0-9+/=]{64}\n/, "\n"),
      identity,
    ],
    ["no armor", bytes.toBase64(), identity],
  ];
  for (const [what, encrypted_fernet, id] of cases) {
    const reply = await s.request({
      type: "decrypt_fernet",
      encrypted_fernet,
      identity: id,
    });
    assert.deepEqual(reply, DECRYPTION_FAILED, what);
  }
  const rsa = await s.request({ type: "generate_keys" }) as {
    rsa: { private: string };
  };
  const rsaReply = await s.request({
    type: "decrypt_fernet",
    encrypted_fernet: new Uint8Array(256).toBase64(),
    rsa_private: rsa.rsa.private,
  });
  assert.deepEqual(rsaReply, DECRYPTION_FAILED);
});

Deno.test("RSA keys and age recipients, or hybrid and classic recipients, are not mixed", async () => {
  const s = await running();
  const pq = await pair();
  const classic = await pair(X25519);
  const rsa =
    (await s.request({ type: "generate_keys" }) as { rsa: { public: string } })
      .rsa.public;
  const requests = [
    {
      type: "encrypt_fernet",
      fernet: FERNET,
      recipient: pq.recipient,
      rsa_public: rsa,
    },
    {
      type: "encrypt_fernet_many",
      fernet: FERNET,
      recipients: [pq.recipient],
      rsa_publics: [rsa],
    },
    {
      type: "encrypt_fernet_many",
      fernet: FERNET,
      recipients: [pq.recipient, rsa],
    },
    {
      type: "encrypt_fernet_many",
      fernet: FERNET,
      recipients: [pq.recipient, classic.recipient],
    },
  ];
  for (const request of requests) {
    const reply = await s.request(request);
    assert.equal(reply.code, "mixed_recipients", JSON.stringify(reply));
  }
});

Deno.test("malformed recipients and identities get their own codes, without echoing the input", async () => {
  const s = await running();
  const { recipient, identity } = await pair();
  const badModulus = new Uint8Array(1216);
  badModulus.fill(0xff, 0, 3);
  const cases: [unknown, string][] = [
    [{
      recipient: recipient.slice(0, -1) + (recipient.endsWith("q") ? "p" : "q"),
    }, "invalid_bech32"],
    [{ recipient: "age1" + "x".repeat(40) }, "invalid_bech32"],
    [
      { recipient: encodeBech32("age1pq", new Uint8Array(1215)) },
      "invalid_key_length",
    ],
    [
      { recipient: encodeBech32("age", new Uint8Array(33)) },
      "invalid_key_length",
    ],
    [
      { recipient: encodeBech32("age1pq", badModulus) },
      "invalid_encapsulation_key",
    ],
    [
      { recipient: encodeBech32("age", new Uint8Array(32)) },
      "invalid_recipient",
    ],
    [{ recipient: identity }, "wrong_key_type"],
    [{ recipient: 7 }, "invalid_field"],
    [{ recipient: recipient, padding: "oaep-sha256" }, "invalid_field"],
  ];
  for (const [fields, code] of cases) {
    const reply = await s.request({
      type: "encrypt_fernet",
      fernet: FERNET,
      ...fields as object,
    });
    assert.equal(reply.code, code, JSON.stringify(reply));
    const sent = (fields as { recipient: unknown }).recipient;
    if (typeof sent === "string") {
      assert.ok(!(reply.error as string).includes(sent.slice(10, 30)));
    }
  }
  const bad = await s.request({
    type: "decrypt_fernet",
    encrypted_fernet: "x",
    identity: identity.slice(0, -1) + (identity.endsWith("Q") ? "P" : "Q"),
  });
  assert.equal(bad.code, "invalid_bech32");
  assert.ok(!(bad.error as string).includes(identity.slice(20, 40)));
  const keyType = await s.request({ type: "generate_keys", key_type: "kyber" });
  assert.equal(keyType.code, "invalid_field");
});

Deno.test("ping lists the key types", async () => {
  const s = await running();
  const reply = await s.ping();
  const { capabilities } = reply as unknown as {
    capabilities: { key_types: string[] };
  };
  // The service's default: the keystore on, so v1.2's block too.
  assert.deepEqual(capabilities, keystoreCapabilities(DEFAULT_MAX_VERSIONS));
  assert.deepEqual(capabilities.key_types, ["rsa", "mlkem768x25519", "x25519"]);
  assert.equal(await s.stop("SIGTERM"), 0);
});
