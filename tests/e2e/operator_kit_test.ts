// The operator's kit in deploy/: the alert rules pass `promtool check
// rules` and their unit tests (`promtool test rules`); every PromQL
// expression of the Grafana dashboard and the rules parses (promtool checks
// them as recording rules) and names only metrics that a real scrape of
// the service exports.

import assert from "node:assert/strict";
import { detectTool, gate } from "../_helpers/gate.ts";
import { withService } from "../_helpers/service.ts";
import { roundTrip } from "../_helpers/round_trip.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const RULES = "deploy/prometheus/keyservice-alerts.yml";
const DASHBOARD = "deploy/grafana/keyservice.json";

const promtool = gate(
  "operator kit tests (promtool)",
  await detectTool(
    "promtool",
    ["--version"],
    "Debian: apt-get install prometheus",
  ),
);

/** Runs promtool in `cwd`; its exit code and output. */
async function run(args: string[], cwd = ROOT) {
  const out = await new Deno.Command("promtool", {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    text: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

/** Every `expr` of the dashboard's panels. */
function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(Deno.readTextFileSync(ROOT + DASHBOARD));
  return dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
    panel.targets.map((target) => target.expr)
  );
}

/** Every alert rule's `expr` (the YAML's `expr:` values, folded ones too). */
function ruleExpressions(): string[] {
  const lines = Deno.readTextFileSync(ROOT + RULES).split("\n");
  const exprs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)expr:\s*(.*)$/.exec(lines[i]);
    if (!match) continue;
    if (match[2] !== "|") {
      exprs.push(match[2]);
      continue;
    }
    const body: string[] = [];
    while (i + 1 < lines.length && /^\s{10,}\S/.test(lines[i + 1])) {
      body.push(lines[++i].trim());
    }
    exprs.push(body.join(" "));
  }
  return exprs;
}

/** The metric names an expression reads (up is Prometheus's own). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(keyservice_[a-z0-9_]+|process_[a-z0-9_]+)\b/g)]
    .map((m) => m[1]);
}

/** Grafana's variables replaced by what Prometheus itself accepts. */
function asPromql(expr: string): string {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll(
    /"\$[a-z]+"/g,
    '".*"',
  );
}

Deno.test({
  name: "the alert rules pass promtool check rules and their unit tests",
  ignore: promtool.ignore,
  async fn() {
    promtool.assertRunnable();
    const check = await run(["check", "rules", RULES]);
    assert.equal(check.code, 0, check.text);
    assert.match(check.text, /SUCCESS: 6 rules found/);
    const test = await run(
      ["test", "rules", "keyservice-alerts.test.yml"],
      ROOT + "deploy/prometheus",
    );
    assert.equal(test.code, 0, test.text);
    assert.match(test.text, /SUCCESS/);
  },
});

Deno.test({
  name: "every dashboard expression parses as PromQL",
  ignore: promtool.ignore,
  async fn() {
    promtool.assertRunnable();
    const exprs = dashboardExpressions();
    assert.ok(exprs.length >= 10);
    const dir = await Deno.makeTempDir({ prefix: "keyservice-dashboard-" });
    try {
      const rules = exprs.map((expr, i) =>
        `      - record: dashboard:expr_${i}\n        expr: ${
          JSON.stringify(asPromql(expr))
        }\n`
      ).join("");
      await Deno.writeTextFile(
        `${dir}/rules.yml`,
        `groups:\n  - name: dashboard\n    rules:\n${rules}`,
      );
      const check = await run(["check", "rules", `${dir}/rules.yml`]);
      assert.equal(check.code, 0, check.text);
      assert.match(check.text, new RegExp(`SUCCESS: ${exprs.length} rules`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the dashboard and the rules name only metrics a real scrape has", async () => {
  const wanted = new Set(
    [...dashboardExpressions(), ...ruleExpressions()].flatMap(metricNames),
  );
  // What each panel is for: all of these are shown.
  for (
    const name of [
      "keyservice_requests_total",
      "keyservice_request_duration_seconds_bucket",
      "keyservice_requests_in_flight",
      "keyservice_key_pool_depth",
      "keyservice_key_generations_running",
      "keyservice_curve_handshakes_refused_total",
      "process_resident_memory_bytes",
    ]
  ) assert.ok(wanted.has(name), `the dashboard shows ${name}`);
  await withService(async (service) => {
    await roundTrip(service);
    assert.ok(service.metrics);
    const scrape = await (await fetch(`${service.metrics}/metrics`)).text();
    const exported = new Set(
      scrape.split("\n").filter((line) => line && !line.startsWith("#")).map(
        (line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0],
      ),
    );
    const missing = [...wanted].filter((name) => !exported.has(name));
    assert.deepEqual(missing, [], `not in the scrape:\n${scrape}`);
  }, ["--metrics", "127.0.0.1:0"]);
});
