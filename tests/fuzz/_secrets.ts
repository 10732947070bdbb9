// The leak detector: private-key material and passphrases must never show
// up in a reply or a log line. It knows windows of 24 characters of each
// private key's base64, in every container the service reads or writes
// (PKCS#1, PKCS#8, at each of the three byte alignments base64 can take)
// and not also in one of its public forms; windows of the hex of each
// secret integer; the private DER of keys of other algorithms; and every
// passphrase sent (as it is and as JSON escapes it).

import {
  concat,
  pemBody,
  pkcs8Der,
  privateDer,
  publicDer,
  spkiDer,
} from "../_helpers/der.ts";
import type { Pair } from "./_keys.ts";

const WINDOW = 24;
/** Shorter passphrases are not distinctive enough to look for. */
const MIN_PHRASE = 8;

/** Base64 of `der` at each of the three alignments (edges trimmed). */
function alignments(der: Uint8Array): string[] {
  return [0, 1, 2].map((shift) =>
    concat(new Uint8Array(shift), der).toBase64().slice(shift === 0 ? 0 : 4)
      .replace(/=+$/, "")
  );
}

function windows(text: string, into: Set<string>, except?: Set<string>) {
  for (let i = 0; i + WINDOW <= text.length; i++) {
    const w = text.slice(i, i + WINDOW);
    if (!except?.has(w)) into.add(w);
  }
}

/** Finds private-key material of registered keys in text. */
export class SecretScanner {
  readonly #windows = new Set<string>();
  readonly #seen = new Set<bigint>();
  readonly #phrases = new Set<string>();

  /**
   * Registers a key pair: windows of its private key's base64 (its PEM
   * body, and PKCS#1 and PKCS#8 DER at each alignment) not also in its
   * public forms, and hex of its secrets.
   */
  add(pair: Pair): void {
    if (this.#seen.has(pair.d)) return;
    this.#seen.add(pair.d);
    const bodyOf = (pem: string) =>
      pem.replace(/-----[^-]*-----/g, "").replace(/\s+/g, "");
    const publicWindows = new Set<string>();
    windows(bodyOf(pair.pub), publicWindows);
    const pkcs1Public = publicDer(pair);
    for (const der of [pkcs1Public, spkiDer(pkcs1Public)]) {
      for (const text of alignments(der)) windows(text, publicWindows);
    }
    windows(bodyOf(pair.priv), this.#windows, publicWindows);
    const pkcs1 = privateDer(pair);
    for (const der of [pkcs1, pkcs8Der(pkcs1)]) {
      for (const text of alignments(der)) {
        windows(text, this.#windows, publicWindows);
      }
    }
    for (const secret of [pair.d, pair.p, pair.q, pair.dp, pair.dq, pair.qi]) {
      const hex = secret.toString(16);
      windows(hex, this.#windows);
      windows(hex.toUpperCase(), this.#windows);
    }
  }

  /** Registers private DER (a key of another algorithm): its base64 windows. */
  addDer(der: Uint8Array): void {
    for (const text of alignments(der)) windows(text, this.#windows);
    windows(der.toHex(), this.#windows);
  }

  /** Registers the private key in PEM `text` (any label). */
  addPem(text: string): void {
    const der = pemBody(text);
    if (der !== undefined) this.addDer(der);
  }

  /**
   * Registers a passphrase sent: as it is, and JSON-escaped. One too short
   * or too uniform to be told from other text (eight spaces, a run of one
   * emoji) is left out.
   */
  addPhrase(phrase: string): void {
    if (phrase.length < MIN_PHRASE || new Set(phrase).size < MIN_PHRASE) {
      return;
    }
    this.#phrases.add(phrase);
    this.#phrases.add(JSON.stringify(phrase).slice(1, -1));
  }

  /** Number of passphrases registered. */
  get phrases(): number {
    return this.#phrases.size;
  }

  /** The first secret window or passphrase found in `text`, or undefined. */
  find(text: string): string | undefined {
    for (const match of text.matchAll(/[A-Za-z0-9+/]{24,}/g)) {
      const run = match[0];
      for (let i = 0; i + WINDOW <= run.length; i++) {
        const w = run.slice(i, i + WINDOW);
        if (this.#windows.has(w)) return w;
      }
    }
    return this.findPhrase(text);
  }

  /** The first passphrase found in `text`, or undefined. */
  findPhrase(text: string): string | undefined {
    for (const phrase of this.#phrases) {
      if (text.includes(phrase)) return `passphrase ${phrase.slice(0, 40)}`;
    }
    return undefined;
  }
}
