/**
 * Single-turn GRPO over expert states (the paper's second stage, eq. 4–6).
 *
 * Every expert state s is a one-step bandit. Per step, for a batch of states:
 *   1. sample a group of G actions a_1..a_G ~ π_old(·|s) (the policy's "completion" is an action choice);
 *   2. reward r_j = 0.1·format + 0.9·1{a_j = a^GT} — a discrete action policy always produces a
 *      well-formed action, so the format part is the constant 0.1; it cancels in the group-normalised
 *      advantage, which is therefore the same as for the paper's indicator reward r = 1{a = a^GT};
 *      the `any-optimal` variant counts every action that starts some minimal plan as correct;
 *   3. advantage A_j = (r_j − mean(r)) / (std(r) + δ) within the group;
 *   4. minimise  −(1/G) Σ_j min(ρ_j A_j, clip(ρ_j, 1−ε, 1+ε) A_j) + β·KL(π_θ ‖ π_ref)(s),
 *      ρ_j = π_θ(a_j|s) / π_old(a_j|s), averaged over the batch.
 *
 * KL: the action set is small and finite, so the default is the *exact* KL(π_θ‖π_ref) at s, which is the
 * term of the paper's objective (eq. 6) with no estimator noise; `kl: "k3"` uses verl/TRL's sampled
 * estimator k3 = e^u − u − 1, u = log π_ref(a_j) − log π_θ(a_j), for fidelity with the LLM trainers.
 *
 * Paper: batch 256 (states per step, verl counts prompts), 50 epochs, β = 0.001, lr 1e-6 (for the LLM;
 * ours is measured for the log-linear scorer). G is not stated; we use 8. With one mini-batch per batch
 * and one PPO epoch (the defaults), ρ = 1 at the update, clipping is inactive and the step is the plain
 * policy gradient of eq. 4–6; `miniBatchSize < batchSize` or `ppoEpochs > 1` make the clip matter.
 *
 *   stgrpo train --algo grpo --data data.jsonl --init results/cpu/learn/sft-burger-s0 --out … --beta 0.001
 */
import { Progress, silentProgress } from "../util/progress";
import { LoadedPolicy, metricsLog, openRun, saveCheckpoint, savePolicy, startKlRun } from "./checkpoint";
import { TrainState } from "./data";
import type { FeaturizedState } from "./features";
import { Adam, Forward, Grad, argmax, logSoftmax } from "./model";
import { Rng, streamRng } from "../util/rng";
import { BudgetPoints, SampledActions, TrainClock } from "./samples";
import { TrainOptions, TrainResult, evaluateStates } from "./sft";
import { PAPER } from "../config/paper";

export interface GrpoConfig {
  /** Passes over the expert states (paper: 50). */
  epochs: number;
  /** States per step (paper: 256). */
  batchSize: number;
  /** States per gradient update within a step (= batchSize: one on-policy update). */
  miniBatchSize: number;
  /** Passes over each step's samples (1 in verl's default). */
  ppoEpochs: number;
  /** Samples per state (not stated in the paper). */
  groupSize: number;
  /** KL coefficient to the reference (SFT) policy (paper: 0.001). */
  beta: number;
  kl: "exact" | "k3";
  /** PPO clip range ε. */
  clipEps: number;
  /** δ in (r − mean)/(std + δ). */
  advEps: number;
  /** The group's normaliser: its standard deviation, "unbiased" (n−1, torch.std as in verl/TRL) or "population" (n). */
  advStd: AdvStd;
  /** "expert": only the expert's action is correct; "any-optimal": any action in `acceptable`. */
  reward: "expert" | "any-optimal";
  /** Sampling temperature of π_old. */
  temperature: number;
  lr: number;
  seed: number;
  checkpointEvery: number;
}

export const GRPO_DEFAULTS: GrpoConfig = {
  epochs: PAPER.grpo.epochs,
  batchSize: PAPER.grpo.batchPrompts,
  miniBatchSize: PAPER.grpo.batchPrompts,
  ppoEpochs: 1,
  groupSize: 8,
  beta: PAPER.grpo.beta,
  kl: "exact",
  clipEps: 0.2,
  advEps: 1e-6,
  advStd: "unbiased",
  reward: "expert",
  temperature: 1,
  lr: 0.005,
  seed: 0,
  checkpointEvery: 20,
};

/** The paper's single-turn reward for a discrete action: 0.1 (format, always met) + 0.9·correct. */
export function actionReward(correct: boolean): number {
  return 0.1 + 0.9 * (correct ? 1 : 0);
}

/**
 * How a group's advantages are normalised: by its standard deviation, unbiased (n − 1) or population
 * (n), or not at all ("none": F_norm = 1, the mean-only form — GiGPO's "w/o std", RLOO-like).
 */
export type AdvStd = "unbiased" | "population" | "none";

/** Group-normalised advantages (r − mean) / (std + δ), or r − mean with "none". A group with equal rewards gets all zeros. */
export function groupAdvantages(rewards: readonly number[], advEps = 1e-6, std: AdvStd = "unbiased"): number[] {
  const n = rewards.length;
  // Equal rewards carry no signal; return exact zeros (the float mean of equal values can be off by an ulp).
  if (rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  if (std === "none") return rewards.map((r) => r - mean);
  const ss = rewards.reduce((a, r) => a + (r - mean) * (r - mean), 0);
  const denom = std === "unbiased" ? n - 1 : n;
  const sd = denom > 0 ? Math.sqrt(ss / denom) : 0;
  return rewards.map((r) => (r - mean) / (sd + advEps));
}

export interface GrpoLossInput {
  /** log π_θ over the candidates (current parameters). */
  logp: ArrayLike<number>;
  /** log π_old over the candidates (the sampling policy). */
  logpOld: ArrayLike<number>;
  /** log π_ref over the candidates (the frozen reference). */
  logpRef: ArrayLike<number>;
  /** The sampled candidate indices a_1..a_G. */
  actions: readonly number[];
  advantages: readonly number[];
  clipEps: number;
  beta: number;
  kl: "exact" | "k3";
}

export interface GrpoLossOutput {
  /** −surrogate + β·KL for this group (mean over its samples). */
  loss: number;
  /** ∂loss/∂score for every candidate. */
  dscores: Float64Array;
  /** The KL term's value (exact KL, or the mean k3 over the group). */
  kl: number;
  /** Fraction of samples whose ratio was clipped (zero gradient). */
  clipFrac: number;
}

/**
 * The GRPO loss of one state's group and its gradient with respect to the candidate scores (the
 * policy is a softmax over scores, so ∂ log π(a)/∂score_b = 1{a = b} − π(b)).
 */
export function grpoLoss(inp: GrpoLossInput): GrpoLossOutput {
  const n = inp.logp.length;
  const G = inp.actions.length;
  const p = new Float64Array(n);
  for (let b = 0; b < n; b++) p[b] = Math.exp(inp.logp[b]);
  const d = new Float64Array(n);
  let surrogate = 0;
  let clipped = 0;
  for (let j = 0; j < G; j++) {
    const a = inp.actions[j];
    const A = inp.advantages[j];
    const ratio = Math.exp(inp.logp[a] - inp.logpOld[a]);
    const cr = Math.min(Math.max(ratio, 1 - inp.clipEps), 1 + inp.clipEps);
    const unclippedObj = ratio * A;
    const clippedObj = cr * A;
    // PPO: the min picks the clipped term (constant in θ) when the ratio is outside the range on the
    // side the advantage favours; then this sample contributes no gradient.
    const isClipped = clippedObj < unclippedObj;
    surrogate += Math.min(unclippedObj, clippedObj);
    if (isClipped) {
      clipped++;
      continue;
    }
    // ∂(−ρA/G)/∂score_b = −(A ρ / G)(1{a=b} − π_b)
    const c = (-A * ratio) / G;
    for (let b = 0; b < n; b++) d[b] -= c * p[b];
    d[a] += c;
  }
  let kl = 0;
  if (inp.kl === "exact") {
    for (let b = 0; b < n; b++) if (p[b] > 0) kl += p[b] * (inp.logp[b] - inp.logpRef[b]);
    // ∂KL/∂score_b = π_b (log π_b − log π_ref,b − KL)
    for (let b = 0; b < n; b++) d[b] += inp.beta * p[b] * (inp.logp[b] - inp.logpRef[b] - kl);
  } else {
    for (let j = 0; j < G; j++) {
      const a = inp.actions[j];
      const u = inp.logpRef[a] - inp.logp[a];
      const eu = Math.exp(u);
      kl += (eu - u - 1) / G;
      // ∂k3/∂score_b = (1 − e^u)(1{a=b} − π_b)
      const c = (inp.beta * (1 - eu)) / G;
      for (let b = 0; b < n; b++) d[b] -= c * p[b];
      d[a] += c;
    }
  }
  return { loss: -surrogate / G + inp.beta * kl, dscores: d, kl, clipFrac: clipped / G };
}

export interface GrpoMetrics {
  algo: "grpo";
  step: number;
  epoch: number;
  split: "train" | "eval";
  /** Mean single-turn reward of the sampled actions. */
  reward: number;
  /** Greedy accuracy on the batch's states (before the update). */
  acc: number;
  /** Mean π_old(a^GT | s) on the batch. */
  p_expert: number;
  /** Mean exact KL(π_old ‖ π_ref) over the batch's states (the sampling policy, before this step's update). */
  kl: number;
  clip_frac: number;
  loss: number;
  /** Fraction of groups whose rewards were all equal (zero advantage: no learning signal). */
  zero_adv_frac: number;
  grad_norm: number;
  /** Sampled actions so far (samples.ts: G per state here, all of them group samples). */
  samples: number;
  rollout_samples: number;
  group_samples: number;
}

/** Exact KL(π‖π_ref) from two log-probability vectors. */
export function exactKl(logp: ArrayLike<number>, logpRef: ArrayLike<number>): number {
  let kl = 0;
  for (let b = 0; b < logp.length; b++) {
    const p = Math.exp(logp[b]);
    if (p > 0) kl += p * (logp[b] - logpRef[b]);
  }
  return kl;
}

/** A state's π_old: its forward pass (reused by the first update, where θ = θ_old) and log-probabilities. */
export interface OldPolicyAt {
  x: FeaturizedState;
  fwd: Forward;
  logpOld: Float64Array;
}

/**
 * Steps 1–3 at one state: draw a group of G actions from π_old at `temperature`, reward each with the
 * single-turn reward (`correct` says which candidates count), and normalise within the group. The draws
 * are counted as group samples.
 */
export function sampleGroup(
  at: OldPolicyAt,
  correct: (action: number) => boolean,
  rng: Rng,
  cfg: Pick<GrpoConfig, "groupSize" | "temperature" | "advEps" | "advStd">,
  samples: SampledActions,
): { actions: number[]; rewards: number[]; advantages: number[] } {
  const sampleProbs = cfg.temperature === 1 ? at.logpOld.map(Math.exp) : logSoftmax(at.fwd.scores, cfg.temperature).map(Math.exp);
  const actions: number[] = [];
  const rewards: number[] = [];
  for (let j = 0; j < cfg.groupSize; j++) {
    const a = rng.categorical(sampleProbs);
    actions.push(a);
    rewards.push(actionReward(correct(a)));
  }
  samples.addGroup(cfg.groupSize);
  return { actions, rewards, advantages: groupAdvantages(rewards, cfg.advEps, cfg.advStd) };
}

/** A state's samples in an update: π_old there, π_ref's log-probabilities, the actions and their advantages. */
export interface UpdateGroup extends OldPolicyAt {
  logpRef: Float64Array;
  actions: readonly number[];
  advantages: readonly number[];
  /** The number of samples this group stands for (multi-turn: a state's visits in the mini-batch); default 1. */
  weight?: number;
}

/**
 * Step 4 on one mini-batch: the clipped surrogate + β·KL of every group (grpoLoss; the loss of n samples
 * is n × their mean, so a group of weight n counts n times), the gradient divided by `denominator`,
 * one Adam step. `firstUpdate`: the parameters are still θ_old, so the groups' forward passes are reused.
 * Returns the weighted sums of loss and clip fraction, and the gradient norm.
 */
export function updateMinibatch(
  policy: LoadedPolicy,
  adam: Adam,
  grad: Grad,
  groups: Iterable<UpdateGroup>,
  denominator: number,
  firstUpdate: boolean,
  cfg: Pick<GrpoConfig, "clipEps" | "beta" | "kl">,
): { loss: number; clip: number; gradNorm: number } {
  let loss = 0,
    clip = 0;
  for (const g of groups) {
    const fwd = firstUpdate ? g.fwd : policy.model.forward(g.x);
    const out = grpoLoss({
      logp: firstUpdate ? g.logpOld : logSoftmax(fwd.scores),
      logpOld: g.logpOld,
      logpRef: g.logpRef,
      actions: g.actions,
      advantages: g.advantages,
      clipEps: cfg.clipEps,
      beta: cfg.beta,
      kl: cfg.kl,
    });
    const w = g.weight ?? 1;
    if (w === 1) {
      loss += out.loss;
      clip += out.clipFrac;
    } else {
      loss += out.loss * w;
      clip += out.clipFrac * w;
      for (let k = 0; k < out.dscores.length; k++) out.dscores[k] *= w;
    }
    policy.model.backward(g.x, fwd, out.dscores, grad);
  }
  grad.scale(1 / denominator);
  const gradNorm = adam.step(grad);
  grad.clear();
  return { loss, clip, gradNorm };
}

/**
 * Single-turn GRPO from `opts.init` (the SFT policy; also the frozen reference π_ref) on expert states.
 * Without `init` it starts from, and regularises towards, the untrained uniform policy. With
 * `opts.budgets` it saves the policy at each budget point and stops at the last (or at the last epoch,
 * whichever comes first).
 */
export async function trainGrpo(states: TrainState[], config: Partial<GrpoConfig> = {}, opts: TrainOptions = {}): Promise<TrainResult> {
  const cfg: GrpoConfig = { ...GRPO_DEFAULTS, ...config };
  if (states.length === 0) throw new Error("trainGrpo: no training states");
  const batch = Math.min(cfg.batchSize, states.length);
  const stepsPerEpoch = Math.ceil(states.length / batch);
  const totalSteps = stepsPerEpoch * cfg.epochs;
  const run = opts.out ? openRun(opts.out, { algo: "grpo", ...cfg, init: opts.init?.meta ?? null, n_states: states.length, ...(opts.budgets ? { budgets: opts.budgets } : {}) }) : null;

  if (!run?.resume && !opts.init) throw new Error("trainGrpo: an initial policy is required (the SFT policy, or untrainedPolicy())");
  const { policy, reference, adam, step: startStep } = startKlRun(run?.resume ?? null, opts.init!, { algo: "grpo", seed: cfg.seed, beta: cfg.beta }, cfg.lr);
  let step = startStep;
  const samples = SampledActions.fromState(run?.resume?.state, "group");
  const clock = new TrainClock(run?.resume?.state);
  const budgets = new BudgetPoints(opts.budgets, run?.files ?? null, samples.total, opts.onBudget);
  const { metrics, emit } = metricsLog(run, opts.onMetrics);

  // π_ref is frozen: its log-probabilities are computed once per state.
  const refLogp = states.map((s) => logSoftmax(reference.model.forward(s.x).scores));
  const progress = new Progress("grpo", totalSteps, opts.progress ?? silentProgress);
  progress.tick(step);
  const grad = new Grad(policy.model.tensors);
  const stopAt = Math.min(totalSteps, opts.stopAfterSteps ?? Infinity);

  while (step < stopAt && !budgets.done) {
    const epoch = Math.floor(step / stepsPerEpoch);
    const inEpoch = step % stepsPerEpoch;
    const perm = streamRng(cfg.seed, "grpo-epoch", epoch).permutation(states.length);
    const idx = perm.slice(inEpoch * batch, (inEpoch + 1) * batch);
    const rng = streamRng(cfg.seed, "grpo-sample", step);

    // 1–3: sample groups from π_old, reward, advantages.
    let rewardSum = 0,
      acc = 0,
      pe = 0,
      zeroAdv = 0;
    const groups = idx.map((i): UpdateGroup => {
      const s = states[i];
      const fwd = policy.model.forward(s.x);
      const logpOld = logSoftmax(fwd.scores);
      const correct = cfg.reward === "any-optimal" ? (a: number) => s.acceptable.includes(a) : (a: number) => a === s.target;
      const { actions, rewards, advantages } = sampleGroup({ x: s.x, fwd, logpOld }, correct, rng, cfg, samples);
      rewardSum += rewards.reduce((x, y) => x + y, 0);
      acc += argmax(fwd.scores) === s.target ? 1 : 0;
      pe += Math.exp(logpOld[s.target]);
      if (advantages.every((a) => a === 0)) zeroAdv++;
      return { x: s.x, fwd, logpOld, logpRef: refLogp[i], actions, advantages };
    });

    // 4: clipped-surrogate updates with KL to π_ref.
    let loss = 0,
      clip = 0,
      gnorm = 0,
      nLoss = 0;
    for (let e = 0; e < cfg.ppoEpochs; e++) {
      for (let mb = 0; mb < groups.length; mb += cfg.miniBatchSize) {
        const part = groups.slice(mb, mb + cfg.miniBatchSize);
        const u = updateMinibatch(policy, adam, grad, part, part.length, e === 0 && mb === 0, cfg);
        loss += u.loss;
        clip += u.clip;
        nLoss += part.length;
        gnorm = u.gradNorm;
      }
    }
    step++;
    // KL(π_old ‖ π_ref) over the batch: the policy that drew this step's samples (no extra forward pass).
    let kl = 0;
    for (const g of groups) kl += exactKl(g.logpOld, g.logpRef);
    const m: GrpoMetrics = {
      algo: "grpo",
      step,
      epoch,
      split: "train",
      reward: rewardSum / (idx.length * cfg.groupSize),
      acc: acc / idx.length,
      p_expert: pe / idx.length,
      kl: kl / idx.length,
      clip_frac: clip / nLoss,
      loss: loss / nLoss,
      zero_adv_frac: zeroAdv / idx.length,
      grad_norm: gnorm,
      ...samples.metrics(),
    };
    emit(m as unknown as Record<string, unknown>);
    const epochEnd = step % stepsPerEpoch === 0;
    if (epochEnd && opts.evalStates?.length) emit({ algo: "grpo", step, epoch, split: "eval", ...evaluateStates(policy, opts.evalStates) });
    const atBudget = budgets.reached(samples, step, policy, clock, emit, "grpo");
    if (run && (epochEnd || atBudget || step % cfg.checkpointEvery === 0 || step === stopAt)) {
      saveCheckpoint(run.files, "grpo", step, policy, adam, { ...samples.metrics(), ...clock.state() }, reference);
    }
    progress.tick(1, `reward ${m.reward.toFixed(3)} kl ${m.kl.toExponential(2)}`);
    await new Promise((r) => setImmediate(r));
  }
  const finished = step >= totalSteps || budgets.done;
  policy.meta = { ...policy.meta, steps: step, samples: samples.total };
  if (run && finished) savePolicy(run.files.policy, policy);
  progress.finish(finished ? "done" : "stopped");
  return { policy, metrics, steps: step, finished };
}
