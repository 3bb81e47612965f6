/**
 * The numbers behind notebook 03 (GRPO's success amplification), as plain rows that the figures (figures.ts) and the
 * notebooks' tables consume: every value a notebook shows is computed here, where tests reach it.
 */
import type { ProgressSink } from "../util/progress";
import { silentProgress } from "../util/progress";
import { amplifiedTask, AmplifiedTask } from "./amplify";
import { finiteGroupFixedPoints, GrpoSimConfig, simulateGrpo } from "./grpoSim";
import { formatLogProbability, oneMinusSigmoidString } from "./logodds";
import { markdownTable, ninesOf } from "./format";
import { BINARY_REWARDS, COMPOSITE_REWARDS, compositeReference, tiltRecursion } from "./tilt";
import { fixedPoints, isMonotone, iterationLimit, naiveRecursion, successMap, successRecursion } from "./recursion";

export interface RecursionRow {
  beta: number;
  pRef: number;
  eps: number;
  n: number;
  p: number;
  logit: number;
  oneMinusP: string;
  /** −log10(1 − p_n). */
  nines: number;
}

export interface RecursionSummary {
  beta: number;
  pRef: number;
  eps: number;
  /** Iterates computed (fewer than asked when the logit overflowed). */
  iterates: number;
  monotone: boolean;
  /** min_{n ≥ 1} p_n > p_ref, compared in logits (exact far below float64). */
  aboveRef: boolean;
  limit: "interior" | "one" | "none";
  limitP: number | null;
  limitOneMinusP: string | null;
  limitSlope: number | null;
  /** All interior fixed points, "p* (stable|unstable, h′ = …)". */
  fixedPoints: { p: number; oneMinusP: string; slope: number; stable: boolean }[];
}

/** p_n for every (β, p_ref, ε) of a grid, with each configuration's fixed points and limit. */
export function recursionGrid(grid: { betas: number[]; pRefs: number[]; epss: number[]; iters: number }): { rows: RecursionRow[]; summaries: RecursionSummary[] } {
  const rows: RecursionRow[] = [];
  const summaries: RecursionSummary[] = [];
  for (const eps of grid.epss) {
    for (const beta of grid.betas) {
      for (const pRef of grid.pRefs) {
        const params = { beta, pRef, eps };
        const it = successRecursion(params, grid.iters);
        it.logit.forEach((l, n) => rows.push({ beta, pRef, eps, n, p: it.p[n], logit: l, oneMinusP: it.oneMinusP[n], nines: ninesOf(it.oneMinusP[n]) }));
        const lim = iterationLimit(params);
        const fp = lim.kind === "interior" ? lim.fixedPoint : null;
        summaries.push({
          beta,
          pRef,
          eps,
          iterates: it.logit.length - 1,
          monotone: isMonotone(it.logit),
          aboveRef: it.logit.slice(1).every((l) => l > it.logit[0]),
          limit: lim.kind,
          limitP: lim.kind === "one" ? 1 : fp ? fp.p : null,
          limitOneMinusP: lim.kind === "one" ? "0" : fp ? fp.oneMinusP : null,
          limitSlope: lim.kind === "one" ? 0 : fp ? fp.slope : null,
          fixedPoints: fixedPoints(params).map((f) => ({ p: f.p, oneMinusP: f.oneMinusP, slope: f.slope, stable: f.stable })),
        });
      }
    }
  }
  return { rows, summaries };
}

export interface CobwebRow {
  label: string;
  /** "map" (h(p) over p), "diagonal", "iterates" (cobweb path), "fixed point". */
  series: string;
  order: number;
  x: number;
  y: number;
  stable?: boolean;
}

/** h(p) over p, the diagonal, the cobweb of the first `steps` iterates and the fixed points. */
export function cobwebRows(configs: { beta: number; pRef: number; eps: number }[], steps = 12, points = 400): CobwebRow[] {
  const rows: CobwebRow[] = [];
  for (const c of configs) {
    const label = `β=${c.beta}, p_ref=${c.pRef}, ε=${c.eps}`;
    for (let i = 1; i < points; i++) {
      const p = i / points;
      rows.push({ label, series: "h(p)", order: i, x: p, y: successMap(p, c) });
    }
    rows.push({ label, series: "diagonal", order: 0, x: 0, y: 0 }, { label, series: "diagonal", order: 1, x: 1, y: 1 });
    const ps = successRecursion(c, steps).p;
    let order = 0;
    rows.push({ label, series: "iterates", order: order++, x: ps[0], y: 0 });
    for (let n = 0; n + 1 < ps.length; n++) {
      rows.push({ label, series: "iterates", order: order++, x: ps[n], y: ps[n + 1] });
      rows.push({ label, series: "iterates", order: order++, x: ps[n + 1], y: ps[n + 1] });
    }
    for (const f of fixedPoints(c)) rows.push({ label, series: "fixed point", order: 0, x: f.p, y: f.p, stable: f.stable });
  }
  return rows;
}

export interface FiniteGroupStudy {
  pRef: number;
  beta: number;
  /** The population recursion's limit from p_ref (ε = 0), or 1. */
  population: number;
  /** Per G: the predicted stationary point reached from p_ref, the simulated mean (last half) per seed. */
  summary: { G: number; predicted: number; simulatedMean: number; simulatedSd: number; flatGroups: number }[];
  /** Subsampled trajectories for plotting. */
  trajectories: { G: number; seed: number; step: number; p: number }[];
}

/**
 * Finite-G GRPO at one state against the recursion. The policy has `actions` actions, the expert's
 * with p_ref and the rest equal; each G runs `seeds` independent simulations; the "simulated mean"
 * averages π(a*) over the last half of the steps and over seeds.
 */
export function finiteGroupStudy(
  opts: { pRef: number; beta: number; groupSizes: number[]; seeds: number; actions?: number } & Partial<GrpoSimConfig>,
  progress: ProgressSink = silentProgress,
): FiniteGroupStudy {
  const K = opts.actions ?? 4;
  const piRef = [opts.pRef, ...new Array(K - 1).fill((1 - opts.pRef) / (K - 1))];
  const rewards = piRef.map((_, a) => (a === 0 ? 1 : 0));
  const lim = iterationLimit({ beta: opts.beta, pRef: opts.pRef, eps: 0 });
  const population = lim.kind === "interior" ? lim.fixedPoint.p : lim.kind === "one" ? 1 : NaN;
  const summary: FiniteGroupStudy["summary"] = [];
  const trajectories: FiniteGroupStudy["trajectories"] = [];
  let done = 0;
  for (const G of opts.groupSizes) {
    const means: number[] = [];
    let flat = 0;
    for (let seed = 0; seed < opts.seeds; seed++) {
      const r = simulateGrpo(piRef, rewards, { ...opts, groupSize: G, beta: opts.beta, seed });
      const tail = r.success.slice(Math.floor(r.success.length / 2));
      means.push(tail.reduce((a, b) => a + b, 0) / tail.length);
      flat += r.flatGroups / opts.seeds;
      const every = Math.max(1, Math.floor(r.success.length / 200));
      r.success.forEach((p, step) => step % every === 0 && trajectories.push({ G, seed, step, p }));
      progress.update(`finite-G GRPO: G=${G} seed ${seed + 1}/${opts.seeds} (${++done}/${opts.groupSizes.length * opts.seeds})`);
    }
    // The stationary point the expected dynamics reach from p_ref: the first stable one above it.
    const pred = finiteGroupFixedPoints(opts.pRef, opts.beta, G, { delta: opts.delta, std: opts.std, kl: opts.kl }).find((f) => f.stable);
    const m = means.reduce((a, b) => a + b, 0) / means.length;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(1, means.length - 1));
    summary.push({ G, predicted: pred ? pred.p : 1, simulatedMean: m, simulatedSd: sd, flatGroups: flat });
  }
  progress.done(`finite-G GRPO: ${opts.groupSizes.length} group sizes × ${opts.seeds} seeds`);
  return { pRef: opts.pRef, beta: opts.beta, population, summary, trajectories };
}

/** Predicted finite-G stationary point (from p_ref, stable) for many G, for the "how G matters" curve. */
export function finiteGroupCurve(pRef: number, beta: number, groupSizes: number[], opts: { kl?: "exact" | "k3"; delta?: number } = {}): { G: number; p: number; oneMinusP: string }[] {
  return groupSizes.map((G) => {
    const f = finiteGroupFixedPoints(pRef, beta, G, opts).find((x) => x.stable);
    return { G, p: f ? f.p : 1, oneMinusP: f ? oneMinusSigmoidString(f.logit) : "0" };
  });
}

/** notebook 03's last table: per-state p* in the product, for several β. */
export function amplifiedTaskStudy(pRefs: number[], betas: number[], eps: number): { beta: number; task: AmplifiedTask }[] {
  return betas.map((beta) => ({ beta, task: amplifiedTask(pRefs, { beta, eps }) }));
}

/** The grid's summaries as a table: monotone?, the limit and every interior fixed point. */
export function recursionSummaryTable(summaries: RecursionSummary[]): string {
  return markdownTable(
    ["β", "p_ref", "ε", "iterates", "monotone", "p_n > p_ref", "limit from p_ref", "1 − limit", "h′ there", "interior fixed points (1 − p*, h′, stability)"],
    summaries.map((s) => [
      s.beta,
      s.pRef,
      s.eps,
      s.iterates,
      s.monotone ? "yes" : "no",
      s.aboveRef ? "yes" : "NO",
      s.limit === "none" ? "none (cycle)" : s.limit === "one" ? "p → 1" : s.limitP,
      s.limitOneMinusP ?? "—",
      s.limitSlope === null ? "—" : s.limitSlope.toPrecision(4),
      s.fixedPoints.map((f) => `${f.oneMinusP} (${f.slope.toPrecision(3)}, ${f.stable ? "stable" : "unstable"})`).join("; ") || "none",
    ]),
  );
}

/** Plain float64 against log-odds, step by step: where p becomes a silent 1.0. */
export function naiveVsLogOddsTable(params: { beta: number; pRef: number; eps: number }, iters: number): string {
  const good = successRecursion(params, iters);
  const bad = naiveRecursion(params, iters);
  return markdownTable(
    ["n", "float64: p_n", "float64: 1 − p_n", "log-odds: logit p_n", "log-odds: 1 − p_n"],
    bad.p.map((p, n) => [n, p, bad.oneMinusP[n], n < good.logit.length ? good.logit[n] : "(> 1e6: p → 1)", n < good.logit.length ? good.oneMinusP[n] : "—"]),
  );
}

/** The exact binary tilt against the scalar recursion: the same logits, step by step. */
export function tiltVsRecursionTable(params: { beta: number; pRef: number; eps: number }, iters: number): string {
  const scalar = successRecursion(params, iters);
  const tilt = tiltRecursion([params.pRef, 1 - params.pRef], BINARY_REWARDS, params.beta, params.eps, scalar.logit.length - 1);
  return markdownTable(
    ["n", "recursion: logit p_n", "Gibbs tilt: log π_n(a*) − log π_n(other)", "recursion: 1 − p_n", "tilt: 1 − p_n"],
    scalar.logit.map((l, n) => [n, l, tilt.logPi[n][0] - tilt.logPi[n][1], scalar.oneMinusP[n], tilt.oneMinusSuccess[n]]),
  );
}

/**
 * The composite reward 0.1·format + 0.9·action against the binary expert reward, for the same
 * π_ref(a*) = pRef with `malformedShare` of the rest malformed: π_n(a*) and the malformed share.
 */
export function compositeTable(pRef: number, malformedShare: number, betas: number[], eps: number, iters: number): string {
  const rows = betas.map((beta) => {
    const bin = successRecursion({ beta, pRef, eps }, iters);
    const comp = tiltRecursion(compositeReference(pRef, malformedShare), COMPOSITE_REWARDS, beta, eps, iters);
    const n = Math.min(iters, bin.logit.length - 1);
    return [beta, n, bin.oneMinusP[n], comp.oneMinusSuccess[n], formatLogProbability(comp.logPi[n][2])];
  });
  return markdownTable(["β", "n", "binary reward: 1 − p_n", "composite: 1 − π_n(a*)", "composite: π_n(malformed)"], rows);
}

/** The finite-G study as a table. */
export function finiteGroupTable(study: FiniteGroupStudy): string {
  return markdownTable(
    ["G", "expected finite-G stationary π(a*)", "simulated (mean ± sd over seeds)", "flat groups (no signal)", "population fixed point"],
    study.summary.map((s) => [s.G, s.predicted.toFixed(4), `${s.simulatedMean.toFixed(4)} ± ${s.simulatedSd.toFixed(4)}`, `${(100 * s.flatGroups).toFixed(1)}%`, study.population.toFixed(4)]),
  );
}

/**
 * The paper's β = 0.001, where simulation cannot resolve 1 − p ≈ e^-2000: the expected finite-G
 * stationary point with the exact KL and with verl's k3 estimator, against the population recursion.
 */
export function smallBetaTable(pRef: number, beta: number, groupSizes: number[]): string {
  const pop = iterationLimit({ beta, pRef, eps: 0 });
  const popText = pop.kind === "one" ? "p → 1 (no interior fixed point)" : pop.kind === "interior" ? pop.fixedPoint.oneMinusP : "none";
  return markdownTable(
    ["G", "exact KL: 1 − p*", "k3 KL (verl): 1 − p*", "population (G → ∞, ε = 0)"],
    groupSizes.map((G) => [G, finiteGroupCurve(pRef, beta, [G], { kl: "exact" })[0].oneMinusP, finiteGroupCurve(pRef, beta, [G], { kl: "k3" })[0].oneMinusP, popText]),
  );
}

/** Per-state p* in the product, per β: P_0 before and after. */
export function amplificationTable(study: { beta: number; task: AmplifiedTask }[]): string {
  return markdownTable(
    ["β", "per-state limit", "Π p_ref,t", "Π p*_t", "1 − Π p*_t"],
    study.map(({ beta, task }) => [beta, task.limit.join(", "), task.successRef.toPrecision(4), task.successStar.toPrecision(6), task.oneMinusSuccessStar]),
  );
}
