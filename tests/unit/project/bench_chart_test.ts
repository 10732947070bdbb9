// The benchmark's SVG charts (scripts/bench/chart.ts): one bar per
// percentile per load, the floor drawn across them, names escaped, one point
// per RSS sample, one point a thread count and series on the scaling chart.

import assert from "node:assert/strict";
import {
  latencyChart,
  rssChart,
  scalingChart,
} from "../../../scripts/bench/chart.ts";

const ROWS = [
  { name: "ping (round-trip floor)", clients: 1, p50: 0.4, p90: 0.6, p99: 1 },
  { name: "decrypt <oaep> & co", clients: 4, p50: 3, p90: 6, p99: 20 },
  { name: "generate_keys, 4096", clients: 1, p50: 3000, p90: 4000, p99: 4100 },
];

Deno.test("the latency chart has three bars a scenario, the floor line, and escaped names", () => {
  const svg = latencyChart(ROWS, "latency");
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(svg.match(/<rect [^>]*height="16"/g)?.length, 9);
  assert.match(svg, /stroke-dasharray="5,4"/);
  assert.match(svg, />floor p50 0\.40 ms</);
  assert.ok(svg.includes("decrypt &lt;oaep&gt; &amp; co, 4 clients"));
  assert.ok(!svg.includes("<oaep>"));
  // The log axis spans the decades from the lowest p50 to the highest p99.
  assert.match(svg, />0\.10 ms</);
  assert.match(svg, />10 s</);
});

Deno.test("without a floor scenario there is no floor line", () => {
  const svg = latencyChart(ROWS.slice(1), "latency");
  assert.doesNotMatch(svg, /stroke-dasharray/);
});

Deno.test("the RSS chart draws one point a sample", () => {
  const rss = [60, 62, 65, 64, 66].map((mb) => mb * 2 ** 20);
  const svg = rssChart({ clients: 16, seconds: 5, rss }, "rss");
  const points = /<polyline points="([^"]+)"/.exec(svg)?.[1].split(" ");
  assert.equal(points?.length, 5);
  assert.match(svg, />16 clients|16 clients\)/);
});

Deno.test("the scaling chart has a point a thread count and series, and skips unmeasured ones", () => {
  const points = [1, 2, 4].map((threads) => ({
    threads,
    decryptPerSecond: 400 * threads,
    encryptPerSecond: 1000 * threads,
    opensslPerSecond: threads === 4 ? NaN : 2000 * threads,
  }));
  const svg = scalingChart(points, "scaling <16>", "threads");
  assert.equal(svg.match(/<polyline /g)?.length, 3);
  // 3 decrypt + 3 encrypt + 2 OpenSSL points (the NaN is left out).
  assert.equal(svg.match(/<circle /g)?.length, 8);
  assert.ok(svg.includes("scaling &lt;16&gt;"));
  for (const label of [">1<", ">2<", ">4<"]) assert.ok(svg.includes(label));
  assert.ok(!svg.includes("prepared key"));
});

Deno.test("the scaling chart draws the prepared-key series where it was measured", () => {
  const points = [1, 2].map((threads) => ({
    threads,
    decryptPerSecond: 400 * threads,
    preparedPerSecond: 700 * threads,
    encryptPerSecond: 1000 * threads,
    opensslPerSecond: 2000 * threads,
  }));
  const svg = scalingChart(points, "scaling", "threads");
  assert.equal(svg.match(/<polyline /g)?.length, 4);
  assert.match(svg, /decrypt_fernet, prepared key, 2: 1,?400\/s/);
});
