// The Python client package (clients/python) against the real service: its
// own unittest suite, run by /usr/bin/python3 with Debian's pyzmq and
// cryptography, with the shared cases (tests/cases/client_cases.json), the
// retry loop, failover, the insecure-endpoint refusal and CURVE with the
// files `curve-keypair` writes.
//
// Without the Python stack the test is ignored (and says why), unless
// KEYSERVICE_REQUIRE_INTEROP=1, which turns that into a failure.

import assert from "node:assert/strict";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import { startService, testLibzmq } from "../_helpers/service.ts";
import { withTempDir, writePrivate } from "../_helpers/curve.ts";
import { detectPython, PYTHON, python } from "../_helpers/python.ts";
import { gate as gateFor } from "../_helpers/gate.ts";

/** Copies the files of `from` (relative to the root) into `to`. */
async function copyTree(from: string, to: string): Promise<void> {
  const root = new URL(`../../${from}/`, import.meta.url);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(root)) {
    if (entry.name === "build" || entry.name.endsWith(".egg-info")) continue;
    if (entry.isDirectory) {
      await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    } else if (entry.isFile) {
      await Deno.copyFile(new URL(entry.name, root), `${to}/${entry.name}`);
    }
  }
}

/** The Python stack, and pip with setuptools to install the package. */
async function detect(): Promise<{ ok: boolean; reason: string }> {
  const stack = await detectPython();
  if (!stack.ok) return stack;
  const pip = await python(["-c", "import setuptools, pip"], 60_000);
  return pip.code === 0 ? stack : {
    ok: false,
    reason: `${PYTHON} lacks pip or setuptools` +
      " (Debian: apt-get install python3-pip python3-setuptools)",
  };
}

const gate = gateFor("Python client package tests", await detect());

Deno.test({
  name: "clients/python passes its suite against the real service",
  ignore: gate.ignore,
  async fn() {
    gate.assertRunnable();
    await withTempDir(async (dir) => {
      const libzmq = testLibzmq();
      const server = generateCurveKeyPair(libzmq);
      const client = generateCurveKeyPair(libzmq);
      const keyFile = await writePrivate(
        `${dir}/server.key`,
        `public ${server.public}\nsecret ${server.secret}\n`,
      );
      const allowFile = await writePrivate(
        `${dir}/allowed.txt`,
        `${client.public} python package\n`,
      );
      const clientFile = await writePrivate(
        `${dir}/client.key`,
        `public ${client.public}\nsecret ${client.secret}\n`,
      );
      // Installed as a user installs it (pip, from a copy of the folder, so
      // the build leaves nothing in the checkout); the suite imports the
      // installed copy.
      await copyTree("clients/python", `${dir}/package`);
      const install = await python(
        [
          "-m",
          "pip",
          "install",
          "--quiet",
          "--no-deps",
          "--no-build-isolation",
          "--no-index",
          "--no-cache-dir",
          "--target",
          `${dir}/site`,
          `${dir}/package`,
        ],
        300_000,
        { HOME: dir },
      );
      assert.equal(install.code, 0, install.stdout + install.stderr);
      const plain = await startService(["--pbkdf2-iterations", "100000"]);
      const curve = await startService([
        "--curve-secret-key-file",
        keyFile,
        "--curve-allow",
        allowFile,
      ]);
      try {
        const run = await python(
          ["-m", "unittest", "discover", "-v", "-s", "clients/python/tests"],
          300_000,
          {
            PYTHONPATH: `${dir}/site`,
            KEYSERVICE_TEST_ENDPOINT: plain.endpoint,
            KEYSERVICE_TEST_CURVE_ENDPOINT: curve.endpoint,
            KEYSERVICE_TEST_CURVE_SERVER_KEY: server.public,
            KEYSERVICE_TEST_CURVE_CLIENT_FILE: clientFile,
          },
        );
        const output = `${run.stdout}${run.stderr}`;
        assert.equal(run.code, 0, output);
        // Every test ran: none skipped (the CURVE class skips without its service).
        assert.match(output, /^OK$/m, output);
        assert.doesNotMatch(output, /skipped/, output);
      } finally {
        await plain.stop();
        await curve.stop();
      }
    });
  },
});
