/**
 * GRPO's success amplification at one expert state (Theorem 3.1, after Mroueh 2025): with the binary
 * single-turn reward, the exact maximiser of eq. 6 (a Gibbs tilt of π_ref, see tilt.ts) moves the
 * expert action's probability by
 *
 *     logit p_n = logit p_ref + 1 / (β · sqrt(p_{n−1}(1 − p_{n−1}) + ε)),   p_0 = p_ref,
 *
 * i.e. p_n = h(p_{n−1}). Everything is carried as the logit ℓ: for β = 0.001 one step already puts
 * 1 − p near 1e-800, which float64 would round to p = 1, 1 − p = 0 and then 0/0. The variance p(1 − p)
 * is taken from ℓ in logs, 1 − p is printed from ℓ (logodds.ts), and the iteration stops only when the
 * logit leaves the range where float64 carries it usefully (ε = 0: p_n → 1 superexponentially, and
 * the logit after 2000 is e^1000/β — beyond float64 — or, for β = 0.01, 1e45: finite, but 1 − p = e^-1e45
 * then has no correct digit left).
 */
import { bernoulliVariance, formatLogProbability, logAddExp, logBernoulliVariance, logit, oneMinusSigmoidString, sigmoid } from "./logodds";
import { scanRoots } from "./roots";

export interface RecursionParams {
  /** KL coefficient β > 0 (the paper trains with 0.001). */
  beta: number;
  /** p_ref = π_ref(a^GT | s) in (0, 1). */
  pRef: number;
  /** ε ≥ 0 inside the standard deviation; 0 is the paper's form. */
  eps?: number;
}

export function checkParams(p: RecursionParams): void {
  if (!(p.beta > 0) || !Number.isFinite(p.beta)) throw new RangeError(`beta must be a positive number, got ${p.beta}`);
  if (!(p.pRef > 0 && p.pRef < 1)) throw new RangeError(`pRef must lie strictly between 0 and 1, got ${p.pRef}`);
  const eps = p.eps ?? 0;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`eps must be a non-negative number, got ${eps}`);
}

/** 1 / (β·sqrt(σ(ℓ)σ(−ℓ) + ε)): the logit increment of one GRPO iteration from logit ℓ. */
export function logitIncrement(l: number, beta: number, eps = 0): number {
  const v = bernoulliVariance(l);
  // Direct where p(1−p) is a normal float (best relative accuracy); in logs once it underflows.
  if (v > 1e-300 || eps > 0) return 1 / (beta * Math.sqrt(v + eps));
  return Math.exp(-Math.log(beta) - 0.5 * logBernoulliVariance(l));
}

/** g(ℓ) = logit p_ref + 1/(β sqrt(p(1−p)+ε)): the map h in logit coordinates. */
export function nextLogit(l: number, p: RecursionParams): number {
  return logit(p.pRef) + logitIncrement(l, p.beta, p.eps ?? 0);
}

/**
 * The slope h′(p) at a fixed point p* = h(p*), which equals g′(ℓ*) there:
 *     h′(p*) = p*(1−p*)(2p*−1) / (2β (p*(1−p*) + ε)^{3/2}),
 * evaluated in logs so that it stays finite (and tends to 0) for p* within 1e-400 of 1.
 */
export function fixedPointSlope(l: number, p: RecursionParams): number {
  const lv = logBernoulliVariance(l);
  const eps = p.eps ?? 0;
  const lse = eps > 0 ? logAddExp(lv, Math.log(eps)) : lv;
  return (Math.tanh(l / 2) * Math.exp(lv - 1.5 * lse)) / (2 * p.beta);
}

/** h(p) itself, for plots: σ(g(logit p)). */
export function successMap(pPrev: number, p: RecursionParams): number {
  return sigmoid(nextLogit(logit(pPrev), p));
}

/**
 * The largest logit the iterates report. 1 − p = e^-ℓ is printed from the float64 ℓ, so its relative
 * error is about |ℓ|·2^-53: 10 correct digits up to |ℓ| ≈ 1e5 (the ε = 1e-4, β = 0.001 fixed point sits
 * at 1e5), a unit or two in the 10th digit up to 1e6, and nothing useful far beyond.
 */
export const MAX_LOGIT = 1e6;

export interface Iterates {
  /** ℓ_0 = logit p_ref, ℓ_1, …: finite floats. */
  logit: number[];
  p: number[];
  /** 1 − p_n with 10 significant digits, exact far below float64 (from ℓ_n). */
  oneMinusP: string[];
  /** True when the iteration stopped before `iters` because the next logit exceeded MAX_LOGIT (or float64). */
  stoppedEarly: boolean;
}

/** p_0 = p_ref … p_N, stopping early only if the next logit is beyond MAX_LOGIT (p_n → 1). */
export function successRecursion(params: RecursionParams, iters: number): Iterates {
  checkParams(params);
  const ls = [logit(params.pRef)];
  let stoppedEarly = false;
  for (let n = 1; n <= iters; n++) {
    const l = nextLogit(ls[n - 1], params);
    if (!(l <= MAX_LOGIT)) {
      stoppedEarly = true;
      break;
    }
    ls.push(l);
  }
  // p_0 is p_ref as given (σ(logit p_ref) may differ from it in the last bit).
  const p = ls.map((l, n) => (n === 0 ? params.pRef : sigmoid(l)));
  const oneMinusP = ls.map((l, n) => (n === 0 ? formatLogProbability(Math.log1p(-params.pRef)) : oneMinusSigmoidString(l)));
  return { logit: ls, p, oneMinusP, stoppedEarly };
}

export interface FixedPoint {
  logit: number;
  p: number;
  oneMinusP: string;
  /** h′(p*). */
  slope: number;
  /** |h′(p*)| < 1: the iteration converges to p* from nearby. */
  stable: boolean;
}

function fixedPointAt(l: number, params: RecursionParams): FixedPoint {
  const slope = fixedPointSlope(l, params);
  return { logit: l, p: sigmoid(l), oneMinusP: oneMinusSigmoidString(l), slope, stable: Math.abs(slope) < 1 };
}

/**
 * All interior fixed points p* = h(p*), in increasing order, as roots of F(ℓ) = g(ℓ) − ℓ.
 *
 * Where they can be: g(ℓ) ≥ logit p_ref + 1/(β sqrt(1/4 + ε)) (p(1−p) ≤ 1/4), so no root lies below
 * that. With ε > 0, g(ℓ) < logit p_ref + 1/(β√ε), so none lies above; F > 0 at the left end and
 * F < 0 at the right, so at least one exists. With ε = 0, g(ℓ) ≥ logit p_ref + e^{ℓ/2}/β for ℓ ≥ 0,
 * a concave bound that eventually exceeds ℓ: beyond that point F > 0 for good, so p_n → 1 from there,
 * and there may be no root at all (then p_n → 1 from p_ref).
 */
export function fixedPoints(params: RecursionParams): FixedPoint[] {
  checkParams(params);
  const lRef = logit(params.pRef);
  const eps = params.eps ?? 0;
  const lo = lRef + 1 / (params.beta * Math.sqrt(0.25 + eps));
  let hi: number;
  if (eps > 0) hi = lRef + 1 / (params.beta * Math.sqrt(eps)) + 1;
  else {
    // The last zero of φ(ℓ) = ℓ − lRef − e^{ℓ/2}/β (concave, maximal at 2 ln(2β)).
    const phi = (l: number) => l - lRef - Math.exp(l / 2) / params.beta;
    hi = Math.max(0, lo, 2 * Math.log(2 * params.beta));
    while (phi(hi) >= 0) hi += Math.max(1, hi);
  }
  const F = (l: number) => nextLogit(l, params) - l;
  return scanRoots(F, lo, hi).map((l) => fixedPointAt(l, params));
}

/** Where the iteration from p_ref goes. */
export type IterationLimit =
  | { kind: "interior"; fixedPoint: FixedPoint; iterations: number }
  /** p_n → 1: the logit overflowed float64 after `iterations` steps. */
  | { kind: "one"; iterations: number }
  /** Neither within the budget (a cycle, or convergence slower than the budget). */
  | { kind: "none"; iterations: number };

/**
 * The limit of p_n from p_ref: iterate until successive logits agree to 1e-13 (relative) — then the
 * limit is the fixed point found by `fixedPoints` nearest to it, refined by bisection — or until the
 * logit overflows (p_n → 1), or give up after `maxIters`.
 */
export function iterationLimit(params: RecursionParams, maxIters = 100_000): IterationLimit {
  checkParams(params);
  let l = logit(params.pRef);
  for (let n = 1; n <= maxIters; n++) {
    const next = nextLogit(l, params);
    if (!Number.isFinite(next)) return { kind: "one", iterations: n };
    if (Math.abs(next - l) <= 1e-13 * Math.max(1, Math.abs(next))) {
      const fps = fixedPoints(params);
      if (fps.length === 0) return { kind: "interior", fixedPoint: fixedPointAt(next, params), iterations: n };
      const nearest = fps.reduce((a, b) => (Math.abs(b.logit - next) < Math.abs(a.logit - next) ? b : a));
      return { kind: "interior", fixedPoint: nearest, iterations: n };
    }
    l = next;
  }
  return { kind: "none", iterations: maxIters };
}

/** Whether a sequence goes down somewhere: the iterates "need not be monotone". */
export function isMonotone(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) return false;
  return true;
}

/** `stgrpo theory recursion --json` (docs/design.md contract). */
export interface RecursionJson {
  p: number[];
  one_minus_p: string[];
  logit: number[];
  fixed_point: { p: number; one_minus_p: string; slope: number } | null;
  /** Only with `all`: every interior fixed point with its stability. */
  fixed_points?: { p: number; one_minus_p: string; logit: number; slope: number; stable: boolean }[];
}

/**
 * The contract's JSON. `fixed_point` is the limit of the iteration from p_ref: an interior fixed
 * point with slope h′(p*); or p = 1, where h′(1) = 0 (1 − h(p) vanishes faster than any power of
 * 1 − p as p → 1); or null when the iteration neither settles nor diverges within 100 000 steps.
 */
export function recursionJson(params: RecursionParams, iters: number, all = false): RecursionJson {
  const it = successRecursion(params, iters);
  const lim = iterationLimit(params);
  const fixed_point =
    lim.kind === "interior"
      ? { p: lim.fixedPoint.p, one_minus_p: lim.fixedPoint.oneMinusP, slope: lim.fixedPoint.slope }
      : lim.kind === "one"
        ? { p: 1, one_minus_p: "0", slope: 0 }
        : null;
  const out: RecursionJson = { p: it.p, one_minus_p: it.oneMinusP, logit: it.logit, fixed_point };
  if (all) out.fixed_points = fixedPoints(params).map((f) => ({ p: f.p, one_minus_p: f.oneMinusP, logit: f.logit, slope: f.slope, stable: f.stable }));
  return out;
}

/**
 * The pitfall the log-odds form avoids: the same recursion in plain float64 probabilities. Once p
 * rounds to 1, 1 − p is 0 and p_n is a silent 1.0 (or, with ε = 0, 1/0 = Infinity into σ): the
 * iterate carries no information about how close to 1 it is. For notebook 03's comparison only.
 */
export function naiveRecursion(params: RecursionParams, iters: number): { p: number[]; oneMinusP: number[] } {
  const eps = params.eps ?? 0;
  const lRef = Math.log(params.pRef / (1 - params.pRef));
  const p = [params.pRef];
  for (let n = 1; n <= iters; n++) {
    const q = p[n - 1];
    p.push(1 / (1 + Math.exp(-(lRef + 1 / (params.beta * Math.sqrt(q * (1 - q) + eps))))));
  }
  return { p, oneMinusP: p.map((q) => 1 - q) };
}
