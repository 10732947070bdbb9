/**
 * The benchmark's targets, in one table: a scenario's metric, a comparison
 * and a bound, where the bound is a number or a multiple of another metric
 * of the same run (plus, optionally, a multiple of a third). The evaluator
 * is pure: measurements in, verdicts out.
 *
 * @example
 * ```ts
 * import { evaluateTargets } from "./targets.ts";
 *
 * const [verdict] = evaluateTargets(
 *   [{ scenario: "floor", metric: "ping_p50_ms", compare: "<=", limit: 1.5, reference: "floor.echo_p50_ms", source: "issue 9" }],
 *   { floor: { metrics: { ping_p50_ms: 0.3, echo_p50_ms: 0.25 } } },
 * );
 * verdict.met; // true: 0.3 <= 1.5 x 0.25
 * ```
 * @module
 */

/** One target. */
export interface Target {
  /** The scenario whose metric is judged. */
  readonly scenario: string;
  readonly metric: string;
  readonly compare: "<=" | ">=";
  /** The bound, or the factor of `reference` when there is one. */
  readonly limit: number;
  /** `scenario.metric` of the same run: the bound is `limit` times it. */
  readonly reference?: string;
  /** Added to the bound: `factor` times `scenario.metric`. */
  readonly plus?: { readonly factor: number; readonly metric: string };
  /** Where the target comes from, such as `issue 18`. */
  readonly source: string;
  /** A few words on what the target means, when its name does not say. */
  readonly note?: string;
}

/** A target's verdict in one run. */
export interface TargetResult {
  /** The target as text, such as `decrypt.rate_4_per_s >= 0.35 x openssl.multi_per_s`. */
  readonly target: string;
  readonly scenario: string;
  readonly metric: string;
  readonly source: string;
  readonly note?: string;
  /** The measured value, when there is one. */
  readonly value?: number;
  /** The bound it was held to, when it could be computed. */
  readonly bound?: number;
  /** Met, not met, or null: not measured (see `reason`). */
  readonly met: boolean | null;
  readonly reason?: string;
}

/** What a scenario's record holds that the evaluator reads. */
export interface MeasuredScenario {
  readonly metrics?: Readonly<Record<string, number>>;
  readonly skipped?: string;
  readonly error?: string;
}

/**
 * The targets of issue 9 (the first benchmark), issue 18 (request
 * threads) and issue 19 (the keystore). Metric names are those the scenarios return.
 */
export const TARGETS: readonly Target[] = [
  // The round trip: ping against a plain libzmq echo.
  t("floor", "ping_p50_ms", "<=", 1.5, "floor.echo_p50_ms", "issue 9, 18"),
  t(
    "floor",
    "ping_paced_p50_ms",
    "<=",
    1.5,
    "floor.echo_paced_p50_ms",
    "issue 9",
  ),
  t("idle", "rss_mb", "<=", 80, undefined, "issue 18", {
    note: "default settings; issue 9 had 64 MB with one thread",
  }),
  t("warm300", "generate_p50_ms", "<=", 2, "warm300.ping_p50_ms", "issue 9"),
  t("refill", "refill_p50_ms", "<=", 1.3, "refill.quiet_p50_ms", "issue 9"),
  t("generate", "warm_p50_ms", "<=", 1, undefined, "issue 9"),
  t("generate", "warm_p99_ms", "<=", 5, undefined, "issue 9"),
  t(
    "generate_drained",
    "rate_per_s",
    ">=",
    0.8,
    "primitives.keygen_parallel_per_s",
    "issue 9",
  ),
  t("encrypt", "p50_1_ms", "<=", 0.5, undefined, "issue 9"),
  t("decrypt", "p50_1_ms", "<=", 3, undefined, "issue 9"),
  t("decrypt", "rate_4_per_s", ">=", 1.7, "decrypt.rate_1_per_s", "issue 9"),
  t("decrypt", "p50_1_ms", "<=", 3, "openssl.sign_ms", "issue 9"),
  t("decrypt", "rate_4_per_s", ">=", 0.35, "openssl.multi_per_s", "issue 18", {
    note: "openssl speed -multi <cores>",
  }),
  t(
    "decrypt_prepared",
    "p50_1_ms",
    "<=",
    1,
    "decrypt_prepared.ping_p50_ms",
    "issue 18",
    { plus: { factor: 2, metric: "openssl.sign_ms" } },
  ),
  // Issue 19: decryption by key id, against ping and against the PEM path.
  t(
    "keystore",
    "p50_1_ms",
    "<=",
    1,
    "keystore.ping_p50_ms",
    "issue 19",
    { plus: { factor: 2, metric: "openssl.sign_ms" } },
  ),
  t(
    "keystore",
    "rate_4_per_s",
    ">=",
    2,
    "keystore.pem_rate_4_per_s",
    "issue 19",
    {
      note: "4 clients by key id against 4 sending the PEM",
    },
  ),
  t("mix", "errors", "<=", 0, undefined, "issue 9"),
  t("mix", "rss_growth_mb", "<=", 20, undefined, "issue 9", {
    note: "RSS at the end less RSS at 10 s; runs of 20 s or more",
  }),
  t("soak", "errors", "<=", 0, undefined, "issue 9"),
  t("soak", "rss_change_abs_mb", "<=", 16, undefined, "issue 9", {
    note: "RSS at the end against RSS at 60 s",
  }),
  t(
    "scaling",
    "encrypt_top_per_s",
    ">=",
    1.5,
    "scaling.encrypt_1_per_s",
    "issue 18",
    { note: "the most threads against one thread" },
  ),
  t(
    "scaling",
    "decrypt_top_per_s",
    ">=",
    0.5,
    "scaling.openssl_top_per_s",
    "issue 18",
    { note: "a many-core machine's target: one process against -multi N" },
  ),
  t(
    "scaling",
    "prepared_top_per_s",
    ">=",
    0.5,
    "scaling.openssl_top_per_s",
    "issue 18",
    { note: "the same with the key prepared (--prepared-keys 16)" },
  ),
  t("scaling", "errors", "<=", 0, undefined, "issue 18"),
];

function t(
  scenario: string,
  metric: string,
  compare: "<=" | ">=",
  limit: number,
  reference: string | undefined,
  source: string,
  extra: Pick<Target, "plus" | "note"> = {},
): Target {
  return { scenario, metric, compare, limit, reference, source, ...extra };
}

/** The target as one line of text. */
export function describeTarget(target: Target): string {
  const bound = target.reference === undefined
    ? String(target.limit)
    : `${target.limit === 1 ? "" : `${target.limit} x `}${target.reference}`;
  const plus = target.plus === undefined
    ? ""
    : ` + ${target.plus.factor} x ${target.plus.metric}`;
  return `${target.scenario}.${target.metric} ${target.compare} ${bound}${plus}`;
}

/**
 * Judges each target whose scenario is in `scenarios` (the others were not
 * run). A target is not measured (`met: null`) when its scenario was
 * skipped or failed, or a metric it needs is missing or not a number.
 */
export function evaluateTargets(
  targets: readonly Target[],
  scenarios: Readonly<Record<string, MeasuredScenario>>,
): TargetResult[] {
  const lookup = (path: string): number | string => {
    const at = path.indexOf(".");
    const scenario = scenarios[path.slice(0, at)];
    if (scenario === undefined) return `${path.slice(0, at)} was not run`;
    if (scenario.skipped !== undefined) {
      return `${path.slice(0, at)} skipped: ${scenario.skipped}`;
    }
    if (scenario.error !== undefined) {
      return `${path.slice(0, at)} failed: ${scenario.error}`;
    }
    const value = scenario.metrics?.[path.slice(at + 1)];
    return typeof value === "number" && Number.isFinite(value)
      ? value
      : `${path} not measured`;
  };
  return targets.filter((target) => target.scenario in scenarios).map(
    (target) => {
      const base = {
        target: describeTarget(target),
        scenario: target.scenario,
        metric: target.metric,
        source: target.source,
        ...(target.note === undefined ? {} : { note: target.note }),
      };
      const value = lookup(`${target.scenario}.${target.metric}`);
      const reference = target.reference === undefined
        ? 1
        : lookup(target.reference);
      const plus = target.plus === undefined ? 0 : lookup(target.plus.metric);
      for (const part of [value, reference, plus]) {
        if (typeof part === "string") {
          return {
            ...base,
            ...(typeof value === "number" ? { value } : {}),
            met: null,
            reason: part,
          };
        }
      }
      const bound = target.limit * (reference as number) +
        (target.plus?.factor ?? 0) * (plus as number);
      const v = value as number;
      const met = target.compare === "<=" ? v <= bound : v >= bound;
      return { ...base, value: v, bound, met };
    },
  );
}
