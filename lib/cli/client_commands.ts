/**
 * The client subcommands, built on {@linkcode KeyServiceClient}:
 * `keys new` (a key set into files), `wrap` and `unwrap` (a Fernet key
 * through stdin and stdout), and `ping`. Each prints only what it exists to
 * print: `wrap` the wrapped key, `unwrap` the Fernet key, `keys new` the
 * paths it wrote (the keys go to files, the private ones mode 0600).
 *
 * @example
 * ```ts
 * import { CLIENT_COMMANDS } from "./client_commands.ts";
 *
 * const ping = CLIENT_COMMANDS.find((c) => c.spec.name === "ping")!;
 * Deno.exit(await ping.run(["--endpoint", "tcp://127.0.0.1:5555"]));
 * ```
 * @module
 */

import { type KeyServiceClient, KeystoreClient } from "../client/mod.ts";
import {
  CLI_TIMEOUTS,
  CLIENT_FLAGS,
  clientEnv,
  EXIT_CODES,
  FileError,
  openClient,
  readFlagFile,
  TRANSPORT_NOTES,
  usageFailure,
} from "./client_flags.ts";
import {
  AGE_FLAGS,
  identityFromFile,
  KEY_TYPE_CHOICES,
  recipientsOf,
  wrapForRecipients,
  writeAgeKeys,
} from "./age_commands.ts";
import { print } from "./commands.ts";
import { resolvePath } from "./paths.ts";
import {
  commandHelp,
  type CommandSpec,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./flags.ts";

/** A subcommand: its spec, and what runs it (to an exit code). */
export interface Command {
  readonly spec: CommandSpec;
  run(args: readonly string[]): Promise<number>;
}

const PADDING = {
  flag: "padding",
  arg: "P",
  help: "pkcs1v15 (the default) or oaep-sha256",
} as const;
export const PASSPHRASE_FILE = {
  flag: "passphrase-file",
  arg: "PATH",
  help: "the passphrase, on the file's first line",
} as const;

const KEY_ID = {
  flag: "key-id",
  arg: "ID",
  help: "a key kept in the service (contract v1.2), in place of a PEM key",
} as const;

/** Parses, opens a client, runs `body`, and maps every ending to a code. */
export function clientCommand(
  spec: CommandSpec,
  body: (client: KeyServiceClient, parsed: ParsedCommand) => Promise<number>,
  timeouts = CLI_TIMEOUTS.other,
): Command {
  const full = {
    ...spec,
    notes: [...spec.notes ?? [], ...TRANSPORT_NOTES, ...EXIT_CODES],
  };
  return {
    spec: full,
    async run(args) {
      let client: KeyServiceClient | undefined;
      let parsed: ParsedCommand | undefined;
      try {
        parsed = parseCommand(full, args, clientEnv(full.flags));
        if (parsed.help) {
          print(commandHelp(full));
          return 0;
        }
        client = openClient(parsed, timeouts);
        return await body(client, parsed);
      } catch (error) {
        return usageFailure(error, parsed);
      } finally {
        client?.close();
      }
    },
  };
}

/** A flag's value, one of `choices`, or undefined. */
export function choice<T extends string>(
  parsed: ParsedCommand,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const value = one(parsed, flag);
  if (value !== undefined && !choices.includes(value as T)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(", ")}`);
  }
  return value as T | undefined;
}

/** The passphrase of `--passphrase-file`, or undefined. */
export function passphrase(parsed: ParsedCommand): string | undefined {
  const file = one(parsed, "passphrase-file");
  if (file === undefined) return undefined;
  const line = readFlagFile(parsed, "passphrase-file").split(/\r?\n/)[0];
  if (line === "") {
    throw new UsageError(`--passphrase-file: ${file} holds no passphrase`);
  }
  return line;
}

/** Standard input, trimmed; a usage error when empty. */
export async function stdinText(): Promise<string> {
  const text = (await new Response(Deno.stdin.readable).text()).trim();
  if (text === "") throw new UsageError("nothing on stdin");
  return text;
}

const keysNew = clientCommand({
  name: "keys new",
  summary:
    "writes a new key set into a directory: public.pem, private.pem and fernet.key",
  notes: [
    "private.pem and fernet.key are written mode 0600; an existing file is",
    "never overwritten. DIR is made (mode 0700) when missing, and removed",
    "again if the command fails. '-' (stdout) is refused: three files.",
  ],
  flags: [
    { flag: "out", arg: "DIR", help: "where to write", required: true },
    { flag: "bits", arg: "N", help: "2048 (the default), 3072 or 4096" },
    { flag: "format", arg: "F", help: "pkcs1 (the default) or pkcs8" },
    { ...PASSPHRASE_FILE, help: "encrypt private.pem (PKCS#8) under it" },
    ...AGE_FLAGS.keysNew,
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const typed = one(parsed, "out")!;
  if (typed === "-") {
    throw new UsageError(
      "--out: '-' (stdout) cannot take three files; give a folder",
    );
  }
  const dir = resolvePath(typed);
  const keyType = choice(parsed, "type", KEY_TYPE_CHOICES) ?? "rsa";
  const bits = choice(parsed, "bits", ["2048", "3072", "4096"]);
  const format = choice(parsed, "format", ["pkcs1", "pkcs8"]);
  if (keyType !== "rsa" && (bits ?? format ?? one(parsed, "passphrase-file"))) {
    throw new UsageError("--bits, --format and --passphrase-file are for RSA");
  }
  const secret = passphrase(parsed);
  const names = keyType === "rsa"
    ? ["public.pem", "private.pem", "fernet.key"]
    : ["identity.txt", "recipient.txt", "fernet.key"];
  const files = names.map((name) => `${dir.replace(/\/+$/, "")}/${name}`);
  const made = !exists(dir);
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let keys;
  try {
    for (const file of files) {
      // Checked before asking, so that no key is made only to be dropped.
      if (exists(file)) {
        throw new Deno.errors.AlreadyExists(`refusing to overwrite ${file}`);
      }
    }
    if (keyType !== "rsa") {
      await writeAgeKeys(client, dir, keyType, (file, text, mode) => {
        Deno.writeTextFileSync(file, text, { createNew: true, mode });
        print(`wrote ${file}\n`);
      });
      return 0;
    }
    keys = await client.generateKeys({
      bits: bits === undefined ? undefined : Number(bits) as 2048,
      format,
      passphrase: secret,
    });
  } catch (error) {
    // A failure leaves no empty folder behind: only the one made here, and
    // only while it is still empty (a file written stays, with its folder).
    if (made) removeIfEmpty(dir);
    throw error;
  }
  const contents = [keys.rsa.public, keys.rsa.private, `${keys.fernet}\n`];
  files.forEach((file, i) => {
    // createNew: a file made meanwhile is not overwritten either.
    Deno.writeTextFileSync(file, contents[i], {
      createNew: true,
      mode: i === 0 ? 0o644 : 0o600,
    });
    print(`wrote ${file}\n`);
  });
  return 0;
});

function removeIfEmpty(dir: string): void {
  try {
    Deno.removeSync(dir);
  } catch {
    // Not empty: something was written, and is kept.
  }
}

function exists(file: string): boolean {
  try {
    Deno.lstatSync(file);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const wrap = clientCommand({
  name: "wrap",
  summary:
    "reads a Fernet key on stdin, writes it wrapped for a public key (base64) or a stored key (ks:v<n>:...) on stdout",
  flags: [
    {
      flag: "public-key",
      arg: "PATH",
      help: "the recipient's PEM public key (or age recipients, below)",
    },
    KEY_ID,
    PADDING,
    ...AGE_FLAGS.wrap,
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const padding = choice(parsed, "padding", ["pkcs1v15", "oaep-sha256"]);
  const keyId = one(parsed, "key-id");
  if (keyId !== undefined) {
    if (one(parsed, "public-key") !== undefined) {
      throw new UsageError("give --public-key or --key-id, not both");
    }
    const fernet = await stdinText();
    const stored = new KeystoreClient(client);
    print(`${await stored.encrypt(keyId, fernet, { padding })}\n`);
    return 0;
  }
  const recipients = recipientsOf(parsed);
  const pem = one(parsed, "public-key");
  if ((pem === undefined) === (recipients.length === 0)) {
    throw new UsageError(
      "give either --public-key or age recipients (--recipient, --recipients-file)",
    );
  }
  if (pem === undefined) {
    if (padding !== undefined) throw new UsageError("--padding is for RSA");
    await wrapForRecipients(client, await stdinText(), recipients);
    return 0;
  }
  const publicKey = readFlagFile(parsed, "public-key");
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(publicKey)) {
    throw new FileError("--public-key: this file holds a private key");
  }
  const fernet = await stdinText();
  print(`${await client.encryptFernet(fernet, publicKey, { padding })}\n`);
  return 0;
});

const unwrap = clientCommand({
  name: "unwrap",
  summary:
    "reads a wrapped Fernet key (base64, or ks:v<n>:... for a stored key) on stdin, writes the Fernet key on stdout",
  flags: [
    {
      flag: "private-key",
      arg: "PATH",
      help: "the PEM private key (or --identity)",
    },
    KEY_ID,
    PASSPHRASE_FILE,
    PADDING,
    ...AGE_FLAGS.unwrap,
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const padding = choice(parsed, "padding", ["pkcs1v15", "oaep-sha256"]);
  const keyId = one(parsed, "key-id");
  if (keyId !== undefined) {
    if (one(parsed, "private-key") !== undefined) {
      throw new UsageError("give --private-key or --key-id, not both");
    }
    const wrapped = await stdinText();
    const stored = new KeystoreClient(client);
    print(`${await stored.decrypt(keyId, wrapped, { padding })}\n`);
    return 0;
  }
  const identityFile = one(parsed, "identity");
  const pem = one(parsed, "private-key");
  if ((identityFile === undefined) === (pem === undefined)) {
    throw new UsageError("give either --private-key or --identity");
  }
  if (identityFile !== undefined) {
    const identity = identityFromFile(resolvePath(identityFile));
    const file = await stdinText();
    print(`${await client.decryptFernetAge(file, identity)}\n`);
    return 0;
  }
  const privateKey = readFlagFile(parsed, "private-key");
  const options = { padding, passphrase: passphrase(parsed) };
  if (
    options.passphrase === undefined &&
    privateKey.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")
  ) {
    throw new UsageError(
      "the key is passphrase-protected: pass --passphrase-file",
    );
  }
  const wrapped = await stdinText();
  print(`${await client.decryptFernet(wrapped, privateKey, options)}\n`);
  return 0;
});

const ping = clientCommand({
  name: "ping",
  summary: "prints the service's ping reply; exit 0 when it is healthy",
  flags: CLIENT_FLAGS,
}, async (client) => {
  const reply = await client.ping();
  print(`${JSON.stringify(reply, null, 2)}\n`);
  return reply.status === "ok" ? 0 : 1;
}, CLI_TIMEOUTS.ping);

/** The client subcommands. */
export const CLIENT_COMMANDS: readonly Command[] = [
  keysNew,
  wrap,
  unwrap,
  ping,
];
