/**
 * The benchmark's charts, as hand-written SVG (no dependencies): latency
 * percentiles per scenario beside the round-trip floor, on a log scale, and
 * the service's RSS over the mixed run. `scripts/bench.ts` writes them next
 * to its JSON; run alone, this module redraws them from a JSON it wrote.
 *
 * @example
 * ```sh
 * deno run --allow-read --allow-write scripts/_bench_chart.ts bench-results/latest.json
 * # writes bench-results/latest-latency.svg and bench-results/latest-rss.svg
 * ```
 * @module
 */

/** One scenario's latencies, as bench.ts records them (milliseconds). */
export interface LatencyRow {
  readonly name: string;
  readonly clients: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** The service's RSS over the mixed run: one sample a second, in bytes. */
export interface RssRun {
  readonly clients: number;
  readonly seconds: number;
  readonly rss: readonly number[];
}

const FONT = 'font-family="sans-serif"';
const COLORS = { p50: "#1f5fa8", p90: "#5b9bd5", p99: "#bdd7ee" } as const;

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function ms(value: number): string {
  if (value >= 1000) return `${num(value / 1000)} s`;
  return value >= 1 ? `${num(value)} ms` : `${value.toFixed(2)} ms`;
}

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

function text(
  x: number,
  y: number,
  content: string,
  attributes = "",
  size = 12,
): string {
  return `<text x="${num(x)}" y="${
    num(y)
  }" ${FONT} font-size="${size}" ${attributes}>${escape(content)}</text>`;
}

function title(x: number, content: string): string {
  return text(x, 22, content, 'font-weight="bold"', 14);
}

/**
 * Latency percentiles (p50, p90, p99) per scenario as horizontal bars on a
 * log scale, with the floor's p50 (the first scenario whose name says
 * `floor`) as a dashed line across them all.
 */
export function latencyChart(
  rows: readonly LatencyRow[],
  heading: string,
): string {
  const shown = rows.filter((row) => row.p50 > 0 && Number.isFinite(row.p99));
  const left = 440, right = 30, top = 64, rowHeight = 24;
  const width = 1000, plot = width - left - right;
  const height = top + shown.length * rowHeight + 40;
  const low = 10 **
    Math.floor(Math.log10(Math.min(...shown.map((r) => r.p50))));
  const high = 10 **
    Math.ceil(Math.log10(Math.max(...shown.map((r) => r.p99))));
  const x = (value: number) =>
    left + plot * Math.log10(value / low) / Math.log10(high / low);
  const body = [
    title(10, heading),
  ];
  // Legend.
  let legend = left;
  for (const [name, color] of Object.entries(COLORS)) {
    body.push(
      `<rect x="${legend}" y="32" width="12" height="12" fill="${color}"/>`,
      text(legend + 16, 43, name),
    );
    legend += 60;
  }
  // Decades of the log axis.
  for (let tick = low; tick <= high * 1.001; tick *= 10) {
    body.push(
      `<line x1="${num(x(tick))}" y1="${top - 4}" x2="${num(x(tick))}" y2="${
        height - 34
      }" stroke="#ddd"/>`,
      text(x(tick), height - 18, ms(tick), 'text-anchor="middle"'),
    );
  }
  shown.forEach((row, i) => {
    const y = top + i * rowHeight;
    const floor = /floor/i.test(row.name);
    body.push(
      text(
        left - 8,
        y + 15,
        `${row.name}, ${row.clients} client${row.clients === 1 ? "" : "s"}`,
        `text-anchor="end"${floor ? ' font-weight="bold"' : ""}`,
      ),
    );
    for (const key of ["p99", "p90", "p50"] as const) {
      body.push(
        `<rect x="${left}" y="${y + 4}" width="${
          num(Math.max(1, x(row[key]) - left))
        }" height="16" fill="${COLORS[key]}"><title>${
          escape(`${row.name}: ${key} ${ms(row[key])}`)
        }</title></rect>`,
      );
    }
    body.push(
      text(x(row.p99) + 4, y + 16, `p50 ${ms(row.p50)}`, 'fill="#333"'),
    );
  });
  const floor = shown.find((row) => /floor/i.test(row.name));
  if (floor !== undefined) {
    const at = num(x(floor.p50));
    body.push(
      `<line x1="${at}" y1="${top - 4}" x2="${at}" y2="${
        height - 34
      }" stroke="#c00" stroke-dasharray="5,4"/>`,
      text(
        x(floor.p50) + 4,
        top - 8,
        `floor p50 ${ms(floor.p50)}`,
        'fill="#c00"',
      ),
    );
  }
  return svg(width, height, body);
}

/** A round step for about `count` ticks up to `max`. */
function step(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
}

/** The RSS samples of the mixed run as a line, MB against seconds. */
export function rssChart(run: RssRun, heading: string): string {
  const left = 70, right = 30, top = 40, bottom = 50;
  const width = 1000, height = 360;
  const plotW = width - left - right, plotH = height - top - bottom;
  // MB of 10^6 bytes, as the benchmark's table gives RSS.
  const mb = run.rss.map((bytes) => bytes / 1e6);
  const seconds = Math.max(1, mb.length);
  const yStep = step(Math.max(...mb, 1), 6);
  const yMax = Math.ceil(Math.max(...mb, 1) * 1.05 / yStep) * yStep;
  const x = (s: number) => left + plotW * s / seconds;
  const y = (value: number) => top + plotH * (1 - value / yMax);
  const body = [title(10, heading)];
  for (let tick = 0; tick <= yMax + 1e-9; tick += yStep) {
    body.push(
      `<line x1="${left}" y1="${num(y(tick))}" x2="${width - right}" y2="${
        num(y(tick))
      }" stroke="#ddd"/>`,
      text(left - 6, y(tick) + 4, `${num(tick)} MB`, 'text-anchor="end"'),
    );
  }
  const xStep = step(seconds, 10);
  for (let tick = 0; tick <= seconds + 1e-9; tick += xStep) {
    body.push(
      text(
        x(tick),
        height - bottom + 18,
        `${num(tick)} s`,
        'text-anchor="middle"',
      ),
    );
  }
  // Sample i was taken about i + 1 seconds into the run.
  const points = mb.map((value, i) => `${num(x(i + 1))},${num(y(value))}`);
  body.push(
    `<polyline points="${
      points.join(" ")
    }" fill="none" stroke="${COLORS.p50}" stroke-width="2"/>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${
      top + plotH
    }" stroke="#333"/>`,
    text(
      left + plotW / 2,
      height - 12,
      `seconds into the mix (${run.clients} clients); one sample a second`,
      'text-anchor="middle"',
    ),
  );
  return svg(width, height, body);
}

/** What bench.ts's JSON holds that the charts need. */
export interface BenchJson {
  readonly machine?: { readonly cores?: number; readonly cpu?: string };
  readonly results: readonly LatencyRow[];
  readonly mixRss?: RssRun;
}

/**
 * Writes `<base>-latency.svg` and, when the run has RSS samples,
 * `<base>-rss.svg`, where `<base>` is `jsonPath` without `.json`. Resolves
 * to the files written.
 */
export async function writeCharts(
  jsonPath: string | URL,
  bench: BenchJson,
): Promise<string[]> {
  const base = String(jsonPath instanceof URL ? jsonPath.pathname : jsonPath)
    .replace(/\.json$/, "");
  const machine = bench.machine?.cores === undefined
    ? ""
    : ` (${bench.machine.cores} cores, ${bench.machine.cpu ?? "a CPU"})`;
  const written: string[] = [];
  if (bench.results.length > 0) {
    await Deno.writeTextFile(
      `${base}-latency.svg`,
      latencyChart(
        bench.results,
        `keyservice: latency per scenario, p50 / p90 / p99, log scale${machine}`,
      ),
    );
    written.push(`${base}-latency.svg`);
  }
  if (bench.mixRss !== undefined && bench.mixRss.rss.length > 0) {
    await Deno.writeTextFile(
      `${base}-rss.svg`,
      rssChart(
        bench.mixRss,
        `keyservice: RSS during the mix of all operations, ${bench.mixRss.clients} clients, ${bench.mixRss.seconds} s${machine}`,
      ),
    );
    written.push(`${base}-rss.svg`);
  }
  return written;
}

if (import.meta.main) {
  const path = Deno.args[0] ?? "bench-results/latest.json";
  const written = await writeCharts(
    path,
    JSON.parse(await Deno.readTextFile(path)),
  );
  console.error(`bench: wrote ${written.join(", ")}`);
}
