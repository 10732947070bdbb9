// One-line logs: levels, field formatting and quoting, throttled warnings,
// and a closed stderr that must not stop the service.

import assert from "node:assert/strict";
import { LOG_LEVELS, Logger, type LogLevel } from "../../../lib/cli/log.ts";

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
  assert.deepEqual([...LOG_LEVELS], [
    "debug",
    "info",
    "warn",
    "error",
    "silent",
  ]);
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
