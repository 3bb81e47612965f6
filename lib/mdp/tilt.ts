/**
 * The exact per-state maximiser of the GRPO objective (eq. 6 without clipping) for a finite action set:
 *
 *     π_n = argmax_π  Σ_a π(a) A_{n−1}(a) − β KL(π ‖ π_ref),   A_{n−1}(a) = (r(a) − E_{π_{n−1}} r) / σ_{n−1},
 *     σ_{n−1} = sqrt(Var_{π_{n−1}} r + ε),
 *
 * is the Gibbs tilt π_n(a) ∝ π_ref(a) · exp(A_{n−1}(a)/β) = π_ref(a) · exp(r(a)/(β σ_{n−1})) (the mean
 * cancels in the normalisation). With the binary expert reward this is exactly the scalar recursion of
 * recursion.ts; with the paper's composite reward 0.1·format + 0.9·action it is a three-class map.
 *
 * All in log probabilities: for small β the tilt sends non-expert mass to e^-1000 and below. The
 * variance is Σ_{a<b} π_a π_b (r_a − r_b)², a sum of products of probabilities, so its log is exact
 * where 1 − p would have cancelled to 0.
 */
import { formatLogProbability, logAddExp, logSumExp } from "./logodds";

/** log Var_π(r) from log π (−Infinity when π puts all its mass on one reward level). */
export function logRewardVariance(logPi: readonly number[], rewards: readonly number[]): number {
  const terms: number[] = [];
  for (let a = 0; a < rewards.length; a++) {
    for (let b = a + 1; b < rewards.length; b++) {
      const d = Math.abs(rewards[a] - rewards[b]);
      if (d > 0) terms.push(logPi[a] + logPi[b] + 2 * Math.log(d));
    }
  }
  return logSumExp(terms);
}

/**
 * One exact GRPO iteration at one state: log π_n from log π_{n−1}. If σ = 0 exactly (ε = 0 and π_{n−1}
 * already on one reward level, which only float underflow can produce from a full-support π_ref), the
 * tilt is the limit 1/σ → ∞: π_ref restricted to its best-rewarded actions.
 */
export function gibbsTilt(logPiRef: readonly number[], rewards: readonly number[], logPiPrev: readonly number[], beta: number, eps = 0): number[] {
  const lv = logRewardVariance(logPiPrev, rewards);
  const lsd = 0.5 * (eps > 0 ? logAddExp(lv, Math.log(eps)) : lv);
  const k = Math.exp(-Math.log(beta) - lsd); // 1/(βσ)
  let scores: number[];
  if (Number.isFinite(k)) scores = logPiRef.map((l, a) => l + k * rewards[a]);
  else {
    const best = Math.max(...rewards.filter((_, a) => logPiRef[a] > -Infinity));
    scores = logPiRef.map((l, a) => (rewards[a] === best ? l : -Infinity));
  }
  const z = logSumExp(scores);
  return scores.map((s) => s - z);
}

export interface TiltIterates {
  /** log π_n for n = 0 … N (π_0 = π_ref). */
  logPi: number[][];
  /** π_n of the best-rewarded class (the success probability), n = 0 … N. */
  success: number[];
  /** 1 − success as 10-digit strings, exact far below float64. */
  oneMinusSuccess: string[];
}

/** Iterate the exact tilt from π_0 = π_ref; `piRef` over classes or actions (sums to 1). */
export function tiltRecursion(piRef: readonly number[], rewards: readonly number[], beta: number, eps: number, iters: number): TiltIterates {
  const logPiRef = piRef.map(Math.log);
  const best = Math.max(...rewards);
  const logPi = [logPiRef];
  for (let n = 1; n <= iters; n++) logPi.push(gibbsTilt(logPiRef, rewards, logPi[n - 1], beta, eps));
  const logFail = logPi.map((lp) => logSumExp(lp.filter((_, a) => rewards[a] !== best)));
  const logSuccess = logPi.map((lp) => logSumExp(lp.filter((_, a) => rewards[a] === best)));
  return {
    logPi,
    success: logSuccess.map((l) => Math.exp(l)),
    oneMinusSuccess: logFail.map(formatLogProbability),
  };
}

/**
 * The paper's single-turn reward 0.1·format + 0.9·action has three outcome classes at a state: a
 * well-formed reply with the expert's action (1), a well-formed reply with another action (0.1), and a
 * malformed one (0; lib/agent scores a reply without a parsable action or with an invalid one as 0).
 */
export const COMPOSITE_CLASSES = [
  { name: "expert action", reward: 1 },
  { name: "other valid action", reward: 0.1 },
  { name: "malformed", reward: 0 },
] as const;

export const COMPOSITE_REWARDS = COMPOSITE_CLASSES.map((c) => c.reward);

/**
 * π_ref over the three classes: the expert action with pRef, the rest split between well-formed
 * other actions and malformed replies by `malformedShare`.
 */
export function compositeReference(pRef: number, malformedShare: number): number[] {
  return [pRef, (1 - pRef) * (1 - malformedShare), (1 - pRef) * malformedShare];
}

/** The binary expert indicator on two classes (expert, not expert): the scalar recursion's setting. */
export const BINARY_REWARDS = [1, 0];
