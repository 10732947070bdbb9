// The broker's operations endpoint (`keyservice broker --metrics`), scraped
// for real: /healthz is 503 with no instance and 200 once one joined; the
// broker logs each instance that joins or leaves (with its CURVE key and
// address) and its gauge follows; a key the backend refuses is counted per
// side; the exposition passes `promtool check metrics` where promtool is.

import assert from "node:assert/strict";
import { HandshakeFailed, ReqClient } from "../../lib/zmq/client.ts";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import {
  curveBroker,
  curveInstance,
  health,
  keyFiles,
} from "../_helpers/broker.ts";
import { runBroker } from "../_helpers/cli.ts";
import { logged, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { detectTool, gate } from "../_helpers/gate.ts";
import { gauge, promtoolCheck, scrape } from "../_helpers/metrics.ts";
import { testLibzmq } from "../_helpers/service.ts";
import { waitFor, waitForLog } from "../_helpers/wait.ts";

const promtool = gate(
  "the broker's promtool check (promtool)",
  await detectTool(
    "promtool",
    ["--version"],
    "Debian: apt-get install prometheus",
  ),
);

/** The value of the sample `series` (name and labels) in a scrape. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
}

/** The broker's line for the instance of `key` on loopback. */
function instanceLine(
  event: "joined" | "left",
  key: string,
  instances: number,
): RegExp {
  return new RegExp(
    ` INFO instance-${event} instance_key=${
      RegExp.escape(logged(key))
    } address=127\\.0\\.0\\.1 instances=${instances}$`,
  );
}

/** A broker whose backend lists one instance key, with `--metrics`. */
async function metricsBroker(dir: string) {
  const keys = await keyFiles(dir, ["broker", "instance"]);
  const allow = await writePrivate(
    `${dir}/instances.allow`,
    `${keys.instance.public}\n`,
  );
  const broker = await curveBroker(
    keys.broker,
    allow,
    "tcp://127.0.0.1:*",
    ["--metrics", "127.0.0.1:0"],
  );
  return { keys, broker };
}

/** Asserts that `text` passes `promtool check metrics`, without a remark. */
async function assertPromtoolPasses(text: string): Promise<void> {
  const check = await promtoolCheck(text);
  assert.ok(check.ok, `promtool check metrics:\n${check.output}\n${text}`);
  assert.equal(check.output.trim(), "", check.output);
}

Deno.test("broker --metrics: /healthz 503 with no instance, 200 with one; instance-joined and instance-left lines with its key; gauge, joins, leaves and refusals scraped", async () => {
  await withTempDir(async (dir) => {
    const { keys, broker } = await metricsBroker(dir);
    try {
      assert.ok(broker.metrics, broker.stderr());
      assert.equal(await health(broker), "503 no-instance");
      assert.equal(
        await gauge(broker, "keyservice_broker_instances_connected"),
        0,
      );

      // A key not on the backend's list: refused, counted, no instance.
      const stranger = generateCurveKeyPair(testLibzmq());
      const peer = ReqClient.connect(testLibzmq(), {
        endpoint: broker.backend,
        immediate: true,
        curveServerKey: keys.broker.public,
        curvePublicKey: stranger.public,
        curveSecretKey: stranger.secret,
      });
      try {
        await assert.rejects(
          peer.request(new TextEncoder().encode("{}"), 10_000),
          (error) => error instanceof HandshakeFailed,
        );
      } finally {
        peer.close();
      }
      await waitFor(async () => {
        const text = await scrape(broker);
        return sample(
          text,
          'keyservice_broker_curve_handshakes_refused_total{side="backend",reason="not_allowed"}',
        ) >= 1;
      }, { what: "the backend's refusal counted", explain: broker.stderr });
      assert.equal(await health(broker), "503 no-instance");

      const key = keys.instance.public;
      const instance = await curveInstance(
        broker.backend,
        keys.instance,
        keys.broker.public,
      );
      try {
        await waitForLog(broker, instanceLine("joined", key, 1));
        assert.equal(await health(broker), "200 ok");
        const text = await scrape(broker);
        assert.equal(sample(text, "keyservice_broker_instances_connected"), 1);
        assert.equal(sample(text, "keyservice_broker_instance_joins_total"), 1);
        assert.equal(
          sample(text, "keyservice_broker_instance_leaves_total"),
          0,
        );
        for (
          const name of [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_start_time_seconds",
          ]
        ) {
          assert.ok(sample(text, name) > 0, name);
        }
        assert.match(
          text,
          /^keyservice_broker_build_info\{version="[^"]+",libzmq="[^"]+",deno="[^"]+"\} 1$/m,
        );
        // With every series present; the test below runs it where promtool
        // is, or fails under KEYSERVICE_REQUIRE_INTEROP=1.
        if (promtool.ok) await assertPromtoolPasses(text);
      } finally {
        await instance.shutDown();
      }
      await waitForLog(broker, instanceLine("left", key, 0));
      assert.equal(await health(broker), "503 no-instance");
      const text = await scrape(broker);
      assert.equal(sample(text, "keyservice_broker_instances_connected"), 0);
      assert.equal(sample(text, "keyservice_broker_instance_leaves_total"), 1);
    } finally {
      assert.equal(await broker.stop(), 0, broker.stderr());
    }
  });
});

Deno.test({
  name: "broker --metrics: the exposition passes promtool check metrics",
  ignore: promtool.ignore,
  async fn() {
    promtool.assertRunnable();
    // Also within the test above, with an instance in.
    await withTempDir(async (dir) => {
      const { broker } = await metricsBroker(dir);
      try {
        await assertPromtoolPasses(await scrape(broker));
      } finally {
        await broker.stop();
      }
    });
  },
});

Deno.test("broker --metrics: a bad listen address is a usage error", async () => {
  const run = await runBroker([
    "--frontend",
    "tcp://127.0.0.1:*",
    "--backend",
    "ipc:///nonexistent/backend",
    "--metrics",
    "nowhere:port",
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^keyservice: --metrics must be PORT or HOST:PORT/);
});
