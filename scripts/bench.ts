/**
 * `deno task bench`: runs the benchmark's scenarios (scripts/bench/registry.ts)
 * against the service started as `deno task start` starts it, loaded by
 * client processes, judges the targets (scripts/bench/targets.ts) on what
 * the same run measured, and writes the report (JSON, markdown, SVG charts)
 * to `--out`. `deno task bench --help` lists the scenarios and options;
 * `deno task bench:doc` makes docs/benchmarks.md from the JSON.
 *
 * @example
 * ```sh
 * deno task bench                          # every scenario but the soak
 * deno task bench --quick                  # fewer requests, shorter loads
 * deno task bench --only floor,decrypt,openssl
 * deno task bench --only scaling --seconds 5 --out bench-results/scaling
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { SCENARIOS } from "./bench/registry.ts";
import type { BenchOptions, Scenario } from "./bench/scenario.ts";

/** One command-line option: its flag, value name, default and help. */
interface Option {
  readonly flag: string;
  /** The value's name; none for a boolean flag. */
  readonly value?: string;
  readonly help: string;
  /** The default, as text (for --help); none for boolean flags. */
  readonly default?: string;
}

const OPTIONS: readonly Option[] = [
  { flag: "only", value: "A,B", help: "run these scenarios only" },
  { flag: "skip", value: "A,B", help: "run all scenarios but these" },
  {
    flag: "quick",
    help: "a short run: a fifth of the requests, 2 s loads, 10 s mix",
  },
  {
    flag: "out",
    value: "DIR",
    help: "where the report goes",
    default: "bench-results",
  },
  {
    flag: "name",
    value: "NAME",
    help: "the report's files: NAME.json, NAME.md, NAME-<chart>.svg",
    default: "latest",
  },
  {
    flag: "seconds",
    value: "N",
    help: "seconds of each timed load (a scaling point has three)",
    default: "5; 2 with --quick",
  },
  {
    flag: "openssl-seconds",
    value: "N",
    help: "seconds of each openssl speed run",
    default: "3; 1 with --quick",
  },
  {
    flag: "max-threads",
    value: "N",
    help: "scaling: the most request threads tried",
    default: "the cores' count",
  },
  {
    flag: "mix-seconds",
    value: "N",
    help: "mix: how long",
    default: "60; 10 with --quick",
  },
  {
    flag: "mix-clients",
    value: "N",
    help: "mix: client processes",
    default: "16",
  },
  {
    flag: "soak-seconds",
    value: "N",
    help: "soak: how long",
    default: "600",
  },
  {
    flag: "target",
    value: "ENDPOINT",
    help:
      "measure another server of the contract; scenarios that start their own service are skipped",
  },
  {
    flag: "python",
    value: "PATH",
    help: "the Python with pyzmq, for the load clients and the floor's echo",
    default: "/usr/bin/python3",
  },
  { flag: "help", help: "this text" },
];

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The `--help` text: usage, options and every registered scenario. */
export function helpText(scenarios: readonly Scenario[] = SCENARIOS): string {
  const width = Math.max(
    ...OPTIONS.map((o) => o.flag.length + (o.value?.length ?? -1) + 1),
    ...scenarios.map((s) => s.name.length),
  ) + 6;
  const pad = (left: string) => left.padEnd(width);
  return [
    "Usage: deno task bench [options]",
    "",
    "Runs the benchmark's scenarios against the service started as `deno task",
    "start` starts it, loaded by client processes (pyzmq where installed), judges",
    "the targets on what the same run measured, and writes the report (JSON,",
    "markdown, SVG charts). `deno task bench:doc` makes docs/benchmarks.md from the",
    "JSON; `deno task bench:primitives` runs the raw primitives' deno bench.",
    "",
    "Options:",
    ...OPTIONS.map((o) =>
      `  ${pad(`--${o.flag}${o.value ? ` ${o.value}` : ""}`)}${o.help}${
        o.default ? ` (default ${o.default})` : ""
      }`
    ),
    "",
    "Scenarios (in run order; * runs only when --only names it):",
    ...scenarios.map((s) =>
      `  ${pad(`${s.name}${s.optIn ? " *" : ""}`)}${s.description}`
    ),
    "",
  ].join("\n");
}

function positive(flag: string, text: string | undefined, fallback: number) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0)) {
    throw new UsageError(`--${flag}: not a positive number: ${text}`);
  }
  return value;
}

/** What the command line asks for. */
export interface Invocation {
  readonly help: boolean;
  readonly scenarios: readonly Scenario[];
  readonly options: BenchOptions;
  readonly out: string;
  readonly name: string;
}

/** Parses `args`; throws {@linkcode UsageError} on a mistake. */
export function parseBenchArgs(
  args: readonly string[],
  scenarios: readonly Scenario[] = SCENARIOS,
  cores = navigator.hardwareConcurrency || 1,
): Invocation {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        OPTIONS.map((o) => [
          o.flag,
          { type: o.value ? "string" as const : "boolean" as const },
        ]),
      ),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const str = (flag: string) => values[flag] as string | undefined;
  const names = new Set(scenarios.map((s) => s.name));
  const list = (flag: string) => {
    const items = str(flag)?.split(",").map((s) => s.trim()).filter(Boolean);
    for (const item of items ?? []) {
      if (!names.has(item)) {
        throw new UsageError(
          `--${flag}: no scenario ${item} (deno task bench --help lists them)`,
        );
      }
    }
    return items;
  };
  const only = list("only");
  const skip = list("skip") ?? [];
  const quick = values.quick === true;
  const chosen = scenarios.filter((s) =>
    (only === undefined ? !s.optIn : only.includes(s.name)) &&
    !skip.includes(s.name)
  );
  return {
    help: values.help === true,
    scenarios: chosen,
    out: str("out") ?? "bench-results",
    name: str("name") ?? "latest",
    options: {
      seconds: positive("seconds", str("seconds"), quick ? 2 : 5),
      scale: quick ? 0.2 : 1,
      quick,
      opensslSeconds: Math.round(
        positive("openssl-seconds", str("openssl-seconds"), quick ? 1 : 3),
      ),
      maxThreads: Math.round(
        positive("max-threads", str("max-threads"), cores),
      ),
      mixSeconds: positive("mix-seconds", str("mix-seconds"), quick ? 10 : 60),
      mixClients: Math.round(
        positive("mix-clients", str("mix-clients"), 16),
      ),
      soakSeconds: positive("soak-seconds", str("soak-seconds"), 600),
      target: str("target"),
      python: str("python") ?? "/usr/bin/python3",
    },
  };
}

async function main(args: readonly string[]): Promise<number> {
  let invocation;
  try {
    invocation = parseBenchArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}`);
    console.error("Run deno task bench --help for the options.");
    return 2;
  }
  if (invocation.help) {
    console.log(helpText());
    return 0;
  }
  // Loaded only for a run, so that --help needs no permission and no FFI.
  const { checkDenoVersion } = await import("./_pin.ts");
  const { runBench } = await import("./bench/runner.ts");
  const { markdownReport, writeReport } = await import("./bench/report.ts");
  checkDenoVersion();
  const report = await runBench(
    invocation.scenarios,
    invocation.options,
    ["deno task bench", ...args].join(" "),
  );
  console.log(markdownReport(report));
  const written = await writeReport(report, invocation.out, invocation.name);
  console.error(`bench: wrote ${written.join(", ")}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
