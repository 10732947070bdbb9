// The subcommands' flags: parsing, required flags, --help made from the
// spec, finding the subcommand a command line names, and --connect
// excluding --endpoint.

import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../../lib/cli/config.ts";
import {
  COMMANDS,
  findCommand,
  groupHelp,
  HELP,
} from "../../../lib/cli/registry.ts";
import {
  commandHelp,
  type CommandSpec,
  number,
  parseCommand,
  UsageError,
} from "../../../lib/cli/flags.ts";

const SPEC: CommandSpec = {
  name: "demo",
  summary: "a demonstration",
  flags: [
    { flag: "out", arg: "DIR", help: "where", required: true },
    { flag: "endpoint", arg: "ADDR", help: "to whom", multiple: true },
    { flag: "timeout", arg: "SECONDS", help: "how long" },
  ],
};

Deno.test("parseCommand keeps repeated flags in order, and says when a required one is missing", () => {
  const parsed = parseCommand(SPEC, [
    "--out",
    "d",
    "--endpoint",
    "a",
    "--endpoint",
    "b",
  ]);
  assert.deepEqual(parsed.values.endpoint, ["a", "b"]);
  assert.throws(() => parseCommand(SPEC, []), UsageError);
  assert.throws(() => parseCommand(SPEC, ["--out", "d", "--nope"]), UsageError);
  assert.equal(parseCommand(SPEC, ["--help"]).help, true);
});

Deno.test("number() bounds a flag's value", () => {
  const parsed = parseCommand(SPEC, ["--out", "d", "--timeout", "0.5"]);
  assert.equal(number(parsed, "timeout", 5, { min: 0.01, max: 10 }), 0.5);
  const bad = parseCommand(SPEC, ["--out", "d", "--timeout=11"]);
  assert.throws(
    () => number(bad, "timeout", 5, { min: 0, max: 10 }),
    UsageError,
  );
});

Deno.test("commandHelp lists every flag of the spec", () => {
  const help = commandHelp(SPEC);
  assert.match(help, /^keyservice demo: a demonstration\n/);
  assert.match(help, /Usage: keyservice demo --out DIR \[options\]/);
  for (const flag of SPEC.flags) {
    assert.match(help, new RegExp(`^  --${flag.flag}`, "m"));
  }
});

Deno.test("findCommand: two-word and one-word commands; serve for service flags; a group alone is the group", () => {
  assert.equal(
    findCommand(["keys", "new", "--out", "x"])?.command.spec.name,
    "keys new",
  );
  assert.deepEqual(findCommand(["keys", "new", "--out", "x"])?.rest, [
    "--out",
    "x",
  ]);
  assert.equal(findCommand(["broker"])?.command.spec.name, "broker");
  assert.equal(findCommand(["keys"]).command.spec.name, "keys");
  assert.equal(findCommand(["keys", "--help"]).command.spec.name, "keys");
  assert.equal(
    findCommand(["--endpoint", "tcp://127.0.0.1:1"]).command.spec.name,
    "serve",
  );
  assert.equal(findCommand(["serve", "--help"]).command.spec.name, "serve");
  assert.equal(
    findCommand(["curve-keypair", "--help"]).command.spec.name,
    "curve-keypair",
  );
});

Deno.test("--connect replaces binding: with --endpoint (flag or variable) it is a usage error", () => {
  const parsed = parseConfig(["--connect", "tcp://127.0.0.1:6000"], {});
  assert.equal(
    parsed.kind === "run" && parsed.config.connect,
    "tcp://127.0.0.1:6000",
  );
  assert.throws(
    () =>
      parseConfig(["--connect", "tcp://b:1", "--endpoint", "tcp://a:1"], {}),
    ConfigError,
  );
  assert.throws(
    () =>
      parseConfig(["--connect", "tcp://b:1"], {
        KEYSERVICE_ENDPOINT: "tcp://a:1",
      }),
    ConfigError,
  );
});

// Issue 16, finding 11: values beginning with `-`, in both forms.
const DASH_KEY = "-Mmn9vK>Q2<}cSuVbL-ke*W9y+z0qNbfp{b=Ln4]";

Deno.test("parseCommand takes a value beginning with '-' as --flag VALUE and --flag=VALUE", () => {
  for (
    const args of [
      ["--out", "-d", "--timeout", "-1"],
      ["--out=-d", "--timeout=-1"],
    ]
  ) {
    const parsed = parseCommand(SPEC, args);
    assert.equal(parsed.values.out, "-d");
    assert.equal(parsed.values.timeout, "-1");
  }
  // Taken as the value even when it looks like a flag, as getopt does.
  assert.equal(
    parseCommand(SPEC, ["--out", "--timeout"]).values.out,
    "--timeout",
  );
  // A valued flag with nothing after it is still an error.
  assert.throws(() => parseCommand(SPEC, ["--out"]), UsageError);
});

Deno.test("parseCommand reads a flag's variable when the flag is absent; the flag wins", () => {
  const spec: CommandSpec = {
    name: "demo",
    summary: "",
    flags: [{ flag: "endpoint", arg: "A", help: "", multiple: true, env: "E" }],
  };
  assert.deepEqual(parseCommand(spec, [], { E: "-x" }).values.endpoint, ["-x"]);
  assert.deepEqual(
    parseCommand(spec, ["--endpoint", "y"], { E: "x" }).values.endpoint,
    ["y"],
  );
  assert.equal(parseCommand(spec, [], { E: "" }).values.endpoint, undefined);
});

Deno.test("parseConfig takes a CURVE key beginning with '-' in both forms", () => {
  for (
    const args of [
      ["--curve-secret-key", DASH_KEY],
      [`--curve-secret-key=${DASH_KEY}`],
    ]
  ) {
    const parsed = parseConfig(args, {});
    assert.equal(parsed.kind, "run");
    if (parsed.kind === "run") {
      assert.equal(parsed.config.curveSecretKey, DASH_KEY);
    }
  }
  assert.throws(() => parseConfig(["--endpoint"], {}), ConfigError);
});

Deno.test("the top-level help lists every command of the registry; a group's help its members", () => {
  for (const command of COMMANDS) {
    assert.match(HELP, new RegExp(`^  ${command.spec.name}\\b`, "m"));
  }
  const keys = groupHelp("keys");
  assert.match(keys, /^ {2}keys new\b/m);
  assert.doesNotMatch(keys, /^ {2}wrap\b/m);
});

Deno.test("a typed flag is checked from the flag or its variable, and takes its default when absent", () => {
  const spec: CommandSpec = {
    name: "demo",
    summary: "",
    flags: [
      {
        flag: "size",
        arg: "N",
        help: "",
        env: "SIZE",
        type: { kind: "integer", min: 1, max: 9 },
        default: 3,
      },
      { flag: "loud", help: "", env: "LOUD" },
    ],
  };
  assert.equal(parseCommand(spec, []).values.size, 3);
  assert.equal(parseCommand(spec, ["--size", "7"]).values.size, 7);
  assert.equal(parseCommand(spec, [], { SIZE: "5" }).values.size, 5);
  assert.deepEqual([...parseCommand(spec, [], { SIZE: "5" }).given], ["size"]);
  assert.throws(() => parseCommand(spec, ["--size=10"]), UsageError);
  assert.throws(() => parseCommand(spec, [], { SIZE: "many" }), UsageError);
  assert.equal(parseCommand(spec, [], { LOUD: "1" }).values.loud, true);
  assert.equal(parseCommand(spec, [], { LOUD: "0" }).values.loud, false);
});

Deno.test("serve and broker are parsed by the one flag parser, from their own specs", () => {
  for (const name of ["serve", "broker"]) {
    const spec = COMMANDS.find((command) => command.spec.name === name)!.spec;
    assert.ok(spec.flags.length > 0, name);
    const help = commandHelp(spec);
    for (const flag of spec.flags) {
      assert.match(help, new RegExp(`^  --${flag.flag}\\b`, "m"));
    }
  }
  assert.throws(() => parseConfig(["--pool-size", "-1"], {}), UsageError);
});
