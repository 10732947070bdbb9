// End-to-end: Project Wycheproof's RSAES-OAEP (SHA-256, MGF1-SHA-256) and
// RSAES-PKCS1-v1_5 decryption vectors (tests/vectors/, see its README.md),
// run against the real service over ZeroMQ as `decrypt_fernet` requests, on
// both decryption backends: a default service (OpenSSL's libcrypto) and a
// `--crypto-backend node` one (node:crypto), which must also give the
// byte-identical reply to every vector.
//
// Expected of every vector, decided from the vector alone:
//   - a ciphertext not exactly modulus-long, or not below the modulus:
//     `invalid_ciphertext`;
//   - a `valid` vector, encrypted with an empty label, whose message is valid
//     UTF-8: `{"fernet": message}`;
//   - anything else (invalid or acceptable vectors, valid ones whose message
//     is not UTF-8, OAEP ones encrypted with a non-empty label, which the
//     service's empty label cannot open): the one reply
//     `{"error":"Decryption failed","code":"decryption_failed"}`, byte for
//     byte, whatever the cause.

import assert from "node:assert/strict";
import {
  bytesToBigint,
  pem,
  pkcs8Der,
  privateDer,
  readIntegerSequence,
  type RsaPrivateIntegers,
} from "../_helpers/der.ts";
import {
  jsonBytes,
  parseReply,
  type RunningService,
  startService,
} from "../_helpers/service.ts";
import type { ReqClient } from "../../lib/zmq/client.ts";
import { detectLibcrypto, gate } from "../_helpers/gate.ts";

const VECTORS = new URL("../vectors/", import.meta.url);

/** The vector files, with the SHA-256 of each as fetched (see README.md). */
const FILES = {
  "rsa_oaep_2048_sha256_mgf1sha256_test.json":
    "83dce701e3d8640ac56e6d7bf37a5a8f9bd6a336e1e932a1e9bfe4ba9c5ea3a9",
  "rsa_oaep_3072_sha256_mgf1sha256_test.json":
    "c8122302f522bfd539650c71c4aa966bd1f89acb50c6f4c190030fdb9b2684a4",
  "rsa_oaep_4096_sha256_mgf1sha256_test.json":
    "e0eb85bcd6d66a85941ee3d98e44f7d1ffb0cf870ba6550e1ed3bec4174c60a9",
  "rsa_pkcs1_2048_test.json":
    "28466c4390f1f8943754a990ba36397ebbac628117d91b57f87e1ba200b932f3",
  "rsa_pkcs1_3072_test.json":
    "c85a9f9d431789e1b9243bdc7d71bf0160ee5a5b40be2e1ada892b98e21eb4ab",
  "rsa_pkcs1_4096_test.json":
    "80046c2964ff551e054cdd5bb7c1d2c3758b1a0225b1a5b3bd6ace8ee0a7219b",
} as const;

type FileName = keyof typeof FILES;

/** The one reply every decryption failure gets, byte for byte. */
const DECRYPTION_FAILED =
  '{"error":"Decryption failed","code":"decryption_failed"}';

/** Requests in flight at once (one REQ client each). */
const CLIENTS = 4;
/** How long one reply may take before the test gives up on it. */
const REPLY_TIMEOUT_MS = 20_000;

// --- The vector files ------------------------------------------------------

interface WycheproofKey {
  readonly modulus: string;
  readonly publicExponent: string;
  readonly privateExponent: string;
  readonly prime1: string;
  readonly prime2: string;
  readonly exponent1: string;
  readonly exponent2: string;
  readonly coefficient: string;
}

interface WycheproofVector {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly ct: string;
  /** OAEP only: hex of the label used to encrypt. */
  readonly label?: string;
  readonly result: "valid" | "invalid" | "acceptable";
}

interface WycheproofGroup {
  readonly type: string;
  readonly keySize: number;
  /** OAEP only. */
  readonly sha?: string;
  readonly mgf?: string;
  readonly mgfSha?: string;
  readonly privateKey: WycheproofKey;
  /** Hex of the PKCS#8 PrivateKeyInfo DER. */
  readonly privateKeyPkcs8: string;
  readonly tests: readonly WycheproofVector[];
}

interface WycheproofFile {
  readonly algorithm: string;
  readonly schema: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

/** What a file is and how the service is asked to decrypt its vectors. */
interface Kind {
  readonly algorithm: string;
  readonly schema: string;
  readonly groupType: string;
  /** The request's `padding` field; absent for the default (PKCS#1 v1.5). */
  readonly padding?: "oaep-sha256";
}

const OAEP: Kind = {
  algorithm: "RSAES-OAEP",
  schema: "rsaes_oaep_decrypt_schema_v1.json",
  groupType: "RsaesOaepDecrypt",
  padding: "oaep-sha256",
};
const PKCS1: Kind = {
  algorithm: "RSAES-PKCS1-v1_5",
  schema: "rsaes_pkcs1_decrypt_schema_v1.json",
  groupType: "RsaesPkcs1Decrypt",
};

function kindOf(name: FileName): Kind {
  return name.startsWith("rsa_oaep_") ? OAEP : PKCS1;
}

async function readVectorFile(name: FileName): Promise<WycheproofFile> {
  return JSON.parse(await Deno.readTextFile(new URL(name, VECTORS)));
}

// --- Keys --------------------------------------------------------------------

function integers(key: WycheproofKey): RsaPrivateIntegers {
  const int = (hex: string) => BigInt("0x" + hex);
  return {
    n: int(key.modulus),
    e: int(key.publicExponent),
    d: int(key.privateExponent),
    p: int(key.prime1),
    q: int(key.prime2),
    dp: int(key.exponent1),
    dq: int(key.exponent2),
    qi: int(key.coefficient),
  };
}

/** A DER TLV's tag and the bounds of its content. */
function readTlv(
  der: Uint8Array,
  at: number,
): { tag: number; start: number; end: number } {
  assert.ok(at + 2 <= der.length, "DER: truncated header");
  const tag = der[at];
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    assert.ok(count >= 1 && count <= 4, "DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  assert.ok(start + length <= der.length, "DER: content past the end");
  return { tag, start, end: start + length };
}

/**
 * The PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: the content of
 * its OCTET STRING (the third element of the outer SEQUENCE).
 */
function unwrapPkcs8(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  assert.equal(outer.tag, 0x30, "PKCS#8: not a SEQUENCE");
  assert.equal(outer.end, der.length, "PKCS#8: bytes after the SEQUENCE");
  const version = readTlv(der, outer.start);
  assert.equal(version.tag, 0x02, "PKCS#8: version is not an INTEGER");
  const algorithm = readTlv(der, version.end);
  assert.equal(algorithm.tag, 0x30, "PKCS#8: no AlgorithmIdentifier");
  const key = readTlv(der, algorithm.end);
  assert.equal(key.tag, 0x04, "PKCS#8: privateKey is not an OCTET STRING");
  return der.slice(key.start, key.end);
}

/** A group's key in the two PEM forms a client may send. */
interface GroupKey {
  readonly integers: RsaPrivateIntegers;
  /** Modulus length in bytes: the only valid ciphertext length. */
  readonly size: number;
  /** `-----BEGIN PRIVATE KEY-----`: the group's PKCS#8 DER as it is. */
  readonly pkcs8Pem: string;
  /** `-----BEGIN RSA PRIVATE KEY-----`: the PKCS#8's inner RSAPrivateKey. */
  readonly pkcs1Pem: string;
}

function groupKey(group: WycheproofGroup): GroupKey {
  const pkcs8 = Uint8Array.fromHex(group.privateKeyPkcs8);
  const pkcs1 = unwrapPkcs8(pkcs8);
  const ints = integers(group.privateKey);
  return {
    integers: ints,
    size: Math.ceil(ints.n.toString(2).length / 8),
    pkcs8Pem: pem("PRIVATE KEY", pkcs8),
    pkcs1Pem: pem("RSA PRIVATE KEY", pkcs1),
  };
}

// --- Expectations ------------------------------------------------------------

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The message as text, or undefined when it is not valid UTF-8. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** What the service must answer to one vector. */
type Expected =
  | { readonly kind: "ok"; readonly fernet: string }
  | { readonly kind: "invalid_ciphertext"; readonly why: string }
  | { readonly kind: "decryption_failed"; readonly why: string };

function expected(key: GroupKey, vector: WycheproofVector): Expected {
  const ct = Uint8Array.fromHex(vector.ct);
  if (ct.length !== key.size) {
    return {
      kind: "invalid_ciphertext",
      why: `${ct.length} bytes, modulus ${key.size}`,
    };
  }
  if (bytesToBigint(ct) >= key.integers.n) {
    return { kind: "invalid_ciphertext", why: "not below the modulus" };
  }
  if ((vector.label ?? "") !== "") {
    return { kind: "decryption_failed", why: "encrypted with a label" };
  }
  if (vector.result !== "valid") {
    return { kind: "decryption_failed", why: vector.result };
  }
  const text = utf8(Uint8Array.fromHex(vector.msg));
  return text === undefined
    ? { kind: "decryption_failed", why: "valid, message not UTF-8" }
    : { kind: "ok", fernet: text };
}

// --- Talking to the service -------------------------------------------------

/** Runs `jobs` on `CLIENTS` REQ clients, each taking the next job in turn. */
async function runConcurrently<T, R>(
  service: RunningService,
  jobs: readonly T[],
  run: (client: ReqClient, job: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CLIENTS, jobs.length) }, async () => {
      const client = service.client();
      try {
        while (next < jobs.length) {
          const index = next++;
          results[index] = await run(client, jobs[index]);
        }
      } finally {
        client.close();
      }
    }),
  );
  return results;
}

const decoder = new TextDecoder();

/** The reply's frame as text. */
async function decrypt(
  client: ReqClient,
  body: Record<string, string>,
): Promise<string> {
  const frames = await client.request(jsonBytes(body), REPLY_TIMEOUT_MS);
  parseReply(frames); // one frame, one JSON object
  return decoder.decode(frames[0]);
}

type KeyForm = "pkcs8" | "pkcs1";

const FORM_LABEL: Record<KeyForm, string> = {
  pkcs8: "PKCS#8 PRIVATE KEY",
  pkcs1: "PKCS#1 RSA PRIVATE KEY",
};

/** What one run of a file came to. */
interface FileRun {
  readonly tally: Tally;
  /** Each vector's reply, as text, in file order. */
  readonly replies: readonly string[];
}

/** Outcome counts of one file, for the log. */
interface Tally {
  ok: number;
  decryption_failed: number;
  invalid_ciphertext: number;
  other: number;
  /** Vectors encrypted with a non-empty OAEP label (among the above). */
  labelled: number;
}

/**
 * Sends every vector of `file` with its group's key in `form`; asserts each
 * reply is what {@linkcode expected} says, listing every mismatch.
 */
async function checkFile(
  service: RunningService,
  backend: string,
  name: FileName,
  form: KeyForm,
): Promise<FileRun> {
  const file = await readVectorFile(name);
  const kind = kindOf(name);
  const jobs = file.testGroups.flatMap((group, groupIndex) => {
    const key = groupKey(group);
    return group.tests.map((vector) => ({ groupIndex, key, vector }));
  });
  const replies = await runConcurrently(service, jobs, (client, job) => {
    const body: Record<string, string> = {
      type: "decrypt_fernet",
      encrypted_fernet: Uint8Array.fromHex(job.vector.ct).toBase64(),
      rsa_private: form === "pkcs8" ? job.key.pkcs8Pem : job.key.pkcs1Pem,
    };
    if (kind.padding !== undefined) body.padding = kind.padding;
    return decrypt(client, body);
  });

  const tally: Tally = {
    ok: 0,
    decryption_failed: 0,
    invalid_ciphertext: 0,
    other: 0,
    labelled: 0,
  };
  const mismatches: string[] = [];
  /** Per key: the distinct failure replies other than invalid_ciphertext. */
  const failuresByKey = new Map<number, Set<string>>();
  jobs.forEach(({ groupIndex, key, vector }, i) => {
    const raw = replies[i];
    const reply = JSON.parse(raw) as Record<string, unknown>;
    const want = expected(key, vector);
    if ((vector.label ?? "") !== "") tally.labelled++;
    if (reply.code === "invalid_ciphertext") tally.invalid_ciphertext++;
    else if (reply.code === "decryption_failed") tally.decryption_failed++;
    else if (Object.hasOwn(reply, "fernet")) tally.ok++;
    else tally.other++;
    if (want.kind !== "invalid_ciphertext" && "error" in reply) {
      const seen = failuresByKey.get(groupIndex) ?? new Set<string>();
      seen.add(raw);
      failuresByKey.set(groupIndex, seen);
    }
    const what = `tcId ${vector.tcId} (${vector.result}, ${
      vector.flags.join("+") || "no flags"
    }, "${vector.comment}")`;
    switch (want.kind) {
      case "ok": {
        const same = Object.keys(reply).length === 1 &&
          reply.fernet === want.fernet;
        if (!same) {
          mismatches.push(
            `${what}: want {"fernet": ${
              JSON.stringify(want.fernet).slice(0, 60)
            }}, got ${raw.slice(0, 200)}`,
          );
        }
        break;
      }
      case "invalid_ciphertext": {
        const same = Object.keys(reply).sort().join() === "code,error" &&
          typeof reply.error === "string" &&
          reply.code === "invalid_ciphertext";
        if (!same) {
          mismatches.push(
            `${what}: want invalid_ciphertext (${want.why}), got ${
              raw.slice(0, 200)
            }`,
          );
        }
        break;
      }
      case "decryption_failed":
        if (raw !== DECRYPTION_FAILED) {
          mismatches.push(
            `${what}: want ${DECRYPTION_FAILED} (${want.why}), got ${
              raw.slice(0, 200)
            }`,
          );
        }
        break;
    }
  });
  for (const [groupIndex, seen] of failuresByKey) {
    if (seen.size > 1) {
      mismatches.push(
        `group ${groupIndex}: ${seen.size} distinct failure replies for one key: ${
          [...seen].join(" | ").slice(0, 400)
        }`,
      );
    }
  }
  console.log(
    `${backend}: ${name} [${FORM_LABEL[form]}${
      kind.padding ? `, ${kind.padding}` : ", default padding"
    }]: ${jobs.length} vectors, ${file.testGroups.length} key(s): ` +
      `ok ${tally.ok}, decryption_failed ${tally.decryption_failed}, ` +
      `invalid_ciphertext ${tally.invalid_ciphertext}` +
      (tally.other ? `, other ${tally.other}` : "") +
      (tally.labelled ? ` (${tally.labelled} encrypted with a label)` : ""),
  );
  assert.deepEqual(
    mismatches,
    [],
    `${backend}: ${name}, key as ${
      FORM_LABEL[form]
    }: ${mismatches.length} of ${jobs.length} vectors answered wrongly`,
  );
  return { tally, replies };
}

/**
 * Asserts that two backends gave the same reply, byte for byte, to every
 * vector of `name`, listing the vectors where they differ.
 */
async function assertSameReplies(
  name: FileName,
  form: KeyForm,
  runs: readonly (readonly [string, FileRun])[],
): Promise<void> {
  const file = await readVectorFile(name);
  const vectors = file.testGroups.flatMap((group) => group.tests);
  const [[firstName, first], ...others] = runs;
  for (const [otherName, other] of others) {
    assert.equal(other.replies.length, first.replies.length);
    const differences: string[] = [];
    first.replies.forEach((reply, i) => {
      if (other.replies[i] !== reply) {
        differences.push(
          `tcId ${vectors[i].tcId}: ${firstName} ${reply.slice(0, 120)}, ` +
            `${otherName} ${other.replies[i].slice(0, 120)}`,
        );
      }
    });
    assert.deepEqual(
      differences,
      [],
      `${name}, key as ${FORM_LABEL[form]}: ${firstName} and ${otherName} ` +
        `differ on ${differences.length} of ${first.replies.length} vectors`,
    );
  }
}

// --- The tests -----------------------------------------------------------------

Deno.test("the Wycheproof vector files are the pinned ones, and each group's PKCS#8 key wraps the PKCS#1 key of its integers", async () => {
  for (const [name, sha256] of Object.entries(FILES) as [FileName, string][]) {
    const bytes = await Deno.readFile(new URL(name, VECTORS));
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", bytes),
    );
    assert.equal(digest.toHex(), sha256, `${name} changed`);
    const file = await readVectorFile(name);
    const kind = kindOf(name);
    assert.equal(file.algorithm, kind.algorithm, name);
    assert.equal(file.schema, kind.schema, name);
    const count = file.testGroups.reduce((n, g) => n + g.tests.length, 0);
    assert.equal(count, file.numberOfTests, `${name}: numberOfTests`);
    const bits = Number(/_(\d{4})_/.exec(name)![1]);
    for (const group of file.testGroups) {
      assert.equal(group.type, kind.groupType, name);
      assert.equal(group.keySize, bits, name);
      if (kind === OAEP) {
        assert.deepEqual(
          [group.sha, group.mgf, group.mgfSha],
          ["SHA-256", "MGF1", "SHA-256"],
          name,
        );
      }
      const key = groupKey(group);
      assert.equal(key.integers.n.toString(2).length, bits, name);
      const pkcs1 = unwrapPkcs8(Uint8Array.fromHex(group.privateKeyPkcs8));
      // The inner key is the canonical DER of the group's integers, and
      // re-wrapping it gives back the PKCS#8 bytes of the file.
      assert.deepEqual(pkcs1, privateDer(key.integers), name);
      assert.deepEqual(
        pkcs8Der(pkcs1),
        Uint8Array.fromHex(group.privateKeyPkcs8),
        name,
      );
      assert.deepEqual(
        readIntegerSequence(pkcs1),
        [0n, ...Object.values(key.integers)],
        name,
      );
      for (const vector of group.tests) {
        // A valid vector is never a malformed ciphertext.
        const want = expected(key, vector);
        if (vector.result === "valid") {
          assert.notEqual(
            want.kind,
            "invalid_ciphertext",
            `${name} ${vector.tcId}`,
          );
        }
      }
    }
  }
});

/** The steps, today's contract (PKCS#1 PEM, PKCS#1 v1.5) first. */
const STEPS: readonly (readonly [FileName, KeyForm])[] = [
  ["rsa_pkcs1_2048_test.json", "pkcs1"],
  ["rsa_pkcs1_3072_test.json", "pkcs1"],
  ["rsa_pkcs1_4096_test.json", "pkcs1"],
  ["rsa_pkcs1_2048_test.json", "pkcs8"],
  ["rsa_pkcs1_3072_test.json", "pkcs8"],
  ["rsa_pkcs1_4096_test.json", "pkcs8"],
  ["rsa_oaep_2048_sha256_mgf1sha256_test.json", "pkcs8"],
  ["rsa_oaep_3072_sha256_mgf1sha256_test.json", "pkcs8"],
  ["rsa_oaep_4096_sha256_mgf1sha256_test.json", "pkcs8"],
  ["rsa_oaep_2048_sha256_mgf1sha256_test.json", "pkcs1"],
  ["rsa_oaep_3072_sha256_mgf1sha256_test.json", "pkcs1"],
  ["rsa_oaep_4096_sha256_mgf1sha256_test.json", "pkcs1"],
];

/** The backends every step runs on, with the flags that choose each. */
const BACKENDS: readonly (readonly [string, readonly string[]])[] = [
  ["openssl (default)", []],
  ["node", ["--crypto-backend", "node"]],
];

/** Both backends run the vectors: OpenSSL needs libcrypto 3 here. */
const LIBCRYPTO = gate("Wycheproof tests on both backends", detectLibcrypto());

Deno.test({
  name:
    "Wycheproof RSAES vectors over the wire, on the OpenSSL and the node:crypto backend: valid UTF-8 messages decrypt to {fernet: msg}, wrong-length or unreduced ciphertexts get invalid_ciphertext, every other vector gets the one byte-identical decryption_failed reply, and both backends give the same reply to every vector",
  ignore: LIBCRYPTO.ignore,
  fn: async (t) => {
    LIBCRYPTO.assertRunnable();
    const services: [string, RunningService][] = [];
    const codes: number[] = [];
    try {
      for (const [backend, flags] of BACKENDS) {
        services.push([
          backend,
          await startService([
            "--max-inflight",
            "1024",
            "--pool-size",
            "0",
            ...flags,
          ]),
        ]);
      }
      // Each service runs the backend it was asked for.
      const [[, openssl], [, node]] = services;
      assert.match((await openssl.ping()).crypto, /^openssl-3\./);
      assert.equal((await node.ping()).crypto, "node");
      for (const [name, form] of STEPS) {
        const padding = kindOf(name).padding;
        await t.step(
          `${name}, key as ${FORM_LABEL[form]}, ${
            padding
              ? `"padding": "${padding}"`
              : "no padding field (PKCS#1 v1.5)"
          }: every reply as the vector says, on both backends alike`,
          async () => {
            const runs = await Promise.all(
              services.map(async ([backend, service]) =>
                [
                  backend,
                  await checkFile(service, backend, name, form),
                ] as const
              ),
            );
            await assertSameReplies(name, form, runs);
          },
        );
      }
    } finally {
      for (const [, service] of services) codes.push(await service.shutDown());
    }
    services.forEach(([backend, service], i) =>
      assert.equal(
        codes[i],
        0,
        `the ${backend} service exited with ${codes[i]}:\n${service.stderr()}`,
      )
    );
  },
});
