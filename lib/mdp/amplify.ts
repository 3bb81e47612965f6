/**
 * From one state to a whole task: single-turn GRPO moves each expert state's p_ref,t to its own limit
 * p*_t (recursion.ts), and under uniqueness Theorem 3.2 turns these into the multi-turn minimal-step
 * success P_0 = Π_t p*_t. Carried in logs so that 1 − P_0 stays exact when every 1 − p*_t is e^-1000.
 */
import { formatLogProbability, logSigmoid, logSumExp } from "./logodds";
import { iterationLimit, RecursionParams } from "./recursion";

export interface AmplifiedTask {
  pRef: number[];
  /** p*_t: the limit of the recursion from p_ref,t (1 where p_n → 1). */
  pStar: number[];
  oneMinusPStar: string[];
  /** How each state's iteration ended ("none": no limit within the budget; p*_t is then taken as p_ref,t). */
  limit: ("interior" | "one" | "none")[];
  /** Π p_ref,t and Π p*_t. */
  successRef: number;
  successStar: number;
  /** 1 − Π p*_t, exact far below float64. */
  oneMinusSuccessStar: string;
}

/** log(1 − e^x) for x ≤ 0, and its first-order form Σ log(1 − p_t) once e^x rounds to 1. */
function logOneMinusProduct(logP: number[], logFail: number[]): number {
  const s = logP.reduce((a, b) => a + b, 0);
  if (s < -1e-300) return Math.log(-Math.expm1(s));
  // Every factor is within float64 of 1: 1 − Π(1 − q_t) = Σ q_t to relative order max q_t.
  return logSumExp(logFail);
}

export function amplifiedTask(pRef: readonly number[], params: Omit<RecursionParams, "pRef">): AmplifiedTask {
  const logPStar: number[] = [];
  const logFail: number[] = [];
  const limit: AmplifiedTask["limit"] = [];
  for (const p of pRef) {
    const lim = iterationLimit({ ...params, pRef: p });
    limit.push(lim.kind);
    // No interior limit: p_n → 1 (or, for a cycle, no single p*: keep the worst, p_ref's own value).
    const l = lim.kind === "interior" ? lim.fixedPoint.logit : lim.kind === "one" ? Infinity : Math.log(p / (1 - p));
    logPStar.push(l === Infinity ? 0 : logSigmoid(l));
    logFail.push(l === Infinity ? -Infinity : logSigmoid(-l));
  }
  const logSuccessStar = logPStar.reduce((a, b) => a + b, 0);
  return {
    pRef: pRef.slice(),
    pStar: logPStar.map(Math.exp),
    oneMinusPStar: logFail.map(formatLogProbability),
    limit,
    successRef: pRef.reduce((a, b) => a * b, 1),
    successStar: Math.exp(logSuccessStar),
    oneMinusSuccessStar: formatLogProbability(logOneMinusProduct(logPStar, logFail)),
  };
}
