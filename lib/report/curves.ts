/**
 * Learning curves from training-metrics JSONL (lib/learn's `metrics.jsonl`, one record per optimisation
 * step: `{algo, step, split, loss, reward, acc, p_expert, kl, …}`; the Python trainer's (trainer/metrics.py)
 * is `{kind: "step"|"summary", stage, step, loss, reward, accuracy, kl, …}` — the same `{step, …numbers}`
 * shape, its algorithm under `stage`, and a final summary record that is not a step). Each file is one series, named by its directory relative to the results
 * root; the training seeds of one recipe (`grpo-s0`, `grpo-s1`, …) form one group, drawn as one line. The panels are the usual metrics that are present; a log with none of them (another trainer's
 * names) gets a panel per numeric field instead. Long series are averaged into at most `maxPoints` bins
 * so the figure stays small and readable. Records with `split` other than "train" (lib/learn's
 * per-epoch held-out evaluations) are left out: they are sparse and on another scale.
 */
import * as path from "node:path";
import { readJsonl } from "../util/files";

/** Metrics drawn, in panel order, when present. */
export const CURVE_METRICS = ["loss", "reward", "acc", "accuracy", "token_accuracy", "p_expert", "success", "kl"] as const;

/** Numeric fields that are bookkeeping, not a metric to draw. */
const NOT_METRICS = new Set(["step", "epoch", "samples", "episodes", "seed", "time", "elapsed_s", "wall_ms", "tokens", "tokens_per_s", "learning_rate", "lr", "grad_norm"]);

/** The metrics to draw for a set of records: the usual ones present, else every other numeric field. */
export function curveMetrics(recs: Record<string, unknown>[]): string[] {
  const numeric = new Set(recs.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === "number" && Number.isFinite(r[k] as number) && !NOT_METRICS.has(k))));
  const usual = CURVE_METRICS.filter((m) => numeric.has(m));
  return usual.length ? usual : [...numeric].sort();
}

export interface CurvePoint {
  /** The run directory, relative to the results root (`learn/burger/grpo-s1`). */
  series: string;
  /** The series without its training-seed suffix (`learn/burger/grpo`): seeds of one recipe share a line. */
  group: string;
  algo: string;
  metric: string;
  step: number;
  value: number;
}

/** A run directory without its training-seed suffix: `grpo-s1`, `grpo_seed1`, `grpo-seed-1` → `grpo`. */
export function seriesGroup(series: string): string {
  return series.replace(/[-_](s|seed[-_]?)\d+$/, "");
}

/** Bin-average a (step, value) series into at most `maxPoints` points (bins of equal record count). */
export function downsample(points: { step: number; value: number }[], maxPoints: number): { step: number; value: number }[] {
  if (points.length <= maxPoints) return points;
  const out: { step: number; value: number }[] = [];
  const per = points.length / maxPoints;
  for (let b = 0; b < maxPoints; b++) {
    const chunk = points.slice(Math.floor(b * per), Math.floor((b + 1) * per));
    if (!chunk.length) continue;
    out.push({ step: chunk[chunk.length - 1].step, value: chunk.reduce((a, p) => a + p.value, 0) / chunk.length });
  }
  return out;
}

/** Read training-metrics files into curve points (train split only; evaluation records are sparse). */
export function loadCurves(files: string[], root: string, maxPoints = 200): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const file of files) {
    const series = path.relative(root, path.dirname(file)) || path.basename(file, ".jsonl");
    const recs = readJsonl<Record<string, unknown>>(file).filter((r) => typeof r.step === "number" && (r.split === undefined || r.split === "train") && r.kind !== "summary");
    const named = recs.find((r) => typeof r.algo === "string" || typeof r.stage === "string");
    const algo = String(named?.algo ?? named?.stage ?? "");
    for (const metric of curveMetrics(recs)) {
      const pts = recs.filter((r) => typeof r[metric] === "number" && Number.isFinite(r[metric] as number)).map((r) => ({ step: r.step as number, value: r[metric] as number }));
      for (const p of downsample(pts, maxPoints)) out.push({ series, group: seriesGroup(series), algo, metric, ...p });
    }
  }
  return out;
}
