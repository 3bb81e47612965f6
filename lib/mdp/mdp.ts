/**
 * Finite deterministic MDPs of the paper's §2, small enough to reason about exactly:
 * M = (S, A, f, R, T, s0) with a deterministic transition f(s, a), a sparse reward R = 1 exactly when a
 * goal state is reached (the episode then ends), a stochastic policy π(a|s) with exact rational
 * probabilities, and an expert policy π^GT (Def 2.3), given where it is known.
 *
 * The wire format (`stgrpo theory success --mdp FILE`, docs/design.md contract) is `MdpJson`; `parseMdp`
 * turns it into the indexed `Mdp` the algorithms use and names the first problem it finds.
 */
import { UserError } from "../util/errors";
import { ONE, Rational, ZERO, sum } from "./rational";

export interface MdpJson {
  states: string[];
  actions: string[];
  start: string;
  /** One goal state or several. */
  goal: string | string[];
  /** f(s, a) = s'. An action missing under a state is not available there. */
  transitions: Record<string, Record<string, string>>;
  /** π(a|s) as "p/q" strings (or decimals, read exactly); missing available actions have probability 0. */
  policy: Record<string, Record<string, string | number>>;
  /** π^GT(s) where it is given (it must be given along the expert trajectory). */
  expert: Record<string, string>;
}

export interface Mdp {
  states: string[];
  actions: string[];
  start: number;
  /** isGoal[s]: reaching s completes the task (R = 1) and ends the episode. */
  isGoal: boolean[];
  /** next[s][a] = f(s, a), or −1 where action a is not available in s (always −1 in goal states). */
  next: number[][];
  /** policy[s][a] = π(a|s); ZERO where a is not available; sums to ONE where any action is. */
  policy: Rational[][];
  /** expert[s] = π^GT(s), or −1 where the expert is not given. */
  expert: number[];
}

/** Validate the wire format and index it. Every problem is a UserError naming the field. */
export function parseMdp(json: unknown): Mdp {
  const j = json as Partial<MdpJson>;
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw new UserError("the MDP must be a JSON object");
  const states = nameList(j.states, "states");
  const actions = nameList(j.actions, "actions", true);
  const sIndex = new Map(states.map((s, i) => [s, i]));
  const aIndex = new Map(actions.map((a, i) => [a, i]));
  const stateOf = (name: unknown, where: string): number => {
    const i = typeof name === "string" ? sIndex.get(name) : undefined;
    if (i === undefined) throw new UserError(`${where}: ${JSON.stringify(name)} is not one of the states`);
    return i;
  };
  const actionOf = (name: string, where: string): number => {
    const i = aIndex.get(name);
    if (i === undefined) throw new UserError(`${where}: ${JSON.stringify(name)} is not one of the actions`);
    return i;
  };
  const start = stateOf(j.start, "start");
  const goals = Array.isArray(j.goal) ? j.goal : [j.goal];
  if (goals.length === 0) throw new UserError("goal: at least one goal state is required");
  const isGoal = states.map(() => false);
  goals.forEach((g, i) => (isGoal[stateOf(g, `goal[${i}]`)] = true));

  const next = states.map(() => actions.map(() => -1));
  for (const [s, row] of entries(j.transitions, "transitions")) {
    const si = stateOf(s, "transitions");
    for (const [a, target] of entries(row, `transitions.${s}`)) {
      // Transitions out of a goal state are never taken: the episode has ended.
      const t = stateOf(target, `transitions.${s}.${a}`);
      if (!isGoal[si]) next[si][actionOf(a, `transitions.${s}`)] = t;
    }
  }

  const policy = states.map(() => actions.map(() => ZERO));
  const given = new Set<number>();
  for (const [s, row] of entries(j.policy, "policy")) {
    const si = stateOf(s, "policy");
    given.add(si);
    for (const [a, value] of entries(row, `policy.${s}`)) {
      const ai = actionOf(a, `policy.${s}`);
      const p = Rational.parse(typeof value === "number" ? String(value) : String(value ?? ""));
      if (p === null || p.cmp(ZERO) < 0 || p.cmp(ONE) > 0) throw new UserError(`policy.${s}.${a}: expected a probability "p/q" in [0, 1], got ${JSON.stringify(value)}`);
      if (isGoal[si]) continue;
      if (next[si][ai] < 0 && !p.isZero()) throw new UserError(`policy.${s}.${a}: action is not available in state ${s} (no transition)`);
      policy[si][ai] = p;
    }
  }
  states.forEach((s, si) => {
    if (isGoal[si] || !next[si].some((t) => t >= 0)) return;
    if (!given.has(si)) throw new UserError(`policy.${s}: missing (state ${s} has actions)`);
    const total = sum(policy[si]);
    if (!total.equals(ONE)) throw new UserError(`policy.${s}: probabilities sum to ${total}, not 1`);
  });

  const expert = states.map(() => -1);
  for (const [s, a] of entries(j.expert ?? {}, "expert")) {
    const si = stateOf(s, "expert");
    if (typeof a !== "string") throw new UserError(`expert.${s}: expected an action name, got ${JSON.stringify(a)}`);
    const ai = actionOf(a, `expert.${s}`);
    if (isGoal[si]) continue;
    if (next[si][ai] < 0) throw new UserError(`expert.${s}: action ${a} is not available in state ${s}`);
    expert[si] = ai;
  }
  return { states, actions, start, isGoal, next, policy, expert };
}

/** The wire format of an indexed MDP (inverse of parseMdp up to key order). */
export function toMdpJson(m: Mdp): MdpJson {
  const transitions: MdpJson["transitions"] = {};
  const policy: MdpJson["policy"] = {};
  const expert: MdpJson["expert"] = {};
  m.states.forEach((s, si) => {
    const row: Record<string, string> = {};
    const prow: Record<string, string> = {};
    m.next[si].forEach((t, ai) => {
      if (t < 0) return;
      row[m.actions[ai]] = m.states[t];
      prow[m.actions[ai]] = m.policy[si][ai].toString();
    });
    if (Object.keys(row).length) {
      transitions[s] = row;
      policy[s] = prow;
    }
    if (m.expert[si] >= 0) expert[s] = m.actions[m.expert[si]];
  });
  const goals = m.states.filter((_, i) => m.isGoal[i]);
  return { states: m.states, actions: m.actions, start: m.states[m.start], goal: goals.length === 1 ? goals[0] : goals, transitions, policy, expert };
}

/** Actions available in state s (indices). */
export function availableActions(m: Mdp, s: number): number[] {
  const out: number[] = [];
  m.next[s].forEach((t, a) => t >= 0 && out.push(a));
  return out;
}

/**
 * Minimal turns T*(s) (Def 3.1): the fewest further steps from s to a target state, by a BFS
 * backwards from the targets (the goal states unless `targets` is given); Infinity where none is
 * reachable. The goal states are terminal, so no path continues through one.
 */
export function minimalSteps(m: Mdp, targets: boolean[] = m.isGoal): number[] {
  const n = m.states.length;
  const preds: number[][] = Array.from({ length: n }, () => []);
  m.next.forEach((row, s) => row.forEach((t) => t >= 0 && preds[t].push(s)));
  const dist = new Array<number>(n).fill(Infinity);
  const queue: number[] = [];
  targets.forEach((isT, s) => {
    if (isT) {
      dist[s] = 0;
      queue.push(s);
    }
  });
  for (let q = 0; q < queue.length; q++) {
    const t = queue[q];
    for (const s of preds[t]) {
      if (dist[s] === Infinity) {
        dist[s] = dist[t] + 1;
        queue.push(s);
      }
    }
  }
  return dist;
}

/** The expert trajectory τ^GT: states s_0 … s_T (s_T a goal) and actions a_0 … a_{T−1}. */
export interface ExpertPath {
  states: number[];
  actions: number[];
}

/**
 * Follow π^GT from the start until a goal. Def 2.2 asks the expert trajectory to be a minimal-length
 * success, so a path that is longer than T*(s0), revisits a state or stops where the expert is not
 * given is an error (naming the state), not a trajectory.
 */
export function expertTrajectory(m: Mdp): ExpertPath {
  const tStar = minimalSteps(m)[m.start];
  if (tStar === Infinity) throw new UserError(`no goal state is reachable from the start ${m.states[m.start]}`);
  const states = [m.start];
  const actions: number[] = [];
  let s = m.start;
  while (!m.isGoal[s]) {
    const a = m.expert[s];
    if (a < 0) throw new UserError(`expert: no expert action given for state ${m.states[s]} on the expert trajectory`);
    s = m.next[s][a];
    actions.push(a);
    states.push(s);
    if (actions.length > tStar) {
      throw new UserError(`expert: the expert's path from ${m.states[m.start]} is longer than the minimal ${tStar} steps (Def 2.2 needs a minimal-length success)`);
    }
  }
  return { states, actions };
}

function nameList(x: unknown, field: string, allowEmpty = false): string[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === "string")) throw new UserError(`${field}: expected an array of names`);
  if (!allowEmpty && x.length === 0) throw new UserError(`${field}: must not be empty`);
  const seen = new Set<string>();
  for (const v of x as string[]) {
    if (seen.has(v)) throw new UserError(`${field}: ${JSON.stringify(v)} appears twice`);
    seen.add(v);
  }
  return x as string[];
}

function entries(x: unknown, field: string): [string, any][] {
  if (x === undefined) return [];
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new UserError(`${field}: expected an object`);
  return Object.entries(x as Record<string, unknown>);
}
