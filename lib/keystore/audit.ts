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
 * A chain alone cannot show that lines were cut from its end. So after each
 * line the log's head (its `seq` and hash) is written to `PATH.head`
 * (replaced whole, by rename): a log that ends before its head is refused,
 * on opening and by `verify`. An operator who keeps heads elsewhere (say,
 * shipped off the machine) can also check against one with `expectHead`,
 * which someone able to rewrite both files cannot defeat.
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

/** A log's head: its last line's number and SHA-256 (hex). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** The head recorded at `PATH.head`, or undefined when there is none. */
export function readAuditHead(path: string): AuditHead | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${path}.head`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const head = JSON.parse(text);
  if (!Number.isSafeInteger(head?.seq) || typeof head?.hash !== "string") {
    throw new Error(`${path}.head is not a head`);
  }
  return { seq: head.seq, hash: head.hash };
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
      const head = readAuditHead(path);
      // A head past the last line: lines were cut from the end. (A head
      // behind it is a crash between a line and its head: the next line
      // writes the head again.)
      if (
        head !== undefined &&
        (head.seq > seq ||
          head.seq === seq && head.hash !== sha256Hex(last ?? ""))
      ) {
        throw new Error(
          `it ends before its recorded head (line ${head.seq} of ${path}.head): lines were removed from its end`,
        );
      }
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
    this.#writeHead();
  }

  /** Replaces `PATH.head` whole (a rename), so it is never half-written. */
  #writeHead(): void {
    const head = JSON.stringify({ seq: this.#seq, hash: this.#prev });
    try {
      Deno.writeTextFileSync(`${this.path}.head.tmp`, `${head}\n`, {
        mode: 0o600,
      });
      Deno.renameSync(`${this.path}.head.tmp`, `${this.path}.head`);
    } catch (error) {
      throw new StorageFailed(
        `cannot write the audit log's head: ${
          error instanceof Error ? error.name : "error"
        }`,
      );
    }
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
  | {
    readonly ok: true;
    readonly lines: number;
    /** The last line's number and hash (seq 0: an empty log). */
    readonly head: AuditHead;
  }
  | { readonly ok: false; readonly line: number; readonly reason: string };

/**
 * Checks the chain of a log's text: every line, in order; and that the log
 * reaches each head of `heads` (its recorded head, one kept elsewhere): a
 * line with that number and hash. A log that goes on past a head is whole
 * (lines added since); one that ends before it was cut.
 */
export function verifyAuditLog(
  text: string,
  heads: readonly (Partial<AuditHead> & { readonly hash: string })[] = [],
): AuditVerdict {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let prev = ZERO_HASH;
  const hashes: string[] = [];
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
    hashes.push(prev);
  }
  for (const head of heads) {
    const at = head.seq ?? hashes.indexOf(head.hash) + 1;
    if (at < 1 || hashes[at - 1] !== head.hash) {
      return {
        ok: false,
        line: lines.length + 1,
        reason: `the log does not reach the head ${
          head.seq === undefined ? "" : `(line ${head.seq}) `
        }it should have: lines were removed from its end, or it was replaced`,
      };
    }
  }
  return {
    ok: true,
    lines: lines.length,
    head: { seq: lines.length, hash: hashes.at(-1) ?? ZERO_HASH },
  };
}
