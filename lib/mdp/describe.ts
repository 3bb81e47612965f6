/**
 * §2's definitions as objects and tables on a concrete MDP (notebook 01): rollouts and successful
 * trajectories (Def 2.1), the single-turn dataset and reward of the expert states (Defs 2.3–2.4), and
 * Remark 2.1 — the expert policy is pinned down only on the expert trajectory.
 */
import { Rng } from "../util/rng";
import { markdownTable } from "./format";
import { Mdp, availableActions, expertTrajectory, minimalSteps } from "./mdp";
import { Rational } from "./rational";
import { enumerateMinimalSuccess, expertIndicator, successReport } from "./success";

/** One rollout s_{t+1} = f(s_t, a_t), a_t ~ π(·|s_t), until the goal (R = 1) or `horizon` steps. */
export interface Rollout {
  states: number[];
  actions: number[];
  /** R = 1 was received: the last state is a goal. */
  success: boolean;
}

export function rollout(m: Mdp, rng: Rng, horizon: number): Rollout {
  const states = [m.start];
  const actions: number[] = [];
  let s = m.start;
  while (!m.isGoal[s] && actions.length < horizon) {
    const avail = availableActions(m, s);
    if (avail.length === 0) break;
    const a = avail[rng.categorical(avail.map((x) => m.policy[s][x].toNumber()))];
    s = m.next[s][a];
    actions.push(a);
    states.push(s);
  }
  return { states, actions, success: m.isGoal[s] };
}

/**
 * Def 2.1 by sampling: the first successful rollout among `tries` from a seeded stream, and how many
 * rollouts succeeded at all and in the minimal number of steps (an estimate of P_0 to compare with the
 * exact value).
 */
export function sampleRollouts(m: Mdp, seed: number, horizon: number, tries: number): { firstSuccess: Rollout | null; successes: number; minimal: number; tries: number } {
  const rng = new Rng(seed);
  const tStar = minimalSteps(m)[m.start];
  let firstSuccess: Rollout | null = null;
  let successes = 0;
  let minimal = 0;
  for (let i = 0; i < tries; i++) {
    const r = rollout(m, rng, horizon);
    if (!r.success) continue;
    successes++;
    if (r.actions.length === tStar) minimal++;
    if (!firstSuccess) firstSuccess = r;
  }
  return { firstSuccess, successes, minimal, tries };
}

/** A trajectory as a table: t, s_t, a_t, π(a_t|s_t), T*(s_t) and the reward R. */
export function trajectoryTable(m: Mdp, r: { states: number[]; actions: number[] }): string {
  const tStar = minimalSteps(m);
  return markdownTable(
    ["t", "s_t", "T*(s_t)", "a_t", "π(a_t | s_t)", "R(s_t, a_t)"],
    r.actions.map((a, t) => [t, m.states[r.states[t]], tStar[r.states[t]], m.actions[a], m.policy[r.states[t]][a].toString(), m.isGoal[r.states[t + 1]] ? 1 : 0]),
  );
}

/** The MDP as a table: per state, T*, whether it is on τ^GT, the expert action, and f(s, a) with π(a|s). */
export function mdpTable(m: Mdp): string {
  const tStar = minimalSteps(m);
  const onPath = new Set(expertTrajectory(m).states);
  return markdownTable(
    ["s", "T*(s)", "on τ^GT", "π^GT(s)", "f(s, a) and π(a | s)"],
    m.states.map((name, s) => [
      name + (s === m.start ? " (s0)" : "") + (m.isGoal[s] ? " (goal)" : ""),
      tStar[s] === Infinity ? "∞" : tStar[s],
      onPath.has(s) ? "yes" : "",
      m.expert[s] >= 0 ? m.actions[m.expert[s]] : "—",
      availableActions(m, s).map((a) => `${m.actions[a]} → ${m.states[m.next[s][a]]} (${m.policy[s][a]})`).join("; ") || "—",
    ]),
  );
}

export interface SingleTurnExample {
  t: number;
  state: string;
  expertAction: string;
  validActions: string[];
  /** E_{a~π(·|s_t)} r(s_t, a) = π(a_t^GT | s_t): the expected single-turn reward (Def 2.4). */
  expectedReward: Rational;
}

/**
 * The single-turn MDP M_S (horizon 1, no transition): one bandit per expert state s_t with reward
 * r(s_t, a) = 1{a = a_t^GT}. Its expected reward under π is exactly the factor of Theorem 3.2's product.
 */
export function singleTurnDataset(m: Mdp): SingleTurnExample[] {
  const traj = expertTrajectory(m);
  return traj.actions.map((a, t) => {
    const s = traj.states[t];
    const avail = availableActions(m, s);
    return {
      t,
      state: m.states[s],
      expertAction: m.actions[a],
      validActions: avail.map((x) => m.actions[x]),
      expectedReward: avail.reduce((acc, x) => acc.add(m.policy[s][x].mul(expertIndicator(m, s, x))), Rational.of(0)),
    };
  });
}

export interface ExpertVariants {
  /** Non-goal states off τ^GT that have actions: where Def 2.3 leaves π^GT free. */
  offTrajectory: string[];
  /** How many deterministic expert policies agree with τ^GT: Π over those states of |A(s)|. */
  count: bigint;
  /** Two of them: the minimal-step one (a shortest action everywhere) and one that differs at every free state. */
  minimal: Mdp;
  other: Mdp;
}

/**
 * Remark 2.1: π^GT is determined on the expert trajectory only. Two completions that differ at every
 * other state give the same τ^GT, the same single-turn dataset and the same product P_0, but Theorem
 * 3.2's recursion from an off-trajectory state is the minimal-step success only for the minimal one.
 */
export function expertVariants(m: Mdp): ExpertVariants {
  const traj = expertTrajectory(m);
  const onPath = new Set(traj.states.slice(0, -1));
  const dist = minimalSteps(m);
  const free = m.states.map((_, s) => s).filter((s) => !onPath.has(s) && !m.isGoal[s] && availableActions(m, s).length > 0);
  const minimalExpert = m.expert.slice();
  const otherExpert = m.expert.slice();
  for (const s of free) {
    const avail = availableActions(m, s);
    const shortest = avail.find((a) => dist[m.next[s][a]] === dist[s] - 1) ?? avail[0];
    minimalExpert[s] = shortest;
    otherExpert[s] = avail.find((a) => a !== shortest) ?? shortest;
  }
  return {
    offTrajectory: free.map((s) => m.states[s]),
    count: free.reduce((acc, s) => acc * BigInt(availableActions(m, s).length), 1n),
    minimal: { ...m, expert: minimalExpert },
    other: { ...m, expert: otherExpert },
  };
}

/**
 * Theorem 3.2's recursion from any state s by following π^GT from s (P = 1 at a goal, 0 on a cycle
 * or a state without an expert action): Π π(π^GT(s_u) | s_u) along π^GT's path from s.
 */
export function recursionFrom(m: Mdp, s: number): Rational {
  let p = Rational.of(1);
  const seen = new Set<number>();
  while (!m.isGoal[s]) {
    const a = m.expert[s];
    if (a < 0 || seen.has(s)) return Rational.of(0);
    seen.add(s);
    p = p.mul(m.policy[s][a]);
    s = m.next[s][a];
  }
  return p;
}

/** Per off-trajectory state: the two variants' recursion values against the true minimal-step success. */
export function remark21Table(m: Mdp): string {
  const v = expertVariants(m);
  return markdownTable(
    ["state (off τ^GT)", "minimal π^GT(s)", "recursion", "other π^GT(s)", "recursion", "true minimal-step success"],
    v.offTrajectory.map((name) => {
      const s = m.states.indexOf(name);
      return [name, m.actions[v.minimal.expert[s]], recursionFrom(v.minimal, s).toString(), m.actions[v.other.expert[s]], recursionFrom(v.other, s).toString(), enumerateMinimalSuccess(m, s).probability.toString()];
    }),
  );
}

/** The single-turn dataset as a table. */
export function singleTurnTable(m: Mdp): string {
  return markdownTable(
    ["t", "expert state s_t", "valid actions", "a_t^GT", "E_π r(s_t, a)"],
    singleTurnDataset(m).map((d) => [d.t, d.state, d.validActions.join(", "), d.expertAction, d.expectedReward.toString()]),
  );
}

/** P_0 by enumeration, recursion and product, with a sampled minimal-step rate beside them. */
export function threeWaysTable(m: Mdp, sample: { minimal: number; tries: number }): string {
  const r = successReport(m);
  return markdownTable(
    ["enumeration (Def 3.2)", "recursion (Thm 3.2)", "product Π π(a_t|s_t)", "unique (Def 2.2)", "sampled minimal-step rate"],
    [[r.enumeration.toString(), r.recursion.toString(), r.product.toString(), r.unique, `${sample.minimal}/${sample.tries} = ${(sample.minimal / sample.tries).toFixed(3)}`]],
  );
}
