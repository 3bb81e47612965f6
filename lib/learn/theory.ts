/**
 * The paper's theory checked on real training, along one expert trajectory τ^GT = (s_0, a_0, …):
 *
 * - Corollary 3.1 / Assumption 3.1: the per-state expert-action probability π(a_t | s_t) before and after
 *   GRPO (`pExpert`); states where it drops are where the per-state improvement fails.
 * - Theorems 3.2/3.3: the product predictor P_0 = Π_t π(a_t | s_t) against the measured probability of
 *   finishing in the minimal number of steps (Monte Carlo over sampled rollouts). Equal in expectation
 *   when the minimal trajectory is unique; the measurement exceeds the product when other minimal
 *   trajectories exist (the product counts a shortcut as a failure).
 * - Corollary 3.2: the same for every prefix subtask k < T^GT.
 *
 * The generic check (any policy with a distribution: the learners, the random policy) lives in
 * lib/eval/expert-path.ts; this is its form for a learned policy, with the learners' random stream.
 */
import type { TextEnv } from "../env/types";
import { expertPathCheck, ExpertPathCheck } from "../eval/expert-path";
import { LoadedPolicy } from "./checkpoint";
import { sharedFeatureCache } from "./features";
import { softmax } from "./model";
import { streamRng } from "../util/rng";

export type { ExpertPathCheck } from "../eval/expert-path";

/** π(·|s) of a loaded policy at temperature 1 (the trained distribution). */
export function policyDistribution(policy: LoadedPolicy): (observation: string, validActions: readonly string[]) => Float64Array {
  return (observation, validActions) => softmax(policy.model.forward(sharedFeatureCache.get(observation, validActions, policy.features)).scores);
}

/**
 * Check a policy against an expert trajectory that starts in `start` (not modified). Rollouts are
 * sampled from π at temperature 1 for exactly T^GT steps with a stream derived from `seed`.
 */
export function checkExpertPath(policy: LoadedPolicy, start: TextEnv, expertActions: readonly string[], samples: number, seed = 0): ExpertPathCheck {
  const rng = streamRng(seed, "theory-rollouts", 0);
  return expertPathCheck(policyDistribution(policy), start, expertActions, samples, { random: () => rng.next() });
}
