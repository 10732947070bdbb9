// The leak detector: private-key material must never show up in a reply or
// a log line. It knows windows of 24 characters of each private PEM body
// (those not also in the public PEM) and of the hex of each secret integer.

import type { Pair } from "./_keys.ts";

const WINDOW = 24;

/** Finds private-key material of registered keys in text. */
export class SecretScanner {
  readonly #windows = new Set<string>();
  readonly #seen = new Set<bigint>();

  /** Registers a key pair: windows of its private PEM body not also in its public PEM, and hex of its secrets. */
  add(pair: Pair): void {
    if (this.#seen.has(pair.d)) return;
    this.#seen.add(pair.d);
    const bodyOf = (pem: string) =>
      pem.replace(/-----[^-]*-----/g, "").replace(/\s+/g, "");
    const pub = bodyOf(pair.pub);
    const publicWindows = new Set<string>();
    for (let i = 0; i + WINDOW <= pub.length; i++) {
      publicWindows.add(pub.slice(i, i + WINDOW));
    }
    const priv = bodyOf(pair.priv);
    for (let i = 0; i + WINDOW <= priv.length; i++) {
      const w = priv.slice(i, i + WINDOW);
      if (!publicWindows.has(w)) this.#windows.add(w);
    }
    for (const secret of [pair.d, pair.p, pair.q, pair.dp, pair.dq, pair.qi]) {
      const hex = secret.toString(16);
      for (let i = 0; i + WINDOW <= hex.length; i += 1) {
        this.#windows.add(hex.slice(i, i + WINDOW));
        this.#windows.add(hex.slice(i, i + WINDOW).toUpperCase());
      }
    }
  }

  /** The first secret window found in `text`, or undefined. */
  find(text: string): string | undefined {
    for (const match of text.matchAll(/[A-Za-z0-9+/]{24,}/g)) {
      const run = match[0];
      for (let i = 0; i + WINDOW <= run.length; i++) {
        const w = run.slice(i, i + WINDOW);
        if (this.#windows.has(w)) return w;
      }
    }
    return undefined;
  }
}
