// Requests in the log: each at debug only; at info, one line per reply code
// per interval with its count, however many requests came.

import assert from "node:assert/strict";
import { Logger, type LogLevel } from "../../../../lib/runtime/ops/log.ts";
import { RequestLog } from "../../../../lib/runtime/ops/request_log.ts";

function capture(level: LogLevel) {
  const lines: string[] = [];
  const log = new Logger(level, (line) => lines.push(line));
  // An interval no test waits for: tallies are written by flush().
  return { requests: new RequestLog(log, 3_600_000), lines };
}

Deno.test("10,000 requests at info: one line per code, with its count", () => {
  const { requests, lines } = capture("info");
  for (let i = 0; i < 10_000; i++) {
    requests.record(
      { type: "ping", code: i % 10 === 0 ? "ok" : "overloaded" },
      0.01,
    );
  }
  requests.close();
  assert.equal(lines.length, 2);
  assert.match(lines[0], / INFO requests code=ok count=1000 seconds=/);
  assert.match(lines[1], / WARN requests code=overloaded count=9000 seconds=/);
});

Deno.test("at debug each request has its line as well", () => {
  const { requests, lines } = capture("debug");
  requests.record({ type: "ping", code: "ok" }, 0.12);
  requests.record({ type: "invalid", code: "invalid_json" }, 0.01);
  requests.close();
  assert.match(lines[0], / DEBUG request type=ping code=ok ms=0\.12\n$/);
  assert.match(lines[1], / DEBUG request type=invalid code=invalid_json /);
  assert.equal(lines.length, 4);
});

Deno.test("a tally is written once: a flush with nothing new writes nothing", () => {
  const { requests, lines } = capture("info");
  requests.record({ type: "ping", code: "ok" }, 0.1);
  requests.flush();
  requests.close();
  assert.equal(lines.length, 1);
});
