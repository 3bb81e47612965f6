/**
 * Learning curves from training-metrics JSONL (lib/learn's `metrics.jsonl`, one record per optimisation
 * step: `{algo, step, split, loss, reward, p_expert, success, …}`; the Python trainer's logs have the same
 * `step` + numbers shape). Each file is one series, named by its directory relative to the results root.
 * Long series are averaged into at most `maxPoints` bins so the figure stays small and readable.
 */
import * as path from "node:path";
import { readJsonl } from "../util/files";

/** Metrics drawn, in panel order, when present. */
export const CURVE_METRICS = ["loss", "reward", "p_expert", "success"] as const;

export interface CurvePoint {
  series: string;
  algo: string;
  metric: string;
  step: number;
  value: number;
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
    const recs = readJsonl<Record<string, unknown>>(file).filter((r) => typeof r.step === "number" && (r.split === undefined || r.split === "train"));
    const algo = String(recs.find((r) => typeof r.algo === "string")?.algo ?? "");
    for (const metric of CURVE_METRICS) {
      const pts = recs.filter((r) => typeof r[metric] === "number" && Number.isFinite(r[metric] as number)).map((r) => ({ step: r.step as number, value: r[metric] as number }));
      for (const p of downsample(pts, maxPoints)) out.push({ series, algo, metric, ...p });
    }
  }
  return out;
}
