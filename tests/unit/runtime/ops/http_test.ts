// The metrics listener: which addresses --metrics takes (a bare port is
// loopback), and what each path answers (metrics, health by state, 404,
// 405), on a real Deno.serve listener.

import assert from "node:assert/strict";
import {
  ListenAddressError,
  parseListenAddress,
  startHttp,
} from "../../../../lib/runtime/ops/http.ts";
import { startMetrics } from "../../../../lib/runtime/ops/metrics.ts";

Deno.test("a bare port listens on loopback", () => {
  assert.deepEqual(parseListenAddress("9464"), {
    hostname: "127.0.0.1",
    port: 9464,
  });
});

Deno.test("HOST:PORT and [IPv6]:PORT name the host", () => {
  assert.deepEqual(parseListenAddress("0.0.0.0:9464"), {
    hostname: "0.0.0.0",
    port: 9464,
  });
  assert.deepEqual(parseListenAddress("localhost:0"), {
    hostname: "localhost",
    port: 0,
  });
  assert.deepEqual(parseListenAddress("[::1]:9464"), {
    hostname: "::1",
    port: 9464,
  });
});

Deno.test("anything else is a ListenAddressError naming --metrics", () => {
  for (
    const text of ["", "abc", "127.0.0.1:", ":9464", "1:2:3", "70000", "a b:1"]
  ) {
    assert.throws(
      () => parseListenAddress(text),
      (error: unknown) =>
        error instanceof ListenAddressError &&
        error.code === "invalid_listen_address" &&
        error.message.startsWith("--metrics must be"),
      text,
    );
  }
});

Deno.test("the listener serves metrics, health by state, and nothing else", async () => {
  let serving = true;
  const metrics = await startMetrics({
    version: "9.9.9",
    libzmq: "4.3.5",
    crypto: "node",
    inflight: () => 3,
    pool: () => ({ depth: 1, size: 2, generating: 1 }),
  });
  const http = startHttp("127.0.0.1:0", { metrics, serving: () => serving });
  try {
    assert.match(http.address, /^127\.0\.0\.1:\d+$/);
    const base = `http://${http.address}`;
    const scrape = await fetch(`${base}/metrics`);
    const text = await scrape.text();
    assert.equal(scrape.status, 200);
    assert.match(text, /^keyservice_requests_in_flight 3$/m);
    assert.match(text, /^keyservice_key_pool_depth 1$/m);
    assert.match(text, /^keyservice_build_info\{version="9\.9\.9",/m);

    const healthy = await fetch(`${base}/healthz`);
    assert.deepEqual([healthy.status, await healthy.text()], [200, "ok\n"]);
    serving = false;
    const draining = await fetch(`${base}/healthz`);
    assert.deepEqual(
      [draining.status, await draining.text()],
      [503, "draining\n"],
    );

    const missing = await fetch(`${base}/`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();
  } finally {
    await http.close();
  }
});

Deno.test("labels hold only closed sets: an unknown operation or code is not passed through", async () => {
  const metrics = await startMetrics({
    version: "1",
    libzmq: "4.3.5",
    crypto: "openssl-3.0.19",
    inflight: () => 0,
    pool: () => ({ depth: 0, size: 0, generating: 0 }),
  });
  metrics.request({ type: "evil", code: "nasty" }, 1);
  metrics.keyGenerated(1234, 10);
  metrics.decrypted("pkcs1v15");
  const text = await metrics.render();
  assert.ok(!text.includes("evil") && !text.includes("nasty"));
  assert.match(
    text,
    /^keyservice_requests_total\{operation="invalid",code="other"\} 1$/m,
  );
  assert.match(
    text,
    /^keyservice_key_generation_duration_seconds_count\{bits="other"\} 1$/m,
  );
  assert.match(
    text,
    /^keyservice_decryptions_total\{backend="openssl",padding="pkcs1v15"\} 1$/m,
  );
});
