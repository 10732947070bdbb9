/**
 * Every benchmark scenario, in the order a full run takes them (`idle`
 * first, on a fresh service). Adding one: a module in scenarios/ and one
 * line here; its targets go in targets.ts.
 *
 * @example
 * ```ts
 * import { SCENARIOS } from "./registry.ts";
 *
 * console.log(SCENARIOS.map((s) => s.name).join(", "));
 * ```
 * @module
 */

import type { Scenario } from "./scenario.ts";
import { idle } from "./scenarios/idle.ts";
import { primitives } from "./scenarios/primitives.ts";
import { openssl } from "./scenarios/openssl.ts";
import { floor } from "./scenarios/floor.ts";
import { warm300 } from "./scenarios/warm300.ts";
import { refill } from "./scenarios/refill.ts";
import { generate } from "./scenarios/generate.ts";
import { generateDrained } from "./scenarios/generate_drained.ts";
import { encrypt } from "./scenarios/encrypt.ts";
import { decrypt } from "./scenarios/decrypt.ts";
import { decryptPrepared } from "./scenarios/decrypt_prepared.ts";
import { encryptOaep } from "./scenarios/encrypt_oaep.ts";
import { decryptOaep } from "./scenarios/decrypt_oaep.ts";
import { generateLarge } from "./scenarios/generate_large.ts";
import { decryptPassphrase } from "./scenarios/decrypt_passphrase.ts";
import { many } from "./scenarios/many.ts";
import { mix } from "./scenarios/mix.ts";
import { soak } from "./scenarios/soak.ts";
import { scaling } from "./scenarios/scaling.ts";
import { saturation } from "./scenarios/saturation.ts";
import { broker } from "./scenarios/broker.ts";
import { keystore } from "./scenarios/keystore.ts";

/** The scenarios, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  idle,
  primitives,
  openssl,
  floor,
  warm300,
  refill,
  generate,
  generateDrained,
  encrypt,
  decrypt,
  decryptPrepared,
  encryptOaep,
  decryptOaep,
  generateLarge,
  decryptPassphrase,
  keystore,
  many,
  mix,
  soak,
  scaling,
  saturation,
  broker,
];
