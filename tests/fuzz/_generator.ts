// The sequence of fuzz requests of a seed: case i is drawn from its own
// generator (seed, i), by a family chosen by weight, and classified.

import {
  BIG_KEY_BUDGET,
  GENERATE_BUDGET,
  PASSPHRASE_BUDGET,
} from "./_config.ts";
import { many, options } from "./_cases_v11.ts";
import { ageFiles, ageRecipients } from "./_cases_age.ts";
import { envelope, forgedHops, keyCost, routingId } from "./_cases_limits.ts";
import {
  type Budgets,
  huge,
  multiFrame,
  mutatedJson,
  randomBytes,
  truncated,
} from "./_cases_bytes.ts";
import { duplicateKeys, proto, typeConfusion, unicode } from "./_cases_json.ts";
import {
  mutatedCiphertext,
  mutatedPem,
  pemVariants,
  valid,
} from "./_cases_keys.ts";
import { classify, type Expect } from "./_classifier.ts";
import { oversizedDer } from "./_cases_der.ts";
import type { Generated } from "./_requests.ts";
import { caseRng, type Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** A request of the run, with what its reply must be. */
export interface FuzzCase extends Generated {
  readonly index: number;
  readonly category: string;
  readonly expect: Expect;
  /** The service may refuse what would otherwise succeed (size, BOM). */
  readonly lenient: boolean;
}

type Family = (r: Rng, m: Material, budgets: Budgets) => Generated;

/** The case families and their weights. */
export const CATEGORIES: readonly (readonly [string, number, Family])[] = [
  ["random_bytes", 10, randomBytes],
  ["truncated", 9, truncated],
  ["mutated_json", 14, mutatedJson],
  ["mutated_pem", 14, mutatedPem],
  ["mutated_ciphertext", 9, mutatedCiphertext],
  ["type_confusion", 9, typeConfusion],
  ["huge", 4, huge],
  ["proto", 4, proto],
  ["duplicate_keys", 4, duplicateKeys],
  ["unicode", 6, unicode],
  ["pem_variants", 7, pemVariants],
  ["multi_frame", 3, multiFrame],
  ["valid", 3.5, valid],
  ["options", 7, options],
  ["many", 4, many],
  ["envelope", 3, envelope],
  ["routing_id", 2, routingId],
  ["forged_hops", 2, forgedHops],
  ["key_cost", 4, keyCost],
  ["oversized_der", 3, oversizedDer],
  ["age_recipient", 4, ageRecipients],
  ["age_file", 3, ageFiles],
];

/**
 * The first `count` cases of `seed` over material `m`. Case i depends on the
 * seed, i and the cases before it only through the budgets (generate_keys,
 * of them those with a passphrase and those of 3072 or 4096 bits, and
 * requests over 64 KiB), so generating more cases leaves the first ones as
 * they are.
 */
export function generateCases(
  seed: number,
  m: Material,
  count: number,
): FuzzCase[] {
  const budgets: Budgets = { overLimit: 0 };
  let generates = 0;
  let sealed = 0;
  let big = 0;
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index++) {
    for (let attempt = 0;; attempt++) {
      const r = caseRng(seed, index, attempt);
      const [category, , make] = r.weighted(
        CATEGORIES.map((c) => [c, c[1]] as const),
      );
      const made = make(r, m, budgets);
      // A DEALER case is classified on what the service reads as the
      // request; one foretold unanswered is never checked against it.
      const { expect, lenient } = classify(made.dealer?.parts ?? made.frames);
      if (expect.kind === "generate") {
        // Too slow to send often: PBKDF2 (100+ ms), 3072 and 4096 bits
        // (seconds), on demand.
        const withPassphrase = expect.passphrase !== undefined;
        const bigger = expect.bits > 2048;
        if (
          generates >= GENERATE_BUDGET ||
          (withPassphrase && sealed >= PASSPHRASE_BUDGET) ||
          (bigger && big >= BIG_KEY_BUDGET)
        ) {
          continue;
        }
        generates++;
        if (withPassphrase) sealed++;
        if (bigger) big++;
      }
      cases.push({ ...made, index, category, expect, lenient });
      break;
    }
  }
  return cases;
}

/**
 * SHA-256 (hex) of every frame of every case, each frame preceded by its
 * case index, frame index and length, and of a routing id a case chooses
 * (as a frame of index 2^32 - 1): equal digests, equal request bytes.
 */
export async function requestDigest(
  cases: readonly FuzzCase[],
): Promise<string> {
  const framesOf = (c: FuzzCase) => [
    ...c.frames,
    ...(c.dealer?.burst ?? []).flat(),
    ...(c.dealer?.routingId === undefined ? [] : [c.dealer.routingId]),
  ];
  let total = 0;
  for (const c of cases) {
    for (const f of framesOf(c)) total += 12 + f.length;
  }
  const all = new Uint8Array(total);
  const view = new DataView(all.buffer);
  let at = 0;
  for (const c of cases) {
    framesOf(c).forEach((f, i) => {
      view.setUint32(at, c.index);
      view.setUint32(at + 4, i < c.frames.length ? i : 0xffff_ffff);
      view.setUint32(at + 8, f.length);
      all.set(f, at + 12);
      at += 12 + f.length;
    });
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all)).toHex();
}
