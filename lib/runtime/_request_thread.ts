// Private: a request thread (a Web Worker). It takes requests from the
// socket thread through libzmq (lib/zmq/thread_socket.ts), handles each
// with a KeyService of its own (parsing, key checks, encryption, the
// private-key operation in OpenSSL on this very thread) and sends the reply
// straight back. The bounds per client and in all are kept on the socket
// thread before a request gets here; key pairs, on-demand generation and
// `ping`'s status are asked of the socket thread, so the key pool stays one.
//
// While no request of its own waits on something else (a key pair,
// PBKDF2), the thread waits for the next request in libzmq on this thread,
// which is the fastest hand-off measured (docs/architecture-threads.md);
// otherwise it waits off-thread, so that its event loop can finish the work.

import {
  type Ask,
  CRASH_REQUEST,
  encodeFacts,
  type FromThread,
  type ThreadSetup,
  type ToThread,
} from "./_thread_protocol.ts";
import { loadLibcrypto, type Padding } from "../crypto/mod.ts";
import { InternalError, Overloaded } from "../service/errors.ts";
import { KeyService } from "../service/key_service.ts";
import { OpenSslBackend } from "../service/decrypt/openssl_backend.ts";
import type {
  Decryptor,
  Encryptor,
  StoredDecryptor,
} from "../service/types.ts";
import type { Keystore } from "../keystore/keystore.ts";
import { WorkLimiter } from "../service/work_limiter.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import { ThreadSocket } from "../zmq/thread_socket.ts";

const decoder = new TextDecoder();

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToThread>) => void) | null;
  postMessage(message: FromThread): void;
  close(): void;
};

/** How long the thread waits in libzmq before its timers get a turn. */
const IDLE_MS = 250;
/** Microtask turns a request gets to finish before it counts as waiting. */
const SETTLE_TICKS = 64;
/** No bound here: the socket thread keeps them. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

const asked = new Map<
  number,
  { resolve(value: unknown): void; reject(error: Error): void }
>();
let nextAsk = 0;

function ask<T>(question: Ask): Promise<T> {
  const id = nextAsk++;
  return new Promise<T>((resolve, reject) => {
    asked.set(id, { resolve: resolve as (value: unknown) => void, reject });
    scope.postMessage({ kind: "ask", id, ask: question });
  });
}

scope.onmessage = ({ data }) => {
  if (data.kind === "start") {
    start(data.setup);
    return;
  }
  const pending = asked.get(data.id);
  if (pending === undefined) return;
  asked.delete(data.id);
  if (data.ok) pending.resolve(data.value);
  else pending.reject(data.overloaded ? new Overloaded() : new InternalError());
};

/** Private-key decryptions since the last reply, by padding. */
const decryptions: Record<Padding, number> = {
  "pkcs1v15": 0,
  "oaep-sha256": 0,
};

async function backend(
  setup: ThreadSetup,
): Promise<{ decrypt: Decryptor; encrypt?: Encryptor; close?(): void }> {
  if (setup.crypto.kind === "openssl") {
    const { libcrypto, preparedKeys, preparedKeySeconds } = setup.crypto;
    return new OpenSslBackend(
      loadLibcrypto(libcrypto, { onThread: true }),
      1,
      preparedKeys === 0
        ? undefined
        : { size: preparedKeys, lifetimeMs: preparedKeySeconds * 1000 },
    );
  }
  const { decryptWith } = await import("../crypto/node_decrypt.ts");
  return {
    decrypt: (key, ciphertext, padding) =>
      Promise.try(() => decryptWith(padding, key, ciphertext)),
  };
}

/** This thread's own connection to the keystore, if there is one. */
async function keystore(
  setup: ThreadSetup,
): Promise<Keystore | undefined> {
  if (setup.keystore === undefined) return undefined;
  const { openKeystoreWith } = await import("../keystore/open.ts");
  try {
    return await openKeystoreWith(
      setup.keystore.location,
      setup.keystore.master,
    );
  } finally {
    setup.keystore.master.fill(0);
  }
}

async function start(setup: ThreadSetup): Promise<void> {
  const crypto = await backend(setup);
  const stored = await keystore(setup);
  const service = new KeyService({
    version: setup.version,
    maxInflight: UNBOUNDED,
    maxInflightPerClient: UNBOUNDED,
    maxPoolWaiters: UNBOUNDED,
    maxRequestBytes: setup.maxRequestBytes,
    maxManyRequestBytes: setup.maxManyRequestBytes,
    maxAgeRequestBytes: setup.maxAgeRequestBytes,
    keyLimits: {
      minBits: setup.minKeyBits,
      maxIterations: setup.maxPbkdf2Iterations,
    },
    keyPairs: { take: () => ask({ what: "pair" }) },
    generate: (bits) => ask({ what: "generate", bits }),
    limiter: new WorkLimiter(UNBOUNDED),
    passphraseLimiter: new WorkLimiter(setup.passphraseConcurrency),
    decrypt: (key, ciphertext, padding) => {
      decryptions[padding]++;
      return crypto.decrypt(key, ciphertext, padding);
    },
    encrypt: crypto.encrypt,
    pbkdf2Iterations: setup.pbkdf2Iterations,
    status: () => ask({ what: "status" }),
    pingDetail: setup.pingDetail,
    capabilities: setup.capabilities,
    keystore: stored && {
      keystore: stored,
      audit: setup.keystore?.audit
        ? { record: (event) => ask<void>({ what: "audit", event }) }
        : undefined,
      decryptStored: "decryptStored" in crypto
        ? crypto.decryptStored as StoredDecryptor
        : undefined,
    },
    onInternalError: (error) =>
      scope.postMessage({
        kind: "internal-error",
        error: error instanceof Error ? error.name : typeof error,
      }),
  });
  const socket = ThreadSocket.connect(loadLibzmq(setup.libzmq), {
    ...setup.port,
    id: setup.id,
  });
  scope.postMessage({ kind: "ready", sockets: socket.sockets });
  const crash = setup.crashHook
    ? new TextEncoder().encode(CRASH_REQUEST)
    : null;
  // Requests not finished within their first turns: they wait on the
  // socket thread (a key pair) or on Deno's thread pool (PBKDF2).
  const waiting = new Set<Promise<void>>();
  while (true) {
    const frames = waiting.size === 0
      ? socket.receive(IDLE_MS)
      : await socket.receiveLater(IDLE_MS);
    if (frames === null) {
      // A turn for timers (the prepared keys' expiry) after an idle wait.
      if (waiting.size === 0) await new Promise((r) => setTimeout(r, 0));
      continue;
    }
    const [id, clientFrame, keyFrame, ...parts] = frames;
    if (id.length === 0) break; // asked to stop
    if (crash !== null && parts.length === 1 && equal(parts[0], crash)) {
      throw new Error("request thread crash (test hook)");
    }
    const started = performance.now();
    let done = false;
    // The client, as the socket thread named it: passphrase work takes
    // turns client by client on this thread.
    const client = decoder.decode(clientFrame);
    const clientKey = keyFrame.length === 0
      ? undefined
      : decoder.decode(keyFrame);
    const handled = service.handle(parts, client, clientKey).then((outcome) => {
      done = true;
      socket.send([
        id,
        outcome.reply,
        encodeFacts({
          type: outcome.type,
          code: outcome.code,
          threadMs: Math.round((performance.now() - started) * 1000) / 1000,
          pkcs1v15: decryptions.pkcs1v15,
          oaep: decryptions["oaep-sha256"],
        }),
      ]);
      decryptions.pkcs1v15 = decryptions["oaep-sha256"] = 0;
    });
    for (let tick = 0; tick < SETTLE_TICKS && !done; tick++) await null;
    if (!done) {
      waiting.add(handled);
      handled.finally(() => waiting.delete(handled));
    }
  }
  // Stopping: what this thread still has in hand is answered first.
  await Promise.allSettled(waiting);
  // Prepared keys are freed in OpenSSL (which clears them), not left behind
  // in the process's memory by a thread that is gone.
  crypto.close?.();
  socket.close();
  scope.postMessage({ kind: "stopped" });
  scope.close();
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
