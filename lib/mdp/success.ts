/**
 * Success with minimal steps (Def 3.2) three ways, in exact arithmetic:
 *
 * - `enumerateMinimalSuccess`: the definition itself — the total probability of the trajectories that
 *   complete the task in exactly T*(s0) steps, listed one by one (a depth-first walk that only prunes
 *   branches which can no longer arrive in time);
 * - `recursionSuccess`: Theorem 3.2's recursion P_t(s_t) = E_{a~π(·|s_t)}[r(s_t,a)·P_{t+1}(f(s_t,a))]
 *   with the single-turn reward r(s,a) = 1{a = π^GT(s)} (Def 2.4) and P = 1 at the goal;
 * - `productSuccess`: its unrolled form Π_t π(a_t^GT | s_t^GT) along the expert trajectory.
 *
 * The three agree exactly when the minimal-length success is unique (Def 2.2); otherwise the
 * recursion and the product count a shortcut as a failure and fall below the enumeration.
 * Subtasks (Def 3.3, Corollary 3.2) are the same computations on a prefix of the expert trajectory.
 */
import { UserError } from "../util/errors";
import { ExpertPath, Mdp, availableActions, expertTrajectory, minimalSteps } from "./mdp";
import { ONE, Rational, ZERO, product } from "./rational";

/** Enumeration of the minimal-length successful trajectories from one state. */
export interface Enumeration {
  /** The number of steps every listed trajectory takes (T*(s) for the task). */
  steps: number;
  /** Σ over the trajectories of Π π(a_t|s_t): the exact minimal-step success probability. */
  probability: Rational;
  /** How many minimal-length successful trajectories exist (probability zero ones included). */
  count: number;
  /** The first `keep` of them as action-index lists, in depth-first order. */
  trajectories: number[][];
}

/** Guard against exponential blow-up: the walk visits at most this many nodes before giving up. */
export const MAX_ENUMERATION_NODES = 2_000_000;

/**
 * Every trajectory from `from` that reaches a `targets` state in exactly `steps` steps (default: the
 * minimal number, so that these are the minimal-length successes), with its probability under π.
 * Structural: trajectories are counted even where π gives them probability 0, because Def 2.2's
 * uniqueness is a property of the MDP, not of one policy.
 */
export function enumerateMinimalSuccess(m: Mdp, from: number = m.start, opts: { targets?: boolean[]; keep?: number } = {}): Enumeration {
  const targets = opts.targets ?? m.isGoal;
  const dist = minimalSteps(m, targets);
  const steps = dist[from];
  if (steps === Infinity) return { steps, probability: ZERO, count: 0, trajectories: [] };
  const keep = opts.keep ?? 16;
  const trajectories: number[][] = [];
  let probability = ZERO;
  let count = 0;
  let nodes = 0;
  const path: number[] = [];
  const walk = (s: number, left: number, prob: Rational) => {
    if (++nodes > MAX_ENUMERATION_NODES) throw new UserError(`too many trajectories to enumerate (over ${MAX_ENUMERATION_NODES} nodes)`);
    if (left === 0) {
      // dist[s] ≥ left at every node, so left = 0 means s is a target.
      count++;
      probability = probability.add(prob);
      if (trajectories.length < keep) trajectories.push(path.slice());
      return;
    }
    // A target before `steps` would be a shorter success, impossible when steps = dist[from]; and the
    // episode ends at a goal, so a goal with steps left is not continued.
    if (m.isGoal[s]) return;
    for (const a of availableActions(m, s)) {
      const t = m.next[s][a];
      if (dist[t] > left - 1) continue; // cannot arrive in time: contributes nothing
      path.push(a);
      walk(t, left - 1, prob.mul(m.policy[s][a]));
      path.pop();
    }
  };
  walk(from, steps, ONE);
  return { steps, probability, count, trajectories };
}

/** The single-turn reward of Def 2.4: r(s, a) = 1{a = π^GT(s)}. */
export function expertIndicator(m: Mdp, s: number, a: number): Rational {
  return m.expert[s] === a ? ONE : ZERO;
}

/**
 * Theorem 3.2's recursion along the expert trajectory, by backward induction from P_T = 1:
 * returns P_t(s_t^GT) for t = 0 … T (so `[0]` is P_0, the task's success). `last` (default T − 1)
 * is the last expert step that must be taken: a smaller value gives the subtask k* = last (Def 3.3),
 * whose success is "take a_{k*} at s_{k*}", so P_{k*+1} = 1.
 */
export function recursionSuccess(m: Mdp, traj: ExpertPath = expertTrajectory(m), last = traj.actions.length - 1): Rational[] {
  const P: Rational[] = new Array(last + 2);
  P[last + 1] = ONE;
  for (let t = last; t >= 0; t--) {
    const s = traj.states[t];
    let acc = ZERO;
    for (const a of availableActions(m, s)) {
      const r = expertIndicator(m, s, a);
      // r = 0 kills the term, so P_{t+1} is only ever needed at the expert's next state f(s_t, a_t).
      if (r.isZero()) continue;
      acc = acc.add(m.policy[s][a].mul(r).mul(P[t + 1]));
    }
    P[t] = acc;
  }
  return P;
}

/** Π_{t ≤ last} π(a_t^GT | s_t^GT): the product predictor (the whole task by default). */
export function productSuccess(m: Mdp, traj: ExpertPath = expertTrajectory(m), last = traj.actions.length - 1): Rational {
  return product(traj.actions.slice(0, last + 1).map((a, t) => m.policy[traj.states[t]][a]));
}

/**
 * Def 2.2's uniqueness, checked the way Theorem 3.2's proof uses it: along the expert trajectory every
 * non-expert action strictly increases the remaining minimal distance (T*(f(s_t, a)) ≥ T*(s_t)).
 * Equivalent to "exactly one minimal-length successful trajectory" (a test checks both agree).
 */
export function expertIsUnique(m: Mdp, traj: ExpertPath = expertTrajectory(m), targets: boolean[] = m.isGoal, last = traj.actions.length - 1): boolean {
  const dist = minimalSteps(m, targets);
  for (let t = 0; t <= last; t++) {
    const s = traj.states[t];
    for (const a of availableActions(m, s)) if (a !== traj.actions[t] && dist[m.next[s][a]] < dist[s]) return false;
  }
  return true;
}

/** `stgrpo theory success` (docs/design.md contract), as exact rationals. */
export interface SuccessReport {
  minimal_steps: number;
  enumeration: Rational;
  recursion: Rational;
  product: Rational;
  unique: boolean;
}

export function successReport(m: Mdp): SuccessReport {
  const traj = expertTrajectory(m);
  const en = enumerateMinimalSuccess(m, m.start, { keep: 0 });
  return {
    minimal_steps: traj.actions.length,
    enumeration: en.probability,
    recursion: recursionSuccess(m, traj)[0],
    product: productSuccess(m, traj),
    unique: en.count === 1,
  };
}

/** The same, with the rationals as "p/q" strings: the CLI's JSON. */
export function successReportJson(m: Mdp): Record<keyof SuccessReport, number | string | boolean> {
  const r = successReport(m);
  return { minimal_steps: r.minimal_steps, enumeration: r.enumeration.toString(), recursion: r.recursion.toString(), product: r.product.toString(), unique: r.unique };
}

/** One prefix subtask k* (Def 3.3): reach s_{k*}^GT and take a_{k*}^GT there, in k* + 1 steps. */
export interface SubtaskSuccess {
  k: number;
  steps: number;
  enumeration: Rational;
  recursion: Rational;
  product: Rational;
  unique: boolean;
}

/**
 * Corollary 3.2's objects: for every k* = 0 … T−1 the subtask's minimal-step success by enumeration
 * (the minimal-length ways to reach s_{k*}, times π(a_{k*}|s_{k*})), by the recursion and by the product.
 * k* = T−1 differs from the whole task only when another action at s_{T−1} also reaches a goal.
 */
export function subtaskSuccesses(m: Mdp, traj: ExpertPath = expertTrajectory(m)): SubtaskSuccess[] {
  return traj.actions.map((a, k) => {
    const sk = traj.states[k];
    const targets = m.states.map((_, i) => i === sk);
    const en = enumerateMinimalSuccess(m, m.start, { targets, keep: 0 });
    if (en.steps !== k) throw new Error(`subtask ${k}: s_k reachable in ${en.steps} < k steps contradicts a minimal expert trajectory`);
    return {
      k,
      steps: k + 1,
      enumeration: en.probability.mul(m.policy[sk][a]),
      recursion: recursionSuccess(m, traj, k)[0],
      product: productSuccess(m, traj, k),
      // Unique when one path reaches s_k in k steps; the last step is then the expert's by definition.
      unique: en.count === 1,
    };
  });
}

/**
 * The minimal-step success P(s) from every state (Infinity-steps states get 0), by enumeration:
 * Theorem 3.3 compares these between two policies.
 */
export function minimalSuccessEverywhere(m: Mdp): { probability: Rational; unique: boolean; steps: number }[] {
  return m.states.map((_, s) => {
    const en = enumerateMinimalSuccess(m, s, { keep: 0 });
    return { probability: en.probability, unique: en.count === 1, steps: en.steps };
  });
}

/**
 * A copy of the MDP whose policy at state s gives the expert action probability p, the other
 * available actions sharing 1 − p in their old proportions (evenly, if they had none). This is the
 * per-state change Corollary 3.1 / Assumption 3.1 talk about, with everything else held fixed.
 */
export function withExpertProbability(m: Mdp, s: number, p: Rational): Mdp {
  const e = m.expert[s];
  if (e < 0) throw new Error(`withExpertProbability: no expert action at state ${m.states[s]}`);
  if (p.cmp(ZERO) < 0 || p.cmp(ONE) > 0) throw new RangeError(`withExpertProbability: ${p} is not a probability`);
  const others = availableActions(m, s).filter((a) => a !== e);
  if (others.length === 0 && !p.equals(ONE)) throw new RangeError(`withExpertProbability: the expert action is the only one at ${m.states[s]}`);
  const rest = ONE.sub(m.policy[s][e]);
  const row = m.policy[s].slice();
  row[e] = p;
  for (const a of others) row[a] = rest.isZero() ? ONE.sub(p).div(Rational.of(others.length)) : m.policy[s][a].mul(ONE.sub(p)).div(rest);
  const policy = m.policy.slice();
  policy[s] = row;
  return { ...m, policy };
}
