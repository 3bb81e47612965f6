/**
 * Tabular GRPO at one state with a finite group size G, to compare with the population recursion:
 * a softmax policy over K actions (logits θ, θ_0 = log π_ref), and per step
 *
 *   1. sample `groups` groups of G actions from π_old = π_θ;
 *   2. advantages Â_i = (r_i − mean_group) / (std_group + δ) (verl's rule: sample std, δ = 1e-6);
 *   3. `innerSteps` plain gradient-ascent steps on the logits of
 *        J(θ) = mean_i min(ρ_i Â_i, clip(ρ_i, 1 − c, 1 + c) Â_i) − β·KL(π_θ ‖ π_ref),   ρ_i = π_θ(a_i)/π_old(a_i).
 *
 * KL: `exact` differentiates the true KL(π_θ ‖ π_ref) (the population objective's term); `k3` is the
 * sampled low-variance estimator (π_ref/π − log(π_ref/π) − 1) that verl's GRPO uses — its gradient
 * is, in expectation on-policy, that of the *forward* KL(π_ref ‖ π_θ), which moves the fixed point.
 *
 * `finiteGroupFixedPoints` gives where the *expected* finite-G dynamics stop for the binary reward, in
 * closed form over the binomial number of correct samples — the prediction the simulation is checked
 * against.
 */
import { Rng } from "../util/rng";
import { logSigmoid, logit as logitOf, sigmoid } from "./logodds";
import { scanRoots } from "./roots";

export interface GrpoSimConfig {
  /** Group size G ≥ 2. */
  groupSize: number;
  /** Groups sampled per step (prompts of this state per batch). */
  groups: number;
  /** Learning rate of the gradient ascent on the logits. */
  lr: number;
  /** Gradient steps per sampled batch; 1 = on-policy (ρ = 1, the clip never binds). */
  innerSteps: number;
  /** PPO clip range c. */
  clip: number;
  beta: number;
  /** δ in std + δ. */
  delta: number;
  std: "sample" | "population";
  kl: "exact" | "k3";
  steps: number;
  seed: number;
}

/** verl's GRPO defaults where they exist (clip 0.2, δ = 1e-6, sample std), the paper's β = 0.001. */
export const DEFAULT_SIM: GrpoSimConfig = {
  groupSize: 8,
  groups: 1,
  lr: 0.1,
  innerSteps: 1,
  clip: 0.2,
  beta: 0.001,
  delta: 1e-6,
  std: "sample",
  kl: "exact",
  steps: 1000,
  seed: 0,
};

export interface GrpoSimResult {
  /** π_θ(best-rewarded actions) before step 1 … after step `steps` (length steps + 1). */
  success: number[];
  /** Final policy. */
  pi: number[];
  /** Fraction of sampled groups whose rewards were all equal (zero advantage: no signal). */
  flatGroups: number;
}

export function softmax(theta: readonly number[]): number[] {
  const m = Math.max(...theta);
  const e = theta.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** Group-normalised advantages (r − mean)/(std + δ); a group of equal rewards gets all zeros. */
export function groupAdvantages(rewards: readonly number[], delta: number, std: "sample" | "population"): number[] {
  const G = rewards.length;
  const mean = rewards.reduce((a, b) => a + b, 0) / G;
  const ss = rewards.reduce((a, r) => a + (r - mean) * (r - mean), 0);
  const sd = Math.sqrt(ss / (std === "sample" ? Math.max(1, G - 1) : G));
  return rewards.map((r) => (r - mean) / (sd + delta));
}

/** Simulate tabular GRPO from π_ref with the given per-action rewards. */
export function simulateGrpo(piRef: readonly number[], rewards: readonly number[], config: Partial<GrpoSimConfig> = {}): GrpoSimResult {
  const c = { ...DEFAULT_SIM, ...config };
  if (!(c.groupSize >= 2)) throw new RangeError(`groupSize must be ≥ 2, got ${c.groupSize}`);
  const K = piRef.length;
  const logRef = piRef.map(Math.log);
  const theta = logRef.slice();
  const best = Math.max(...rewards);
  const successOf = (pi: number[]) => pi.reduce((acc, p, a) => acc + (rewards[a] === best ? p : 0), 0);
  const rng = new Rng(c.seed);
  const success = [successOf(softmax(theta))];
  let flat = 0;
  for (let step = 0; step < c.steps; step++) {
    const piOld = softmax(theta);
    const actions: number[] = [];
    const adv: number[] = [];
    for (let g = 0; g < c.groups; g++) {
      const group = Array.from({ length: c.groupSize }, () => rng.categorical(piOld));
      const A = groupAdvantages(group.map((a) => rewards[a]), c.delta, c.std);
      if (A.every((x) => x === 0)) flat++;
      actions.push(...group);
      adv.push(...A);
    }
    for (let inner = 0; inner < c.innerSteps; inner++) {
      const pi = softmax(theta);
      const grad = new Array<number>(K).fill(0);
      actions.forEach((a, i) => {
        const rho = pi[a] / piOld[a];
        // The clipped term is the min exactly when the ratio has left the trust region in the
        // direction the advantage pushes it; its gradient is then 0.
        const clipped = (adv[i] > 0 && rho > 1 + c.clip) || (adv[i] < 0 && rho < 1 - c.clip);
        if (clipped || adv[i] === 0) return;
        const w = (adv[i] * rho) / actions.length;
        for (let b = 0; b < K; b++) grad[b] -= w * pi[b];
        grad[a] += w;
      });
      const klGrad = c.kl === "exact" ? exactKlGradient(pi, logRef) : k3KlGradient(pi, logRef, actions);
      for (let b = 0; b < K; b++) theta[b] += c.lr * (grad[b] - c.beta * klGrad[b]);
    }
    success.push(successOf(softmax(theta)));
  }
  return { success, pi: softmax(theta), flatGroups: flat / (c.steps * c.groups) };
}

/** ∇_θ KL(π_θ ‖ π_ref) = π ⊙ (log π − log π_ref − KL). */
function exactKlGradient(pi: number[], logRef: number[]): number[] {
  const lr = pi.map((p, a) => (p > 0 ? Math.log(p) - logRef[a] : 0));
  const kl = pi.reduce((acc, p, a) => acc + p * lr[a], 0);
  return pi.map((p, a) => p * (lr[a] - kl));
}

/** Gradient of the sample mean of k3 = e^u − u − 1, u = log π_ref(a) − log π_θ(a). */
function k3KlGradient(pi: number[], logRef: number[], actions: number[]): number[] {
  const g = new Array<number>(pi.length).fill(0);
  for (const a of actions) {
    // dk3/du = e^u − 1 and du/dθ = −(e_a − π).
    const w = (Math.exp(logRef[a] - Math.log(pi[a])) - 1) / actions.length;
    for (let b = 0; b < pi.length; b++) g[b] += w * pi[b];
    g[a] -= w;
  }
  return g;
}

/**
 * E[(1/G) Σ_i Â_i (1{a_i = a*} − p)] / (1 − p) for the binary reward: the expected on-policy ascent
 * direction of the expert logit, divided by 1 − p so that it stays finite as p → 1. With k ~ Bin(G, p)
 * correct samples it is Σ_{0<k<G} C(G,k) p^k (1−p)^{G−1−k} · (k/G)(1 − k/G)/(std_k + δ)
 * (k = 0 and k = G are flat groups: no signal).
 */
export function expectedSignalOverFailure(l: number, G: number, delta: number, std: "sample" | "population"): number {
  const lp = logSigmoid(l); // log p
  const lq = logSigmoid(-l); // log(1 − p)
  const logFact = [0];
  for (let i = 1; i <= G; i++) logFact.push(logFact[i - 1] + Math.log(i));
  let s = 0;
  for (let k = 1; k < G; k++) {
    const sd = Math.sqrt((k * (G - k)) / (G * (std === "sample" ? G - 1 : G)));
    const term = ((k / G) * (1 - k / G)) / (sd + delta);
    // (G − 1 − k)·log(1 − p) with the k = G − 1 factor exactly 1, also when 1 − p underflows.
    const logq = k === G - 1 ? 0 : (G - 1 - k) * lq;
    s += Math.exp(logFact[G] - logFact[k] - logFact[G - k] + k * lp + logq) * term;
  }
  return s;
}

export interface FiniteGroupPrediction {
  logit: number;
  p: number;
  stable: boolean;
}

/**
 * Stationary points of the expected finite-G dynamics (binary reward, one gradient step per batch):
 * the expert logit's expected ascent E_G(p) equals β times the KL term's pull,
 *     exact KL:  E_G(p) = β p(1−p)(logit p − logit p_ref)
 *     k3:        E_G(p) = β (p − p_ref).
 * As G → ∞ with δ = 0, E_G(p) → sqrt(p(1−p)) and the exact-KL condition is the recursion's fixed
 * point with ε = 0. Stable points are where the drift changes from up to down.
 */
export function finiteGroupFixedPoints(pRef: number, beta: number, G: number, opts: { delta?: number; std?: "sample" | "population"; kl?: "exact" | "k3" } = {}): FiniteGroupPrediction[] {
  const delta = opts.delta ?? DEFAULT_SIM.delta;
  const std = opts.std ?? DEFAULT_SIM.std;
  const kl = opts.kl ?? DEFAULT_SIM.kl;
  const lRef = logitOf(pRef);
  // Drift / (1 − p): positive pushes p up.
  const drift = (l: number) => {
    const p = sigmoid(l);
    const pull = kl === "exact" ? p * (l - lRef) : (p - pRef) / sigmoid(-l);
    return expectedSignalOverFailure(l, G, delta, std) - beta * pull;
  };
  // E_G/(1−p) ≤ Σ_{j<G} p^j · 1/2 ≤ G/2, and p ≥ 1/2 beyond 0: no stationary point past G/(β) + 1.
  const hi = Math.max(0, lRef) + G / beta + 1;
  return scanRoots(drift, lRef + 1e-9, hi).map((l) => ({ logit: l, p: sigmoid(l), stable: drift(l + 1e-6 * Math.max(1, Math.abs(l))) < 0 }));
}
