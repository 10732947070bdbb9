// Issue 16, finding 11: a value that begins with `-` is taken as
// `--flag VALUE` and as `--flag=VALUE` (a Z85 CURVE key may begin with one),
// and the client subcommands read the variables that apply to them
// (KEYSERVICE_ENDPOINT, the CURVE server key) instead of the default address.

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { dashKeyPair, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { withService } from "../_helpers/service.ts";

Deno.test("flags: a CURVE key beginning with '-' works as --flag VALUE for the service and the client", async () => {
  const server = dashKeyPair();
  await withService(async (service) => {
    const separate = await runCli([
      "ping",
      "--endpoint",
      service.endpoint,
      "--curve-server-key",
      server.public,
      "--timeout",
      "10",
    ]);
    assert.equal(separate.code, 0, separate.stderr);
    assert.equal(JSON.parse(separate.stdout).status, "ok");
    const joined = await runCli([
      "ping",
      `--endpoint=${service.endpoint}`,
      `--curve-server-key=${server.public}`,
      "--timeout=10",
    ]);
    assert.equal(joined.code, 0, joined.stderr);
  }, ["--curve-secret-key", server.secret]);
});

Deno.test("flags: client subcommands read KEYSERVICE_ENDPOINT and the CURVE server key from the environment", async () => {
  const server = dashKeyPair();
  await withTempDir(async (dir) => {
    const keyFile = await writePrivate(`${dir}/server.key`, server.secret);
    await withService(async (service) => {
      const fromEnv = await runCli(["ping", "--timeout", "10"], "", {
        KEYSERVICE_ENDPOINT: service.endpoint,
        KEYSERVICE_CURVE_SERVER_KEY: server.public,
      });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      assert.equal(JSON.parse(fromEnv.stdout).status, "ok");
      // A flag given wins over the variable: nothing listens on port 1.
      const flagWins = await runCli(
        [
          "ping",
          "--endpoint",
          "tcp://127.0.0.1:1",
          "--timeout",
          "0.2",
          "--retries",
          "0",
        ],
        "",
        {
          KEYSERVICE_ENDPOINT: service.endpoint,
          KEYSERVICE_CURVE_SERVER_KEY: server.public,
        },
      );
      assert.equal(flagWins.code, 3, flagWins.stderr);
      assert.match(flagWins.stderr, /tcp:\/\/127\.0\.0\.1:1/);
    }, ["--curve-secret-key-file", keyFile]);
  });
});
