// Case families at the JSON level: values of the wrong type, prototype
// names, duplicate keys, Unicode edge cases.

import { concat } from "../_helpers/der.ts";
import { confusingValue } from "./_mutators.ts";
import {
  baseRequest,
  entriesOf,
  type Generated,
  json,
  objectText,
  single,
  splice,
} from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** Bodies and field values of the wrong JSON type, fields dropped. */
export function typeConfusion(r: Rng, m: Material): Generated {
  if (r.chance(0.12)) {
    const body = r.pick([
      "[]",
      '[{"type":"ping"}]',
      '"ping"',
      "42",
      "null",
      "true",
      "{}",
      '{"type":null}',
      '{"type":{"type":"ping"}}',
      '{"type":["ping"]}',
      '{"type":["generate_keys"]}',
      '{"type":1}',
      '{"type":true}',
      '{"type":""}',
      '"{\\"type\\":\\"ping\\"}"',
    ]);
    return single(`whole body ${body}`, body);
  }
  const [kind, obj] = baseRequest(r, m);
  const entries = entriesOf(obj);
  const notes: string[] = [];
  for (let k = r.range(1, 2); k > 0; k--) {
    const i = r.int(entries.length);
    if (r.chance(0.1)) {
      notes.push(`drop ${entries[i][0]}`);
      entries.splice(i, 1);
      if (entries.length === 0) break;
      continue;
    }
    const [note, value] = confusingValue(r, JSON.parse(entries[i][1]));
    notes.push(`${entries[i][0]}=${note}`);
    entries[i] = [entries[i][0], value];
  }
  return single(`${kind}: ${notes.join(", ")}`, objectText(entries));
}

/** Names of Object.prototype members and other tricky keys. */
export const PROTO_NAMES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "prototype",
  "Object",
  "undefined",
  "null",
  "[object Object]",
];

/** `__proto__`, `constructor` and other prototype names as keys and types. */
export function proto(r: Rng, m: Material): Generated {
  const F = JSON.stringify(m.fernet);
  const P = JSON.stringify(m.a.pub);
  const C = JSON.stringify(m.ctA);
  const K = JSON.stringify(m.a.priv);
  const fixed = [
    '{"__proto__":{"type":"generate_keys"}}',
    '{"__proto__":{"type":"ping"}}',
    `{"type":"encrypt_fernet","__proto__":{"fernet":${F},"rsa_public":${P}}}`,
    `{"type":"encrypt_fernet","fernet":${F},"__proto__":{"rsa_public":${P}}}`,
    `{"type":"decrypt_fernet","encrypted_fernet":${C},"rsa_private":${K},"__proto__":null,"constructor":{},"toString":1,"hasOwnProperty":"x","valueOf":[]}`,
    `{"hasOwnProperty":1,"type":"encrypt_fernet","fernet":${F},"rsa_public":${P}}`,
    '{"constructor":{"prototype":{"type":"ping"}}}',
    '{"__proto__":[],"type":"ping"}',
    '{"type":"ping","__proto__":{"__proto__":{}}}',
    `{"type":"encrypt_fernet","fernet":{"__proto__":${F}},"rsa_public":${P}}`,
    '{"type":{"toString":"ping"}}',
    '{"type":{"valueOf":"ping"}}',
    '{"type":"ping","hasOwnProperty":null,"toString":null,"valueOf":null}',
    '{"__proto__":{"type":"ping"},"type":"__proto__"}',
  ];
  switch (r.int(3)) {
    case 0: {
      const body = r.pick(fixed);
      return single(`fixed: ${body.slice(0, 60)}`, body);
    }
    case 1: {
      const name = r.pick(PROTO_NAMES);
      return single(
        `type ${name}`,
        objectText([["type", JSON.stringify(name)]]),
      );
    }
    default: {
      const [kind, obj] = baseRequest(r, m);
      const entries = entriesOf(obj);
      const names: string[] = [];
      for (let k = r.range(1, 4); k > 0; k--) {
        const name = r.pick(PROTO_NAMES);
        names.push(name);
        const value = r.pick([
          '{"type":"ping"}',
          "null",
          "1",
          '"x"',
          "[]",
          JSON.stringify(obj),
        ]);
        entries.splice(r.int(entries.length + 1), 0, [name, value]);
      }
      return single(
        `${kind} with fields ${names.join(",")}`,
        objectText(entries),
      );
    }
  }
}

/** Keys that repeat (the last one wins). */
export function duplicateKeys(r: Rng, m: Material): Generated {
  if (r.chance(0.25)) {
    const body = r.pick([
      '{"type":"generate_keys","type":"ping"}',
      '{"type":"bogus","type":"ping"}',
      '{"type":"ping","type":"bogus"}',
      '{"type":"ping","type":null}',
      `{"type":"encrypt_fernet","fernet":1,"fernet":${
        JSON.stringify(m.fernet)
      },"rsa_public":${JSON.stringify(m.a.pub)}}`,
      `{"type":"decrypt_fernet","encrypted_fernet":${
        JSON.stringify(m.ctA)
      },"rsa_private":${JSON.stringify(m.a.priv)},"rsa_private":"x"}`,
    ]);
    return single(`fixed: ${body.slice(0, 60)}`, body);
  }
  const [kind, obj] = baseRequest(r, m);
  const entries = entriesOf(obj);
  const notes: string[] = [];
  for (let k = r.range(1, 3); k > 0; k--) {
    const [name, value] = r.pick(entries);
    const dup = r.chance(0.5) ? value : confusingValue(r, JSON.parse(value))[1];
    const at = r.int(entries.length + 1);
    notes.push(`${name}@${at}`);
    entries.splice(at, 0, [name, dup]);
  }
  return single(`${kind}: duplicate ${notes.join(", ")}`, objectText(entries));
}

/** Lone and reversed UTF-16 surrogates. */
export const SURROGATES = [
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "\ude00\ud83d",
  "x\ud83d",
];

/** Lone surrogates, BOMs, NULs, control characters, escapes, look-alikes. */
export function unicode(r: Rng, m: Material): Generated {
  const enc = (fernet: string, note: string) =>
    single(note, json({ type: "encrypt_fernet", fernet, rsa_public: m.a.pub }));
  switch (r.int(9)) {
    case 0: {
      const [kind, obj] = baseRequest(r, m);
      const field = r.pick(Object.keys(obj));
      const s = r.pick(SURROGATES);
      const original = typeof obj[field] === "string"
        ? obj[field] as string
        : "";
      const at = r.int(original.length + 1);
      obj[field] = original.slice(0, at) + s + original.slice(at);
      return single(
        `${kind}: lone surrogate ${JSON.stringify(s)} in "${field}" at ${at}`,
        json(obj),
      );
    }
    case 1: {
      const [note, fernet] = r.pick(
        [
          ["astral", m.fernet + "😀"],
          ["NUL inside", "a\u0000b" + m.fernet],
          ["only NUL", "\u0000"],
          ["empty", ""],
          ["U+FFFF U+FFFE", "\uffff\ufffe"],
          ["U+10FFFF", "\u{10ffff}"],
          ["BOM first", "\ufeff" + m.fernet],
          ["BOM only", "\ufeff"],
          ["ascii 245", "x".repeat(245)],
          ["ascii 246", "x".repeat(246)],
          ["é x122 (244 B)", "é".repeat(122)],
          ["é x123 (246 B)", "é".repeat(123)],
          ["€ x81 (243 B)", "€".repeat(81)],
          ["€ x82 (246 B)", "€".repeat(82)],
          ["😀 x61 (244 B)", "😀".repeat(61)],
          ["😀 x62 (248 B)", "😀".repeat(62)],
          ["C1 controls", "\u0085\u009f" + m.fernet],
          ["RTL override", "\u202e" + m.fernet],
        ] as const,
      );
      return enc(fernet, `fernet ${note}`);
    }
    case 2: {
      const [kind, obj] = baseRequest(r, m);
      const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
      const where = r.pick(
        ["prefix", "double prefix", "suffix", "UTF-16LE"] as const,
      );
      const body = json(obj);
      const bytes = where === "prefix"
        ? concat(bom, body)
        : where === "double prefix"
        ? concat(bom, bom, body)
        : where === "suffix"
        ? concat(body, bom)
        : concat(
          [0xff, 0xfe],
          new Uint8Array(
            Uint16Array.from(JSON.stringify(obj), (c) => c.charCodeAt(0))
              .buffer,
          ),
        );
      return single(`${kind}: BOM ${where}`, bytes);
    }
    case 3: {
      const t = r.pick([
        '"p\\u0069ng"',
        '"\\u0070\\u0069\\u006e\\u0067"',
        '"ping\\u0000"',
        '"ping\\u200b"',
        '"\\ufeffping"',
        '"ｐｉｎｇ"',
        '"pіng"',
        '"PING"',
        '"ping "',
        '" ping"',
        '"ping\\n"',
        '"ping\\ud800"',
        '"generate\\u005fkeys"',
      ]);
      return single(`type ${t}`, `{"type":${t}}`);
    }
    case 4: {
      const where = r.pick(
        ["in string", "after object", "before object"] as const,
      );
      const text = JSON.stringify({ type: "ping", x: "a@@X@@b" });
      const nul = Uint8Array.of(0);
      const bytes = where === "in string"
        ? splice(text, "@@X@@", nul)
        : where === "after object"
        ? concat(json({ type: "ping" }), nul)
        : concat(nul, json({ type: "ping" }));
      return single(`raw NUL ${where}`, bytes);
    }
    case 5: {
      const c = r.range(1, 31);
      const text = JSON.stringify({ type: "ping", x: "a@@X@@b" });
      return single(
        `raw control char ${c} in string`,
        splice(text, "@@X@@", Uint8Array.of(c)),
      );
    }
    case 6: {
      const [kind, obj] = baseRequest(r, m);
      const escaped = JSON.stringify(obj).replace(
        /[a-z]/g,
        (c) =>
          r.chance(0.3)
            ? "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")
            : c,
      );
      return single(`${kind}: letters \\u-escaped at random`, escaped);
    }
    case 7: {
      const text = '{"type":"ping","x":"@@X@@"}';
      const raw = r.pick([
        [0xef, 0xbf, 0xbf],
        [0xf4, 0x8f, 0xbf, 0xbf],
        [0xe2, 0x80, 0xa8],
        [0xc2, 0x85],
        [0xf0, 0x9f, 0x98, 0x80],
      ]);
      return single(
        `ping with raw UTF-8 ${Uint8Array.from(raw).toHex()}`,
        splice(text, "@@X@@", Uint8Array.from(raw)),
      );
    }
    default: {
      const s = r.pick(SURROGATES);
      return single(
        `field name with lone surrogate`,
        `{"type":"ping",${JSON.stringify(s + "k")}:1}`,
      );
    }
  }
}
