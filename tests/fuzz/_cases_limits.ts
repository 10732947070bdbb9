// Case families for the hardening limits (issue 10): messages of many frames
// and odd envelopes sent by a DEALER of their own, routing ids the client
// chooses (and a second peer squatting one), and keys refused for what they
// would cost (public exponents of 2^17 and more, primes far from half the
// modulus), beside near misses the service must still serve.
//
// A DEALER case's reply is foretold by a model of lib/zmq/router.ts, written
// from what it documents: the service reads at most 10 frames of a message
// (the routing id libzmq puts first included); the envelope ends at the
// first empty frame after the routing id; a message whose envelope does not
// end among the frames read, or is over 8 frames, gets no reply; without an
// empty frame, a message read whole is the routing id and the request.

import {
  bitLength,
  gcd,
  lcm,
  pem,
  pkcs8Der,
  privateDer,
  privatePem,
  publicDer,
  publicPem,
  rsaFromPrimes,
  type RsaPrivateIntegers,
  spkiDer,
} from "../_helpers/der.ts";
import { Dealer } from "../_helpers/dealer.ts";
import { PRIMES } from "../_helpers/primes.ts";
import { encoder, json, lossy } from "./_config.ts";
import { type BaseMaterial, type Pair, pairOf, pkcs1Encrypt } from "./_keys.ts";
import {
  decryptRequest,
  encryptRequest,
  type Generated,
  manyRequest,
  single,
} from "./_requests.ts";
import { type Rng, streamRng } from "./_rng.ts";
import type { Material, Variant } from "./_variants.ts";

/** Frames the service reads of one message, the routing id included. */
const FRAMES_READ = 10;
/** The longest envelope answered, the routing id and delimiter included. */
const MAX_ENVELOPE = 8;
/** The first public exponent refused. */
const MAX_EXPONENT = 1n << 17n;

const EMPTY = new Uint8Array();

/** How a case goes over a DEALER socket of its own instead of a REQ client. */
export interface DealerPlan {
  /** The routing id the DEALER names itself with; none: libzmq makes one. */
  readonly routingId?: Uint8Array;
  /**
   * After the first DEALER is answered, a second one with the same routing
   * id connects and asks too: it must get nothing, and the first is still
   * answered.
   */
  readonly squatter?: boolean;
  /**
   * More messages sent at once after `frames` on the same connection, each
   * with hop frames of its own before the same delimiter and request: a
   * client passing for a new one on each request. Each must be answered
   * once, with its own hops; a burst within the per-client cap (8) is never
   * `overloaded`, and past it a reply may be.
   */
  readonly burst?: readonly (readonly Uint8Array[])[];
  /** What the reply starts with (the envelope sent back); null: no reply. */
  readonly echoed: readonly Uint8Array[] | null;
  /** The frames the service reads as the request (none when unanswered). */
  readonly parts: readonly Uint8Array[];
}

/** What the service makes of `sent`, one DEALER message (see the top). */
export function routed(
  sent: readonly Uint8Array[],
): Pick<DealerPlan, "echoed" | "parts"> {
  const all = [Uint8Array.of(1), ...sent]; // the routing id is never empty
  const read = all.slice(0, FRAMES_READ);
  let split = read.findIndex((frame, i) => i > 0 && frame.length === 0);
  if (split === -1) {
    if (all.length > FRAMES_READ) return { echoed: null, parts: [] };
    split = 0;
  }
  if (split + 1 > MAX_ENVELOPE) return { echoed: null, parts: [] };
  return { echoed: sent.slice(0, split), parts: read.slice(split + 1) };
}

const PING = json({ type: "ping" });

/** A request body for a DEALER case: cheap operations, or a few bytes. */
function body(r: Rng, m: Material, nonEmpty: boolean): [string, Uint8Array] {
  switch (r.weighted([[0, 4], [1, 3], [2, 3], [3, 1]] as const)) {
    case 0:
      return ["ping", PING];
    case 1:
      return ["encrypt", json(encryptRequest(m))];
    case 2:
      return ["decrypt", json(decryptRequest(m))];
    default: {
      const n = r.range(nonEmpty ? 1 : 0, 24);
      return [`${n} random bytes`, r.bytes(n)];
    }
  }
}

/** A frame that is not empty: a hop of an envelope, or junk. */
const hop = (r: Rng) => r.bytes(r.range(1, 8));

/**
 * A routing id a client may choose: 8 to 208 bytes (255 at times), any
 * values, a zero first byte included. Never 5 bytes: libzmq makes its own
 * ids of 5 bytes starting with zero, and does not check those it makes
 * against those clients chose (SECURITY.md). Long enough that two cases
 * running at once never choose the same one.
 */
function chosenId(r: Rng): Uint8Array {
  return r.bytes(r.chance(0.1) ? 255 : r.range(8, 208));
}

const idNote = (id: Uint8Array | undefined) =>
  id === undefined
    ? ""
    : ` from chosen id ${id.length} bytes ${id.subarray(0, 4).toHex()}..`;

/** A DEALER case: `sent` over a DEALER, its reply foretold by `routed`. */
function dealerCase(
  note: string,
  sent: Uint8Array[],
  plan: {
    routingId?: Uint8Array;
    squatter?: boolean;
    burst?: Uint8Array[][];
  } = {},
): Generated {
  const { echoed, parts } = routed(sent);
  return {
    note: `${note}${idNote(plan.routingId)} (${
      echoed === null
        ? "no reply"
        : `envelope ${echoed.length + 1}, ${parts.length} part(s)`
    })`,
    frames: sent,
    dealer: { ...plan, echoed, parts },
  };
}

/**
 * Messages of many frames and odd envelopes: hops before the delimiter (an
 * envelope of up to 12 frames), no delimiter at all, a long tail after a
 * valid request, empty frames anywhere.
 */
export function envelope(r: Rng, m: Material): Generated {
  const routingId = r.chance(0.25) ? chosenId(r) : undefined;
  switch (r.weighted([[0, 4], [1, 2], [2, 2], [3, 2]] as const)) {
    case 0: {
      const hops = r.range(0, 10);
      const [kind, request] = body(r, m, false);
      const tail = r.chance(0.8) ? [] : [PING];
      return dealerCase(
        `${hops} hops, delimiter, ${kind}${tail.length ? " + ping" : ""}`,
        [
          ...Array.from({ length: hops }, () => hop(r)),
          EMPTY,
          request,
          ...tail,
        ],
        { routingId },
      );
    }
    case 1: {
      const count = r.chance(0.4) ? 1 : r.range(2, 14);
      const frames = Array.from({ length: count }, () => body(r, m, true));
      return dealerCase(
        `${count} frames, no delimiter: ${frames.map(([k]) => k).join(",")}`,
        frames.map(([, f]) => f),
        { routingId },
      );
    }
    case 2: {
      const extra = r.range(1, 30);
      const [kind, request] = body(r, m, false);
      return dealerCase(
        `delimiter, ${kind}, ${extra} more frames`,
        [
          EMPTY,
          request,
          ...Array.from(
            { length: extra },
            () => r.chance(0.2) ? EMPTY : hop(r),
          ),
        ],
        { routingId },
      );
    }
    default: {
      const count = r.range(1, 16);
      const kinds: string[] = [];
      const frames = Array.from({ length: count }, () => {
        if (r.chance(0.3)) {
          kinds.push("empty");
          return EMPTY;
        }
        const [kind, frame] = body(r, m, true);
        kinds.push(kind);
        return frame;
      });
      return dealerCase(`${count} frames: ${kinds.join(",")}`, frames, {
        routingId,
      });
    }
  }
}

/**
 * One connection forging a new hop before the delimiter of each request:
 * 2 to 16 copies of a request sent at once, each behind 1 to 6 hop frames
 * of its own. They are one client (lib/zmq/client_key.ts): each is answered
 * with its own hops, and only those past the per-client cap may be
 * `overloaded`.
 */
export function forgedHops(r: Rng, m: Material): Generated {
  const count = r.range(2, 16);
  const [kind, request] = body(r, m, false);
  const routingId = r.chance(0.25) ? chosenId(r) : undefined;
  const messages = Array.from({ length: count }, (_, i) => {
    const hops = Array.from({ length: r.range(1, 6) }, () => hop(r));
    // Unique per message, so that each reply names the message it answers.
    hops[0] = new Uint8Array([...encoder.encode(`forged-${i}:`), ...hops[0]]);
    return [...hops, EMPTY, request];
  });
  return dealerCase(
    `${count} requests, each behind new forged hops: ${kind}`,
    messages[0],
    { routingId, burst: messages.slice(1) },
  );
}

/**
 * A client that names itself: served like any other under a routing id it
 * chose; at times a second peer then takes the same id, and gets nothing.
 */
export function routingId(r: Rng, m: Material): Generated {
  const id = chosenId(r);
  const [kind, request] = body(r, m, true);
  const delimited = r.chance(0.8);
  return dealerCase(
    `${kind}${delimited ? "" : ", no delimiter"}`,
    delimited ? [EMPTY, request] : [request],
    { routingId: id, squatter: r.chance(0.3) },
  );
}

/** Keys that cost too much, and near misses, in every field that takes a key. */
export function keyCost(r: Rng, m: Material): Generated {
  switch (r.weighted([[0, 4], [1, 4], [2, 2]] as const)) {
    case 0: {
      const v = r.pick(m.costPublics);
      const oaep = r.chance(0.3);
      return single(
        `rsa_public ${v.note}${oaep ? ", OAEP" : ""}`,
        json({
          ...encryptRequest(m),
          rsa_public: v.value,
          ...(oaep ? { padding: "oaep-sha256" } : {}),
        }),
        { code: v.code },
      );
    }
    case 1: {
      const v = r.pick(m.costPrivates);
      return single(
        `rsa_private ${v.note}`,
        json({
          ...decryptRequest(m),
          encrypted_fernet: v.ciphertext,
          rsa_private: v.value,
        }),
        v.code === "ok"
          ? { code: v.code, exactFernet: m.fernet, mustSucceed: true }
          : { code: v.code },
      );
    }
    default: {
      const chosen = Array.from(
        { length: r.range(1, 6) },
        () => r.chance(0.2) ? undefined : r.pick(m.costPublics),
      );
      return single(
        `encrypt_fernet_many: ${
          chosen.map((v) => v?.note ?? "a (valid)").join("; ")
        }`,
        json({
          ...manyRequest(m),
          rsa_publics: chosen.map((v) => v?.value ?? m.a.pub),
        }),
        { entryCodes: chosen.map((v) => v?.code ?? "ok"), mustSucceed: true },
      );
    }
  }
}

/** Material for `keyCost`: keys refused for their cost, and near misses. */
export interface LimitMaterial {
  /** Public keys, each with the code `encrypt_fernet` must answer. */
  readonly costPublics: readonly Variant[];
  /** Private keys, each with a ciphertext under it and the code. */
  readonly costPrivates: readonly Variant[];
  /** Their key pairs, for the checker to verify what the service encrypts. */
  readonly costPairs: readonly Pair[];
}

/** The limit material of `seed`, on a stream of its own. */
export function limitMaterial(seed: number, base: BaseMaterial): LimitMaterial {
  const rng = streamRng(seed, "limits");
  const { a } = base;
  const lambda = lcm(a.p - 1n, a.q - 1n);
  /** An odd exponent in [lo, hi) that makes a consistent key of a's primes. */
  const exponent = (lo: bigint, hi: bigint) => {
    for (;;) {
      const e = (lo + rng.bigint(bitLength(hi - lo) + 8) % (hi - lo)) | 1n;
      if (e < hi && gcd(e, lambda) === 1n) return e;
    }
  };
  /** Odd, two top bits set, not prime-checked: enough for a refused key. */
  const odd = (bits: number) =>
    rng.bigint(bits) | (3n << BigInt(bits - 2)) | 1n;
  /** A key of `p` and `q` drawn until coprime, e = 65537 inverted mod λ. */
  const consistent = (p: () => bigint, q: () => bigint) => {
    for (;;) {
      const [x, y] = [p(), q()];
      if (gcd(x, y) !== 1n || gcd(65537n, lcm(x - 1n, y - 1n)) !== 1n) continue;
      return rsaFromPrimes(x, y, 65537n);
    }
  };
  // Primes of chosen sizes are fixed ones (tests/_helpers/primes.ts): a
  // seeded search for them would double the time the material takes.
  const split = (pBits: keyof typeof PRIMES, qBits: keyof typeof PRIMES) =>
    rsaFromPrimes(PRIMES[pBits], PRIMES[qBits], 65537n);
  const OK = "ok";
  const KEY = "invalid_key";
  const keys: [string, RsaPrivateIntegers, string, string][] = [
    // [note, key, code of its private half, code of its public half]
    [
      "a's primes, e in [3, 2^17)",
      rsaFromPrimes(a.p, a.q, exponent(3n, MAX_EXPONENT)),
      OK,
      OK,
    ],
    [
      "a's primes, e = 2^17 - 1 or the next below",
      rsaFromPrimes(a.p, a.q, exponent(MAX_EXPONENT - 64n, MAX_EXPONENT)),
      OK,
      OK,
    ],
    [
      "a's primes, e in [2^17, 2^18)",
      rsaFromPrimes(a.p, a.q, exponent(MAX_EXPONENT, 2n * MAX_EXPONENT)),
      KEY,
      KEY,
    ],
    [
      "a's primes, e in [2^18, 2^32)",
      rsaFromPrimes(a.p, a.q, exponent(2n * MAX_EXPONENT, 1n << 32n)),
      KEY,
      KEY,
    ],
    [
      "a's primes, e in [2^32, 2^256)",
      rsaFromPrimes(a.p, a.q, exponent(1n << 32n, 1n << 256n)),
      KEY,
      KEY,
    ],
    // Primes bits(n)/2 ± bits(n)/16 are served, one bit further is not;
    // the public half never shows its primes, so it is always served.
    ["primes of 1152 and 896 bits", split(1152, 896), OK, OK],
    ["primes of 1088 and 960 bits (python-rsa)", split(1088, 960), OK, OK],
    ["primes of 1153 and 895 bits", split(1153, 895), KEY, OK],
    ["primes of 895 and 1153 bits", split(895, 1153), KEY, OK],
    [
      "p = 3, q odd of 2046 bits",
      consistent(() => 3n, () => odd(2046)),
      KEY,
      OK,
    ],
    [
      "odd p and q of 1536 and 512 bits",
      consistent(() => odd(1536), () => odd(512)),
      KEY,
      OK,
    ],
  ];
  const plain = encoder.encode(base.fernet);
  const costPublics: Variant[] = [];
  const costPrivates: Variant[] = [];
  const costPairs: Pair[] = [];
  for (const [note, key, privateCode, publicCode] of keys) {
    if (bitLength(key.n) !== 2048) {
      throw new Error(`limit material: ${note} is not 2048 bits`);
    }
    const pair = pairOf(note, key);
    if (privateCode === OK) costPairs.push(pair);
    const ciphertext = pkcs1Encrypt(rng, key, plain).toBase64();
    costPublics.push(
      { note, value: publicPem(key), code: publicCode },
      {
        note: `SPKI of ${note}`,
        value: pem("PUBLIC KEY", spkiDer(publicDer(key))),
        code: publicCode,
      },
    );
    costPrivates.push(
      { note, value: privatePem(key), code: privateCode, ciphertext },
      {
        note: `PKCS#8 of ${note}`,
        value: pem("PRIVATE KEY", pkcs8Der(privateDer(key))),
        code: privateCode,
        ciphertext,
      },
    );
  }
  return { costPublics, costPrivates, costPairs };
}

const decoder = lossy;

/** What a DEALER case came to: the reply's body, none, or what went wrong. */
export interface Exchanged {
  /** The reply's body frames (after the envelope); null when none came. */
  readonly reply: Uint8Array[] | null;
  /** What was wrong with how (or whether) it was answered. */
  readonly problem?: string;
}

const isPingReply = (message: Uint8Array[]) =>
  message.length === 2 && message[0].length === 0 &&
  /"status":"ok"/.test(decoder.decode(message[1]));

const isOverloaded = (message: Uint8Array[]) =>
  message.length === 2 && message[0].length === 0 &&
  /"code":"overloaded"/.test(decoder.decode(message[1]));

const equal = (x: Uint8Array, y: Uint8Array) => x.toHex() === y.toHex();

/**
 * Sends a DEALER case and collects its reply. A REQ-style ping follows the
 * case on the same connection: its reply shows the case's message was read.
 * A case foretold unanswered gets one more ping, and must have got nothing.
 */
export async function exchange(
  endpoint: string,
  frames: readonly Uint8Array[],
  plan: DealerPlan,
  timeoutMs: number,
): Promise<Exchanged> {
  const dealer = Dealer.connect(endpoint, { routingId: plan.routingId });
  let squatter: Dealer | undefined;
  const probe = async (expected: number) => {
    dealer.send([EMPTY, PING]);
    return await dealer.receive(expected, timeoutMs);
  };
  try {
    dealer.send(frames);
    if (plan.burst !== undefined) {
      return await exchangeBurst(dealer, frames, plan.burst, timeoutMs);
    }
    const { echoed } = plan;
    if (echoed === null) {
      const got = [...await probe(1), ...await probe(1), ...dealer.drain()];
      if (got.length !== 2 || !got.every(isPingReply)) {
        return {
          reply: null,
          problem: `foretold no reply, got ${got.length - 2} more message(s)`,
        };
      }
      return { reply: null };
    }
    const got = await probe(2);
    // Either may come first; with a REQ-style envelope both look alike, so
    // the case's reply is the one that leaves a ping reply as the other.
    const at = got.length !== 2
      ? -1
      : [0, 1].find((i) =>
        got[i].length === echoed.length + 1 &&
        echoed.every((frame, j) => equal(frame, got[i][j])) &&
        isPingReply(got[1 - i])
      ) ?? -1;
    if (at === -1) {
      return {
        reply: null,
        problem: `foretold a reply after an envelope of ${
          echoed.length + 1
        }, got ${got.length} message(s) of ${
          got.map((message) => message.length).join(",")
        } frame(s)`,
      };
    }
    const reply = got[at].slice(echoed.length);
    if (plan.squatter) {
      squatter = Dealer.connect(endpoint, { routingId: plan.routingId });
      squatter.send([EMPTY, PING]);
      const later = [...await probe(1), ...await probe(1)];
      const stolen = [...squatter.drain(), ...dealer.drain()];
      if (later.length !== 2 || stolen.length > 0) {
        return {
          reply,
          problem:
            `with a squatter on its routing id, the client got ${later.length} of 2 replies and ${stolen.length} went astray`,
        };
      }
    }
    return { reply };
  } finally {
    squatter?.close();
    dealer.close();
  }
}

/** Per-client requests in flight at once, the service's default. */
const PER_CLIENT_CAP = 8;

/**
 * A burst of forged-hop messages (`first`, then `burst`), sent on `dealer`:
 * each answered once with its own hops, the first `PER_CLIENT_CAP` never
 * `overloaded`. The first message's reply is the case's.
 */
async function exchangeBurst(
  dealer: Dealer,
  first: readonly Uint8Array[],
  burst: readonly (readonly Uint8Array[])[],
  timeoutMs: number,
): Promise<Exchanged> {
  const sent = [first, ...burst];
  for (const message of burst) dealer.send([...message]);
  dealer.send([EMPTY, PING]);
  const got = await dealer.receive(sent.length + 1, timeoutMs);
  const replies: (Uint8Array[] | undefined)[] = sent.map(() => undefined);
  let pings = 0;
  for (const message of got) {
    const i = sent.findIndex((m) => {
      const hops = m.length - 1; // its hops and delimiter
      return message.length === hops + 1 &&
        m.slice(0, hops).every((frame, j) => equal(frame, message[j]));
    });
    // The ping after the burst may find the client at its cap.
    if (i === -1 && (isPingReply(message) || isOverloaded(message))) pings++;
    else if (i === -1 || replies[i] !== undefined) {
      return {
        reply: null,
        problem: `a reply with hops no message had: ${
          message.map((f) => f.length).join(",")
        } / ${i}`,
      };
    } else replies[i] = message.slice(sent[i].length - 1);
  }
  const missing = replies.filter((reply) => reply === undefined).length;
  if (missing > 0 || pings !== 1) {
    return {
      reply: null,
      problem: `${missing} of ${sent.length} forged-hop messages unanswered`,
    };
  }
  const overloaded = replies.findIndex((reply) =>
    /"code":"overloaded"/.test(decoder.decode(reply![0]))
  );
  if (overloaded !== -1 && overloaded < PER_CLIENT_CAP) {
    return {
      reply: replies[0]!,
      problem: `message ${
        overloaded + 1
      } of a burst within the cap was overloaded`,
    };
  }
  return { reply: replies[0]! };
}
