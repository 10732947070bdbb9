// Loading libzmq: the supported platforms, and the refusal elsewhere; where
// the copy inside npm:zeromq is looked for.

import assert from "node:assert/strict";
import { UnsupportedPlatform } from "../../../lib/zmq/errors.ts";
import {
  checkPlatform,
  loadLibzmq,
  npmZeromqCandidates,
} from "../../../lib/zmq/libzmq.ts";

Deno.test("checkPlatform refuses Windows with one line naming the supported platforms", () => {
  assert.throws(() => checkPlatform("windows"), (error: unknown) => {
    assert.ok(error instanceof UnsupportedPlatform);
    assert.equal(error.code, "unsupported_platform");
    assert.equal(
      error.message,
      "Windows is not supported: keyservice runs on Linux (x64, arm64) and macOS",
    );
    return true;
  });
});

Deno.test("checkPlatform accepts Linux and macOS", () => {
  checkPlatform("linux");
  checkPlatform("darwin");
});

Deno.test("loadLibzmq with no path finds a libzmq 4 here, with CURVE", () => {
  const libzmq = loadLibzmq();
  assert.match(libzmq.version, /^4\.\d+\.\d+$/);
  assert.equal(libzmq.hasCurve, true);
});

/** npm:zeromq's directory: its entry point is lib/index.js. */
const PACKAGE = new URL("..", import.meta.resolve("zeromq"));

Deno.test("npmZeromqCandidates gives absolute paths of npm:zeromq's addon.node files for this platform, each there", () => {
  const candidates = npmZeromqCandidates();
  assert.ok(candidates.length > 0);
  const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
  const under = new URL(`build/${Deno.build.os}/${arch}/node/`, PACKAGE);
  for (const path of candidates) {
    assert.ok(path.startsWith("/"), path);
    assert.ok(path.endsWith("/addon.node"), path);
    assert.ok(path.startsWith(decodeURIComponent(under.pathname)), path);
    assert.ok(Deno.statSync(path).isFile, path);
  }
  if (Deno.build.os === "linux" && Deno.build.env !== "musl") {
    assert.match(candidates[0], /\/glibc-127-Release\/addon\.node$/);
  }
});

Deno.test("libzmq.ts resolves the npm:zeromq version deno.json's import map names", async () => {
  const { imports } = JSON.parse(
    await Deno.readTextFile(new URL("../../../deno.json", import.meta.url)),
  );
  const source = await Deno.readTextFile(
    new URL("../../../lib/zmq/libzmq.ts", import.meta.url),
  );
  const named = [...source.matchAll(/"(npm:zeromq@[^"/]+)/g)].map((m) => m[1]);
  assert.ok(named.length >= 2);
  for (const specifier of named) assert.equal(specifier, imports.zeromq);
});

Deno.test("a program outside this repository, with no import map, loads npm:zeromq's libzmq", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-outside-" });
  try {
    await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
    const client = new URL("../../../lib/client/mod.ts", import.meta.url);
    const libzmq = new URL("../../../lib/zmq/libzmq.ts", import.meta.url);
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { KeyServiceClient } from "${client}";\n` +
        `import { loadLibzmq } from "${libzmq}";\n` +
        `const { source, path } = loadLibzmq();\n` +
        `console.log(JSON.stringify({ source, path, client: typeof KeyServiceClient }));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", `${dir}/main.ts`],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const loaded = JSON.parse(text);
    assert.equal(loaded.source, "npm:zeromq", text);
    assert.match(loaded.path, /zeromq.*\/addon\.node$/);
    assert.equal(loaded.client, "function");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
