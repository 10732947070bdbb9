// The fuzz run's settings (from the environment), its seed, and the text
// helpers every part shares.

function envInt(name: string, fallback: number): number {
  const text = Deno.env.get(name);
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${text}"`);
  }
  return value;
}

/** The run's seed: KEYSERVICE_FUZZ_SEED, or a fresh random one. */
export const SEED = envInt(
  "KEYSERVICE_FUZZ_SEED",
  crypto.getRandomValues(new Uint32Array(1))[0],
) >>> 0;
/** Number of fuzz requests (KEYSERVICE_FUZZ_COUNT). */
export const COUNT = envInt("KEYSERVICE_FUZZ_COUNT", 5000);
/** Send only these case indexes (KEYSERVICE_FUZZ_ONLY=i,j,...). */
export const ONLY: readonly number[] = (Deno.env.get("KEYSERVICE_FUZZ_ONLY") ??
  "").split(",").filter((s) => s.trim() !== "").map(Number);
/** Concurrent REQ clients. */
export const CLIENTS = 8;
/**
 * How long a client waits for one reply before the case fails: long enough
 * for a 4096-bit key made on demand and sealed with 600,000 PBKDF2
 * iterations behind 7 other clients' work on a loaded 2-core machine (CI
 * saw one pass 30 s), short enough to catch a request never answered.
 */
export const TIMEOUT_MS = 120_000;
/** A ping (with the service's RSS) after every this many replies. */
export const PROBE_EVERY = 1000;
/** The service's default request size limit. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** At most this many generate_keys among the fuzz cases (they are slow). */
export const GENERATE_BUDGET = 40;
/** Of those, at most this many with a passphrase (PBKDF2 in the service). */
export const PASSPHRASE_BUDGET = 10;
/** Of those, at most this many of 3072 or 4096 bits (seconds each). */
export const BIG_KEY_BUDGET = 3;
/** The service's --pbkdf2-iterations in the fuzz run: the least it takes. */
export const PBKDF2_ITERATIONS = 100_000;
/** At most this many requests just over 64 KiB. */
export const OVER_LIMIT_BUDGET = 12;
/** How much the service's RSS may grow from the first probe to the end. */
export const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
/** The service's key pool: small, so the suite spends little CPU refilling it. */
export const POOL_SIZE = 4;

/** The command that replays this run exactly. */
export const REPLAY = `KEYSERVICE_FUZZ_SEED=${SEED} deno task test:fuzz`;
/** Prefix of every line and assertion message of this run. */
export const TAG = `[fuzz seed ${SEED}]`;

export const encoder = new TextEncoder();
/** Decodes as the service does (fatal; one leading BOM dropped). */
export const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Decodes as Python's `bytes.decode()` does: a leading U+FEFF is kept. */
export const utf8KeepBom = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});
/** Decodes anything, replacing what is not UTF-8. */
export const lossy = new TextDecoder();

/** JSON text of `value` with every non-ASCII code unit escaped (a BOM shows). */
export function show(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(
    /[^\x20-\x7e]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** The UTF-8 bytes of `value` as JSON. */
export const json = (value: unknown): Uint8Array =>
  encoder.encode(JSON.stringify(value));
