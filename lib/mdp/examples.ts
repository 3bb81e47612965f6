/**
 * Small MDPs for the notebooks and tests:
 * - `sandwichMdp`: notebook 01's concrete task, a one-robot kitchen reduced to its decision graph;
 * - `chainMdp`: T expert steps in a row, with "stay" and "back" as the ways to go wrong;
 * - `shortcutMdp`: two minimal-length successes, the counterexample to Theorem 3.2 without uniqueness;
 * - `randomMdp`: seeded random MDPs, optionally repaired so that the minimal success is unique.
 */
import { Rng } from "../util/rng";
import { Mdp, MdpJson, availableActions, minimalSteps, parseMdp } from "./mdp";
import { Rational } from "./rational";

/**
 * Make a cheese sandwich: pick up and place the bottom bread, the cheese, then the top bread. Wrong
 * moves cost time: picking the cheese first, taking the second bread before the cheese (and maybe
 * placing it on the first), putting an item back, waiting. The policy is an untrained one (π_ref) that
 * prefers no action strongly. The expert is given on its trajectory only: off it (the three detour
 * states) any action would do (Remark 2.1).
 */
export function sandwichMdpJson(): MdpJson {
  return {
    states: ["empty table", "holding bread", "bread on table", "holding cheese", "cheese on bread", "holding top bread", "sandwich", "holding cheese first", "holding bread early", "bread on bread"],
    actions: ["pick bread", "pick cheese", "place", "put back", "wait"],
    start: "empty table",
    goal: "sandwich",
    transitions: {
      "empty table": { "pick bread": "holding bread", "pick cheese": "holding cheese first", wait: "empty table" },
      "holding bread": { place: "bread on table", "put back": "empty table", wait: "holding bread" },
      "bread on table": { "pick cheese": "holding cheese", "pick bread": "holding bread early", wait: "bread on table" },
      "holding cheese": { place: "cheese on bread", "put back": "bread on table", wait: "holding cheese" },
      "cheese on bread": { "pick bread": "holding top bread", wait: "cheese on bread" },
      "holding top bread": { place: "sandwich", "put back": "cheese on bread", wait: "holding top bread" },
      "holding cheese first": { "put back": "empty table", wait: "holding cheese first" },
      "holding bread early": { "put back": "bread on table", place: "bread on bread", wait: "holding bread early" },
      "bread on bread": { "pick bread": "holding bread early", wait: "bread on bread" },
    },
    policy: {
      "empty table": { "pick bread": "1/2", "pick cheese": "1/4", wait: "1/4" },
      "holding bread": { place: "3/5", "put back": "1/5", wait: "1/5" },
      "bread on table": { "pick cheese": "1/2", "pick bread": "1/4", wait: "1/4" },
      "holding cheese": { place: "2/3", "put back": "1/6", wait: "1/6" },
      "cheese on bread": { "pick bread": "3/4", wait: "1/4" },
      "holding top bread": { place: "4/5", "put back": "1/10", wait: "1/10" },
      "holding cheese first": { "put back": "1/2", wait: "1/2" },
      "holding bread early": { "put back": "1/3", place: "1/3", wait: "1/3" },
      "bread on bread": { "pick bread": "1/2", wait: "1/2" },
    },
    expert: {
      "empty table": "pick bread",
      "holding bread": "place",
      "bread on table": "pick cheese",
      "holding cheese": "place",
      "cheese on bread": "pick bread",
      "holding top bread": "place",
    },
  };
}

export function sandwichMdp(): Mdp {
  return parseMdp(sandwichMdpJson());
}

/**
 * A chain s_0 → s_1 → … → s_T (goal) where `forward` is the expert action with probability
 * pExpert[t]; the rest is split between "stay" (a self-loop) and "back" (to s_{t−1}; at s_0 a
 * second self-loop). Every non-expert move lengthens the remaining path, so the success is unique.
 */
export function chainMdp(pExpert: Rational[]): Mdp {
  const T = pExpert.length;
  const states = Array.from({ length: T + 1 }, (_, i) => `s${i}`);
  const transitions: MdpJson["transitions"] = {};
  const policy: MdpJson["policy"] = {};
  const expert: MdpJson["expert"] = {};
  const half = Rational.of(1, 2);
  pExpert.forEach((p, t) => {
    transitions[`s${t}`] = { forward: `s${t + 1}`, stay: `s${t}`, back: `s${Math.max(0, t - 1)}` };
    const rest = Rational.of(1).sub(p).mul(half);
    policy[`s${t}`] = { forward: p.toString(), stay: rest.toString(), back: rest.toString() };
    expert[`s${t}`] = "forward";
  });
  return parseMdp({ states, actions: ["forward", "stay", "back"], start: "s0", goal: `s${T}`, transitions, policy, expert });
}

/**
 * Two minimal-length successes: from s0, "a" goes through s1 and "b" through s2, both reaching the
 * goal in two steps. The expert takes "a", "a"; Theorem 3.2's product counts the path through s2 as a
 * failure although it also finishes in the minimal number of steps. The shortcut's second step is the
 * more reliable one here, so pushing π(a|s0) up (the single-turn reward's direction) lowers P_0.
 */
export function shortcutMdp(): Mdp {
  return parseMdp({
    states: ["s0", "s1", "s2", "dead end", "goal"],
    actions: ["a", "b", "c"],
    start: "s0",
    goal: "goal",
    transitions: {
      s0: { a: "s1", b: "s2", c: "dead end" },
      s1: { a: "goal", b: "s1", c: "dead end" },
      s2: { a: "goal", b: "s2", c: "dead end" },
      "dead end": { a: "dead end" },
    },
    policy: {
      s0: { a: "1/2", b: "1/3", c: "1/6" },
      s1: { a: "1/2", b: "1/4", c: "1/4" },
      s2: { a: "5/6", b: "1/12", c: "1/12" },
      "dead end": { a: "1" },
    },
    expert: { s0: "a", s1: "a", s2: "a" },
  });
}

export interface RandomMdpOptions {
  /** Number of states (the last one is the goal, the first the start); ≥ 2. */
  states: number;
  /** Size of the action set; each state offers a random non-empty subset. */
  actions: number;
  /** Repair the transitions so that every state's minimal-length success is unique (Def 2.2). */
  unique?: boolean;
  /** Policy weights are integers in 0 … maxWeight (at least one positive per state). Default 4. */
  maxWeight?: number;
}

/**
 * A random finite deterministic MDP with a reachable goal and an expert trajectory, drawn from `rng`.
 * The expert at each state is its lowest-index minimal action. With `unique`, every other minimal
 * action is redirected to a self-loop: T* is unchanged (the expert edge still realises it), and now
 * every non-expert action strictly lengthens the remaining path, from every state.
 */
export function randomMdp(rng: Rng, opts: RandomMdpOptions): Mdp {
  const n = Math.max(2, opts.states);
  const k = Math.max(1, opts.actions);
  const maxWeight = opts.maxWeight ?? 4;
  for (;;) {
    const next = Array.from({ length: n }, (_, s) =>
      Array.from({ length: k }, () => (s === n - 1 ? -1 : rng.next() < 0.7 ? rng.int(n) : -1)),
    );
    for (let s = 0; s < n - 1; s++) if (next[s].every((t) => t < 0)) next[s][rng.int(k)] = rng.int(n);
    const isGoal = Array.from({ length: n }, (_, s) => s === n - 1);
    const m: Mdp = { states: Array.from({ length: n }, (_, i) => `s${i}`), actions: Array.from({ length: k }, (_, i) => `a${i}`), start: 0, isGoal, next, policy: [], expert: [] };
    const dist = minimalSteps(m);
    if (dist[0] === Infinity) continue;
    m.expert = next.map((row, s) => (isGoal[s] || dist[s] === Infinity ? -1 : row.findIndex((t) => t >= 0 && dist[t] === dist[s] - 1)));
    if (opts.unique) {
      next.forEach((row, s) => row.forEach((t, a) => {
        if (t >= 0 && a !== m.expert[s] && m.expert[s] >= 0 && dist[t] === dist[s] - 1) row[a] = s;
      }));
    }
    m.policy = next.map((_, s) => {
      const avail = availableActions(m, s);
      const w = new Array<number>(k).fill(0);
      for (const a of avail) w[a] = rng.int(maxWeight + 1);
      if (avail.length && avail.every((a) => w[a] === 0)) w[avail[rng.int(avail.length)]] = 1;
      const total = w.reduce((x, y) => x + y, 0);
      return w.map((x) => Rational.of(x, Math.max(total, 1)));
    });
    return m;
  }
}
