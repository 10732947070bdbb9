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
  CLIENT_FLAGS,
  clientEnv,
  EXIT_CODES,
  exitCodeFor,
  openClient,
  TRANSPORT_NOTES,
} from "./client_flags.ts";
import { fail, print } from "./commands.ts";
import { firstLine } from "./log.ts";
import {
  commandHelp,
  type CommandSpec,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./subcommand.ts";

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

/** Which one of two flags is given; a usage error for both or neither. */
function oneOf(parsed: ParsedCommand, a: string, b: string): string {
  const given = [a, b].filter((flag) => one(parsed, flag) !== undefined);
  if (given.length !== 1) {
    throw new UsageError(`give one of --${a} and --${b}`);
  }
  return given[0];
}

/** Parses, opens a client, runs `body`, and maps every ending to a code. */
export function clientCommand(
  spec: CommandSpec,
  body: (client: KeyServiceClient, parsed: ParsedCommand) => Promise<number>,
): Command {
  const full = {
    ...spec,
    notes: [...spec.notes ?? [], ...TRANSPORT_NOTES, ...EXIT_CODES],
  };
  return {
    spec: full,
    async run(args) {
      let client: KeyServiceClient | undefined;
      try {
        const parsed = parseCommand(full, args, clientEnv(full.flags));
        if (parsed.help) {
          print(commandHelp(full));
          return 0;
        }
        client = openClient(parsed);
        return await body(client, parsed);
      } catch (error) {
        const code = exitCodeFor(error);
        return fail(
          code === 2 ? `${firstLine(error)} (see --help)` : error,
          code,
        );
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
  const line = Deno.readTextFileSync(file).split(/\r?\n/)[0];
  if (line === "") throw new UsageError(`${file} holds no passphrase`);
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
    "never overwritten. DIR is made (mode 0700) when missing.",
  ],
  flags: [
    { flag: "out", arg: "DIR", help: "where to write", required: true },
    { flag: "bits", arg: "N", help: "2048 (the default), 3072 or 4096" },
    { flag: "format", arg: "F", help: "pkcs1 (the default) or pkcs8" },
    { ...PASSPHRASE_FILE, help: "encrypt private.pem (PKCS#8) under it" },
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const dir = one(parsed, "out")!;
  const bits = choice(parsed, "bits", ["2048", "3072", "4096"]);
  const format = choice(parsed, "format", ["pkcs1", "pkcs8"]);
  const files = ["public.pem", "private.pem", "fernet.key"].map((name) =>
    `${dir.replace(/\/+$/, "")}/${name}`
  );
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of files) {
    // Checked before asking, so that no key is made only to be dropped.
    if (exists(file)) {
      throw new Deno.errors.AlreadyExists(`refusing to overwrite ${file}`);
    }
  }
  const keys = await client.generateKeys({
    bits: bits === undefined ? undefined : Number(bits) as 2048,
    format,
    passphrase: passphrase(parsed),
  });
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
      help: "the recipient's PEM public key",
    },
    KEY_ID,
    PADDING,
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const padding = choice(parsed, "padding", ["pkcs1v15", "oaep-sha256"]);
  const keyId = oneOf(parsed, "public-key", "key-id");
  if (keyId === "key-id") {
    const fernet = await stdinText();
    const stored = new KeystoreClient(client);
    print(
      `${await stored.encrypt(one(parsed, "key-id")!, fernet, { padding })}\n`,
    );
    return 0;
  }
  const publicKey = Deno.readTextFileSync(one(parsed, "public-key")!);
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
      help: "the PEM private key",
    },
    KEY_ID,
    PASSPHRASE_FILE,
    PADDING,
    ...CLIENT_FLAGS,
  ],
}, async (client, parsed) => {
  const padding = choice(parsed, "padding", ["pkcs1v15", "oaep-sha256"]);
  if (oneOf(parsed, "private-key", "key-id") === "key-id") {
    const wrapped = await stdinText();
    const stored = new KeystoreClient(client);
    print(
      `${await stored.decrypt(one(parsed, "key-id")!, wrapped, { padding })}\n`,
    );
    return 0;
  }
  const privateKey = Deno.readTextFileSync(one(parsed, "private-key")!);
  const options = { padding, passphrase: passphrase(parsed) };
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
});

/** The client subcommands. */
export const CLIENT_COMMANDS: readonly Command[] = [
  keysNew,
  wrap,
  unwrap,
  ping,
];
