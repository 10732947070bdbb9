/**
 * The command line of contract v1.2, over the wire: `keys create`,
 * `keys import`, `keys list`, `keys show`, `keys rotate`, `keys configure`,
 * `keys trim`, `keys delete` and `rewrap`. Each prints the service's answer
 * as JSON (public keys only: the service never returns a private key).
 *
 * @example
 * ```ts
 * import { KEYS_COMMANDS } from "./keys_commands.ts";
 *
 * const show = KEYS_COMMANDS.find((c) => c.spec.name === "keys show")!;
 * Deno.exit(await show.run(["--key-id", "group-7"]));
 * ```
 * @module
 */

import { KeystoreClient, type StoredKey } from "../client/mod.ts";
import { CLIENT_FLAGS } from "./client_flags.ts";
import {
  choice,
  clientCommand,
  type Command,
  passphrase,
  PASSPHRASE_FILE,
  stdinText,
} from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import { type FlagSpec, number, one, type ParsedCommand } from "./flags.ts";

const KEY_ID = {
  flag: "key-id",
  arg: "ID",
  help: "the key's id",
  required: true,
} as const;

const NEW_KEY_FLAGS = [
  KEY_ID,
  { flag: "padding", arg: "P", help: "oaep-sha256 (the default) or pkcs1v15" },
  { flag: "deletion-allowed", help: "allow keys delete for this key" },
] as const;

function printJson(value: unknown): number {
  print(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

function newKeyOptions(parsed: ParsedCommand) {
  return {
    padding: choice(parsed, "padding", ["oaep-sha256", "pkcs1v15"]),
    deletionAllowed: parsed.values["deletion-allowed"] === true
      ? true
      : undefined,
  };
}

/** `--deletion-allowed true|false` for keys configure. */
function yesNo(parsed: ParsedCommand, flag: string): boolean | undefined {
  const value = choice(parsed, flag, ["true", "false"]);
  return value === undefined ? undefined : value === "true";
}

function keyCommand(
  name: string,
  summary: string,
  flags: readonly FlagSpec[],
  body: (keys: KeystoreClient, parsed: ParsedCommand) => Promise<unknown>,
): Command {
  return clientCommand(
    { name, summary, flags: [...flags, ...CLIENT_FLAGS] },
    async (client, parsed) =>
      printJson(await body(new KeystoreClient(client), parsed)),
  );
}

const id = (parsed: ParsedCommand) => one(parsed, "key-id")!;

/** The keys commands and `rewrap`. */
export const KEYS_COMMANDS: readonly Command[] = [
  keyCommand(
    "keys create",
    "creates a key in the service (RSA), prints it",
    [...NEW_KEY_FLAGS, {
      flag: "key-type",
      arg: "T",
      help: "rsa-2048 (the default), rsa-3072 or rsa-4096",
    }],
    (keys, parsed) =>
      keys.create(id(parsed), {
        keyType: one(parsed, "key-type"),
        ...newKeyOptions(parsed),
      }),
  ),
  keyCommand(
    "keys import",
    "hands a private key (any PEM form v1.1 reads) to the service, prints the key",
    [...NEW_KEY_FLAGS, {
      flag: "private-key",
      arg: "PATH",
      help: "the PEM private key",
      required: true,
    }, PASSPHRASE_FILE],
    (keys, parsed) =>
      keys.import(
        id(parsed),
        Deno.readTextFileSync(one(parsed, "private-key")!),
        { passphrase: passphrase(parsed), ...newKeyOptions(parsed) },
      ),
  ),
  keyCommand(
    "keys list",
    "lists the keys this client may use",
    [],
    (keys) => keys.list(),
  ),
  keyCommand(
    "keys show",
    "prints a key: its versions, each one's public key, the minimum decryption version",
    [KEY_ID],
    (keys, parsed) => keys.show(id(parsed)),
  ),
  keyCommand(
    "keys rotate",
    "makes a new version of a key, prints the key",
    [KEY_ID],
    (keys, parsed) => keys.rotate(id(parsed)),
  ),
  keyCommand(
    "keys configure",
    "sets a key's minimum decryption version or whether it may be deleted",
    [KEY_ID, {
      flag: "min-decryption-version",
      arg: "N",
      help: "refuse ciphertexts of older versions",
    }, { flag: "deletion-allowed", arg: "BOOL", help: "true or false" }],
    (keys, parsed) =>
      keys.configure(id(parsed), {
        minDecryptionVersion: optionalVersion(parsed),
        deletionAllowed: yesNo(parsed, "deletion-allowed"),
      }),
  ),
  keyCommand(
    "keys trim",
    "deletes a key's versions below its minimum decryption version (set first with --min-decryption-version)",
    [KEY_ID, {
      flag: "min-decryption-version",
      arg: "N",
      help: "set the minimum first",
    }],
    async (keys, parsed) => {
      const minimum = optionalVersion(parsed);
      if (minimum !== undefined) {
        await keys.configure(id(parsed), { minDecryptionVersion: minimum });
      }
      const trimmed = await keys.trim(id(parsed));
      const key: StoredKey = await keys.show(id(parsed));
      return { trimmed, key };
    },
  ),
  keyCommand(
    "keys delete",
    "deletes a key, when its configuration allows it",
    [KEY_ID],
    async (keys, parsed) => {
      await keys.delete(id(parsed));
      return { keyId: id(parsed), deleted: true };
    },
  ),
  clientCommand({
    name: "rewrap",
    summary:
      "reads ciphertexts (ks:v<n>:..., one a line) on stdin, writes each under the key's latest version",
    flags: [KEY_ID, ...CLIENT_FLAGS],
  }, async (client, parsed) => {
    const lines = (await stdinText()).split(/\r?\n/).filter((l) => l !== "");
    const results = await new KeystoreClient(client).rewrap(id(parsed), lines);
    let failed = 0;
    for (const result of results) {
      if ("encryptedFernet" in result) print(`${result.encryptedFernet}\n`);
      else {
        failed++;
        print(`error: ${result.error.code}\n`);
      }
    }
    return failed > 0 ? fail(`${failed} ciphertext(s) not rewrapped`) : 0;
  }),
];

function optionalVersion(parsed: ParsedCommand): number | undefined {
  if (one(parsed, "min-decryption-version") === undefined) return undefined;
  return number(parsed, "min-decryption-version", 1, {
    min: 1,
    max: 1_000_000_000,
    integer: true,
  });
}
