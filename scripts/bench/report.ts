/**
 * The benchmark's report from its JSON (scripts/bench/runner.ts's
 * `BenchReport`): markdown (the targets, then each scenario's loads and
 * metrics, the scaling table), and the SVG charts (scripts/bench/chart.ts).
 * Pure functions but `writeReport`, which writes the files.
 *
 * @example
 * ```ts ignore
 * import { markdownReport } from "./report.ts";
 *
 * console.log(markdownReport(JSON.parse(await Deno.readTextFile("bench-results/latest.json"))));
 * ```
 * @module
 */

import { latencyChart, rssChart, scalingChart } from "./chart.ts";
import { startupSettings } from "./processes.ts";
import type { BenchReport, ScenarioRecord } from "./runner.ts";
import { fmt, type LoadRow } from "./stats.ts";
import type { TargetResult } from "./targets.ts";

/** A number as the report prints it: 3 significant digits or so. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** The machine, the mode and the command, in one paragraph. */
export function machineLine(report: BenchReport): string {
  const m = report.machine;
  return [
    `${m.cores} cores, ${m.cpu}, ${m.os}; load average ${
      m.loadavg.map((l) => l.toFixed(2)).join(" ")
    } at the start.`,
    `Deno ${m.deno}${m.libzmq ? `, libzmq ${m.libzmq}` : ""}; load clients: ${
      m.loadClient === "pyzmq"
        ? "pyzmq, one process each"
        : "Deno FFI (no pyzmq), one process each"
    }.`,
    m.startup ? `Shared service: \`${startupSettings(m.startup)}\`.` : "",
    `Run \`${report.command}\` (${report.mode}), ${report.startedAt} to ${report.finishedAt}.`,
  ].filter((part) => part !== "").join(" ");
}

/** The targets as a markdown table. */
export function targetsTable(targets: readonly TargetResult[]): string {
  const lines = [
    "| target | from | measured | bound | met |",
    "|---|---|---:|---:|---|",
  ];
  for (const t of targets) {
    const met = t.met === null ? `n/a: ${t.reason}` : t.met ? "yes" : "**NO**";
    lines.push(
      `| \`${t.target}\`${t.note ? ` (${t.note})` : ""} | ${t.source} | ${
        num(t.value)
      } | ${num(t.bound)} | ${met} |`,
    );
  }
  return lines.join("\n");
}

/** Load rows as a markdown table. */
export function rowsTable(rows: readonly LoadRow[]): string {
  const lines = [
    "| load | clients | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | service CPU s (µs a request) | clients' CPU s | note |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${r.clients} | ${r.requests} | ${r.errors} | ${
        fmt(r.throughput, 1)
      } | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${
        fmt(r.serviceCpuSeconds)
      }${
        Number.isFinite(r.serviceCpuSeconds) && r.requests > 0
          ? ` (${fmt(r.serviceCpuSeconds! / r.requests * 1e6, 0)})`
          : ""
      } | ${fmt(r.clientCpuSeconds)} | ${r.note ?? ""} |`,
    );
  }
  return lines.join("\n");
}

function scalingTable(record: ScenarioRecord): string {
  const lines = [
    "| threads K | clients | decrypt_fernet/s | decrypt / openssl | prepared key/s | prepared / openssl | encrypt_fernet/s | openssl -multi K sign/s |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const p of record.scaling?.points ?? []) {
    const prepared = p.preparedPerSecond ?? NaN;
    lines.push(
      `| ${p.threads} | ${p.clients} | ${num(p.decryptPerSecond)} | ${
        num(p.decryptPerSecond / p.opensslPerSecond)
      } | ${num(prepared)} | ${num(prepared / p.opensslPerSecond)} | ${
        num(p.encryptPerSecond)
      } | ${num(p.opensslPerSecond)} |`,
    );
  }
  return lines.join("\n");
}

function ownTable(table: NonNullable<ScenarioRecord["table"]>): string {
  const cell = (value: string | number) =>
    typeof value === "number" ? num(value) : value;
  return [
    `| ${table.columns.join(" | ")} |`,
    `|${table.columns.map((_, i) => i === 0 ? "---" : "---:").join("|")}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

/**
 * What the figures themselves say about the run: OpenSSL on more cores
 * slower than on fewer means the cores were busy with other work, and the
 * ratios against it are not to be trusted.
 */
export function warnings(record: ScenarioRecord): string[] {
  const out: string[] = [];
  const m = record.metrics ?? {};
  if (m.multi_per_s < m.sign_per_s) {
    out.push(
      `openssl speed -multi ${m.multi_processes} (${
        num(m.multi_per_s)
      }/s) was slower than one process (${
        num(m.sign_per_s)
      }/s): other work held the cores, and ratios against it are unreliable`,
    );
  }
  const points = record.scaling?.points ?? [];
  for (let i = 1; i < points.length; i++) {
    if (points[i].opensslPerSecond < points[i - 1].opensslPerSecond) {
      out.push(
        `openssl speed -multi ${points[i].threads} (${
          num(points[i].opensslPerSecond)
        }/s) was slower than -multi ${points[i - 1].threads} (${
          num(points[i - 1].opensslPerSecond)
        }/s): other work held the cores, and the ratios at ${
          points[i].threads
        } are unreliable`,
      );
    }
  }
  return out;
}

function metricsLine(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics).map(([name, value]) =>
    `\`${name}\` ${num(value)}`
  ).join(" · ");
}

/** The charts a report has, by kind: file name suffix and alt text. */
export function chartFiles(report: BenchReport): Record<string, string> {
  const charts: Record<string, string> = {};
  if (Object.values(report.scenarios).some((s) => latencyRows(s).length > 0)) {
    charts.latency = "latency per load, p50 / p90 / p99, log scale";
  }
  if (report.scenarios.mix?.rss?.rss.length) {
    charts.rss = "the service's RSS during the mix";
  }
  if (report.scenarios.soak?.rss?.rss.length) {
    charts["soak-rss"] = "the service's RSS during the soak";
  }
  if (report.scenarios.scaling?.scaling?.points.length) {
    charts.scaling = "rates against request threads, beside openssl -multi K";
  }
  return charts;
}

function latencyRows(record: ScenarioRecord): readonly LoadRow[] {
  return record.scaling === undefined ? record.rows ?? [] : [];
}

/**
 * The report in markdown. `charts` is the path prefix of the SVGs from
 * where the markdown lies (such as `../bench-results/latest`); without it,
 * no chart is linked. `level` is the level of its top headings (2: `##`).
 */
export function markdownReport(
  report: BenchReport,
  charts?: string,
  level = 2,
): string {
  const h = "#".repeat(level);
  const out = [
    machineLine(report),
    "",
    `${h} Targets`,
    "",
    "Each bound is computed from the same run; n/a says what was missing.",
    "",
    report.targets.length > 0
      ? targetsTable(report.targets)
      : "No target's scenario was run.",
    "",
  ];
  if (charts !== undefined) {
    const files = chartFiles(report);
    if (Object.keys(files).length > 0) out.push(`${h} Charts`, "");
    for (const [kind, alt] of Object.entries(files)) {
      out.push(`![${alt}](${charts}-${kind}.svg)`, "");
    }
  }
  out.push(`${h} Scenarios`, "");
  for (const [name, record] of Object.entries(report.scenarios)) {
    out.push(
      `${h}# ${name}`,
      "",
      `${record.description[0].toUpperCase()}${
        record.description.slice(1)
      }. Service: ${record.service}; ${num(record.seconds)} s.`,
      "",
    );
    if (record.skipped !== undefined) {
      out.push(`Skipped: ${record.skipped}.`, "");
      continue;
    }
    if (record.error !== undefined) {
      out.push(`**Failed:** ${record.error}`, "");
      continue;
    }
    const notes = [
      ...(record.notes ?? []),
      ...warnings(record).map((w) => `**Warning:** ${w}`),
    ];
    for (const note of notes) out.push(`- ${note}`);
    if (notes.length > 0) out.push("");
    if (record.scaling !== undefined) out.push(scalingTable(record), "");
    if (record.table !== undefined) out.push(ownTable(record.table), "");
    if (record.rows?.length) out.push(rowsTable(record.rows), "");
    if (record.metrics !== undefined) {
      out.push(`Metrics: ${metricsLine(record.metrics)}`, "");
    }
  }
  return out.join("\n");
}

/** The SVG charts of `report`, by `chartFiles`' kind. */
export function chartSvgs(report: BenchReport): Record<string, string> {
  const machine = ` (${report.machine.cores} cores)`;
  const svgs: Record<string, string> = {};
  const kinds = chartFiles(report);
  if (kinds.latency) {
    svgs.latency = latencyChart(
      Object.values(report.scenarios).flatMap(latencyRows),
      `keyservice: latency per load, p50 / p90 / p99, log scale${machine}`,
    );
  }
  for (const [kind, name] of [["rss", "mix"], ["soak-rss", "soak"]]) {
    const run = report.scenarios[name]?.rss;
    if (kinds[kind] && run !== undefined) {
      svgs[kind] = rssChart(
        run,
        `keyservice: RSS during the ${name}, ${run.clients} clients, ${run.seconds} s${machine}`,
      );
    }
  }
  const scaling = report.scenarios.scaling?.scaling;
  if (kinds.scaling && scaling !== undefined) {
    svgs.scaling = scalingChart(
      scaling.points,
      `keyservice: rate against request threads${machine}${
        scaling.threadsFlag ? "" : ", one process (no --threads)"
      }`,
      scaling.threadsFlag
        ? "request threads K (--threads K); openssl -multi K"
        : "K (the service: one process, max(4, 2K) clients); openssl -multi K",
    );
  }
  return svgs;
}

/**
 * Writes `<dir>/<name>.json`, `<name>.md` and `<name>-<kind>.svg`; resolves
 * to the paths written.
 */
export async function writeReport(
  report: BenchReport,
  dir: string,
  name: string,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const base = `${dir.replace(/\/$/, "")}/${name}`;
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await Deno.writeTextFile(path, text);
    written.push(path);
  };
  await write(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
  await write(`${base}.md`, markdownReport(report, `./${name}`) + "\n");
  for (const [kind, svg] of Object.entries(chartSvgs(report))) {
    await write(`${base}-${kind}.svg`, svg);
  }
  return written;
}
