// The client's public API against the real service: an AbortSignal abandons
// a call under way and the client serves the next one; ping at the default
// detail level has only status, version and capabilities, as its type says;
// a reply's code narrows to the contract's; the permissions the docs list
// are enough for a program that uses the library; the Python client has a
// class for exactly the contract's codes.

import assert from "node:assert/strict";
import {
  Aborted,
  KeyServiceClient,
  type PingReply,
  ServiceError,
} from "../../lib/client/mod.ts";
import { ERROR_CODES } from "../../lib/contract/errors.ts";
import { testLibzmq, withService } from "../_helpers/service.ts";
import { interopGate, python } from "../_helpers/python.ts";

Deno.test("an aborted call rejects with Aborted, and the client serves the next call", async () => {
  await withService(async (service) => {
    using client = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
      timeoutMs: 60_000,
    });
    const controller = new AbortController();
    // A 4096-bit pair is made on demand: the call is still under way when
    // the signal fires.
    const slow = client.generateKeys({
      bits: 4096,
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(slow, (error) => error instanceof Aborted);
    assert.equal(Aborted.code, "aborted");
    const reply = await client.ping({ timeoutMs: 10_000 });
    assert.equal(reply.status, "ok");
  }, ["--pool-size", "0"]);
});

Deno.test("ping at the default detail: status, version and capabilities only", async () => {
  await withService(async (service) => {
    using client = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
    });
    const reply: PingReply = await client.ping();
    assert.deepEqual(Object.keys(reply).sort(), [
      "capabilities",
      "status",
      "version",
    ]);
    assert.equal(reply.in_flight, undefined);
    assert.equal(reply.pool, undefined);
  }, ["--ping-detail", "none"]);
});

Deno.test("an error's code narrows to the contract's codes", async () => {
  await withService(async (service) => {
    using client = new KeyServiceClient({
      endpoints: service.endpoint,
      libzmq: testLibzmq(),
    });
    try {
      await client.encryptFernet("x", "junk");
      assert.fail("junk is not a key");
    } catch (error) {
      assert.ok(error instanceof ServiceError);
      let kind: string;
      switch (error.code) {
        case "invalid_pem":
          kind = "bad key";
          break;
        default:
          kind = "other";
      }
      assert.equal(kind, "bad key");
      assert.ok((ERROR_CODES as readonly string[]).includes(error.code));
    }
  });
});

Deno.test("the permissions lib/client/mod.ts documents are enough for a program using it", async () => {
  const docs = await Deno.readTextFile(
    new URL("../../lib/client/mod.ts", import.meta.url),
  );
  const line = /deno run (--allow-[^`\n]*?) app\.ts/.exec(docs);
  assert.ok(line, "the module docs give the deno run line");
  const flags = line[1].split(/\s+/);
  await withService(async (service) => {
    const dir = await Deno.makeTempDir({ prefix: "keyservice-perm-" });
    try {
      const mod = new URL("../../lib/client/mod.ts", import.meta.url);
      await Deno.writeTextFile(
        `${dir}/app.ts`,
        `import { KeyServiceClient } from "${mod}";\n` +
          `using client = new KeyServiceClient({ endpoints: "${service.endpoint}" });\n` +
          `console.log((await client.ping()).status);\n`,
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", ...flags, `${dir}/app.ts`],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.equal(new TextDecoder().decode(out.stdout).trim(), "ok");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

const pythonGate = await interopGate("Python client's error classes");

Deno.test({
  name: "the Python client has a class for exactly the contract's codes",
  ignore: pythonGate.ignore,
  async fn() {
    pythonGate.assertRunnable();
    const run = await python(
      [
        "-c",
        "import json, keyservice_client as k; print(json.dumps(sorted(k.SERVICE_ERRORS)))",
      ],
      60_000,
      { PYTHONPATH: "clients/python/src" },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [...ERROR_CODES].sort());
  },
});
