// Installing and publishing as a user would: `deno task install --root DIR`
// puts a `keyservice` command in DIR/bin, and that command, run from
// another folder, serves and runs the client subcommands end to end
// (--version, keys new, wrap, unwrap); `deno publish --dry-run` passes and
// its file list holds the library, not the tests or the test vectors.

import assert from "node:assert/strict";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs `command` to its end; exit code and output. */
async function run(
  command: string,
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
) {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:/usr/bin:/bin` },
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test("deno task install gives a keyservice command that serves, makes keys, wraps and unwraps", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-install-" });
  let service: Deno.ChildProcess | undefined;
  try {
    const install = await run(Deno.execPath(), [
      "task",
      "-q",
      "install",
      "--root",
      dir,
    ]);
    assert.equal(install.code, 0, install.stderr);
    const keyservice = `${dir}/bin/keyservice`;
    const work = `${dir}/work`;
    await Deno.mkdir(work);

    const version = await run(keyservice, ["--version"], { cwd: work });
    assert.equal(version.code, 0, version.stderr);
    const { version: expected } = JSON.parse(
      await Deno.readTextFile(`${ROOT}deno.json`),
    );
    assert.equal(version.stdout.trim(), `keyservice ${expected}`);

    service = new Deno.Command(keyservice, {
      args: ["--endpoint", "tcp://127.0.0.1:*", "--pool-size", "1"],
      cwd: work,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:/usr/bin:/bin` },
    }).spawn();
    let log = "";
    const reader = service.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        log += value;
      }
    })();
    service.stdout.cancel();
    const endpoint = await waitFor(
      () => / listening endpoint=(\S+)/.exec(log)?.[1],
      { what: "the installed service's start-up line" },
    );

    const made = await run(keyservice, [
      "keys",
      "new",
      "--out",
      "keys",
      "--endpoint",
      endpoint,
    ], { cwd: work });
    assert.equal(made.code, 0, made.stderr);
    const fernet = (await Deno.readTextFile(`${work}/keys/fernet.key`)).trim();
    const wrapped = await run(keyservice, [
      "wrap",
      "--public-key",
      "keys/public.pem",
      "--endpoint",
      endpoint,
    ], { cwd: work, stdin: `${fernet}\n` });
    assert.equal(wrapped.code, 0, wrapped.stderr);
    const unwrapped = await run(keyservice, [
      "unwrap",
      "--private-key",
      "keys/private.pem",
      "--endpoint",
      endpoint,
    ], { cwd: work, stdin: wrapped.stdout });
    assert.equal(unwrapped.code, 0, unwrapped.stderr);
    assert.equal(unwrapped.stdout.trim(), fernet);
  } finally {
    if (service !== undefined) {
      service.kill("SIGTERM");
      await service.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno publish --dry-run passes and publishes the library without tests or vectors", async () => {
  const publish = await run(Deno.execPath(), [
    "publish",
    "--dry-run",
    "--allow-dirty",
  ]);
  const output = publish.stdout + publish.stderr;
  assert.equal(publish.code, 0, output);
  assert.match(output, /Dry run complete/);
  const files = [...output.matchAll(/file:\/\/\S+?\/(\S+) \(/g)].map((m) =>
    m[1].slice(m[1].indexOf("/") + 1)
  );
  for (const wanted of ["LICENSE", "lib/client/mod.ts", "main.ts"]) {
    assert.ok(output.includes(wanted), `${wanted} is published`);
  }
  assert.ok(files.length > 20, output);
  assert.doesNotMatch(output, /\/tests\//, "no test file is published");
  assert.doesNotMatch(output, /vectors/, "no test vector is published");
  assert.doesNotMatch(output, /\/clients\/|\/scripts\//);
});
