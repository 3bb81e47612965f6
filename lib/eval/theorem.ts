/**
 * Theorem 3.2's predictor beside the measurement, per task: the product of per-step accuracies against
 * measured minimal-step success (an endpoint's: its multi-turn episodes on the same layouts, success in
 * exactly T^GT steps).
 */
import { wilsonInterval } from "./metrics";
import type { ExpertTrajectory } from "../expert/record";
import type { EpisodeRecord } from "./episode";
import type { TrajectoryAccuracy } from "./accuracy";

export interface TheoremRow {
  task: string;
  /** Expert trajectories (layouts) behind the row. */
  layouts: number;
  /** Expert states. */
  states: number;
  /** Mean single-turn accuracy over the states. */
  accuracy: number;
  /** Mean over layouts of Π_t p_t: the predicted minimal-step success rate. */
  predicted: number;
  /** The same with P(expert | accepted) (endpoints only). */
  predicted_accepted: number | null;
  /** Measured minimal-step success rate over the same layouts, and its 95% Wilson interval. */
  measured: number | null;
  measured_ci: [number, number] | null;
  /** Layouts with a measurement. */
  measured_n: number;
}

/**
 * Episodes that finished in exactly the expert's minimal length, per (task, seed): a layout is counted
 * a minimal-step success when its episode succeeded with `steps` equal to the trajectory's length.
 */
export function minimalStepSuccess(traj: ExpertTrajectory, episodes: EpisodeRecord[]): boolean | null {
  const e = episodes.find((x) => x.task === traj.task && x.seed === traj.seed);
  return e ? e.success && e.steps === traj.length : null;
}

/**
 * Compare Theorem 3.2's prediction with the measurement, per task. `measured` gives, per trajectory,
 * the minimal-step success probability measured (a Monte Carlo rate, or 0/1 from one episode), or null.
 */
export function theoremRows(acc: TrajectoryAccuracy[], measured: (number | null)[]): TheoremRow[] {
  const tasks = [...new Set(acc.map((a) => a.task))];
  return tasks.map((task) => {
    const idx = acc.map((a, i) => (a.task === task ? i : -1)).filter((i) => i >= 0);
    const rows = idx.map((i) => acc[i]);
    const ps = rows.flatMap((r) => r.p);
    const m = idx.map((i) => measured[i]).filter((x): x is number => x !== null);
    const hits = m.reduce((a, b) => a + b, 0);
    const sampled = rows.every((r) => r.productAccepted !== undefined);
    return {
      task,
      layouts: rows.length,
      states: ps.length,
      accuracy: ps.reduce((a, b) => a + b, 0) / ps.length,
      predicted: rows.reduce((a, r) => a + r.product, 0) / rows.length,
      predicted_accepted: sampled ? rows.reduce((a, r) => a + (r.productAccepted ?? 0), 0) / rows.length : null,
      measured: m.length ? hits / m.length : null,
      // Wilson on the summed probabilities: exact for 0/1 episodes, a rate-based interval for Monte Carlo rates.
      measured_ci: m.length ? wilsonInterval(Math.round(hits), m.length) : null,
      measured_n: m.length,
    };
  });
}
