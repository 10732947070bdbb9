// One-line logs: levels, field formatting and quoting, throttled warnings,
// a closed stderr that must not stop the service, and the JSON format.

import assert from "node:assert/strict";
import { Logger, type LogLevel } from "../../../../lib/runtime/ops/log.ts";
import { FakeTime } from "../../../_helpers/fake_time.ts";

function capture(level: LogLevel): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger(level, (line) => lines.push(line)), lines };
}

const TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;

Deno.test("a record is one line: ISO time, LEVEL, event, key=value", () => {
  const { log, lines } = capture("info");
  log.info("request", { type: "ping", code: "ok", ms: 0.123 });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    new RegExp(`^${TIME} INFO request type=ping code=ok ms=0\\.12\\n$`),
  );
});

Deno.test("the time is the current time in ISO 8601 UTC", () => {
  const { log, lines } = capture("info");
  const before = Date.now();
  log.info("x");
  const after = Date.now();
  const time = Date.parse(lines[0].split(" ")[0]);
  assert.ok(time >= before - 1 && time <= after + 1);
});

Deno.test("a record without fields is time, level and event only", () => {
  const { log, lines } = capture("debug");
  log.debug("start");
  assert.match(lines[0], new RegExp(`^${TIME} DEBUG start\\n$`));
});

Deno.test("each level writes its upper-case name", () => {
  const { log, lines } = capture("debug");
  log.debug("e");
  log.info("e");
  log.warn("e");
  log.error("e");
  assert.deepEqual(lines.map((line) => line.split(" ")[1]), [
    "DEBUG",
    "INFO",
    "WARN",
    "ERROR",
  ]);
});

Deno.test("records below the threshold are not written", () => {
  const { log, lines } = capture("warn");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.deepEqual(lines.map((line) => line.split(" ")[2].trim()), ["c", "d"]);
});

Deno.test("level silent writes nothing", () => {
  const { log, lines } = capture("silent");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.deepEqual(lines, []);
});

Deno.test("enabled() follows the threshold", () => {
  const log = new Logger("info", () => {});
  assert.equal(log.enabled("debug"), false);
  assert.equal(log.enabled("info"), true);
  assert.equal(log.enabled("error"), true);
  assert.equal(new Logger("silent", () => {}).enabled("error"), false);
});

Deno.test("a value with a space is quoted", () => {
  const { log, lines } = capture("info");
  log.info("listening", {
    endpoint: "tcp://127.0.0.1:5555",
    note: "two words",
  });
  assert.ok(
    lines[0].endsWith(` endpoint=tcp://127.0.0.1:5555 note="two words"\n`),
  );
});

Deno.test("a value with a quote, an equals sign or nothing is quoted", () => {
  const { log, lines } = capture("info");
  log.info("e", { a: 'say "hi"', b: "k=v", c: "" });
  assert.ok(lines[0].endsWith(` a="say \\"hi\\"" b="k=v" c=""\n`), lines[0]);
});

Deno.test("a value with a newline stays on one line", () => {
  const { log, lines } = capture("info");
  log.info("e", { a: "line1\nline2\r\n" });
  assert.equal(lines[0].split("\n").length, 2); // the text, then ""
  assert.ok(lines[0].endsWith(' a="line1\\nline2\\r\\n"\n'));
});

Deno.test("numbers and booleans print plainly; fractions with two decimals", () => {
  const { log, lines } = capture("info");
  log.info("e", { n: 42, f: 1.5, t: true, z: false, neg: -3 });
  assert.ok(
    lines[0].endsWith(" n=42 f=1.50 t=true z=false neg=-3\n"),
    lines[0],
  );
});

Deno.test("a write that throws does not escape the logger", () => {
  const log = new Logger("info", () => {
    throw new Error("stderr closed");
  });
  log.info("e", { a: 1 });
  log.error("e");
});

function captureJson(level: LogLevel): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    log: new Logger(level, (line) => lines.push(line), "json"),
    lines,
  };
}

Deno.test("json: a record is one JSON object on one line: time, level, event, then the fields", () => {
  const { log, lines } = captureJson("info");
  log.info("request", { type: "ping", code: "ok", ms: 0.123 });
  assert.equal(lines.length, 1);
  assert.ok(lines[0].endsWith("}\n"));
  assert.equal(lines[0].split("\n").length, 2);
  const record = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(record), [
    "time",
    "level",
    "event",
    "type",
    "code",
    "ms",
  ]);
  assert.match(record.time, new RegExp(`^${TIME}$`));
  assert.deepEqual(
    { ...record, time: undefined },
    {
      time: undefined,
      level: "info",
      event: "request",
      type: "ping",
      code: "ok",
      ms: 0.12,
    },
  );
});

Deno.test("json and text carry the same fields and values for the same record", () => {
  const text = capture("debug");
  const json = captureJson("debug");
  const fields = {
    endpoint: "tcp://127.0.0.1:5555",
    note: 'two "words"\nand a line',
    n: 42,
    f: 1.5,
    t: true,
  };
  for (const { log } of [text, json]) {
    log.warn("listening", fields);
    log.debug("bare");
  }
  const record = JSON.parse(json.lines[0]);
  const line = text.lines[0].trimEnd();
  assert.match(line.split(" ")[0], new RegExp(`^${TIME}$`));
  assert.match(record.time, new RegExp(`^${TIME}$`));
  assert.equal(line.split(" ")[1], record.level.toUpperCase());
  assert.equal(line.split(" ")[2], record.event);
  assert.deepEqual(
    [...line.matchAll(/ ([a-z]+)=/g)].map((m) => m[1]),
    Object.keys(record).slice(3),
  );
  assert.equal(record.note, fields.note);
  assert.equal(record.f, 1.5);
  assert.equal(record.t, true);
  assert.deepEqual(
    Object.keys(JSON.parse(json.lines[1])),
    ["time", "level", "event"],
  );
});

Deno.test("json: each level writes its lower-case name; the threshold holds", () => {
  const { log, lines } = captureJson("info");
  log.debug("e");
  log.info("e");
  log.warn("e");
  log.error("e");
  assert.deepEqual(lines.map((line) => JSON.parse(line).level), [
    "info",
    "warn",
    "error",
  ]);
});

Deno.test("json: a field never overwrites time, level or event", () => {
  const { log, lines } = captureJson("info");
  log.info("e", { event: "forged", level: "error", time: "then", a: 1 });
  const record = JSON.parse(lines[0]);
  assert.equal(record.event, "e");
  assert.equal(record.level, "info");
  assert.match(record.time, new RegExp(`^${TIME}$`));
  assert.equal(record.a, 1);
});

Deno.test("a throttled warning writes one line per interval however often it is called", () => {
  const { log, lines } = capture("info");
  const refused = log.throttledWarn("auth-refused", 60_000);
  for (let i = 0; i < 5; i++) refused({ address: `10.0.0.${i}` });
  assert.equal(lines.length, 1);
  assert.match(lines[0], / WARN auth-refused address=10\.0\.0\.0\n$/);
});

Deno.test("warnings held back are counted even when no later one comes: flush() writes the count with the last one's fields", () => {
  const { log, lines } = capture("info");
  const refused = log.throttledWarn("auth-refused", 60_000);
  for (let i = 0; i < 6; i++) refused({ address: `10.0.0.${i}` });
  log.flush();
  assert.equal(lines.length, 2);
  assert.match(
    lines[1],
    / WARN auth-refused address=10\.0\.0\.5 suppressed=5\n$/,
  );
  log.flush(); // nothing more held back
  assert.equal(lines.length, 2);
});

Deno.test("warnings held back are written at the interval's end without a later one", async () => {
  const lines: string[] = [];
  const time = new FakeTime();
  const log = new Logger("info", (line) => lines.push(line), "text", time);
  const refused = log.throttledWarn("handshake-failed", 20);
  for (let i = 0; i < 3; i++) refused({ reason: "mechanism" });
  await time.tick(19);
  assert.equal(lines.length, 1, "held back within the interval");
  await time.tick(1);
  assert.equal(lines.length, 2);
  assert.match(lines[1], / reason=mechanism suppressed=2\n$/);
});
