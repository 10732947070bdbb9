// Case family `oversized_der` (issue 16, finding 4): keys with one DER
// element far past what its structure needs (an algorithm identifier, a
// modulus or exponent, a PBES2 count, salt or key derivation identifier, of
// 600 to 11,000 bytes), each with the code it must get.
// Every size is past every cap (32-byte identifiers, integers of the
// largest modulus, 64-byte salts), so none reaches PBKDF2.

import { oversizedKeys, oversizedRequest } from "../_helpers/oversized_der.ts";
import { type Generated, json, single } from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** One key with an oversized DER element, in the field it belongs in. */
export function oversizedDer(r: Rng, m: Material): Generated {
  // Within the 16,384-character field limit: the data case, whose cap is
  // past it, is checked in tests/unit/crypto/der_caps_test.ts instead.
  const keys = oversizedKeys(r.range(600, 11_000)).filter((key) =>
    key.pem.length <= 16_384
  );
  const key = r.pick(keys);
  const request = oversizedRequest(key, m.ctA);
  return single(key.note, json(request), {
    code: key.code,
    ...(key.field === "rsa_private"
      ? { passphrases: [request.passphrase as string] }
      : {}),
  });
}
