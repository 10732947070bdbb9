// Case families of contract v1.1: the new options (bits, format, padding,
// passphrase) with valid values, junk values and values of the wrong JSON
// type; and encrypt_fernet_many with lists valid, mixed, empty, too long
// and holding non-strings.

import { byteLength } from "../_helpers/der.ts";
import { encoder } from "./_config.ts";
import { publicIntegers } from "./_containers.ts";
import { SURROGATES } from "./_cases_json.ts";
import {
  type Generated,
  json,
  manyRequest,
  objectText,
  single,
} from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material, Padding, Variant } from "./_variants.ts";

/** A JSON value as text, and what it is when valid. */
type Value<T> = readonly [text: string, valid: T | undefined];

const BITS: readonly Value<number>[] = [
  ["2048", 2048],
  ["3072", 3072],
  ["4096", 4096],
  ["2048.0", 2048],
  ["2.048e3", 2048],
  ["4096.000", 4096],
  ["1024", undefined],
  ["8192", undefined],
  ["2047", undefined],
  ["2049", undefined],
  ["0", undefined],
  ["-2048", undefined],
  ["-0", undefined],
  ["65537", undefined],
  ["2048.5", undefined],
  ["1e400", undefined],
  ['"2048"', undefined],
  ['"4096"', undefined],
  ["null", undefined],
  ["true", undefined],
  ["[2048]", undefined],
  ['{"bits":2048}', undefined],
];

const FORMATS: readonly Value<string>[] = [
  ['"pkcs1"', "pkcs1"],
  ['"pkcs8"', "pkcs8"],
  ['"PKCS8"', undefined],
  ['"pkcs8 "', undefined],
  ['"pkcs#8"', undefined],
  ['"spki"', undefined],
  ['"pem"', undefined],
  ['"der"', undefined],
  ['"openssh"', undefined],
  ['""', undefined],
  ["null", undefined],
  ["8", undefined],
  ['["pkcs8"]', undefined],
];

const PADDINGS: readonly Value<Padding>[] = [
  ['"pkcs1v15"', "pkcs1v15"],
  ['"oaep-sha256"', "oaep-sha256"],
  ['"oaep-sha256"', "oaep-sha256"],
  ['"OAEP-SHA256"', undefined],
  ['"oaep"', undefined],
  ['"oaep-sha1"', undefined],
  ['"oaep-sha-256"', undefined],
  ['"pkcs1"', undefined],
  ['"pkcs1v15 "', undefined],
  ['"oaep-sha256\\u0000"', undefined],
  ['"none"', undefined],
  ['"raw"', undefined],
  ['""', undefined],
  ["null", undefined],
  ["0", undefined],
  ["true", undefined],
  ['["oaep-sha256"]', undefined],
  ["{}", undefined],
];

/** Passphrase values: [JSON text, the passphrase when valid, note]. */
function passphraseValue(
  r: Rng,
  m: Material,
): [text: string, valid: string | undefined, note: string, sent?: string] {
  const token = m.token(r, 12);
  const pick = r.int(12);
  switch (pick) {
    case 0:
    case 1:
    case 2: {
      const p = `pp-${token}`;
      return [JSON.stringify(p), p, "a fresh passphrase", p];
    }
    case 3: {
      const p = `pp-${token}-ünïcödé-😀-"quoted"\\`;
      return [JSON.stringify(p), p, "a non-ASCII passphrase", p];
    }
    case 4: {
      const p = `${token}${"x".repeat(16_384 - token.length)}`;
      return [JSON.stringify(p), p, "a 16384-unit passphrase", p];
    }
    case 5: {
      const p = `${token}${"x".repeat(16_385 - token.length)}`;
      return [JSON.stringify(p), undefined, "a 16385-unit passphrase", p];
    }
    case 6: {
      const p = `pp-${token}${r.pick(SURROGATES)}`;
      return [JSON.stringify(p), undefined, "a lone surrogate", p];
    }
    case 7:
      return ['""', undefined, "empty"];
    default: {
      const text = r.pick([
        "null",
        "0",
        "1",
        "true",
        "[]",
        "{}",
        `["pp-${token}"]`,
        `{"passphrase":"pp-${token}"}`,
      ]);
      return [text, undefined, `wrong type ${text.slice(0, 20)}`];
    }
  }
}

/** `generate_keys`, `encrypt_fernet`, `decrypt_fernet` with the options of v1.1. */
export function options(r: Rng, m: Material): Generated {
  const entries: [string, string][] = [];
  const notes: string[] = [];
  const passphrases: string[] = [];
  const maybe = <T>(name: string, values: readonly Value<T>[], p: number) => {
    if (!r.chance(p)) return { present: false, valid: true, value: undefined };
    const [text, value] = r.pick(values);
    entries.push([name, text]);
    notes.push(`${name}=${text.slice(0, 24)}`);
    return { present: true, valid: value !== undefined, value };
  };
  const withPassphrase = (p: number) => {
    if (!r.chance(p)) return { present: false, valid: true, value: undefined };
    const [text, value, note, sent] = passphraseValue(r, m);
    entries.push(["passphrase", text]);
    notes.push(`passphrase ${note}`);
    if (sent !== undefined) passphrases.push(sent);
    return { present: true, valid: value !== undefined, value };
  };
  switch (r.weighted([["generate", 4], ["encrypt", 3], ["decrypt", 4]])) {
    case "generate": {
      entries.push(["type", '"generate_keys"']);
      maybe("bits", BITS, 0.6);
      maybe("format", FORMATS, 0.6);
      withPassphrase(0.45);
      break;
    }
    case "encrypt": {
      const key = r.pick([
        [m.a.pub, "a"],
        [m.aSpki, "SPKI a"],
        [m.e3Spki, "SPKI e3"],
      ]);
      const fernet = r.chance(0.7)
        ? m.fernet
        : "x".repeat(r.pick([190, 191, 245, 246]));
      entries.push(
        ["type", '"encrypt_fernet"'],
        ["fernet", JSON.stringify(fernet)],
        ["rsa_public", JSON.stringify(key[0])],
      );
      notes.push(`key ${key[1]}, fernet ${fernet.length} chars`);
      const padding = maybe("padding", PADDINGS, 0.8);
      withPassphrase(0.1); // not read by encrypt_fernet
      let code: string | undefined;
      if (padding.valid) {
        const oaep = padding.value === "oaep-sha256";
        const [n] = publicIntegers(key[0])!;
        const limit = byteLength(n) - (oaep ? 66 : 11);
        code = encoder.encode(fernet).length > limit
          ? "plaintext_too_long"
          : "ok";
      }
      return finish(entries, notes, passphrases, code);
    }
    default: {
      const form = r.pick(["PKCS#1", "PKCS#8", "sealed", "sealed"] as const);
      const pem = form === "PKCS#1"
        ? m.a.priv
        : form === "PKCS#8"
        ? m.aPkcs8
        : m.aSealed;
      const which = r.pick(["ctA", "ctOaepA"] as const);
      entries.push(
        ["type", '"decrypt_fernet"'],
        ["encrypted_fernet", JSON.stringify(m[which])],
        ["rsa_private", JSON.stringify(pem)],
      );
      notes.push(`key a ${form}, ${which}`);
      const padding = maybe("padding", PADDINGS, 0.7);
      let passphrase: { present: boolean; valid: boolean; value?: string };
      if (form === "sealed" && r.chance(0.5)) {
        const right = r.chance(0.7);
        const p = right ? m.passphrase : m.wrongPassphrase;
        entries.push(["passphrase", JSON.stringify(p)]);
        notes.push(`${right ? "the" : "a wrong"} passphrase`);
        passphrase = { present: true, valid: true, value: p };
      } else {
        passphrase = withPassphrase(0.6);
      }
      let code: string | undefined;
      if (padding.valid && passphrase.valid) {
        const scheme = padding.value ?? "pkcs1v15";
        code = form !== "sealed"
          ? m.ctCodes[which][scheme]
          : !passphrase.present
          ? "missing_field"
          : passphrase.value !== m.passphrase
          ? "invalid_passphrase"
          : m.ctCodes[which][scheme];
      }
      return finish(entries, notes, passphrases, code);
    }
  }
  return finish(entries, notes, passphrases, undefined);
}

function finish(
  entries: [string, string][],
  notes: string[],
  passphrases: string[],
  code: string | undefined,
): Generated {
  // The order of the fields does not matter to a JSON object.
  const body = objectText(entries);
  return single(
    `${JSON.parse(entries.find(([k]) => k === "type")?.[1] ?? '""')}: ${
      notes.join(", ")
    }`,
    body,
    {
      code,
      passphrases,
    },
  );
}

/** Largest body the many family aims for (the service takes 64 KiB). */
const MANY_BYTES = 60_000;

/** `encrypt_fernet_many`: lists valid, mixed, empty, too long, not lists. */
export function many(r: Rng, m: Material): Generated {
  const base = manyRequest(m);
  switch (
    r.weighted([
      ["mixed list", 10],
      ["short strings", 2],
      ["empty", 1],
      ["257", 1],
      ["non-string entry", 2],
      ["not a list", 2],
      ["long entry", 1],
      ["fields", 1],
    ])
  ) {
    case "mixed list": {
      const count = r.chance(0.8) ? r.range(1, 12) : r.range(13, 120);
      const chosen: Variant[] = [];
      let bytes = 200;
      for (let i = 0; i < count; i++) {
        const v = r.pick(m.recipients);
        bytes += JSON.stringify(v.value).length + 1;
        if (bytes > MANY_BYTES) break;
        chosen.push(v);
      }
      const padding = r.weighted(
        [
          [undefined, 4],
          ["pkcs1v15", 2],
          ["oaep-sha256", 4],
        ] as const,
      );
      const fernet = r.chance(0.85)
        ? m.fernet
        : "y".repeat(r.pick([190, 191, 245]));
      const plain = encoder.encode(fernet).length;
      const overhead = padding === "oaep-sha256" ? 66 : 11;
      const entryCodes = chosen.map((v) => {
        if (v.code !== "ok") return v.code;
        const [n] = publicIntegers(v.value)!;
        return plain > byteLength(n) - overhead ? "plaintext_too_long" : "ok";
      });
      return single(
        `${chosen.length} recipients, padding ${padding}, fernet ${fernet.length} chars: ${
          chosen.map((v) => v.note).join("; ").slice(0, 300)
        }`,
        json({
          ...base,
          fernet,
          rsa_publics: chosen.map((v) => v.value),
          ...(padding === undefined ? {} : { padding }),
        }),
        { entryCodes, mustSucceed: true },
      );
    }
    case "short strings": {
      // 256 recipients, the most: short junk, with some real keys.
      const keys = r.range(0, 100);
      const list = Array.from(
        { length: 256 },
        (_, i) => i < keys ? m.a.pub : r.pick(["", "x", "-----BEGIN", "{}"]),
      );
      const entryCodes = list.map((v) => v === m.a.pub ? "ok" : "invalid_pem");
      return single(
        `256 recipients, ${keys} of them key a`,
        json({ ...base, rsa_publics: list }),
        { entryCodes, mustSucceed: true },
      );
    }
    case "empty":
      return single("no recipients", json({ ...base, rsa_publics: [] }));
    case "257": {
      const filler = r.pick(["x", "", m.a.pub.slice(0, 40)]);
      return single(
        "257 recipients",
        json({ ...base, rsa_publics: Array(257).fill(filler) }),
      );
    }
    case "non-string entry": {
      const list: unknown[] = [...(base.rsa_publics as string[])];
      const at = r.int(list.length + 1);
      const value = r.pick([1, null, true, [], {}, [m.a.pub], {
        pem: m.a.pub,
      }]);
      list.splice(at, 0, value);
      return single(
        `a ${
          JSON.stringify(value)?.slice(0, 20)
        } among the recipients at ${at}`,
        json({ ...base, rsa_publics: list }),
      );
    }
    case "not a list": {
      const value = r.pick([m.a.pub, null, 1, true, { 0: m.a.pub }, ""]);
      return single(
        `rsa_publics = ${JSON.stringify(value)?.slice(0, 30)}`,
        json({ ...base, rsa_publics: value }),
      );
    }
    case "long entry": {
      const value = r.chance(0.5)
        ? m.a.pub + " ".repeat(16_385 - m.a.pub.length)
        : m.a.pub + r.pick(SURROGATES);
      return single(
        `a recipient of ${value.length} units`,
        json({ ...base, rsa_publics: [m.a.pub, value] }),
      );
    }
    default: {
      const obj: Record<string, unknown> = { ...base };
      const what = r.pick(
        [
          "no fernet",
          "no rsa_publics",
          "rsa_public instead",
          "fernet a list",
        ] as const,
      );
      if (what === "no fernet") delete obj.fernet;
      if (what === "no rsa_publics") delete obj.rsa_publics;
      if (what === "rsa_public instead") {
        obj.rsa_public = obj.rsa_publics;
        delete obj.rsa_publics;
      }
      if (what === "fernet a list") obj.fernet = [m.fernet];
      return single(`encrypt_fernet_many, ${what}`, json(obj));
    }
  }
}
