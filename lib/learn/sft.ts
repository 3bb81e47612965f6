/**
 * SFT: maximum likelihood of the expert action at every expert state (the paper's first stage).
 *
 *   L(θ) = − mean over a batch of log π_θ(a^GT | s),   ∂L/∂score_k = π_θ(k|s) − 1{k = a^GT}
 *
 * Paper: 8 epochs, batch 8 (the LLM's SFT on ~100 expert trajectories per task). The learning rate is
 * ours: the paper's optimiser settings are for a 1.5B-parameter LLM, not for a log-linear scorer.
 *
 *   stgrpo train --algo sft --data data.jsonl --out results/cpu/learn/sft-burger-s0 --seed 0
 */
import { ProgressSink, Progress, silentProgress } from "../util/progress";
import { LoadedPolicy, metricsLog, openRun, restoreCheckpoint, saveCheckpoint, savePolicy } from "./checkpoint";
import { TrainState } from "./data";
import { DEFAULT_FEATURES, FeatureConfig } from "./features";
import { Adam, AdamConfig, DEFAULT_ADAM, DEFAULT_MODEL, Grad, ModelConfig, argmax, cloneModel, createModel, logSoftmax } from "./model";
import { streamRng } from "../util/rng";
import type { BudgetSnapshot } from "./samples";
import { PAPER } from "../config/paper";

export interface SftConfig {
  /** Passes over the expert states (paper: 8). */
  epochs: number;
  /** States per optimisation step (paper: 8). */
  batchSize: number;
  /** Adam learning rate (ours; see the module comment). */
  lr: number;
  weightDecay: number;
  seed: number;
  model: ModelConfig;
  features: FeatureConfig;
  /** Write a checkpoint every this many steps (and at every epoch end). */
  checkpointEvery: number;
}

export const SFT_DEFAULTS: SftConfig = {
  epochs: PAPER.sft.epochs,
  batchSize: PAPER.sft.batch,
  lr: 0.005, // ours: the log-linear learner's rate (the paper's LLM rate does not transfer)
  weightDecay: 0,
  seed: 0,
  model: DEFAULT_MODEL,
  features: DEFAULT_FEATURES,
  checkpointEvery: 200,
};

export interface SftMetrics {
  algo: "sft";
  step: number;
  epoch: number;
  split: "train" | "eval";
  loss: number;
  /** Greedy single-turn accuracy (argmax = expert action). */
  acc: number;
  /** Mean probability of the expert action. */
  p_expert: number;
  grad_norm?: number;
}

/** Cross-entropy of one state and its gradient with respect to the candidate scores. */
export function sftLossGrad(scores: ArrayLike<number>, target: number): { loss: number; dscores: Float64Array; correct: boolean; pExpert: number } {
  const lp = logSoftmax(scores);
  const dscores = new Float64Array(lp.length);
  for (let k = 0; k < lp.length; k++) dscores[k] = Math.exp(lp[k]);
  dscores[target] -= 1;
  return { loss: -lp[target], dscores, correct: argmax(scores) === target, pExpert: Math.exp(lp[target]) };
}

/** Loss, accuracy and expert probability of a policy on a set of states (no gradient). */
export function evaluateStates(policy: LoadedPolicy, states: TrainState[]): { loss: number; acc: number; p_expert: number } {
  let loss = 0,
    acc = 0,
    p = 0;
  for (const s of states) {
    const r = sftLossGrad(policy.model.forward(s.x).scores, s.target);
    loss += r.loss;
    acc += r.correct ? 1 : 0;
    p += r.pExpert;
  }
  const n = Math.max(states.length, 1);
  return { loss: loss / n, acc: acc / n, p_expert: p / n };
}

export interface TrainOptions {
  /** Run directory for config, metrics, checkpoints and the final policy; none = in memory only. */
  out?: string;
  /** Start from this policy instead of the untrained (uniform) one. */
  init?: LoadedPolicy;
  /** Held-out states evaluated at every epoch end. */
  evalStates?: TrainState[];
  progress?: ProgressSink;
  /** Stop after this many steps in total (simulates an interruption; the run can be resumed). */
  stopAfterSteps?: number;
  /** Called with every metrics record (live displays). */
  onMetrics?: (m: Record<string, unknown>) => void;
  /**
   * Budget points in sampled actions (samples.ts), ascending: the policy is saved at each
   * (`<out>/budgets/<budget>.json`) and training stops at the last. The RL trainers only; SFT samples nothing.
   */
  budgets?: readonly number[];
  /** Called with a copy of the policy at every budget point. */
  onBudget?: (snapshot: BudgetSnapshot, policy: LoadedPolicy) => void;
}

export interface TrainResult {
  policy: LoadedPolicy;
  metrics: Record<string, unknown>[];
  steps: number;
  /** False when stopped early by `stopAfterSteps`. */
  finished: boolean;
}

export async function trainSft(states: TrainState[], config: Partial<SftConfig> = {}, opts: TrainOptions = {}): Promise<TrainResult> {
  const cfg: SftConfig = { ...SFT_DEFAULTS, ...config };
  if (states.length === 0) throw new Error("trainSft: no training states");
  const stepsPerEpoch = Math.ceil(states.length / cfg.batchSize);
  const totalSteps = stepsPerEpoch * cfg.epochs;

  const run = opts.out ? openRun(opts.out, { algo: "sft", ...cfg, init: opts.init?.meta ?? null, n_states: states.length }) : null;
  let policy: LoadedPolicy;
  let adam: Adam;
  let step = 0;
  if (run?.resume) {
    ({ policy, adam } = restoreCheckpoint(run.resume));
    step = run.resume.step;
  } else {
    const model = opts.init ? cloneModel(opts.init.model) : createModel(cfg.model);
    policy = { features: opts.init?.features ?? cfg.features, model, meta: { algo: "sft", seed: cfg.seed, parent: opts.init?.meta ?? null } };
    const adamCfg: AdamConfig = { ...DEFAULT_ADAM, lr: cfg.lr, weightDecay: cfg.weightDecay };
    adam = new Adam(model, adamCfg);
  }
  const { metrics, emit } = metricsLog(run, opts.onMetrics);
  const progress = new Progress("sft", totalSteps, opts.progress ?? silentProgress);
  progress.tick(step);
  const grad = new Grad(policy.model.tensors);
  const stopAt = Math.min(totalSteps, opts.stopAfterSteps ?? Infinity);

  while (step < stopAt) {
    const epoch = Math.floor(step / stepsPerEpoch);
    const inEpoch = step % stepsPerEpoch;
    // The epoch's shuffle depends only on (seed, epoch): a resumed run reproduces it.
    const perm = streamRng(cfg.seed, "sft-epoch", epoch).permutation(states.length);
    const batch = perm.slice(inEpoch * cfg.batchSize, (inEpoch + 1) * cfg.batchSize);
    let loss = 0,
      acc = 0,
      pe = 0;
    for (const i of batch) {
      const s = states[i];
      const fwd = policy.model.forward(s.x);
      const r = sftLossGrad(fwd.scores, s.target);
      loss += r.loss;
      acc += r.correct ? 1 : 0;
      pe += r.pExpert;
      policy.model.backward(s.x, fwd, r.dscores, grad);
    }
    grad.scale(1 / batch.length);
    const gnorm = adam.step(grad);
    grad.clear();
    step++;
    const m: SftMetrics = { algo: "sft", step, epoch, split: "train", loss: loss / batch.length, acc: acc / batch.length, p_expert: pe / batch.length, grad_norm: gnorm };
    emit(m as unknown as Record<string, unknown>);
    const epochEnd = step % stepsPerEpoch === 0;
    if (epochEnd && opts.evalStates?.length) {
      emit({ algo: "sft", step, epoch, split: "eval", ...evaluateStates(policy, opts.evalStates) });
    }
    if (run && (epochEnd || step % cfg.checkpointEvery === 0 || step === stopAt)) {
      saveCheckpoint(run.files, "sft", step, policy, adam);
    }
    progress.tick(1, `loss ${m.loss.toFixed(3)}`);
    if (step % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  const finished = step >= totalSteps;
  policy.meta = { ...policy.meta, steps: step, epochs: cfg.epochs };
  if (run && finished) savePolicy(run.files.policy, policy);
  progress.finish(finished ? "done" : "stopped");
  return { policy, metrics, steps: step, finished };
}
