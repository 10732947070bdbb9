/**
 * The audit log (`--audit-log PATH`): one JSON line per keystore operation,
 * with its time, the client's key, the operation, the key id, the version
 * and the outcome. Never key material; a ciphertext appears only as its
 * HMAC-SHA-256 under the log's salt (kept in `PATH.salt`, 0600, not in the
 * log), so that an operator holding the salt can find a known value and a
 * reader of the log alone learns nothing of it. Each line carries the
 * SHA-256 of the line before it (`prev`; 64 zeros for the first) and its
 * number (`seq`): a line removed, added or edited breaks the chain, and
 * {@linkcode verifyAuditLog} finds where. Lines are written synchronously,
 * in order; a line that cannot be written throws, and the operation it
 * records fails (fail closed).
 *
 * @example
 * ```ts
 * import { AuditLog, verifyAuditLog } from "./audit.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.remove(path);
 * const log = AuditLog.open(path);
 * log.record({ client: null, op: "create_key", keyId: "k", version: 1, outcome: "ok" });
 * log.close();
 * verifyAuditLog(Deno.readTextFileSync(path)).ok; // true
 * ```
 * @module
 */

import { createHash, createHmac } from "node:crypto";
import { StorageFailed } from "./errors.ts";

/** One operation, as recorded. */
export interface AuditEvent {
  /** The client's CURVE key (Z85); null without CURVE. */
  readonly client: string | null;
  /** The request type, e.g. `decrypt_fernet`. */
  readonly op: string;
  readonly keyId?: string;
  readonly version?: number;
  /** `ok`, or the error code the client got. */
  readonly outcome: string;
  /** Ciphertexts the request named; logged as HMACs. */
  readonly ciphertexts?: readonly string[];
}

const ZERO_HASH = "0".repeat(64);
const encoder = new TextEncoder();

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The last line of `text` that is not empty, or undefined. */
function lastLine(text: string): string | undefined {
  const lines = text.split("\n").filter((line) => line !== "");
  return lines.at(-1);
}

/** An append-only, hash-chained audit log. */
export class AuditLog {
  /** Where it is. */
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #salt: Uint8Array;
  #prev: string;
  #seq: number;

  private constructor(
    path: string,
    file: Deno.FsFile,
    salt: Uint8Array,
    prev: string,
    seq: number,
  ) {
    this.path = path;
    this.#file = file;
    this.#salt = salt;
    this.#prev = prev;
    this.#seq = seq;
  }

  /**
   * Opens the log at `path` for appending (0600, created when missing),
   * continuing its chain, and its salt at `path.salt` (made when missing).
   * Throws `StorageFailed` when either cannot be read or written.
   */
  static open(path: string): AuditLog {
    try {
      const saltPath = `${path}.salt`;
      let salt: Uint8Array;
      try {
        salt = Uint8Array.fromBase64(Deno.readTextFileSync(saltPath).trim());
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        salt = crypto.getRandomValues(new Uint8Array(32));
        Deno.writeTextFileSync(saltPath, `${salt.toBase64()}\n`, {
          mode: 0o600,
          createNew: true,
        });
      }
      let text = "";
      try {
        // Only a regular file has a chain to continue (not a device).
        if (Deno.statSync(path).isFile) text = Deno.readTextFileSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const last = lastLine(text);
      const seq = last === undefined ? 0 : Number(JSON.parse(last).seq);
      const file = Deno.openSync(path, {
        append: true,
        create: true,
        mode: 0o600,
      });
      return new AuditLog(
        path,
        file,
        salt,
        last === undefined ? ZERO_HASH : sha256Hex(last),
        seq,
      );
    } catch (error) {
      throw new StorageFailed(
        `cannot open the audit log ${path}: ${
          error instanceof Error ? error.message.split("\n")[0] : error
        }`,
      );
    }
  }

  /** HMAC-SHA-256 of `value` under the log's salt, hex. */
  hmac(value: string): string {
    return createHmac("sha256", this.#salt).update(value).digest("hex");
  }

  /**
   * Appends one line for `event`. Throws `StorageFailed` when it cannot be
   * written whole; the chain then stays at the last line written.
   */
  record(event: AuditEvent): void {
    const line = JSON.stringify({
      seq: this.#seq + 1,
      time: new Date().toISOString(),
      client: event.client,
      op: event.op,
      key_id: event.keyId ?? null,
      version: event.version ?? null,
      outcome: event.outcome,
      ...(event.ciphertexts === undefined
        ? {}
        : { ciphertext_hmacs: event.ciphertexts.map((c) => this.hmac(c)) }),
      prev: this.#prev,
    });
    const bytes = encoder.encode(`${line}\n`);
    try {
      let written = 0;
      while (written < bytes.length) {
        written += this.#file.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      throw new StorageFailed(
        `cannot write the audit log: ${
          error instanceof Error ? error.name : "error"
        }`,
      );
    }
    this.#prev = sha256Hex(line);
    this.#seq++;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // closed already
    }
  }
}

/** What {@linkcode verifyAuditLog} found. */
export type AuditVerdict =
  | { readonly ok: true; readonly lines: number }
  | { readonly ok: false; readonly line: number; readonly reason: string };

/** Checks the chain of a log's text: every line, in order. */
export function verifyAuditLog(text: string): AuditVerdict {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let prev = ZERO_HASH;
  for (const [i, line] of lines.entries()) {
    let entry: { seq?: unknown; prev?: unknown };
    try {
      entry = JSON.parse(line);
    } catch {
      return { ok: false, line: i + 1, reason: "not a JSON line" };
    }
    if (entry.prev !== prev) {
      return {
        ok: false,
        line: i + 1,
        reason:
          "its hash of the line before does not match (a line was removed, added or edited)",
      };
    }
    if (entry.seq !== i + 1) {
      return { ok: false, line: i + 1, reason: `its number is not ${i + 1}` };
    }
    prev = sha256Hex(line);
  }
  return { ok: true, lines: lines.length };
}
