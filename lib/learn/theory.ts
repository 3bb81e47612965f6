/**
 * The paper's theory checked on real training, along one expert trajectory τ^GT = (s_0, a_0, …):
 *
 * - Corollary 3.1 / Assumption 3.1: the per-state expert-action probability π(a_t | s_t) before and after
 *   GRPO (`expertActionProbs`); states where it drops are where the per-state improvement fails.
 * - Theorems 3.2/3.3: the product predictor P_0 = Π_t π(a_t | s_t) against the measured probability of
 *   finishing in the minimal number of steps (Monte Carlo over sampled rollouts). Equal in expectation
 *   when the minimal trajectory is unique; the measurement exceeds the product when other minimal
 *   trajectories exist (the product counts a shortcut as a failure).
 * - Corollary 3.2: the same for every prefix subtask k < T^GT — reach the expert's state s_k in exactly
 *   k steps (compared by the kitchen's canonical state key); for k = T^GT, complete the task in T^GT
 *   steps (any goal state).
 */
import type { Kitchen } from "../kitchen/index";
import { LoadedPolicy } from "./checkpoint";
import { featurize } from "./features";
import { softmax } from "./model";
import { streamRng } from "./rng";

export interface ExpertPathCheck {
  /** π(a_t | s_t) along the expert trajectory, t = 0..T−1. */
  pExpert: number[];
  /** Product predictor for each prefix k = 1..T: Π_{t<k} π(a_t | s_t). */
  product: number[];
  /** Measured fraction of rollouts in the expert's state s_k after exactly k steps, k = 1..T. */
  measured: number[];
  /** Rollouts sampled. */
  samples: number;
  /** The minimal length T^GT. */
  length: number;
}

/**
 * Check a policy against an expert trajectory that starts in `start` (not modified). Rollouts are
 * sampled from π at temperature 1 for exactly T^GT steps with a stream derived from `seed`.
 */
export function checkExpertPath(policy: LoadedPolicy, start: Kitchen, expertActions: readonly string[], samples: number, seed = 0): ExpertPathCheck {
  const T = expertActions.length;
  // The expert's states and keys.
  const keys: string[] = [];
  const pExpert: number[] = [];
  const k = start.clone();
  for (const a of expertActions) {
    const valid = k.validActions();
    const idx = valid.indexOf(a);
    if (idx < 0) throw new Error(`checkExpertPath: expert action ${JSON.stringify(a)} is not valid`);
    const p = softmax(policy.model.forward(featurize(k.observation(), valid, policy.features)).scores);
    pExpert.push(p[idx]);
    k.step(a);
    keys.push(k.key());
  }
  const product: number[] = [];
  let acc = 1;
  for (const p of pExpert) product.push((acc *= p));
  const hits = new Array(T).fill(0);
  const rng = streamRng(seed, "theory-rollouts", 0);
  // Probabilities are a pure function of the state: cache them per state key.
  const cache = new Map<string, { valid: string[]; p: Float64Array }>();
  for (let n = 0; n < samples; n++) {
    const kk = start.clone();
    for (let t = 0; t < T; t++) {
      const key = kk.key();
      let c = cache.get(key);
      if (!c) {
        const valid = kk.validActions();
        c = { valid, p: softmax(policy.model.forward(featurize(kk.observation(), valid, policy.features)).scores) };
        cache.set(key, c);
      }
      const done = kk.step(c.valid[rng.categorical(c.p)]).done;
      // Prefix k < T: in the expert's state s_k (another path may rejoin it, so no early stop);
      // k = T: the task is complete in the minimal number of steps (any goal state counts).
      if (t < T - 1 ? kk.key() === keys[t] : done) hits[t]++;
      if (done) break;
    }
  }
  return { pExpert, product, measured: hits.map((h) => h / samples), samples, length: T };
}
