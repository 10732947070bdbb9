// Case families at the byte level: random bytes, truncated and byte-mutated
// JSON, huge and deeply nested bodies, several frames.

import { concat } from "../_helpers/der.ts";
import { encoder, MAX_REQUEST_BYTES, OVER_LIMIT_BUDGET } from "./_config.ts";
import { BAD_UTF8, BASE64, JSONISH, mutateBytes } from "./_mutators.ts";
import {
  baseRequest,
  decryptRequest,
  encryptRequest,
  type Generated,
  json,
  single,
  splice,
} from "./_requests.ts";
import type { Rng } from "./_rng.ts";
import type { Material } from "./_variants.ts";

/** Counters a generation run keeps across cases. */
export interface Budgets {
  /** Requests just over 64 KiB made so far. */
  overLimit: number;
}

/** Random bytes, JSON-ish characters, invalid UTF-8 spliced into a request. */
export function randomBytes(r: Rng, m: Material): Generated {
  switch (r.int(6)) {
    case 0: {
      const n = r.range(0, 2048);
      return single(`${n} random bytes`, r.bytes(n));
    }
    case 1: {
      const n = r.range(1, 2048);
      let s = "";
      for (let i = 0; i < n; i++) s += r.pick([...JSONISH]);
      return single(`${n} random JSON-ish chars`, s);
    }
    case 2: {
      const [kind, obj] = baseRequest(r, m);
      const keys = Object.keys(obj);
      const field = r.chance(0.3) ? "x" : r.pick(keys);
      const bad = r.chance(0.8)
        ? Uint8Array.from(r.pick(BAD_UTF8))
        : r.bytes(r.range(1, 8)).map((x) => x | 0x80);
      const original = typeof obj[field] === "string"
        ? obj[field] as string
        : "";
      const cut = r.int(original.length + 1);
      const text = JSON.stringify({
        ...obj,
        [field]: original.slice(0, cut) + "@@X@@" + original.slice(cut),
      });
      return single(
        `${kind}: invalid UTF-8 ${bad.toHex()} in "${field}" at ${cut}`,
        splice(text, "@@X@@", bad),
      );
    }
    case 3:
      return single(
        "tiny",
        r.pick([
          new Uint8Array(),
          Uint8Array.of(0),
          encoder.encode(" "),
          encoder.encode("{"),
          encoder.encode("\n\t "),
        ]),
      );
    case 4: {
      const n = r.range(1, 512);
      return single(
        `valid prefix + ${n} random bytes`,
        concat(encoder.encode('{"type":"ping"'), r.bytes(n)),
      );
    }
    default: {
      const n = r.range(1, 2048);
      return single(
        `${n} random bytes >= 0x80`,
        r.bytes(n).map((x) => x | 0x80),
      );
    }
  }
}

/** A valid request cut short. */
export function truncated(r: Rng, m: Material): Generated {
  const [kind, obj] = baseRequest(r, m);
  if (kind === "encrypt" && r.chance(0.3)) obj.fernet = "é€😀" + obj.fernet;
  const bytes = encoder.encode(
    JSON.stringify(obj, null, r.chance(0.2) ? 2 : undefined),
  );
  const cut = r.int(bytes.length);
  return single(`${kind} cut at ${cut}/${bytes.length}`, bytes.slice(0, cut));
}

/** A valid request with 1 to 8 byte edits. */
export function mutatedJson(r: Rng, m: Material): Generated {
  const [kind, obj] = baseRequest(r, m);
  const [bytes, notes] = mutateBytes(r, json(obj), r.range(1, 8));
  return single(`${kind}: ${notes.join(", ")}`, bytes);
}

/** Bodies just over 64 KiB, deep nesting, fields of tens of thousands of chars. */
export function huge(r: Rng, m: Material, budgets: Budgets): Generated {
  const mode = r.int(9);
  if (mode === 0 && budgets.overLimit < OVER_LIMIT_BUDGET) {
    budgets.overLimit++;
    const size = MAX_REQUEST_BYTES + r.range(1, 64);
    const head = r.chance(0.5)
      ? '{"type":"ping","padding":"'
      : `{"type":"encrypt_fernet","rsa_public":${
        JSON.stringify(m.a.pub)
      },"fernet":"x","padding":"`;
    const body = head + "x".repeat(size - head.length - 2) + '"}';
    return single(`${size} bytes (just over 64 KiB)`, body);
  }
  switch (mode) {
    case 1: {
      const k = r.range(10_000, 32_000);
      return single(`[ x${k} ] x${k}`, "[".repeat(k) + "]".repeat(k));
    }
    case 2: {
      const k = r.range(10_000, 10_900);
      return single(`{"a": x${k}`, '{"a":'.repeat(k) + "1" + "}".repeat(k));
    }
    case 3: {
      const k = r.range(10_000, 32_000);
      return single(
        `ping with ${k}-deep array`,
        '{"type":"ping","x":' + "[".repeat(k) + "]".repeat(k) + "}",
      );
    }
    case 4: {
      const k = r.range(10_000, 60_000);
      return single(
        `${k} unclosed [`,
        r.chance(0.5) ? "[".repeat(k) : '{"a":'.repeat(Math.floor(k / 5)),
      );
    }
    case 5: {
      const k = r.range(5_000, 16_000);
      return single(
        `type is ${k}-deep array`,
        '{"type":' + "[".repeat(k) + '"ping"' + "]".repeat(k) + "}",
      );
    }
    default: {
      const [kind, obj] = baseRequest(r, m);
      const field = r.pick([
        ...Object.keys(obj).filter((k) => k !== "type"),
        "padding",
        "type",
      ]);
      const unit = r.pick(["A", "é", "\u0000", "😀", "b64"] as const);
      const cost = { A: 1, "é": 2, "\u0000": 6, "😀": 4, b64: 1 }[unit];
      const budget = Math.floor(
        (MAX_REQUEST_BYTES - 200 - JSON.stringify(obj).length) / cost,
      );
      const length = r.chance(0.2)
        ? r.pick([16_383, 16_384, 16_385])
        : r.range(16_000, Math.max(16_000, Math.min(60_000, budget)));
      const n = Math.min(length, budget);
      const value = unit === "b64"
        ? Array.from({ length: n }, () => r.pick([...BASE64])).join("")
        : unit === "😀"
        ? "😀".repeat(Math.floor(n / 2))
        : unit.repeat(n);
      const text = JSON.stringify({ ...obj, [field]: value });
      return single(
        `${kind}: "${field}" = ${value.length} UTF-16 units of ${
          JSON.stringify(unit)
        } (${encoder.encode(text).length} bytes)`,
        text,
      );
    }
  }
}

/** A request of several frames (a valid one split, or a mix). */
export function multiFrame(r: Rng, m: Material): Generated {
  const count = r.chance(0.9) ? r.range(2, 5) : r.range(6, 40);
  if (r.chance(0.3)) {
    const body = json(
      r.pick([encryptRequest(m), decryptRequest(m), { type: "ping" }]),
    );
    const cuts = Array.from({ length: count - 1 }, () => r.int(body.length + 1))
      .sort((x, y) => x - y);
    const frames = [0, ...cuts].map((at, i) =>
      body.slice(at, i + 1 < count ? cuts[i] : body.length)
    );
    return {
      note: `a valid request split into ${count} frames at ${cuts.join(",")}`,
      frames,
    };
  }
  const kinds: string[] = [];
  const frames = Array.from({ length: count }, () => {
    const kind = r.pick(
      ["ping", "encrypt", "decrypt", "empty", "random"] as const,
    );
    kinds.push(kind);
    switch (kind) {
      case "ping":
        return json({ type: "ping" });
      case "encrypt":
        return json(encryptRequest(m));
      case "decrypt":
        return json(decryptRequest(m));
      case "empty":
        return new Uint8Array();
      case "random":
        return r.bytes(r.range(0, 64));
    }
  });
  return { note: `${count} frames: ${kinds.join(",")}`, frames };
}
