/**
 * Test helper: CurveZMQ key pairs, key files and clients for the CURVE
 * tests (tests/e2e/curve_test.ts, tests/interop/python_curve_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ReqClient } from "../../lib/zmq/client.ts";
import {
  type CurveKeyPair,
  curvePublicKey,
  z85Encode,
} from "../../lib/zmq/curve.ts";
import { type RunningService, runService, testLibzmq } from "./service.ts";

/** A value as the service's logger writes it: bare, or quoted JSON. */
export function logged(value: string): string {
  return /^[!#-<>-~]+$/.test(value) ? value : JSON.stringify(value);
}

/** The key pair `deno task -q start curve-keypair` prints, and its text. */
export async function cliKeyPair(): Promise<CurveKeyPair & { text: string }> {
  const run = await runService(["curve-keypair"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const match = /^public (\S{40})\nsecret (\S{40})\n$/.exec(run.stdout);
  assert.ok(match, `not two key lines:\n${run.stdout}`);
  return { public: match[1], secret: match[2], text: run.stdout };
}

/**
 * A key pair whose secret and public keys both begin with `-`, as one
 * random pair in 7,225 does: the secret's first four bytes are chosen to
 * make its first Z85 digit `-` (digit 63), the rest drawn until the public
 * key's first digit is `-` too (one try in 85).
 */
export function dashKeyPair(): CurveKeyPair {
  const zmq = testLibzmq();
  const digit = 85 ** 4;
  for (;;) {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const lead = 63 * digit + Math.floor(Math.random() * digit);
    new DataView(secret.buffer).setUint32(0, lead);
    const pair = { secret: z85Encode(zmq, secret), public: "" };
    pair.public = curvePublicKey(zmq, pair.secret);
    if (pair.secret[0] === "-" && pair.public[0] === "-") return pair;
  }
}

/** Writes a file only its owner can read; resolves to its path. */
export async function writePrivate(
  path: string,
  text: string,
): Promise<string> {
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chmod(path, 0o600);
  return path;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-curve-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A REQ client of `service` speaking CURVE with `pair`, trusting `serverKey`. */
export function curveClient(
  service: RunningService,
  serverKey: string,
  pair: CurveKeyPair,
): ReqClient {
  return ReqClient.connect(testLibzmq(), {
    endpoint: service.endpoint,
    curveServerKey: serverKey,
    curvePublicKey: pair.public,
    curveSecretKey: pair.secret,
  });
}

/** Asserts that none of `secrets` (what, secret) is in the service's output. */
export function assertNoSecrets(
  service: RunningService,
  secrets: Record<string, string>,
): void {
  const output = service.stderr() + service.stdout();
  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(!output.includes(secret), `the service logged ${what}`);
  }
}

/** The pattern of the service's log line refusing `clientKey` from loopback. */
export function refusedLine(clientKey: string): RegExp {
  return new RegExp(
    `WARN auth-refused client_key=${
      RegExp.escape(logged(clientKey))
    } address=127\\.0\\.0\\.1`,
  );
}
