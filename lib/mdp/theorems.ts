/**
 * Notebook 02's checks of §3 in exact arithmetic, as rows and Markdown tables:
 * Theorem 3.2 along a chain and over many random MDPs, the counterexample without uniqueness,
 * Corollary 3.2 on every prefix, and Theorem 3.3 with and without the improvement at every state.
 */
import { Rng } from "../util/rng";
import type { ProgressSink } from "../util/progress";
import { silentProgress } from "../util/progress";
import { randomMdp } from "./examples";
import { markdownTable } from "./format";
import { Mdp, expertTrajectory } from "./mdp";
import { Rational, product } from "./rational";
import { enumerateMinimalSuccess, minimalSuccessEverywhere, productSuccess, recursionSuccess, subtaskSuccesses, successReport, withExpertProbability } from "./success";

/** Theorem 3.2 at every expert state: P_t(s_t) by the recursion, by enumeration from s_t, and Π_{u ≥ t}. */
export function suffixTable(m: Mdp): string {
  const traj = expertTrajectory(m);
  const P = recursionSuccess(m, traj);
  return markdownTable(
    ["t", "s_t", "π(a_t | s_t)", "P_t by recursion", "P_t by enumeration", "Π_{u ≥ t} π(a_u | s_u)"],
    traj.actions.map((a, t) => {
      const s = traj.states[t];
      const suffix = product(traj.actions.slice(t).map((b, u) => m.policy[traj.states[t + u]][b]));
      return [t, m.states[s], m.policy[s][a].toString(), P[t].toString(), enumerateMinimalSuccess(m, s).probability.toString(), suffix.toString()];
    }),
  );
}

export interface RandomCheck {
  population: "repaired to be unique" | "unrestricted";
  mdps: number;
  unique: number;
  /** Among the unique ones: enumeration = recursion = product exactly. */
  uniqueAgree: number;
  /** Among the non-unique ones: product < enumeration (the shortcut is undercounted). */
  undercounted: number;
  /** Anywhere: product > enumeration, or recursion ≠ product (never, if the theory and code are right). */
  violations: number;
}

/**
 * Theorem 3.2 on `count` seeded random MDPs per population (2–8 states, 1–3 actions): one population
 * repaired so that every minimal success is unique, one unrestricted.
 */
export function randomMdpCheck(count: number, seed: number, progress: ProgressSink = silentProgress): RandomCheck[] {
  const out: RandomCheck[] = [];
  for (const repaired of [true, false]) {
    const rng = new Rng(seed + (repaired ? 0 : 1));
    const c: RandomCheck = { population: repaired ? "repaired to be unique" : "unrestricted", mdps: count, unique: 0, uniqueAgree: 0, undercounted: 0, violations: 0 };
    for (let i = 0; i < count; i++) {
      const m = randomMdp(rng, { states: 2 + rng.int(7), actions: 1 + rng.int(3), unique: repaired });
      const r = successReport(m);
      if (r.unique) {
        c.unique++;
        if (r.enumeration.equals(r.recursion) && r.recursion.equals(r.product)) c.uniqueAgree++;
      } else if (r.product.cmp(r.enumeration) < 0) c.undercounted++;
      if (r.product.cmp(r.enumeration) > 0 || !r.recursion.equals(r.product)) c.violations++;
      if (i % 50 === 0) progress.update(`random MDPs (${c.population}): ${i + 1}/${count}`);
    }
    out.push(c);
  }
  progress.done(`random MDPs: ${2 * count} checked`);
  return out;
}

export function randomCheckTable(checks: RandomCheck[]): string {
  return markdownTable(
    ["population", "MDPs", "unique (Def 2.2)", "unique and all three equal", "non-unique, product < enumeration", "violations"],
    checks.map((c) => [c.population, c.mdps, c.unique, c.uniqueAgree, c.undercounted, c.violations]),
  );
}

/** Every minimal-length successful trajectory with its probability (the counterexample's accounting). */
export function trajectoriesTable(m: Mdp): string {
  const en = enumerateMinimalSuccess(m, m.start, { keep: 64 });
  const expert = expertTrajectory(m).actions.join(",");
  return markdownTable(
    ["trajectory (states)", "actions", "probability", "the expert's?"],
    en.trajectories.map((actions) => {
      let s = m.start;
      const states = [m.states[s]];
      let p = Rational.of(1);
      for (const a of actions) {
        p = p.mul(m.policy[s][a]);
        s = m.next[s][a];
        states.push(m.states[s]);
      }
      return [states.join(" → "), actions.map((a) => m.actions[a]).join(", "), p.toString(), actions.join(",") === expert ? "yes" : "no"];
    }),
  );
}

/** Corollary 3.2's prefix subtasks as a table. */
export function subtaskTable(m: Mdp): string {
  return markdownTable(
    ["k*", "success = take a_k* at s_k*", "steps", "enumeration", "recursion", "product", "unique"],
    subtaskSuccesses(m).map((s) => {
      const traj = expertTrajectory(m);
      return [s.k, `${m.actions[traj.actions[s.k]]} at ${m.states[traj.states[s.k]]}`, s.steps, s.enumeration.toString(), s.recursion.toString(), s.product.toString(), s.unique];
    }),
  );
}

/** Prefix successes (Corollary 3.2) of two policies on the same MDP, side by side. */
export function prefixComparisonTable(before: Mdp, after: Mdp): string {
  const a = subtaskSuccesses(before);
  const b = subtaskSuccesses(after);
  const traj = expertTrajectory(before);
  return markdownTable(
    ["k*", "s_k*", "π(a_k* | s_k*) before → after", "prefix success before", "after", "change"],
    a.map((x, k) => {
      const s = traj.states[k];
      const e = traj.actions[k];
      const c = b[k].product.cmp(x.product);
      return [k, before.states[s], `${before.policy[s][e]} → ${after.policy[s][e]}`, x.product.toString(), b[k].product.toString(), c > 0 ? "up" : c < 0 ? "down" : "same"];
    }),
  );
}

export interface SweepRow {
  p: number;
  series: "enumeration" | "product";
  value: number;
}

/**
 * P_0 as the expert probability at one state moves over `ps` (the other actions keep their
 * proportions): by enumeration (the true minimal-step success) and by the product.
 */
export function expertProbabilitySweep(m: Mdp, state: number, ps: Rational[]): SweepRow[] {
  return ps.flatMap((p) => {
    const mm = withExpertProbability(m, state, p);
    return [
      { p: p.toNumber(), series: "enumeration" as const, value: enumerateMinimalSuccess(mm).probability.toNumber() },
      { p: p.toNumber(), series: "product" as const, value: productSuccess(mm).toNumber() },
    ];
  });
}

export interface Theorem33Row {
  state: string;
  unique: boolean;
  before: Rational;
  after: Rational;
  /** after ≥ before. */
  improved: boolean;
}

/**
 * Theorem 3.3 on an MDP: set π(π^GT(s)|s) to `raise(old)` at every state in `states` (all expert
 * states by default) and compare the minimal-step success from every state before and after.
 */
export function theorem33(m: Mdp, raise: (old: Rational) => Rational, states?: number[]): Theorem33Row[] {
  let after = m;
  const targets = states ?? m.expert.map((a, s) => (a >= 0 ? s : -1)).filter((s) => s >= 0);
  for (const s of targets) after = withExpertProbability(after, s, raise(m.policy[s][m.expert[s]]));
  const P0 = minimalSuccessEverywhere(m);
  const P1 = minimalSuccessEverywhere(after);
  return m.states
    .map((name, s) => ({ name, s }))
    .filter(({ s }) => P0[s].steps !== Infinity && !m.isGoal[s])
    .map(({ name, s }) => ({ state: name, unique: P0[s].unique, before: P0[s].probability, after: P1[s].probability, improved: P1[s].probability.cmp(P0[s].probability) >= 0 }));
}

/** The expert states s_0 … s_{T−1} of an MDP, by index (for per-state edits in notebooks). */
export function expertStates(m: Mdp): number[] {
  return expertTrajectory(m).states.slice(0, -1);
}


export function theorem33Table(rows: Theorem33Row[]): string {
  return markdownTable(
    ["state s", "unique minimal success from s", "P(s) before", "P(s) after", "after ≥ before"],
    rows.map((r) => [r.state, r.unique, r.before.toString(), r.after.toString(), r.improved]),
  );
}

/** P_0 by enumeration, recursion and product, and uniqueness, for several named MDPs. */
export function successTable(named: { name: string; mdp: Mdp }[]): string {
  return markdownTable(
    ["MDP", "T*(s0)", "enumeration (true P_0)", "recursion (Thm 3.2)", "product", "unique (Def 2.2)"],
    named.map(({ name, mdp }) => {
      const r = successReport(mdp);
      return [name, r.minimal_steps, `${r.enumeration} ≈ ${r.enumeration.toNumber().toFixed(4)}`, r.recursion.toString(), `${r.product} ≈ ${r.product.toNumber().toFixed(4)}`, r.unique];
    }),
  );
}

/**
 * Assumption 3.1 failing at one expert state: every expert state's probability closes `gain` of its
 * gap to 1, except `failing`, whose probability is multiplied by `loss`.
 */
export function improvementExceptOne(m: Mdp, failing: number, gain: Rational, loss: Rational): Mdp {
  let out = m;
  for (const s of expertStates(m)) {
    const p = m.policy[s][m.expert[s]];
    out = withExpertProbability(out, s, s === failing ? p.mul(loss) : p.add(Rational.of(1).sub(p).mul(gain)));
  }
  return out;
}
