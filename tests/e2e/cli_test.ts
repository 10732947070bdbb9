// The client subcommands as subprocesses (`deno task cli ...`): `keys new`
// writes its three files with the right modes and never overwrites; `wrap`
// then `unwrap` gives the Fernet key back (with a passphrase too); `ping`;
// each subcommand's --help; exit codes 0, 1 (an error reply), 2 (usage)
// and 3 (no answer); the broker's usage errors.

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { withTempDir, writePrivate } from "../_helpers/curve.ts";
import { CLEAN_ENV, withService } from "../_helpers/service.ts";

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("cli: keys new, wrap, unwrap: files, modes, no overwrite, the key back", async () => {
  await withTempDir(async (dir) => {
    await withService(async (service) => {
      const at = ["--endpoint", service.endpoint];
      const out = `${dir}/keys`;
      const made = await runCli(["keys", "new", "--out", out, ...at]);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(await mode(`${out}/private.pem`), 0o600);
      assert.equal(await mode(`${out}/fernet.key`), 0o600);
      assert.equal(await mode(`${out}/public.pem`), 0o644);
      const fernet = (await Deno.readTextFile(`${out}/fernet.key`)).trim();
      assert.ok(!made.stdout.includes(fernet), "keys new printed the key");

      const before = await Deno.readTextFile(`${out}/private.pem`);
      const again = await runCli(["keys", "new", "--out", out, ...at]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /refusing to overwrite/);
      assert.equal(await Deno.readTextFile(`${out}/private.pem`), before);

      const wrapped = await runCli(
        ["wrap", "--public-key", `${out}/public.pem`, ...at],
        `${fernet}\n`,
      );
      assert.equal(wrapped.code, 0, wrapped.stderr);
      const unwrapped = await runCli(
        ["unwrap", "--private-key", `${out}/private.pem`, ...at],
        wrapped.stdout,
      );
      assert.equal(unwrapped.code, 0, unwrapped.stderr);
      assert.equal(unwrapped.stdout, `${fernet}\n`);

      // Unwrapping with the public key: the service's error, exit 1.
      const wrong = await runCli(
        ["unwrap", "--private-key", `${out}/public.pem`, ...at],
        wrapped.stdout,
      );
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /must hold/);
    });
  });
});

Deno.test("cli: keys new with a passphrase and OAEP round trip", async () => {
  await withTempDir(async (dir) => {
    await withService(async (service) => {
      const at = ["--endpoint", service.endpoint];
      const pass = await writePrivate(`${dir}/pass`, "open sesame\n");
      const out = `${dir}/locked`;
      const made = await runCli([
        "keys",
        "new",
        "--out",
        out,
        "--passphrase-file",
        pass,
        "--bits",
        "2048",
        ...at,
      ]);
      assert.equal(made.code, 0, made.stderr);
      const pem = await Deno.readTextFile(`${out}/private.pem`);
      assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      const fernet = (await Deno.readTextFile(`${out}/fernet.key`)).trim();
      const padding = ["--padding", "oaep-sha256"];
      const wrapped = await runCli(
        ["wrap", "--public-key", `${out}/public.pem`, ...padding, ...at],
        fernet,
      );
      assert.equal(wrapped.code, 0, wrapped.stderr);
      const unwrapped = await runCli([
        "unwrap",
        "--private-key",
        `${out}/private.pem`,
        "--passphrase-file",
        pass,
        ...padding,
        ...at,
      ], wrapped.stdout);
      assert.equal(unwrapped.stdout, `${fernet}\n`, unwrapped.stderr);
    }, ["--pbkdf2-iterations", "100000"]);
  });
});

Deno.test("cli: ping prints the reply and exits 0; nothing there exits 3", async () => {
  await withService(async (service) => {
    const ping = await runCli(["ping", "--endpoint", service.endpoint]);
    assert.equal(ping.code, 0, ping.stderr);
    assert.equal(JSON.parse(ping.stdout).status, "ok");
  });
  const none = await runCli([
    "ping",
    "--endpoint",
    "tcp://127.0.0.1:1",
    "--timeout",
    "0.2",
    "--retries",
    "1",
  ]);
  assert.equal(none.code, 3);
  assert.match(
    none.stderr,
    /^keyservice: no connection to tcp:\/\/127\.0\.0\.1:1 /,
  );
});

Deno.test("cli: every subcommand has --help; usage errors exit 2", async () => {
  for (
    const command of [["keys", "new"], ["wrap"], ["unwrap"], ["ping"], [
      "broker",
    ]]
  ) {
    const help = await runCli([...command, "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`^keyservice ${command.join(" ")}: `));
    assert.match(help.stdout, /--endpoint|--frontend/);
  }
  const usage: string[][] = [
    ["keys", "new"], // no --out
    ["wrap", "--public-key", "x", "--padding", "rot13"],
    ["ping", "--timeout", "soon"],
    ["ping", "--bogus"],
    ["broker", "--frontend", "tcp://127.0.0.1:*"], // no --backend
  ];
  for (const args of usage) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /^keyservice: .*\(see --help\)\n$/);
  }
});

Deno.test("cli: the broker refuses to bind off loopback without CURVE", async () => {
  const run = await runCli([
    "broker",
    "--frontend",
    "tcp://0.0.0.0:*",
    "--backend",
    "tcp://127.0.0.1:*",
  ]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /refusing to bind tcp:\/\/0\.0\.0\.0:\* without CURVE/,
  );
});

// Issue 21, "wrong today": each test below failed before its fix.

Deno.test("cli: relative paths are the caller's, not the project's; --out - is refused", async () => {
  await withTempDir(async (dir) => {
    await withService(async (service) => {
      const at = ["--endpoint", service.endpoint];
      const made = await runCli(
        ["keys", "new", "--out", "rel", ...at],
        "",
        {},
        dir,
      );
      assert.equal(made.code, 0, made.stderr);
      assert.equal(await mode(`${dir}/rel/private.pem`), 0o600);
      const wrapped = await runCli(
        ["wrap", "--public-key", "rel/public.pem", ...at],
        await Deno.readTextFile(`${dir}/rel/fernet.key`),
        {},
        dir,
      );
      assert.equal(wrapped.code, 0, wrapped.stderr);

      const dash = await runCli(
        ["keys", "new", "--out", "-", ...at],
        "",
        {},
        dir,
      );
      assert.equal(dash.code, 2, dash.stderr);
      assert.match(dash.stderr, /--out: '-' \(stdout\)/);
      const root = new URL("../..", import.meta.url).pathname;
      for (const where of [dir, root]) {
        await assert.rejects(Deno.lstat(`${where}/-`), Deno.errors.NotFound);
      }
    });
  });
});

Deno.test("cli: ping's default asks once; a malformed endpoint is a usage error", async () => {
  const none = await runCli(["ping", "--endpoint", "tcp://127.0.0.1:1"]);
  assert.equal(none.code, 3, none.stderr);
  assert.match(none.stderr, /within 2000 ms, 1 attempt/);
  const more = await runCli([
    "ping",
    "--endpoint",
    "tcp://127.0.0.1:1",
    "--timeout",
    "0.1",
    "--retries",
    "2",
  ]);
  assert.match(more.stderr, /within 100 ms, 3 attempt/);
  for (const endpoint of ["bogus", "tcp://127.0.0.1:", "tcp://127.0.0.1"]) {
    const run = await runCli(["ping", "--endpoint", endpoint]);
    assert.equal(run.code, 2, `${endpoint}: ${run.stderr}`);
    assert.match(run.stderr, /--endpoint: .* is not an endpoint/);
  }
});

Deno.test("cli: a failed keys new leaves no folder; curve-keypair --out writes 0600 once", async () => {
  await withTempDir(async (dir) => {
    const failed = await runCli([
      "keys",
      "new",
      "--out",
      `${dir}/never`,
      "--endpoint",
      "tcp://127.0.0.1:1",
      "--timeout",
      "0.1",
    ]);
    assert.equal(failed.code, 3, failed.stderr);
    await assert.rejects(Deno.lstat(`${dir}/never`), Deno.errors.NotFound);

    const out = `${dir}/server.key`;
    const pair = await runCli(["curve-keypair", "--out", out]);
    assert.equal(pair.code, 0, pair.stderr);
    assert.equal(await mode(out), 0o600);
    const written = await Deno.readTextFile(out);
    assert.match(written, /^public \S{40}\nsecret \S{40}\n$/);
    assert.equal(pair.stdout, written.split("\n")[0] + "\n");
    const again = await runCli(["curve-keypair", "--out", out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--out: refusing to overwrite/);
    assert.equal(await Deno.readTextFile(out), written);
  });
});

Deno.test("cli: every command and group has its own help", async () => {
  const cases: [string[], RegExp][] = [
    [["curve-keypair", "--help"], /^keyservice curve-keypair: [^]*--out FILE/],
    [["keys", "--help"], /^keyservice keys: [^]*^ {2}keys new /m],
    [["serve", "--help"], /^keyservice: [^]*^ {2}curve-keypair /m],
    [["help", "wrap"], /^keyservice wrap: /],
  ];
  for (const [args, expected] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stdout, expected);
  }
  const bare = await runCli(["keys"]);
  assert.equal(bare.code, 2);
});

Deno.test("cli: errors name the flag and the file, not wire fields or Deno's wording", async () => {
  await withTempDir(async (dir) => {
    await withService(async (service) => {
      const at = ["--endpoint", service.endpoint];
      const pass = await writePrivate(`${dir}/pass`, "open sesame\n");
      const made = await runCli([
        "keys",
        "new",
        "--out",
        dir,
        "--format",
        "pkcs8",
        "--passphrase-file",
        pass,
        ...at,
      ]);
      assert.equal(made.code, 0, made.stderr);
      const fernet = await Deno.readTextFile(`${dir}/fernet.key`);
      const cases: [string[], string, RegExp][] = [
        [
          ["wrap", "--public-key", `${dir}/private.pem`],
          fernet,
          /^keyservice: --public-key: this file holds a private key/,
        ],
        [
          ["wrap", "--public-key", `${dir}/missing.pem`],
          fernet,
          /^keyservice: --public-key: no such file: .*missing\.pem\n$/,
        ],
        [
          ["unwrap", "--private-key", `${dir}/private.pem`],
          "AAAA",
          /^keyservice: the key is passphrase-protected: pass --passphrase-file/,
        ],
      ];
      for (const [args, stdin, expected] of cases) {
        const run = await runCli([...args, ...at], stdin);
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, expected);
        assert.doesNotMatch(run.stderr, /os error|readfile/);
      }
    });
  });
});

Deno.test("cli: curve-keypair warns when the secret goes into a file it did not make", async () => {
  await withTempDir(async (dir) => {
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const run = await new Deno.Command("sh", {
      args: [
        "-c",
        `"$0" task -q --config "$1" cli curve-keypair > "$2"`,
        Deno.execPath(),
        config,
        `${dir}/pair.txt`,
      ],
      env: CLEAN_ENV,
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0);
    assert.match(
      new TextDecoder().decode(run.stderr),
      /warning: the secret key goes to a file; use --out FILE/,
    );
    assert.match(await Deno.readTextFile(`${dir}/pair.txt`), /^public /);
    // Into a pipe (as runCli reads it), nothing to warn about.
    const piped = await runCli(["curve-keypair"]);
    assert.equal(piped.stderr, "");
  });
});
