/**
 * `floor`: `ping` against the round-trip floor, a plain libzmq ROUTER echo
 * (pyzmq's; on the project's own transport where pyzmq is missing), with the
 * same clients and bytes: back to back, and one every 300 ms. Beside them,
 * back to back, an echo on the project's own transport (RouterServer through
 * Deno's FFI), which splits ping's cost between the transport and the rest.
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const floor: Scenario = {
  name: "floor",
  description:
    "ping against a plain libzmq echo (pyzmq), back to back and one every 300 ms",
  service: { kind: "shared" },
  async run(ctx) {
    const service = ctx.server!;
    const ping = [ctx.fixture.bodies.ping];
    const echo = await ctx.startEcho("floor");
    const transport = echo.kind.startsWith("pyzmq")
      ? await ctx.startEcho("transport")
      : undefined;
    try {
      const b2b = { clients: 1, bodies: ping, requests: ctx.count(2000) };
      const paced = {
        clients: 1,
        bodies: ping,
        requests: ctx.count(30),
        gapMs: 300,
      };
      if (ctx.own) await ctx.waitForQuiet(service);
      const echoB2b = await ctx.load(echo.server, `floor: ${echo.kind}`, {
        ...b2b,
        warmup: 200,
      });
      const transportB2b = transport === undefined
        ? undefined
        : await ctx.load(transport.server, transport.kind, {
          ...b2b,
          warmup: 200,
        });
      const pingB2b = await ctx.load(service, "ping", { ...b2b, warmup: 200 });
      const echoPaced = await ctx.load(
        echo.server,
        `floor: ${echo.kind}, one every 300 ms`,
        paced,
      );
      const pingPaced = await ctx.load(
        service,
        "ping, one every 300 ms",
        paced,
      );
      pingB2b.note = `${(pingB2b.p50 / echoB2b.p50).toFixed(2)} x echo p50`;
      pingPaced.note = `${
        (pingPaced.p50 / echoPaced.p50).toFixed(2)
      } x echo p50`;
      return {
        metrics: {
          echo_p50_ms: echoB2b.p50,
          ping_p50_ms: pingB2b.p50,
          ping_x: pingB2b.p50 / echoB2b.p50,
          echo_per_s: echoB2b.throughput,
          ...(transportB2b === undefined ? {} : {
            transport_echo_p50_ms: transportB2b.p50,
            transport_echo_per_s: transportB2b.throughput,
          }),
          ping_per_s: pingB2b.throughput,
          echo_paced_p50_ms: echoPaced.p50,
          ping_paced_p50_ms: pingPaced.p50,
          errors: pingB2b.errors + pingPaced.errors,
        },
        rows: [
          echoB2b,
          ...(transportB2b === undefined ? [] : [transportB2b]),
          pingB2b,
          echoPaced,
          pingPaced,
        ],
        notes: [`floor: ${echo.kind}`],
      };
    } finally {
      await echo.server.stop();
      await transport?.server.stop();
    }
  },
};
