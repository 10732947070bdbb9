/**
 * The age options of the client subcommands, in age's own file formats:
 * `keys new --type mlkem768x25519|x25519` writes `identity.txt` (what
 * `age-keygen` writes, so `age -d -i identity.txt` opens what the service
 * wrapped) and `recipient.txt`; `wrap --recipient R` (repeatable, like age's
 * `-r`) and `--recipients-file PATH` (like `-R`); `unwrap --identity PATH`
 * (like `-i`).
 *
 * @example
 * ```ts
 * import { recipientsFromFile } from "./age_commands.ts";
 *
 * recipientsFromFile("# a comment\nage1...\n\nage1pq1...\n"); // ["age1...", "age1pq1..."]
 * ```
 * @module
 */

import type { AgeKeyType, KeyServiceClient } from "../client/mod.ts";
import { print } from "./commands.ts";
import { type ParsedCommand, UsageError } from "./flags.ts";

/** `keys new`'s key types: RSA (the default) and age's. */
export const KEY_TYPE_CHOICES = ["rsa", "mlkem768x25519", "x25519"] as const;

/** The flags the age options add, by subcommand. */
export const AGE_FLAGS = {
  keysNew: [{
    flag: "type",
    arg: "T",
    help:
      "rsa (the default), mlkem768x25519 (hybrid post-quantum) or x25519: age keys go to identity.txt and recipient.txt",
  }],
  wrap: [
    {
      flag: "recipient",
      arg: "R",
      help: "an age recipient (age1pq1... or age1...), like age -r",
      multiple: true,
    },
    {
      flag: "recipients-file",
      arg: "PATH",
      help: "a file of age recipients, one a line, like age -R",
      multiple: true,
    },
  ],
  unwrap: [{
    flag: "identity",
    arg: "PATH",
    help: "an age identity file (what age-keygen writes), like age -i",
  }],
} as const;

/** The recipients in a recipients file: one a line, `#` comments. */
export function recipientsFromFile(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The recipients named by `--recipient` and `--recipients-file`. */
export function recipientsOf(parsed: ParsedCommand): string[] {
  const all = (flag: string): string[] => {
    const value = parsed.values[flag];
    return Array.isArray(value)
      ? value
      : typeof value === "string"
      ? [value]
      : [];
  };
  const given = all("recipient");
  for (const file of all("recipients-file")) {
    const found = recipientsFromFile(Deno.readTextFileSync(file));
    if (found.length === 0) throw new UsageError(`${file} holds no recipient`);
    given.push(...found);
  }
  return given;
}

/** The one identity in an identity file (comments and blank lines skipped). */
export function identityFromFile(path: string): string {
  const lines = recipientsFromFile(Deno.readTextFileSync(path));
  if (lines.length !== 1) {
    throw new UsageError(`${path} must hold exactly one identity`);
  }
  return lines[0];
}

/**
 * Writes `identity.txt` (0600, as age-keygen writes it), `recipient.txt`
 * (0644) and `fernet.key` (0600) into `dir`, never overwriting.
 */
export async function writeAgeKeys(
  client: KeyServiceClient,
  dir: string,
  keyType: AgeKeyType,
  create: (file: string, text: string, mode: number) => void,
): Promise<void> {
  const base = dir.replace(/\/+$/, "");
  const keys = await client.generateAgeKeys(keyType);
  const created = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  create(
    `${base}/identity.txt`,
    `# created: ${created}\n# public key: ${keys.recipient}\n${keys.identity}\n`,
    0o600,
  );
  create(`${base}/recipient.txt`, `${keys.recipient}\n`, 0o644);
  create(`${base}/fernet.key`, `${keys.fernet}\n`, 0o600);
}

/** `wrap` to age recipients: prints the armored age file. */
export async function wrapForRecipients(
  client: KeyServiceClient,
  fernet: string,
  recipients: readonly string[],
): Promise<void> {
  const file = recipients.length === 1
    ? await client.encryptFernetAge(fernet, recipients[0])
    : await client.encryptFernetAge(fernet, recipients);
  print(file);
}
