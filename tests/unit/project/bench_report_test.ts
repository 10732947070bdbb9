// The benchmark's targets and report on fixed data (no service, no clock):
// each target judged against a bound from the same run (a number, a multiple
// of another metric, plus a multiple of a third), not measured when its
// scenario was skipped or failed or a metric is missing; the registry and
// the target table agree; the markdown, the charts and the generated doc
// come from the JSON alone; and the parsers of openssl speed, deno bench
// and /proc read what those print.

import assert from "node:assert/strict";
import {
  evaluateTargets,
  type Target,
  TARGETS,
} from "../../../scripts/bench/targets.ts";
import { SCENARIOS } from "../../../scripts/bench/registry.ts";
import type { BenchReport } from "../../../scripts/bench/runner.ts";
import {
  chartSvgs,
  markdownReport,
  warnings,
  writeReport,
} from "../../../scripts/bench/report.ts";
import { benchmarkDoc } from "../../../scripts/bench/doc.ts";
import { parseRsaSpeed } from "../../../scripts/bench/openssl.ts";
import { primitiveMetrics } from "../../../scripts/bench/scenarios/primitives.ts";
import {
  threadCounts,
  threadCpuNote,
} from "../../../scripts/bench/scenarios/scaling.ts";
import {
  parseCpuTicks,
  startupSettings,
  threadCpuByKind,
} from "../../../scripts/bench/processes.ts";
import { percentile, summarize } from "../../../scripts/bench/stats.ts";

const target = (fields: Partial<Target>): Target => ({
  scenario: "decrypt",
  metric: "rate_4_per_s",
  compare: ">=",
  limit: 0.35,
  reference: "openssl.multi_per_s",
  source: "issue 18",
  ...fields,
});

Deno.test("a target's bound is its limit times its reference, plus its extra term", () => {
  const scenarios = {
    decrypt: { metrics: { rate_4_per_s: 800, p50_1_ms: 1.4 } },
    openssl: { metrics: { multi_per_s: 2000, sign_ms: 0.25 } },
    ping: { metrics: { p50_ms: 0.3 } },
  };
  const [ratio, prepared, plain] = evaluateTargets([
    target({}),
    target({
      metric: "p50_1_ms",
      compare: "<=",
      limit: 1,
      reference: "ping.p50_ms",
      plus: { factor: 2, metric: "openssl.sign_ms" },
    }),
    target({
      metric: "p50_1_ms",
      compare: "<=",
      limit: 1,
      reference: undefined,
    }),
  ], scenarios);
  assert.equal(ratio.bound, 700);
  assert.equal(ratio.met, true);
  assert.equal(
    ratio.target,
    "decrypt.rate_4_per_s >= 0.35 x openssl.multi_per_s",
  );
  assert.equal(prepared.bound, 0.8);
  assert.equal(prepared.met, false);
  assert.equal(
    prepared.target,
    "decrypt.p50_1_ms <= ping.p50_ms + 2 x openssl.sign_ms",
  );
  assert.equal(plain.bound, 1);
  assert.equal(plain.met, false);
});

Deno.test("a target is not measured when its reference is missing, skipped or failed", () => {
  const judge = (scenarios: Record<string, object>) =>
    evaluateTargets([target({})], {
      decrypt: { metrics: { rate_4_per_s: 800 } },
      ...scenarios,
    })[0];
  assert.match(judge({}).reason!, /openssl was not run/);
  assert.match(
    judge({ openssl: { skipped: "no openssl" } }).reason!,
    /openssl skipped: no openssl/,
  );
  assert.match(
    judge({ openssl: { error: "exited 1" } }).reason!,
    /openssl failed: exited 1/,
  );
  assert.match(
    judge({ openssl: { metrics: { multi_per_s: NaN } } }).reason!,
    /openssl.multi_per_s not measured/,
  );
  for (const verdict of [judge({}), judge({ openssl: { error: "x" } })]) {
    assert.equal(verdict.met, null);
    assert.equal(verdict.value, 800);
  }
});

Deno.test("only the targets of scenarios that ran are judged", () => {
  const verdicts = evaluateTargets(TARGETS, {
    idle: { metrics: { rss_mb: 62 } },
  });
  assert.ok(verdicts.length > 0);
  assert.ok(verdicts.every((v) => v.scenario === "idle"));
});

Deno.test("every target names a registered scenario, in its own and its references", () => {
  const names = new Set(SCENARIOS.map((s) => s.name));
  for (const t of TARGETS) {
    assert.ok(names.has(t.scenario), t.scenario);
    for (const path of [t.reference, t.plus?.metric]) {
      if (path !== undefined) {
        assert.ok(names.has(path.split(".")[0]), path);
      }
    }
  }
});

const ROW = summarize("decrypt_fernet", 4, [1, 2, 3, 4], 0, 0.01, {
  serviceCpuSeconds: 0.02,
  clientCpuSeconds: 0.004,
  client: "pyzmq",
});

const REPORT: BenchReport = {
  version: 1,
  command: "deno task bench --quick",
  mode: "quick",
  startedAt: "2026-12-04T12:00:00.000Z",
  finishedAt: "2026-12-04T12:05:00.000Z",
  machine: {
    cores: 2,
    cpu: "A CPU",
    os: "linux 6",
    loadavg: [3.5, 2, 1],
    deno: "2.9.6",
    libzmq: "4.3.5",
    loadClient: "pyzmq",
  },
  options: {
    seconds: 2,
    scale: 0.2,
    quick: true,
    mixSeconds: 10,
    mixClients: 16,
    soakSeconds: 600,
    opensslSeconds: 1,
    maxThreads: 2,
    python: "/usr/bin/python3",
  },
  scenarios: {
    decrypt: {
      description: "decrypt_fernet",
      service: "shared: --pool-size 32",
      seconds: 3,
      metrics: { rate_4_per_s: 400, p50_1_ms: 2.5 },
      rows: [ROW],
    },
    openssl: {
      description: "openssl speed",
      service: "none",
      seconds: 3,
      error: "openssl is not installed (not on PATH)",
    },
    mix: {
      description: "mix",
      service: "shared: --pool-size 32",
      seconds: 10,
      metrics: { errors: 0 },
      rows: [{ ...ROW, name: "mix of all operations", clients: 16 }],
      rss: { clients: 16, seconds: 10, rss: [6e7, 6.1e7, 6.2e7] },
    },
    scaling: {
      description: "scaling",
      service: "starts its own",
      seconds: 40,
      metrics: { errors: 0 },
      notes: ["the service has no --threads"],
      rows: [{ ...ROW, clients: 8 }],
      scaling: {
        threadsFlag: false,
        points: [1, 2].map((threads) => ({
          threads,
          clients: 4,
          decryptPerSecond: 400,
          encryptPerSecond: 1500,
          opensslPerSecond: 2000 * threads,
        })),
      },
    },
  },
  targets: [],
};
const REPORT_JUDGED = {
  ...REPORT,
  targets: evaluateTargets(TARGETS, REPORT.scenarios),
};

Deno.test("the markdown report has the targets, each scenario, its loads and the scaling table", () => {
  const md = markdownReport(REPORT_JUDGED, "../bench-results/latest");
  assert.match(md, /^2 cores, A CPU, linux 6; load average 3\.50 2\.00 1\.00/);
  assert.match(
    md,
    /\| `decrypt\.rate_4_per_s >= 0\.35 x openssl\.multi_per_s`.*\| 400 \| - \| n\/a: openssl failed: openssl is not installed/,
  );
  assert.match(
    md,
    /\| `decrypt\.p50_1_ms <= 3` \| issue 9 \| 2\.50 \| 3\.00 \| yes \|/,
  );
  assert.match(
    md,
    /### openssl[\s\S]*\*\*Failed:\*\* openssl is not installed/,
  );
  assert.match(
    md,
    /\| decrypt_fernet \| 4 \| 4 \| 0 \| 400\.0 \| 2\.00 \| 4\.00 \| 4\.00 \| 4\.00 \| 0\.02 \(5000\) \| 0\.00 \|/,
  );
  // threads, clients, decrypt, its ratio, prepared (not measured), its
  // ratio, encrypt, OpenSSL.
  assert.match(
    md,
    /\| 2 \| 4 \| 400 \| 0\.100 \| - \| - \| 1,500 \| 4,000 \|/,
  );
  assert.match(md, /- the service has no --threads/);
  for (const chart of ["latency", "rss", "scaling"]) {
    assert.ok(md.includes(`(../bench-results/latest-${chart}.svg)`), chart);
  }
  assert.ok(!md.includes("soak-rss"));
});

Deno.test("the charts come from the report: latency without the scaling rows, RSS, scaling", () => {
  const svgs = chartSvgs(REPORT_JUDGED);
  assert.deepEqual(Object.keys(svgs).sort(), ["latency", "rss", "scaling"]);
  // decrypt's row and the mix's: 2 loads, 3 bars each.
  assert.equal(svgs.latency.match(/<rect [^>]*height="16"/g)?.length, 6);
  assert.match(svgs.scaling, /one process \(no --threads\)/);
});

Deno.test("writeReport writes the JSON, the markdown and the charts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-bench-" });
  try {
    const written = await writeReport(REPORT_JUDGED, dir, "run");
    assert.deepEqual(written.sort(), [
      `${dir}/run-latency.svg`,
      `${dir}/run-rss.svg`,
      `${dir}/run-scaling.svg`,
      `${dir}/run.json`,
      `${dir}/run.md`,
    ]);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${dir}/run.json`)),
      JSON.parse(JSON.stringify(REPORT_JUDGED)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the doc says it is generated, and when the run was short or the machine loaded", () => {
  const doc = benchmarkDoc([{
    report: REPORT_JUDGED,
    source: "bench-results/latest.json",
    charts: "../bench-results/latest",
  }]);
  assert.match(doc, /^# Benchmarks\n/);
  assert.match(
    doc,
    /Generated by `deno task bench:doc` from bench-results\/latest\.json/,
  );
  assert.match(doc, /A short run/);
  assert.match(doc, /The machine was loaded \(load average 3\.50 on 2 cores/);
  assert.match(doc, /^## Targets$/m);
  const full = {
    ...REPORT_JUDGED,
    mode: "full" as const,
    machine: { ...REPORT.machine, cores: 16, loadavg: [0.1, 0, 0] },
  };
  const two = benchmarkDoc([
    { report: REPORT_JUDGED, source: "a.json", charts: "a" },
    { report: full, source: "b.json", charts: "b" },
  ]);
  // One section a run, headings a level down; caveats for the first only.
  assert.match(two, /^## 16 cores: `deno task bench --quick`$/m);
  assert.match(two, /^### Targets$/m);
  assert.equal(two.match(/A short run/g)?.length, 1);
  assert.ok(two.includes("(b-scaling.svg)"));
});

Deno.test("openssl speed's rsa line is read in OpenSSL 3.0's layout and 3.2's", () => {
  const v30 =
    "                  sign    verify    sign/s verify/s\nrsa 2048 bits 0.000435s 0.000025s   2298.2  39260.0\n";
  assert.deepEqual(parseRsaSpeed(v30), {
    signMs: 0.435,
    verifyMs: 0.025,
    signPerSecond: 2298.2,
    verifyPerSecond: 39260,
  });
  const v32 =
    "rsa  2048 bits 0.000618s 0.000018s 0.000019s 0.000612s   1618.2  54954.0  52301.1   1634.0\n";
  assert.equal(parseRsaSpeed(v32)?.signPerSecond, 1618.2);
  assert.equal(Math.round(parseRsaSpeed(v32)!.verifyMs * 1000), 18);
  assert.equal(parseRsaSpeed("rsa 4096 bits 0.1s 0.1s 10 10"), undefined);
});

Deno.test("deno bench's JSON gives each primitive's mean and its ratio to the group's baseline", () => {
  const bench = (
    group: string,
    name: string,
    avg: number,
    baseline = false,
  ) => ({
    group,
    name,
    baseline,
    results: [{ ok: { avg, n: 10 } }],
  });
  const metrics = primitiveMetrics({
    benches: [
      bench(
        "keygen",
        "WebCrypto RSA-2048, one at a time (the key pool)",
        100e6,
        true,
      ),
      bench(
        "keygen",
        "WebCrypto RSA-2048, one a core at once (all the keys)",
        120e6,
      ),
      bench(
        "decrypt",
        "OpenSSL FFI, key loaded for each call (the service)",
        1e6,
        true,
      ),
      bench(
        "decrypt",
        "OpenSSL FFI, key prepared once (--prepared-keys)",
        0.5e6,
      ),
    ],
  }, 4);
  assert.equal(metrics.keygen_ms, 100);
  assert.equal(metrics.keygen_parallel_x, 1.2);
  assert.equal(Math.round(metrics.keygen_parallel_per_s), 33);
  assert.equal(metrics.decrypt_openssl_prepared_x, 0.5);
  assert.ok(Number.isNaN(metrics.decrypt_node_ms));
});

Deno.test("CPU ticks are read past a command name with spaces and parentheses", () => {
  const stat =
    "42 (a (b) c) S 1 42 42 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 1";
  assert.equal(parseCpuTicks(stat), 287);
});

Deno.test("a service's CPU is told apart by thread: socket, request threads, libzmq's I/O, the rest", () => {
  const stat = (utime: number) =>
    `1 (x) S 1 1 1 0 -1 0 0 0 0 0 ${utime} 0 0 0 20 0 1`;
  const lines = [
    `100|deno|5000000 2000000 9|${stat(40)}`,
    `101|worker-1|1 2 3|${stat(300)}`,
    `102|worker-2|1 3000000 3|${stat(200)}`,
    `103|ZMQbg/IO/0|1 0 3|${stat(10)}`,
    `104|tokio-runtime-w||${stat(5)}`,
    `105|V8 DefaultWorke|1 1000000 1|${stat(5)}`,
  ].join("\n");
  const byKind = threadCpuByKind(lines, 100, 100);
  assert.deepEqual(byKind, {
    socket: 0.4,
    socket_wait: 0.002,
    request: 5,
    request_wait: 0.003000002,
    zmq_io: 0.1,
    zmq_io_wait: 0,
    other: 0.1,
    other_wait: 0.001,
  });
  const row = {
    ...summarize("decrypt", 4, [1, 2], 0, 1),
    requests: 1000,
    serviceThreadCpuSeconds: byKind,
  };
  assert.equal(
    threadCpuNote(row),
    "socket 400 (+2 waiting) µs, request 5000 (+3 waiting) µs, zmq_io 100 (+0 waiting) µs, other 100 (+1 waiting) µs",
  );
});

Deno.test("the scaling points double up to the cores and end on them", () => {
  assert.deepEqual(threadCounts(1), [1]);
  assert.deepEqual(threadCounts(2), [1, 2]);
  assert.deepEqual(threadCounts(6), [1, 2, 4, 6]);
  assert.deepEqual(threadCounts(16), [1, 2, 4, 8, 16]);
});

Deno.test("percentiles are nearest-rank and summaries count errors apart", () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.ok(Number.isNaN(percentile([], 50)));
  const row = summarize("x", 2, [3, 1, 2], 1, 0.5);
  assert.equal(row.requests, 3);
  assert.equal(row.errors, 1);
  assert.equal(row.throughput, 6);
  assert.equal(row.max, 3);
});

Deno.test("the start-up line is shown without its endpoint, pid and paths", () => {
  assert.equal(
    startupSettings(
      "2026-12-04T12:00:00Z INFO listening endpoint=tcp://127.0.0.1:4 libzmq=/a/b.node libzmq_version=4.3.5 pid=9 crypto=openssl-3.0.22 workers=2",
    ),
    "libzmq_version=4.3.5 crypto=openssl-3.0.22 workers=2",
  );
});

Deno.test("a scenario's own table is shown, numbers as the report shows them", () => {
  const md = markdownReport({
    ...REPORT,
    scenarios: {
      primitives: {
        description: "deno bench",
        service: "none",
        seconds: 9,
        metrics: {},
        table: {
          columns: ["deno bench", "mean ms"],
          rows: [["OpenSSL FFI", 0.68123], ["node:crypto", NaN]],
        },
      },
    },
  });
  assert.match(md, /^Deno bench\. Service: none/m);
  assert.match(md, /\| deno bench \| mean ms \|\n\|---\|---:\|/);
  assert.match(md, /\| OpenSSL FFI \| 0\.681 \|/);
  assert.match(md, /\| node:crypto \| - \|/);
});

Deno.test("OpenSSL slower on more cores is flagged: the cores were busy", () => {
  const { scaling } = REPORT.scenarios;
  assert.deepEqual(warnings(scaling), []);
  const busy = {
    ...scaling,
    scaling: {
      threadsFlag: true,
      points: [
        { ...scaling.scaling!.points[0], opensslPerSecond: 3900 },
        { ...scaling.scaling!.points[1], opensslPerSecond: 650 },
      ],
    },
  };
  assert.match(
    warnings(busy)[0],
    /-multi 2 \(650\/s\) was slower than -multi 1/,
  );
  assert.match(
    warnings({
      description: "openssl",
      service: "none",
      seconds: 1,
      metrics: { sign_per_s: 3900, multi_per_s: 1000, multi_processes: 2 },
    })[0],
    /-multi 2 \(1,000\/s\) was slower than one process/,
  );
  assert.match(
    markdownReport({ ...REPORT, scenarios: { scaling: busy } }),
    /- \*\*Warning:\*\* openssl speed -multi 2/,
  );
});
