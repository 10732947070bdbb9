/**
 * One-line log records on stderr: time, level, event, then `key=value`
 * fields; or, in the `json` format, the same as one JSON object a line
 * (`time`, `level`, `event`, then the fields), for log shippers. Callers
 * pass only values they own (operation names, codes, durations, endpoints),
 * never request contents: no line may carry key material.
 *
 * @example
 * ```ts
 * import { Logger } from "./log.ts";
 *
 * const log = new Logger("info");
 * log.info("request", { type: "ping", code: "ok", ms: 0.12 });
 * // 2026-11-26T23:00:00.000Z INFO request type=ping code=ok ms=0.12
 *
 * const json = new Logger("info", undefined, "json");
 * json.info("request", { type: "ping", code: "ok", ms: 0.12 });
 * // {"time":"2026-11-26T23:00:00.000Z","level":"info","event":"request","type":"ping","code":"ok","ms":0.12}
 * ```
 * @module
 */

import { type Clock, systemClock, type TimerId } from "../../clock/mod.ts";

/** Severity levels, least severe first; `silent` logs nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How records are written: `key=value` text, or one JSON object a line. */
export const LOG_FORMATS = ["text", "json"] as const;

/** A log format. */
export type LogFormat = typeof LOG_FORMATS[number];

/** A field value: printed as is, quoted when it holds a space or quote. */
export type LogValue = string | number | boolean;

const encoder = new TextEncoder();

// Durations and the like: two decimals are plenty, in both formats.
function rounded(value: LogValue): LogValue {
  return typeof value === "number" && !Number.isInteger(value)
    ? Number(value.toFixed(2))
    : value;
}

function format(value: LogValue): string {
  const text = typeof value === "number" && !Number.isInteger(value)
    ? value.toFixed(2)
    : String(value);
  // Printable ASCII stands bare; anything else is quoted and escaped.
  return /^[!#-<>-~]+$/.test(text) ? text : JSON.stringify(text);
}

function textLine(
  time: string,
  level: string,
  event: string,
  fields: Record<string, LogValue>,
): string {
  let line = `${time} ${level.toUpperCase()} ${event}`;
  for (const [key, value] of Object.entries(fields)) {
    line += ` ${key}=${format(value)}`;
  }
  return line;
}

function jsonLine(
  time: string,
  level: string,
  event: string,
  fields: Record<string, LogValue>,
): string {
  const record: Record<string, LogValue> = { time, level, event };
  for (const [key, value] of Object.entries(fields)) {
    // A field never overwrites the record's own three.
    if (!(key in record)) record[key] = rounded(value);
  }
  return JSON.stringify(record);
}

/** Writes log records at or above a level. */
export class Logger {
  readonly #threshold: number;
  readonly #write: (line: string) => void;
  readonly #line: typeof textLine;
  readonly #clock: Clock;
  /** Reports of throttled warnings, for `flush()`. */
  readonly #pending = new Set<() => void>();

  /**
   * `write` defaults to a synchronous write to stderr; `format` to `text`;
   * `clock`, which times {@linkcode Logger.throttledWarn}, to the real one.
   */
  constructor(
    level: LogLevel,
    write: (line: string) => void = (line) =>
      Deno.stderr.writeSync(encoder.encode(line)),
    format: LogFormat = "text",
    clock: Clock = systemClock,
  ) {
    this.#threshold = LOG_LEVELS.indexOf(level);
    this.#write = write;
    this.#line = format === "json" ? jsonLine : textLine;
    this.#clock = clock;
  }

  /** Whether records of `level` are written. */
  enabled(level: Exclude<LogLevel, "silent">): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#threshold;
  }

  /** A debug record. */
  debug(event: string, fields: Record<string, LogValue> = {}): void {
    this.#log("debug", event, fields);
  }

  /** An info record. */
  info(event: string, fields: Record<string, LogValue> = {}): void {
    this.#log("info", event, fields);
  }

  /** A warning. */
  warn(event: string, fields: Record<string, LogValue> = {}): void {
    this.#log("warn", event, fields);
  }

  /** An error. */
  error(event: string, fields: Record<string, LogValue> = {}): void {
    this.#log("error", event, fields);
  }

  /**
   * A warning that is written at most once per `intervalMs`; the ones held
   * back are counted in a `suppressed` field: of the next line written, or,
   * when none comes within the interval, of a line repeating the last one's
   * fields at its end (or at `flush()`). For events a client can repeat at
   * will, such as a refused handshake: each is seen, none floods the log.
   */
  throttledWarn(
    event: string,
    intervalMs = 1000,
  ): (fields: Record<string, LogValue>) => void {
    let last = -Infinity;
    let suppressed = 0;
    let held: Record<string, LogValue> = {};
    let timer: TimerId | undefined;
    const clock = this.#clock;
    const report = () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (suppressed === 0) return;
      last = clock.now();
      this.warn(event, { ...held, suppressed });
      suppressed = 0;
    };
    this.#pending.add(report);
    return (fields) => {
      const now = this.#clock.now();
      if (now - last < intervalMs) {
        suppressed++;
        held = fields;
        if (timer === undefined) {
          timer = clock.setTimeout(report, last + intervalMs - now);
          // A report due must not keep a stopping process alive.
          if (clock === systemClock) Deno.unrefTimer(timer as number);
        }
        return;
      }
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      last = now;
      this.warn(event, suppressed > 0 ? { ...fields, suppressed } : fields);
      suppressed = 0;
    };
  }

  /** Writes what throttled warnings hold back now (at shutdown, say). */
  flush(): void {
    for (const report of this.#pending) report();
  }

  #log(
    level: Exclude<LogLevel, "silent">,
    event: string,
    fields: Record<string, LogValue>,
  ): void {
    if (!this.enabled(level)) return;
    const line = this.#line(new Date().toISOString(), level, event, fields);
    try {
      this.#write(line + "\n");
    } catch {
      // A closed stderr must not stop the service.
    }
  }
}

/**
 * The class of an unexpected error, for a log line: its message could quote
 * request data, so only the class is logged.
 */
export function errorClass(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/**
 * The first line of an error's message, for a one-line start-up failure.
 * Only for errors of the service's own making (configuration, libzmq, files),
 * never for errors about request data.
 */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split(
    "\n",
  )[0];
}
