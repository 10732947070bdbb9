/**
 * `deno task bench:pq`: issue 20's targets for post-quantum group keys,
 * each a ratio measured in one run against its reference:
 *
 * - `encrypt_fernet_many` to 256 mlkem768x25519 recipients (one age file)
 *   against the same 256 X-Wing encapsulations (each recipient's key
 *   imported and checked, then encapsulated) in a tight loop here;
 * - `decrypt_fernet` of a one-recipient hybrid file with its identity
 *   against one X-Wing decapsulation (the key already opened) plus a `ping`
 *   round trip; and, for the record, a member of a 256-group, first and last
 *   stanza (age files carry no recipient identifiers: a member opens
 *   stanzas in turn until its own).
 *
 * And the envelope sizes next to RSA's: bytes per recipient, and the reply
 * for a group of 256. The service is started as a user starts it; medians
 * over `--rounds N` (default 15), after one warm-up round; each round times a
 * target and its reference back to back, and the ratio reported is the median
 * of the rounds' ratios. Prints markdown and writes bench-results/pq.json.
 *
 * @example
 * ```sh
 * deno task bench:pq
 * deno task bench:pq --rounds 30
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import {
  armor,
  dearmor,
  encryptAge,
  MLKEM768X25519,
  parseHeader,
  parseRecipient,
  X25519,
} from "../lib/crypto/age/mod.ts";
import { decodeBech32 } from "../lib/crypto/age/bech32.ts";
import {
  decapsulateXWing,
  encapsulateXWing,
  openXWingKey,
} from "../lib/crypto/age/xwing.ts";
import { startService } from "../tests/_helpers/service.ts";
import { percentile } from "../tests/_helpers/stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string", default: "15" } },
});
const ROUNDS = Number(values.rounds);
const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";
const GROUP = 256;

const members = await Promise.all(
  Array.from({ length: GROUP }, async () => {
    const identity = await MLKEM768X25519.generateIdentity();
    return { identity, recipient: await MLKEM768X25519.recipientOf(identity) };
  }),
);
const recipientKeys = members.map((m) => decodeBech32(m.recipient, "age1pq"));

const service = await startService();
const client = service.client();
const ask = async (body: unknown) => {
  const [reply] = await client.request(
    new TextEncoder().encode(JSON.stringify(body)),
    60_000,
  );
  const parsed = JSON.parse(new TextDecoder().decode(reply));
  if ("error" in parsed) throw new Error(JSON.stringify(parsed));
  return parsed;
};

/** Milliseconds `fn` takes once. */
async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const med = (xs: number[]) => percentile(xs, 50);

try {
  const manyRequest = new TextEncoder().encode(JSON.stringify({
    type: "encrypt_fernet_many",
    fernet: FERNET,
    recipients: members.map((m) => m.recipient),
  }));
  // Timed without parsing the 548 KB reply here: the service's time, not
  // this client's JSON.parse (the reply is checked once, below).
  const wrapMany = async () => {
    const [reply] = await client.request(manyRequest, 60_000);
    const head = new TextDecoder().decode(reply.subarray(0, 20));
    if (!head.startsWith('{"encrypted_fernet"')) throw new Error(head);
    return reply;
  };
  const tightLoop = async () => {
    for (const key of recipientKeys) await encapsulateXWing(key);
  };
  // X-Wing's Decapsulate(ct, sk) takes the 32-byte key and expands it
  // (draft-connolly-cfrg-xwing-kem, "Decapsulation"); the figure with the
  // key already expanded is shown beside it.
  const seed = decodeBech32(members[0].identity, "AGE-SECRET-KEY-PQ-");
  const opened = await openXWingKey(seed);
  const { ciphertext } = await encapsulateXWing(recipientKeys[0]);
  const single = (await ask({
    type: "encrypt_fernet",
    fernet: FERNET,
    recipient: members[0].recipient,
  })).encrypted_fernet;
  const decryptOne = () =>
    ask({
      type: "decrypt_fernet",
      encrypted_fernet: single,
      identity: members[0].identity,
    });
  const group = JSON.parse(new TextDecoder().decode(await wrapMany()))
    .encrypted_fernet as string;

  // Each round measures a target and its reference back to back, so that
  // the load on the machine weighs on both alike; the ratio is each round's,
  // and the median of those is reported.
  const loops: number[] = [], manys: number[] = [], wrapRatios: number[] = [];
  const decaps: number[] = [], expanded: number[] = [], pings: number[] = [];
  const decrypts: number[] = [], unwrapRatios: number[] = [];
  const firsts: number[] = [], lasts: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const loop = await time(tightLoop);
    const many = await time(wrapMany);
    const decap = await time(async () =>
      decapsulateXWing(await openXWingKey(seed), ciphertext)
    );
    const decapExpanded = await time(() =>
      decapsulateXWing(opened, ciphertext)
    );
    const ping = await time(() => ask({ type: "ping" }));
    const decrypt = await time(decryptOne);
    const first = await time(() =>
      ask({
        type: "decrypt_fernet",
        encrypted_fernet: group,
        identity: members[0].identity,
      })
    );
    const last = await time(() =>
      ask({
        type: "decrypt_fernet",
        encrypted_fernet: group,
        identity: members[GROUP - 1].identity,
      })
    );
    if (round < 0) continue; // warm-up
    loops.push(loop);
    manys.push(many);
    wrapRatios.push(many / loop);
    decaps.push(decap);
    expanded.push(decapExpanded);
    pings.push(ping);
    decrypts.push(decrypt);
    unwrapRatios.push(decrypt / (decap + ping));
    firsts.push(first);
    lasts.push(last);
  }
  const loop = med(loops), many = med(manys);
  const decap = med(decaps), decapExpanded = med(expanded), ping = med(pings);
  const decrypt = med(decrypts);
  const decryptFirst = med(firsts), decryptLast = med(lasts);

  // Envelope sizes.
  const classicIdentity = await X25519.generateIdentity();
  const classic = armor(
    await encryptAge(
      [await parseRecipient(await X25519.recipientOf(classicIdentity))],
      new TextEncoder().encode(FERNET),
    ),
  );
  const classicGroup = armor(
    await encryptAge(
      await Promise.all(
        Array.from({ length: GROUP }, async () =>
          parseRecipient(
            await X25519.recipientOf(await X25519.generateIdentity()),
          )),
      ),
      new TextEncoder().encode(FERNET),
    ),
  );
  const header = parseHeader(dearmor(group));
  const stanzaBytes = (header.macInput.length - 22 - 3) / GROUP;
  const rsaPerRecipient = JSON.stringify({
    encrypted_fernet: new Uint8Array(256).toBase64(),
  }).length + 1; // 2048-bit RSA: one 256-byte ciphertext, base64, in "results"
  const manyReplyBytes = JSON.stringify({ encrypted_fernet: group }).length;

  const result = {
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    cores: navigator.hardwareConcurrency,
    rounds: ROUNDS,
    wrap256: {
      service_ms: many,
      tight_loop_ms: loop,
      ratio: med(wrapRatios),
      target: 1.5,
    },
    unwrap: {
      service_ms: decrypt,
      decapsulation_ms: decap,
      decapsulation_expanded_key_ms: decapExpanded,
      ping_ms: ping,
      ratio: med(unwrapRatios),
      target: 1.5,
      group256_first_ms: decryptFirst,
      group256_last_ms: decryptLast,
    },
    sizes: {
      hybrid_stanza_bytes: stanzaBytes,
      hybrid_armored_one: single.length,
      hybrid_armored_256: group.length,
      hybrid_reply_256: manyReplyBytes,
      x25519_armored_one: classic.length,
      x25519_armored_256: classicGroup.length,
      rsa2048_per_recipient_reply_bytes: rsaPerRecipient,
      rsa2048_reply_256: 13 + GROUP * rsaPerRecipient,
    },
  };
  const r = (n: number) => n.toFixed(2);
  console.log(`| target | service | reference | ratio (target) |
|---|---|---|---|
| encrypt_fernet_many, 256 hybrid recipients | ${r(many)} ms | ${
    r(loop)
  } ms: 256 X-Wing encapsulations in a loop | ${
    r(result.wrap256.ratio)
  } (<= 1.5) |
| decrypt_fernet, one-recipient hybrid file | ${r(decrypt)} ms | ${
    r(decap + ping)
  } ms: one X-Wing decapsulation ${r(decap)} (${
    r(decapExpanded)
  } with the key already expanded) + ping ${r(ping)} | ${
    r(result.unwrap.ratio)
  } (<= 1.5) |
| decrypt_fernet, 256-group, first / last stanza | ${r(decryptFirst)} / ${
    r(decryptLast)
  } ms | | |
`);
  console.log(JSON.stringify(result.sizes, null, 2));
  await Deno.mkdir(new URL("../bench-results/", import.meta.url), {
    recursive: true,
  });
  await Deno.writeTextFile(
    new URL("../bench-results/pq.json", import.meta.url),
    JSON.stringify(result, null, 2) + "\n",
  );
} finally {
  client.close();
  await service.stop("SIGTERM");
}
