// Replies about stored keys stay bounded however large the store grows:
// list_keys is paged (every key exactly once), a key holds at most
// maxVersions versions, and the largest of each reply fits the bound the
// service promises (MAX_REPLY_BYTES). Real SQLite keystore, real RSA keys.

import assert from "node:assert/strict";
import {
  generateRsaKeyPair,
  parsePrivateKey,
  publicKeyPem,
} from "../../../lib/crypto/mod.ts";
import { Keystore } from "../../../lib/keystore/keystore.ts";
import { newKey } from "../../../lib/keystore/sealing.ts";
import { SqliteStorage } from "../../../lib/keystore/sqlite.ts";
import { KeyService } from "../../../lib/service/key_service.ts";
import {
  MAX_KEY_REPLY_BYTES,
  MAX_LIST_REPLY_BYTES,
} from "../../../lib/service/keystore_views.ts";
import { MAX_REPLY_BYTES } from "../../../lib/service/protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reply's bytes and its JSON. */
async function ask(
  service: KeyService,
  body: unknown,
  clientKey?: string,
): Promise<{ bytes: number; reply: Record<string, unknown> }> {
  const outcome = await service.handle(
    [encoder.encode(JSON.stringify(body))],
    "c",
    clientKey,
  );
  return {
    bytes: outcome.reply.length,
    reply: JSON.parse(decoder.decode(outcome.reply)),
  };
}

/** Every page of list_keys, each reply checked against the bound. */
async function allPages(
  service: KeyService,
  limit: number | undefined,
  clientKey?: string,
): Promise<{ ids: string[]; pages: number; short: number; texts: string[] }> {
  const ids: string[] = [];
  const texts: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let short = 0;
  while (true) {
    const { bytes, reply } = await ask(service, {
      type: "list_keys",
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === undefined ? {} : { cursor }),
    }, clientKey);
    pages++;
    texts.push(JSON.stringify(reply));
    assert.ok(bytes <= MAX_LIST_REPLY_BYTES, `${bytes} bytes`);
    const keys = reply.keys as { key_id: string }[];
    assert.ok(
      keys.length <= (limit ?? 100),
      JSON.stringify(reply).slice(0, 200),
    );
    ids.push(...keys.map((k) => k.key_id));
    if (reply.more !== true) {
      assert.equal(reply.more, false);
      assert.equal(reply.next_cursor, undefined);
      return { ids, pages, short, texts };
    }
    if (keys.length < (limit ?? 100)) short++;
    cursor = reply.next_cursor as string;
    assert.equal(typeof cursor, "string");
  }
}

async function store(maxVersions?: number) {
  const keystore = await Keystore.open(
    new SqliteStorage(":memory:"),
    newKey(),
    { maxVersions },
  );
  return { keystore, service: new KeyService({ keystore: { keystore } }) };
}

const pair = await generateRsaKeyPair();
const key2048 = parsePrivateKey(pair.private);
const material = { publicKey: publicKeyPem(key2048), privateKey: key2048.der };

Deno.test("the bounds of the replies that show keys are within MAX_REPLY_BYTES", () => {
  assert.ok(MAX_KEY_REPLY_BYTES <= MAX_REPLY_BYTES);
  assert.ok(MAX_LIST_REPLY_BYTES <= MAX_REPLY_BYTES);
});

Deno.test("list_keys pages cover 1,203 keys exactly once, each page within its bound", async () => {
  const { keystore, service } = await store();
  const ids = Array.from({ length: 1203 }, (_, i) => `key-${i}`);
  for (const id of ids) {
    await keystore.create({
      id,
      type: "rsa-2048",
      padding: "oaep-sha256",
      material,
    });
  }
  try {
    const sorted = [...ids].sort();
    for (const limit of [undefined, 1, 7, 500]) {
      const { ids: listed, pages } = await allPages(service, limit);
      assert.deepEqual(listed, sorted, `limit ${limit}`);
      assert.equal(pages, Math.ceil(1203 / (limit ?? 100)), `limit ${limit}`);
    }
    const { reply } = await ask(service, { type: "list_keys", limit: 501 });
    assert.equal(reply.code, "invalid_field");
    const bad = await ask(service, { type: "list_keys", cursor: "../x" });
    assert.equal(bad.reply.code, "invalid_field");
  } finally {
    await keystore.close();
  }
});

Deno.test("under CURVE, pages hold only the client's keys, each once, and one request reads a bounded part of the store", async () => {
  const { keystore, service } = await store();
  const alice = "A".repeat(40);
  const mine: string[] = [];
  const others: string[] = [];
  for (let i = 0; i < 2600; i++) {
    const id = `k-${String(i).padStart(4, "0")}`;
    const hers = i % 1000 === 999 || i === 5;
    if (hers) mine.push(id);
    else others.push(id);
    await keystore.create({
      id,
      type: "rsa-2048",
      padding: "oaep-sha256",
      material,
      creator: hers ? alice : "B".repeat(40),
    });
  }
  try {
    const { ids, short, texts } = await allPages(service, 500, alice);
    assert.deepEqual(ids, mine);
    // A page may end on a key she may not see: its cursor does not say which.
    for (const text of texts) {
      assert.ok(!others.some((id) => text.includes(id)));
    }
    // 2,600 rows at most 2,000 a request: the scan stopped short at least
    // once, with a cursor, before the store's end.
    assert.ok(short >= 1);
  } finally {
    await keystore.close();
  }
});

Deno.test("a 4096-bit key at the most versions, with the largest policy: show_key within MAX_KEY_REPLY_BYTES, rotate_key refused with key_version_limit", async () => {
  const { keystore, service } = await store(256);
  const big = parsePrivateKey((await generateRsaKeyPair(4096)).private);
  try {
    const imported = await ask(service, {
      type: "import_key",
      key_id: "k".repeat(128),
      rsa_private: (await generateRsaKeyPair(4096)).private,
    });
    assert.equal(
      (imported.reply.key as { key_type: string }).key_type,
      "rsa-4096",
    );
    const id = "k".repeat(128);
    const bigMaterial = { publicKey: publicKeyPem(big), privateKey: big.der };
    // The public key's PEM is as long as the bound assumes.
    assert.equal(bigMaterial.publicKey.length, 800);
    for (let v = 2; v <= 256; v++) await keystore.rotate(id, bigMaterial);
    const entries = (use: number) =>
      Array.from(
        { length: 256 },
        (_, i) => `${use}${String(i).padStart(3, "0")}`.padEnd(40, "z"),
      );
    const configured = await ask(service, {
      type: "configure_key",
      key_id: id,
      policy: {
        encrypt: entries(1),
        decrypt: entries(2),
        rewrap: entries(3),
        admin: entries(4),
      },
    });
    assert.ok(configured.bytes <= MAX_KEY_REPLY_BYTES);
    const shown = await ask(service, { type: "show_key", key_id: id });
    assert.equal(
      (shown.reply.key as { versions: unknown[] }).versions.length,
      256,
    );
    assert.ok(shown.bytes <= MAX_KEY_REPLY_BYTES, `${shown.bytes} bytes`);
    assert.ok(shown.bytes <= MAX_REPLY_BYTES);
    const refused = await ask(service, { type: "rotate_key", key_id: id });
    assert.equal(refused.reply.code, "key_version_limit");
    assert.match(refused.reply.error as string, /\(256\)/);
    assert.equal((await keystore.describe(id)).latestVersion, 256);
  } finally {
    await keystore.close();
  }
});

Deno.test("rotate_key past --keystore-max-versions is refused until the key is trimmed", async () => {
  const { keystore, service } = await store(2);
  try {
    await ask(service, { type: "create_key", key_id: "k" });
    assert.equal(
      ((await ask(service, { type: "rotate_key", key_id: "k" })).reply
        .key as { latest_version: number }).latest_version,
      2,
    );
    assert.equal(
      (await ask(service, { type: "rotate_key", key_id: "k" })).reply.code,
      "key_version_limit",
    );
    await ask(service, {
      type: "configure_key",
      key_id: "k",
      min_decryption_version: 2,
    });
    assert.equal(
      (await ask(service, { type: "trim_key", key_id: "k" })).reply.trimmed,
      1,
    );
    assert.equal(
      ((await ask(service, { type: "rotate_key", key_id: "k" })).reply
        .key as { latest_version: number }).latest_version,
      3,
    );
  } finally {
    await keystore.close();
  }
});

Deno.test("a list_keys cursor is sealed: an edited one, or one of another keystore, is refused", async () => {
  const one = await store();
  const other = await store();
  try {
    for (const id of ["a", "b", "c"]) {
      for (const { keystore } of [one, other]) {
        await keystore.create({
          id,
          type: "rsa-2048",
          padding: "oaep-sha256",
          material,
        });
      }
    }
    const first = (await ask(one.service, { type: "list_keys", limit: 1 }))
      .reply;
    const cursor = first.next_cursor as string;
    const next = await ask(one.service, {
      type: "list_keys",
      limit: 1,
      cursor,
    });
    assert.deepEqual(
      (next.reply.keys as { key_id: string }[]).map((k) => k.key_id),
      ["b"],
    );
    const edited = cursor.slice(0, -2) + (cursor.endsWith("AA") ? "BA" : "AA");
    for (
      const [service, bad] of [[one.service, edited], [other.service, cursor]]
    ) {
      const refused = await ask(service as KeyService, {
        type: "list_keys",
        cursor: bad,
      });
      assert.equal(refused.reply.code, "invalid_field");
      assert.ok(!(refused.reply.error as string).includes(bad as string));
    }
  } finally {
    await one.keystore.close();
    await other.keystore.close();
  }
});
