/**
 * The benchmark's charts, as hand-written SVG (no dependencies): latency
 * percentiles per load beside the round-trip floor, on a log scale; the
 * service's RSS over a long run; and the scaling curve (rates against
 * request threads, beside OpenSSL's). scripts/bench/report.ts writes them.
 *
 * @example
 * ```ts
 * import { latencyChart } from "./chart.ts";
 *
 * const svg = latencyChart([{ name: "ping", clients: 1, p50: 0.3, p90: 0.4, p99: 0.9 }], "latency");
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
  const left = 440, right = 100, top = 64, rowHeight = 24;
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

/** One point of the scaling chart: rates at K threads (or processes). */
export interface ScalingChartPoint {
  readonly threads: number;
  readonly decryptPerSecond: number;
  readonly preparedPerSecond?: number;
  readonly encryptPerSecond: number;
  readonly opensslPerSecond: number;
}

const SERIES = [
  ["decryptPerSecond", "decrypt_fernet", "#1f5fa8"],
  ["preparedPerSecond", "decrypt_fernet, prepared key", "#8a4fbf"],
  ["encryptPerSecond", "encrypt_fernet", "#2e9c4f"],
  ["opensslPerSecond", "openssl speed -multi K (sign)", "#c00"],
] as const;

/**
 * Rates against request threads: one line a series (decrypt, decrypt with
 * a prepared key where measured, encrypt, OpenSSL's `-multi K`), a point at
 * each K, K spaced evenly.
 */
export function scalingChart(
  points: readonly ScalingChartPoint[],
  heading: string,
  xLabel: string,
): string {
  const left = 80, right = 30, top = 60, bottom = 50;
  const width = 1000, height = 420;
  const plotW = width - left - right, plotH = height - top - bottom;
  // A series with no point measured (prepared keys, in reports made before
  // they were) has neither a line nor a place in the legend.
  const series = SERIES.filter(([key]) =>
    points.some((p) => Number.isFinite(p[key] ?? NaN))
  );
  const values = points.flatMap((p) =>
    series.map(([key]) => p[key] ?? NaN).filter(Number.isFinite)
  );
  const yStep = step(Math.max(...values, 1), 6);
  const yMax = Math.ceil(Math.max(...values, 1) * 1.05 / yStep) * yStep;
  const x = (i: number) =>
    left + (points.length === 1 ? plotW / 2 : plotW * i / (points.length - 1));
  const y = (value: number) => top + plotH * (1 - value / yMax);
  const body = [title(10, heading)];
  let legend = left;
  for (const [, name, color] of series) {
    body.push(
      `<rect x="${legend}" y="32" width="12" height="12" fill="${color}"/>`,
      text(legend + 16, 43, name),
    );
    legend += 30 + name.length * 7;
  }
  for (let tick = 0; tick <= yMax + 1e-9; tick += yStep) {
    body.push(
      `<line x1="${left}" y1="${num(y(tick))}" x2="${width - right}" y2="${
        num(y(tick))
      }" stroke="#ddd"/>`,
      text(left - 6, y(tick) + 4, `${num(tick)}/s`, 'text-anchor="end"'),
    );
  }
  points.forEach((p, i) => {
    body.push(
      text(
        x(i),
        height - bottom + 18,
        String(p.threads),
        'text-anchor="middle"',
      ),
    );
  });
  for (const [key, name, color] of series) {
    const shown = points.map((p, i) => [i, p[key] ?? NaN] as const)
      .filter(([, v]) => Number.isFinite(v));
    body.push(
      `<polyline points="${
        shown.map(([i, v]) => `${num(x(i))},${num(y(v))}`).join(" ")
      }" fill="none" stroke="${color}" stroke-width="2"/>`,
      ...shown.map(([i, v]) =>
        `<circle cx="${num(x(i))}" cy="${
          num(y(v))
        }" r="4" fill="${color}"><title>${
          escape(`${name}, ${points[i].threads}: ${num(v)}/s`)
        }</title></circle>`
      ),
    );
  }
  body.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${
      top + plotH
    }" stroke="#333"/>`,
    text(left + plotW / 2, height - 12, xLabel, 'text-anchor="middle"'),
  );
  return svg(width, height, body);
}
