/**
 * The single-turn check of one evaluated policy: single-turn accuracy along the expert trajectories
 * (accuracy.ts), Theorem 3.2's product against measured minimal-step success (theorem.ts; for a
 * distribution, by Monte Carlo with Corollary 3.2's prefixes, expert-path.ts).
 */
import { resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import type { ExpertTrajectory } from "../expert/record";
import type { ActionDistribution, ChatModel } from "./policy";
import type { EpisodeRecord } from "./episode";
import { exactAccuracy, prod, sampledAccuracy, TrajectoryAccuracy } from "./accuracy";
import { expertPathCheck } from "./expert-path";
import { minimalStepSuccess, theoremRows, TheoremRow } from "./theorem";

export interface SingleTurnOptions {
  /** Endpoints: replies sampled per expert state (default 8). */
  samples?: number;
  /** Distribution policies: Monte Carlo rollouts per layout (default 1000). */
  rollouts?: number;
  /** Seed of the rollouts (default 0). */
  seed?: number;
  /** Multi-turn episodes of the policy on the trajectories' layouts (the measurement for endpoints and deterministic policies). */
  episodes?: EpisodeRecord[];
}

export interface PrefixRow {
  task: string;
  /** Prefix length k (1..T^GT): reach the expert's s_k in exactly k steps (k = T: finish in T steps). */
  k: number;
  layouts: number;
  predicted: number;
  measured: number;
}

export interface SingleTurnReport {
  /** exact: π's probabilities + Monte Carlo; sampled: k replies per state + episodes; decision: one act() per state + episodes. */
  method: "exact" | "sampled" | "decision";
  trajectories: (TrajectoryAccuracy & { measured: number | null })[];
  rows: TheoremRow[];
  /** Corollary 3.2 (exact method only): prefix subtasks, averaged over layouts per task and k. */
  prefixes: PrefixRow[];
}

/** The policy's action at each expert state (one act() per state, replaying the trajectory): p_t ∈ {0, 1}. */
export async function decisionAccuracy(
  policy: { act: (ctx: any) => Promise<{ action: string | null }> },
  traj: ExpertTrajectory,
  start: TextEnv,
): Promise<TrajectoryAccuracy> {
  const k = start.clone();
  const task = resolveTask(traj.task);
  const p: number[] = [];
  for (let t = 0; t < traj.steps.length; t++) {
    const s = traj.steps[t];
    const history = traj.steps.slice(0, t).map((x) => ({ action: x.action, reasoning: x.reasoning, observation: x.observation }));
    const d = await policy.act({ task, seed: traj.seed, t, observation: k.observation(), validActions: k.validActions(), env: k.clone(), history });
    p.push(d.action === s.action ? 1 : 0);
    k.step(s.action);
  }
  return { task: traj.task, seed: traj.seed, length: traj.length, p, product: prod(p) };
}

/**
 * Single-turn accuracy along the trajectories and Theorem 3.2's prediction against the measurement, for
 * one policy: exact for a distribution (Monte Carlo measurement, prefix subtasks), sampled for an
 * endpoint, one decision per state otherwise (the expert); those two are measured by `episodes`.
 */
export async function singleTurnCheck(
  p: { policy: { act: (ctx: any) => Promise<{ action: string | null }> }; distribution?: ActionDistribution; chatModel?: ChatModel },
  trajectories: ExpertTrajectory[],
  opts: SingleTurnOptions & { start: (task: string, seed: number | null) => TextEnv },
): Promise<SingleTurnReport> {
  const episodes = opts.episodes ?? [];
  const fromEpisodes = (tr: ExpertTrajectory) => {
    const m = minimalStepSuccess(tr, episodes);
    return m === null ? null : m ? 1 : 0;
  };
  if (p.distribution) {
    const dist = p.distribution;
    const rows: SingleTurnReport["trajectories"] = [];
    const prefixAcc = new Map<string, PrefixRow>();
    for (const tr of trajectories) {
      const acc = exactAccuracy(dist, tr);
      const check = expertPathCheck(dist, opts.start(tr.task, tr.seed), tr.steps.map((s) => s.action), opts.rollouts ?? 1000, { seed: opts.seed ?? 0 });
      rows.push({ ...acc, measured: check.measured[check.length - 1] });
      check.product.forEach((pred, i) => {
        const key = `${tr.task}\u0000${i + 1}`;
        const r = prefixAcc.get(key) ?? { task: tr.task, k: i + 1, layouts: 0, predicted: 0, measured: 0 };
        r.layouts++;
        r.predicted += pred;
        r.measured += check.measured[i];
        prefixAcc.set(key, r);
      });
    }
    const prefixes = [...prefixAcc.values()].map((r) => ({ ...r, predicted: r.predicted / r.layouts, measured: r.measured / r.layouts }));
    return { method: "exact", trajectories: rows, rows: theoremRows(rows, rows.map((r) => r.measured)), prefixes };
  }
  const rows: SingleTurnReport["trajectories"] = [];
  const chatModel = p.chatModel;
  if (chatModel) {
    // Every state of every trajectory at once; the client's semaphore bounds the requests in flight.
    const accs = await Promise.all(trajectories.map((tr) => sampledAccuracy(chatModel, tr, opts.samples ?? 8)));
    accs.forEach((acc, i) => rows.push({ ...acc, measured: fromEpisodes(trajectories[i]) }));
  } else {
    for (const tr of trajectories) rows.push({ ...(await decisionAccuracy(p.policy, tr, opts.start(tr.task, tr.seed))), measured: fromEpisodes(tr) });
  }
  return { method: p.chatModel ? "sampled" : "decision", trajectories: rows, rows: theoremRows(rows, rows.map((r) => r.measured)), prefixes: [] };
}
