/**
 * The paper's metrics over episodes (§4): SR = fraction that reached the goal within the timeout;
 * ASAT = mean steps over all episodes with a failure counted at the task's timeout; ASST = mean steps
 * over successes only (null — the paper's "—" — when none). Intervals: Wilson for SR (exact enough at
 * n = 10, unlike the normal approximation), a seeded percentile bootstrap for ASAT and ASST.
 */
import { mulberry32 } from "../util/rng";

export { mulberry32 };
export interface EpisodeOutcome {
  success: boolean;
  steps: number;
  timeout: number;
}

export interface Metrics {
  n: number;
  sr: number;
  asat: number;
  asst: number | null;
  sr_ci: [number, number];
  asat_ci: [number, number];
  asst_ci: [number, number] | null;
}

/** Steps an episode contributes to ASAT: its steps if it succeeded, else the timeout. */
export function stepsForAsat(e: EpisodeOutcome): number {
  return e.success ? e.steps : e.timeout;
}

export function successRate(eps: EpisodeOutcome[]): number {
  return eps.length ? eps.filter((e) => e.success).length / eps.length : NaN;
}

export function asat(eps: EpisodeOutcome[]): number {
  return eps.length ? mean(eps.map(stepsForAsat)) : NaN;
}

export function asst(eps: EpisodeOutcome[]): number | null {
  const ok = eps.filter((e) => e.success);
  return ok.length ? mean(ok.map((e) => e.steps)) : null;
}

/** 95% Wilson score interval for k successes in n trials (z = 1.959964). */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 (k = n) the bound is exactly 0 (1); the formula leaves a rounding residue (3e-18).
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** Percentile bootstrap 95% interval of the mean, with a fixed-seed generator (reproducible). */
export function bootstrapMeanInterval(values: number[], resamples = 2000, seed = 1): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  const rand = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[Math.floor(rand() * values.length)];
    means[r] = s / values.length;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return [at(0.025), at(0.975)];
}

export function computeMetrics(eps: EpisodeOutcome[]): Metrics {
  const k = eps.filter((e) => e.success).length;
  const successes = eps.filter((e) => e.success).map((e) => e.steps);
  return {
    n: eps.length,
    sr: successRate(eps),
    asat: asat(eps),
    asst: asst(eps),
    sr_ci: wilsonInterval(k, eps.length),
    asat_ci: bootstrapMeanInterval(eps.map(stepsForAsat)),
    asst_ci: successes.length ? bootstrapMeanInterval(successes) : null,
  };
}

/** The fields `stgrpo eval --json` prints per task (docs/design.md's contract). */
export interface MetricsSummary {
  n: number;
  sr: number;
  asat: number;
  asst: number | null;
  sr_ci: [number, number];
}

export function contractSummary(m: Metrics): MetricsSummary {
  return { n: m.n, sr: m.sr, asat: m.asat, asst: m.asst, sr_ci: m.sr_ci };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

