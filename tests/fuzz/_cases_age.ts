// Case families of the age options (issue 20). `age_recipient`: recipients
// (valid, mutated Bech32, wrong lengths, a low-order key, an ML-KEM key over
// the modulus, an identity in its place, junk of other JSON types), groups
// (valid, mixed hybrid and classic, with a PEM, empty, too long) and key
// types. `age_file`: the CCTV vectors `hybrid` and `x25519`, armored here,
// as stored or mutated as bytes or as armor, opened with right, wrong and
// mutated identities.
//
// Every byte is a function of the seed: identities are seeded bytes, files
// are the stored vectors. What a success must be is checked against
// lib/crypto/age run here (checkAge), as the RSA families check theirs.

import {
  armor,
  dearmor,
  decryptAge,
  encodeBech32,
  MLKEM768X25519,
  parseHeader,
  parseIdentity,
  X25519,
} from "../../lib/crypto/age/mod.ts";
import { SEED } from "./_config.ts";
import { mutateBytes } from "./_mutators.ts";
import { type Generated, json, type Obj, single } from "./_requests.ts";
import { type Rng, streamRng } from "./_rng.ts";

/** A key pair of one age key type, from seeded bytes. */
interface AgePair {
  readonly identity: string;
  readonly recipient: string;
}

/** An age file with the identity that opens it and its plaintext. */
interface AgeFile {
  readonly name: string;
  readonly armored: string;
  readonly identity: string;
}

const seeded = streamRng(SEED, "age material");

async function pair(type: typeof MLKEM768X25519): Promise<AgePair> {
  const identity = encodeBech32(type.identityPrefix, seeded.bytes(32));
  return { identity, recipient: await type.recipientOf(identity) };
}

async function vector(name: string): Promise<AgeFile> {
  const bytes = await Deno.readFile(
    new URL(`../vectors/cctv-age/${name}`, import.meta.url),
  );
  const end = bytes.findIndex((b, i) => b === 0x0a && bytes[i + 1] === 0x0a);
  const head = new TextDecoder().decode(bytes.subarray(0, end));
  return {
    name,
    armored: armor(bytes.subarray(end + 2)),
    identity: head.match(/^identity: (\S+)$/m)![1],
  };
}

const HYBRID = [
  await pair(MLKEM768X25519),
  await pair(MLKEM768X25519),
  await pair(MLKEM768X25519),
];
const CLASSIC = [await pair(X25519), await pair(X25519)];
const FILES = [await vector("hybrid"), await vector("x25519")];

/** A Bech32 string of `hrp` over `n` seeded bytes (checksum valid). */
const bech32Of = (r: Rng, hrp: string, n: number) =>
  encodeBech32(hrp, r.bytes(n));

/** A recipient string, valid or not, and the identity that opens it if valid. */
function recipient(r: Rng): [string, string, string | undefined] {
  const valid = r.pick([...HYBRID, ...CLASSIC]);
  const text = valid.recipient;
  switch (r.int(12)) {
    case 0:
    case 1:
    case 2:
      return ["valid", text, valid.identity];
    case 3: {
      const i = r.int(text.length);
      const c = r.pick([..."qpzry9x8gf2tvdw0s3jn54khce6mua7lQ1bio "]);
      return [
        `char ${i} -> ${c}`,
        text.slice(0, i) + c + text.slice(i + 1),
        undefined,
      ];
    }
    case 4:
      return ["truncated", text.slice(0, r.int(text.length)), undefined];
    case 5:
      return ["upper case", text.toUpperCase(), undefined];
    case 6: {
      const hrp = r.pick(["age", "age1pq", "age1x", "AGE-SECRET-KEY-", "bc"]);
      return [
        `bech32 ${hrp}, wrong length`,
        bech32Of(r, hrp, r.pick([0, 1, 31, 33, 1215, 1217])),
        undefined,
      ];
    }
    case 7:
      return [
        "low-order X25519 key",
        encodeBech32("age", new Uint8Array(32)),
        undefined,
      ];
    case 8: {
      const key = r.bytes(1216);
      key.fill(0xff, 0, 3);
      return [
        "ML-KEM key over the modulus",
        encodeBech32("age1pq", key),
        undefined,
      ];
    }
    case 9:
      return ["an identity", valid.identity, undefined];
    case 10:
      return [
        "junk",
        r.pick([
          "",
          "age1",
          "-----BEGIN PUBLIC KEY-----",
          "🔑",
          "a".repeat(3000),
        ]),
        undefined,
      ];
    default:
      return ["random hybrid bytes", bech32Of(r, "age1pq", 1216), undefined];
  }
}

/** An identity string: the right one, another, or a mutated one. */
function identity(r: Rng, right: string): [string, string] {
  switch (r.int(6)) {
    case 0:
      return ["another identity", r.pick([...HYBRID, ...CLASSIC]).identity];
    case 1: {
      const i = r.int(right.length);
      return [
        `identity char ${i} changed`,
        right.slice(0, i) + "Q" + right.slice(i + 1),
      ];
    }
    case 2:
      return ["a recipient as identity", r.pick(HYBRID).recipient];
    default:
      return ["the right identity", right];
  }
}

/** An age file: as stored, or mutated as bytes, or as armor. */
function file(r: Rng, f: AgeFile): [string, string] {
  switch (r.int(5)) {
    case 0:
    case 1:
      return [`${f.name} as stored`, f.armored];
    case 2: {
      const [bytes, notes] = mutateBytes(r, dearmor(f.armored), 1 + r.int(3));
      return [`${f.name} bytes: ${notes.join(", ")}`, armor(bytes)];
    }
    case 3: {
      const [bytes, notes] = mutateBytes(
        r,
        new TextEncoder().encode(f.armored),
        1 + r.int(3),
      );
      return [
        `${f.name} armor: ${notes.join(", ")}`,
        new TextDecoder().decode(bytes),
      ];
    }
    default: {
      const lines = f.armored.split("\n");
      lines.splice(1 + r.int(lines.length - 2), 1);
      return [`${f.name} armor less a line`, lines.join("\n")];
    }
  }
}

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

/** The age recipient family: key types, recipients, groups. */
export function ageRecipients(r: Rng): Generated {
  const kinds = [["generate", 1], ["encrypt", 4], ["group", 3]] as const;
  return age(r, r.weighted(kinds));
}

/** The age file family: files mutated, identities right and wrong. */
export function ageFiles(r: Rng): Generated {
  return age(r, "decrypt");
}

function age(
  r: Rng,
  kind: "generate" | "encrypt" | "group" | "decrypt",
): Generated {
  switch (kind) {
    case "generate": {
      const keyType = r.pick([
        "mlkem768x25519",
        "x25519",
        "MLKEM768X25519",
        "kyber",
        7,
        null,
      ]);
      const extra: Obj = r.chance(0.2) ? { bits: 2048 } : {};
      const valid = (keyType === "mlkem768x25519" || keyType === "x25519") &&
        !("bits" in extra);
      return single(
        `age generate_keys key_type ${JSON.stringify(keyType)}`,
        json({ type: "generate_keys", key_type: keyType, ...extra }),
        { mustSucceed: valid },
      );
    }
    case "encrypt": {
      const [note, text, opener] = recipient(r);
      const body: Obj = {
        type: "encrypt_fernet",
        fernet: FERNET,
        recipient: text,
      };
      if (r.chance(0.1)) body.rsa_public = "-----BEGIN PUBLIC KEY-----\n";
      if (r.chance(0.1)) body.recipient = r.pick([7, null, [text], { text }]);
      const valid = opener !== undefined && body.recipient === text &&
        !("rsa_public" in body);
      return single(`age encrypt_fernet: ${note}`, json(body), {
        mustSucceed: valid,
        ageOpeners: valid ? [opener] : undefined,
      });
    }
    case "group": {
      const size = r.pick([1, 2, 3, 4]);
      const members = Array.from(
        { length: size },
        () => r.pick(r.chance(0.8) ? HYBRID : CLASSIC),
      );
      const list: unknown[] = members.map((m) => m.recipient);
      let note = `${size} recipients`;
      switch (r.int(6)) {
        case 0:
          list.push(
            "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
          );
          note += " and a PEM";
          break;
        case 1:
          list.splice(r.int(list.length), 1, recipient(r)[1]);
          note += ", one replaced";
          break;
        case 2:
          list.length = r.pick([0, 257]);
          list.fill("age1");
          note = `${list.length} recipients`;
          break;
        case 3:
          list.push(r.pick([7, null, {}]));
          note += " and a non-string";
          break;
      }
      const pq = members.map((m) => m.recipient.startsWith("age1pq1"));
      const valid = note === `${size} recipients` &&
        pq.every((p) => p === pq[0]);
      return single(
        `age encrypt_fernet_many: ${note}`,
        json({ type: "encrypt_fernet_many", fernet: FERNET, recipients: list }),
        {
          mustSucceed: valid,
          ageOpeners: valid ? members.map((m) => m.identity) : undefined,
        },
      );
    }
    case "decrypt": {
      const f = r.pick(FILES);
      const [fileNote, armored] = file(r, f);
      const [idNote, id] = identity(r, f.identity);
      return single(
        `age decrypt_fernet: ${fileNote}; ${idNote}`,
        json({
          type: "decrypt_fernet",
          encrypted_fernet: armored,
          identity: id,
        }),
        { ageDecrypt: { armored, identity: id } },
      );
    }
  }
}

/** Whether a request object is an age request (age_protocol.ts's rule). */
export function isAgeRequest(object: Record<string, unknown>): boolean {
  const has = (name: string) => Object.hasOwn(object, name);
  switch (object.type) {
    case "generate_keys":
      return has("key_type") && object.key_type !== "rsa";
    case "encrypt_fernet":
      return has("recipient");
    case "encrypt_fernet_many":
      return has("recipients");
    case "decrypt_fernet":
      return has("identity");
    default:
      return false;
  }
}

/** The codes an age request may be answered with when it is refused. */
export const AGE_CODES = [
  "invalid_field",
  "missing_field",
  "invalid_bech32",
  "invalid_key_length",
  "invalid_encapsulation_key",
  "invalid_recipient",
  "wrong_key_type",
  "mixed_recipients",
  "invalid_ciphertext",
  "decryption_failed",
] as const;

/**
 * What is wrong with an age request's reply, if anything: a key set whose
 * recipient is its identity's; a file each named member opens to the Fernet
 * key; for a decryption, exactly what lib/crypto/age makes of the file and
 * identity (the plaintext, or `decryption_failed` for every failure).
 */
export async function checkAge(
  c: Generated,
  reply: Record<string, unknown>,
): Promise<string | undefined> {
  const error = typeof reply.code === "string" ? reply.code : undefined;
  if (c.ageDecrypt !== undefined) {
    const expected = await localDecrypt(
      c.ageDecrypt.armored,
      c.ageDecrypt.identity,
    );
    if (expected === "refused") {
      return error === undefined
        ? "an age file opened that does not open here"
        : undefined;
    }
    if (expected === "failed") {
      return error === "decryption_failed"
        ? undefined
        : `expected decryption_failed, got ${error ?? "a success"}`;
    }
    return reply.fernet === expected
      ? undefined
      : `expected the plaintext back, got ${
        JSON.stringify(reply).slice(0, 120)
      }`;
  }
  if (error !== undefined) {
    return (AGE_CODES as readonly string[]).includes(error)
      ? undefined
      : `code ${error} is not one of the age codes`;
  }
  const age = reply.age as Record<string, unknown> | undefined;
  if (age !== undefined) {
    const type = age.key_type === "x25519" ? X25519 : MLKEM768X25519;
    if (typeof age.identity !== "string" || typeof age.recipient !== "string") {
      return "an age key set without identity and recipient";
    }
    if (await type.recipientOf(age.identity) !== age.recipient) {
      return "the recipient is not the identity's";
    }
    return typeof reply.fernet === "string" && reply.fernet.length === 44
      ? undefined
      : "no Fernet key beside the age keys";
  }
  if (typeof reply.encrypted_fernet !== "string") return "no encrypted_fernet";
  const stanzas = parseHeader(dearmor(reply.encrypted_fernet)).stanzas.length;
  for (const opener of c.ageOpeners ?? []) {
    const got = await localDecrypt(reply.encrypted_fernet, opener);
    if (got !== FERNET) return `a member does not open the file (${got})`;
  }
  return c.ageOpeners === undefined || stanzas === c.ageOpeners.length
    ? undefined
    : `${stanzas} stanzas for ${c.ageOpeners.length} recipients`;
}

/**
 * What lib/crypto/age makes of a file and identity: the plaintext,
 * `failed` (a file that does not open), or `refused` (an identity that does
 * not parse, or a file over a limit: an error of another code).
 */
async function localDecrypt(armored: string, id: string): Promise<string> {
  let key;
  try {
    key = await parseIdentity(id);
  } catch {
    return "refused";
  }
  try {
    const plaintext = await decryptAge(dearmor(armored), [key], {
      maxPlaintextBytes: 3 * 16 * 1024,
    });
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      plaintext,
    );
  } catch (error) {
    return (error as Error).name === "AgeLimitExceeded" ? "refused" : "failed";
  }
}
