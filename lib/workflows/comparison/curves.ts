/**
 * The comparison's curves: every evaluated policy as a record (the summary's compact table back), and
 * their mean and 95% t interval across training seeds per model, task, learner, start, budget point and
 * decoding — what the curves tables and the sample-efficiency figures draw.
 */
import { tInterval } from "../../report/aggregate";
import type { ComparisonConfig } from "./config";
import type { ComparisonSummary, CurveRow, Model } from "./types";
import type { SavedAt } from "./evaluate";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const ci4 = (c: [number, number] | null) => (c ? ([r4(c[0]), r4(c[1])] as [number, number]) : null);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One evaluated policy: its place in the comparison and, per decoding, SR and mean steps beyond the optimum per success. */
export interface PolicyPoint extends SavedAt {
  method: Model;
  task: string;
  learner: string;
  arm: string;
  seed: number;
  sr: Record<string, number>;
  excess: Record<string, number | null>;
}

/** Mean and 95% interval across seeds of every (model, task, learner, start, budget, decoding). */
export function comparisonCurves(cfg: ComparisonConfig, points: PolicyPoint[]): CurveRow[] {
  const groups = new Map<string, PolicyPoint[]>();
  for (const p of points) {
    const k = [p.method, p.task, p.learner, p.arm, p.budget].join("|");
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const rows: CurveRow[] = [];
  for (const ps of groups.values()) {
    const p0 = ps[0];
    for (const d of cfg.eval.decodings) {
      const sr = ps.map((p) => p.sr[d.id]);
      const ex = ps.map((p) => p.excess[d.id]).filter((x): x is number => x !== null);
      rows.push({
        method: p0.method,
        task: p0.task,
        learner: p0.learner,
        arm: p0.arm,
        budget: p0.budget,
        decoding: d.id,
        seeds: ps.length,
        samples: Math.round(mean(ps.map((p) => p.samples))),
        seconds: r4(mean(ps.map((p) => p.seconds))),
        cpu_seconds: r4(mean(ps.map((p) => p.cpu_seconds))),
        sr: r4(mean(sr)),
        sr_ci: ci4(tInterval(sr, 0, 1)),
        excess: ex.length ? r4(mean(ex)) : null,
        excess_ci: ci4(tInterval(ex, 0)),
      });
    }
  }
  return rows;
}

/** The points of a summary back as records (the compact table's rows). */
export function summaryPoints(s: ComparisonSummary): PolicyPoint[] {
  const col = (name: string) => s.points.columns.indexOf(name);
  const decodings = s.config.eval.decodings.map((d) => d.id);
  return s.points.rows.map((r) => ({
    method: r[col("method")] as Model,
    task: r[col("task")] as string,
    learner: r[col("learner")] as string,
    arm: r[col("arm")] as string,
    seed: r[col("seed")] as number,
    budget: r[col("budget")] as number,
    samples: r[col("samples")] as number,
    rollout_samples: r[col("rollout_samples")] as number,
    group_samples: r[col("group_samples")] as number,
    seconds: r[col("seconds")] as number,
    cpu_seconds: r[col("cpu_seconds")] as number,
    sr: Object.fromEntries(decodings.map((d) => [d, r[col(`sr_${d}`)] as number])),
    excess: Object.fromEntries(decodings.map((d) => [d, r[col(`excess_${d}`)] as number | null])),
  }));
}

/** The curves of a summary (computed from its points). */
export function summaryCurves(s: ComparisonSummary): CurveRow[] {
  return comparisonCurves(s.config, summaryPoints(s));
}
