import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  DEFAULT_ENDPOINT,
  HELP,
  parseConfig,
} from "../../../lib/cli/config.ts";

function run(args: string[], env: Record<string, string> = {}): Config {
  const parsed = parseConfig(args, env);
  assert.equal(parsed.kind, "run");
  if (parsed.kind !== "run") throw new Error("unreachable");
  return parsed.config;
}

function assertConfigError(
  args: string[],
  env: Record<string, string> = {},
): void {
  assert.throws(() => parseConfig(args, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, "config_error");
    assert.ok(!error.message.includes("\n"), "message is one line");
    return true;
  });
}

Deno.test("defaults: endpoint tcp://127.0.0.1:5555, log level info", () => {
  const config = run([]);
  assert.equal(config.endpoint, "tcp://127.0.0.1:5555");
  assert.equal(config.logLevel, "info");
  assert.equal(config.libzmq, undefined);
  assert.equal(config.drainSeconds, 10);
  assert.equal(DEFAULT_ENDPOINT, "tcp://127.0.0.1:5555");
});

Deno.test("--endpoint flag beats KEYSERVICE_ENDPOINT", () => {
  const config = run(["--endpoint", "tcp://127.0.0.1:6000"], {
    KEYSERVICE_ENDPOINT: "tcp://127.0.0.1:7000",
  });
  assert.equal(config.endpoint, "tcp://127.0.0.1:6000");
});

Deno.test("--endpoint=VALUE form is read", () => {
  assert.equal(run(["--endpoint=tcp://*:6001"]).endpoint, "tcp://*:6001");
});

Deno.test("KEYSERVICE_ENDPOINT is used when no flag is given", () => {
  const config = run([], { KEYSERVICE_ENDPOINT: "tcp://127.0.0.1:7000" });
  assert.equal(config.endpoint, "tcp://127.0.0.1:7000");
});

Deno.test("an empty KEYSERVICE_ENDPOINT falls back to the default", () => {
  assert.equal(run([], { KEYSERVICE_ENDPOINT: "" }).endpoint, DEFAULT_ENDPOINT);
});

Deno.test("--log-level flag beats KEYSERVICE_LOG_LEVEL", () => {
  assert.equal(
    run(["--log-level", "debug"], { KEYSERVICE_LOG_LEVEL: "error" }).logLevel,
    "debug",
  );
  assert.equal(run([], { KEYSERVICE_LOG_LEVEL: "warn" }).logLevel, "warn");
});

Deno.test("every log level is accepted", () => {
  for (const level of ["debug", "info", "warn", "error", "silent"]) {
    assert.equal(run(["--log-level", level]).logLevel, level);
  }
});

Deno.test("--libzmq and KEYSERVICE_LIBZMQ set the libzmq path", () => {
  assert.equal(
    run(["--libzmq", "/a.so"], { KEYSERVICE_LIBZMQ: "/b.so" }).libzmq,
    "/a.so",
  );
  assert.equal(run([], { KEYSERVICE_LIBZMQ: "/b.so" }).libzmq, "/b.so");
});

Deno.test("--drain-seconds and KEYSERVICE_DRAIN_SECONDS set the drain time", () => {
  assert.equal(run(["--drain-seconds", "2.5"]).drainSeconds, 2.5);
  assert.equal(run([], { KEYSERVICE_DRAIN_SECONDS: "0" }).drainSeconds, 0);
  assert.equal(
    run(["--drain-seconds", "3"], { KEYSERVICE_DRAIN_SECONDS: "4" })
      .drainSeconds,
    3,
  );
});

Deno.test("--help and -h give kind help with the help text", () => {
  for (const flag of ["--help", "-h"]) {
    const parsed = parseConfig([flag], {});
    assert.equal(parsed.kind, "help");
    assert.equal(parsed.kind === "help" && parsed.text, HELP);
  }
  assert.match(HELP, /--endpoint/);
  assert.match(HELP, /KEYSERVICE_ENDPOINT/);
});

Deno.test("--version and -V give kind version", () => {
  for (const flag of ["--version", "-V"]) {
    assert.deepEqual(parseConfig([flag], {}), { kind: "version" });
  }
});

Deno.test("--help wins even beside a bad log level", () => {
  assert.equal(parseConfig(["--help", "--log-level", "loud"], {}).kind, "help");
});

Deno.test("an unknown flag throws ConfigError", () => {
  assertConfigError(["--port", "5555"]);
  assertConfigError(["-x"]);
});

Deno.test("a positional argument throws ConfigError", () => {
  assertConfigError(["tcp://127.0.0.1:5555"]);
});

Deno.test("a flag without its value throws ConfigError", () => {
  assertConfigError(["--endpoint"]);
});

Deno.test("a bad log level throws ConfigError, from flag or environment", () => {
  assertConfigError(["--log-level", "loud"]);
  assertConfigError(["--log-level", "INFO"]);
  assertConfigError([], { KEYSERVICE_LOG_LEVEL: "verbose" });
});

Deno.test("a bad drain time throws ConfigError", () => {
  for (const value of ["-1", "abc", "1e3", "", " 1", "Infinity"]) {
    assertConfigError([`--drain-seconds=${value}`]);
  }
  assertConfigError([], { KEYSERVICE_DRAIN_SECONDS: "soon" });
});

Deno.test("a flag value that starts with a dash gives a one-line ConfigError", () => {
  // node:util parseArgs reports this case in a three-line message; the
  // ConfigError contract (and main.ts's "... (see --help)") wants one line.
  assertConfigError(["--drain-seconds", "-1"]);
  assertConfigError(["--endpoint", "-x"]);
});
