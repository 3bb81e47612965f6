/**
 * Single-turn accuracy along expert trajectories, and the paper's theory checked against it.
 *
 * Along an expert trajectory τ^GT = (s_0, a_0, …, s_{T−1}, a_{T−1}) (lib/expert's trajectory JSONL,
 * the expert trajectory record of docs/design.md, taken as input — no planning here):
 * - **single-turn accuracy** p_t = π(a_t | s_t): for a policy with a distribution (random, the CPU
 *   learners) its probability; for an endpoint, the fraction of k sampled replies whose parsed action is
 *   the expert's (the "correct" part of the single-turn reward; a malformed reply counts as wrong);
 * - **Theorem 3.2's product** P_0 = Π_t p_t, the predicted probability of finishing in the minimal
 *   number of steps T^GT; equal to the truth when the minimal trajectory is unique (Def 2.2), an
 *   undercount when other minimal trajectories exist (a shortcut counts as a failure);
 * - **measured** minimal-step success: for a distribution, Monte Carlo rollouts of π for exactly T^GT
 *   steps (`expertPathCheck`, which also gives Corollary 3.2's prefix subtasks: being in the expert's
 *   state s_k after exactly k steps); for an endpoint, the multi-turn episodes on the same layouts
 *   (success in exactly T^GT steps).
 */
import * as fs from "node:fs";
import { buildMessages, ChatFn, ChatMessage, PromptConfig, PolicyTurn, scoreReply } from "../agent/index";
import { resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { UserError } from "../util/errors";
import { readJsonl } from "../util/files";
import { wilsonInterval } from "./metrics";
import type { ExpertTrajectory } from "../expert/record";
import { categorical, mulberry32 } from "../util/rng";

export { categorical };
import type { ActionDistribution, ChatModel } from "./policy";
import type { EpisodeRecord } from "./episode";

// ---- Per-state expert-action probabilities ----

/** One trajectory's single-turn accuracies and Theorem 3.2's product. */
export interface TrajectoryAccuracy {
  task: string;
  seed: number | null;
  /** T^GT. */
  length: number;
  /** p_t = π(a_t | s_t) (exact, or the sampled fraction), t = 0..T−1. */
  p: number[];
  /** Π_t p_t: the predicted minimal-step success. */
  product: number;
  /** Sampled only: replies per state, and the well-formed-and-valid fraction per state. */
  samples?: number;
  format?: number[];
  /**
   * Sampled only: P(expert action | the reply was accepted), per state. Under the multi-turn protocol a
   * rejected reply is re-asked without a step, so this, not p_t, is the per-step probability an
   * episode sees (if feedback does not change the model's choice); its product is the second predictor.
   */
  pAccepted?: number[];
  productAccepted?: number;
}

function prod(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** Exact accuracies of a policy with a distribution along one expert trajectory. */
export function exactAccuracy(dist: ActionDistribution, traj: ExpertTrajectory): TrajectoryAccuracy {
  const p = traj.steps.map((s) => dist(s.observation, s.valid_actions)[s.valid_actions.indexOf(s.action)]);
  return { task: traj.task, seed: traj.seed, length: traj.length, p, product: prod(p) };
}

/**
 * The single-turn request at expert state t: the multi-turn prompt with the expert's completed steps as
 * history (what the multi-turn agent would see had it followed the expert so far).
 */
export function expertStateMessages(prompt: PromptConfig, traj: ExpertTrajectory, t: number): ChatMessage[] {
  const history: PolicyTurn[] = traj.steps.slice(0, t).map((s) => ({ action: s.action, reasoning: s.reasoning, observation: s.observation }));
  return buildMessages(prompt, { observation: traj.steps[t].observation, history, env: resolveTask(traj.task).env });
}

/**
 * Sampled accuracies of a chat model along one trajectory: each state is asked `k` times (attempt
 * 1…k of the request seed, so a seeded server repeats the samples), concurrently up to the client's limit.
 */
export async function sampledAccuracy(model: ChatModel, traj: ExpertTrajectory, k: number): Promise<TrajectoryAccuracy> {
  if (!(Number.isInteger(k) && k >= 1)) throw new UserError(`samples per state must be a positive integer, got ${k}`);
  const perState = await Promise.all(
    traj.steps.map(async (s, t) => {
      const messages = expertStateMessages(model.prompt, traj, t);
      const replies = await Promise.all(
        Array.from({ length: k }, (_, i) => model.chat(messages, { task: traj.task, seed: traj.seed, t, attempt: i + 1 })),
      );
      const scores = replies.map((r) => scoreReply(r.content, s.action, s.valid_actions));
      const correct = scores.filter((x) => x.correct === 1).length;
      const accepted = scores.filter((x) => x.format === 1).length;
      return { p: correct / k, format: accepted / k, pAccepted: accepted ? correct / accepted : 0 };
    }),
  );
  const p = perState.map((x) => x.p);
  const pAccepted = perState.map((x) => x.pAccepted);
  return {
    task: traj.task,
    seed: traj.seed,
    length: traj.length,
    p,
    product: prod(p),
    samples: k,
    format: perState.map((x) => x.format),
    pAccepted,
    productAccepted: prod(pAccepted),
  };
}

// ---- Theorem 3.2 / Corollary 3.2 by Monte Carlo (distribution policies) ----

export interface ExpertPathCheck {
  /** π(a_t | s_t) along the expert trajectory, t = 0..T−1. */
  pExpert: number[];
  /** Product predictor for each prefix k = 1..T: Π_{t<k} π(a_t | s_t). */
  product: number[];
  /** Measured fraction of rollouts in the expert's state s_k after exactly k steps, k = 1..T−1; for k = T, done in T steps. */
  measured: number[];
  /** Rollouts sampled. */
  samples: number;
  /** The minimal length T^GT. */
  length: number;
}


/**
 * Check a policy's distribution against an expert trajectory that starts in `start` (not modified).
 * Rollouts sample π for exactly T^GT steps; `random` is the uniform source (default: seeded from `seed`).
 * Prefix k < T counts being in the expert's state s_k after exactly k steps (compared by the state's
 * key; another path may rejoin it, so a rollout does not stop there); k = T counts completing
 * the task in T steps (any goal state).
 */
export function expertPathCheck(
  dist: ActionDistribution,
  start: TextEnv,
  expertActions: readonly string[],
  samples: number,
  opts: { seed?: number; random?: () => number } = {},
): ExpertPathCheck {
  const T = expertActions.length;
  const keys: string[] = [];
  const pExpert: number[] = [];
  const k = start.clone();
  for (const a of expertActions) {
    const valid = k.validActions();
    const idx = valid.indexOf(a);
    if (idx < 0) throw new UserError(`expert action ${JSON.stringify(a)} is not valid in the expert's state ${pExpert.length}`);
    pExpert.push(dist(k.observation(), valid)[idx]);
    k.step(a);
    keys.push(k.key());
  }
  const product: number[] = [];
  let acc = 1;
  for (const p of pExpert) product.push((acc *= p));
  const hits = new Array(T).fill(0);
  const random = opts.random ?? mulberry32(opts.seed ?? 0);
  // π is a pure function of the state: cache it per state key.
  const cache = new Map<string, { valid: string[]; p: ArrayLike<number> }>();
  for (let n = 0; n < samples; n++) {
    const kk = start.clone();
    for (let t = 0; t < T; t++) {
      const key = kk.key();
      let c = cache.get(key);
      if (!c) {
        const valid = kk.validActions();
        c = { valid, p: dist(kk.observation(), valid) };
        cache.set(key, c);
      }
      const done = kk.step(c.valid[categorical(c.p, random())]).done;
      if (t < T - 1 ? kk.key() === keys[t] : done) hits[t]++;
      if (done) break;
    }
  }
  return { pExpert, product, measured: hits.map((h) => h / samples), samples, length: T };
}

// ---- Predictor vs measurement, per task ----

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

// ---- The whole check for one evaluated policy ----

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
