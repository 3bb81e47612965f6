/**
 * The multi-turn baseline: trajectory-level GRPO on whole episodes with the sparse success reward —
 * the expensive, sparse-reward RL that the paper's single-turn recipe replaces.
 *
 * Per step, for a batch of start layouts:
 *   1. roll out G whole episodes per layout in the environment with π_old (sampling at `temperature`),
 *      each until the goal holds or the task's timeout;
 *   2. reward R = 1 if the episode reached the goal, else 0;
 *   3. advantage A = (R − mean) / (std + δ) within the layout's group; every step of an episode gets
 *      its episode's advantage (outcome supervision, as GRPO does for the tokens of one completion);
 *   4. the same clipped surrogate + β·KL(π_θ‖π_ref) as single-turn GRPO (`grpoLoss`), averaged over all
 *      steps of the batch (verl's token-mean).
 *
 * The budget is counted in environment samples (steps taken), so it can be set equal to single-turn
 * GRPO's number of sampled actions (epochs × states × G): the comparison the paper argues from.
 * A group whose G episodes all succeed or all fail has zero advantage and teaches nothing — the
 * sparse-reward problem, reported as `zero_adv_frac`.
 *
 *   stgrpo train --algo multiturn --task burger --seeds 1000-1099 --init <sft run> --env-steps 200000 --out …
 */
import { makeEnv as makeTaskEnv, resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { Progress, silentProgress } from "../util/progress";
import { LoadedPolicy, metricsLog, openRun, saveCheckpoint, savePolicy, startKlRun } from "./checkpoint";
import { FeaturizedState, sharedFeatureCache } from "./features";
import { GRPO_DEFAULTS, exactKl, groupAdvantages, grpoLoss } from "./grpo";
import { Forward, Grad, argmax, logSoftmax, softmax } from "./model";
import { Rng, streamRng } from "../util/rng";
import { TrainOptions, TrainResult } from "./sft";

export interface MultiTurnConfig {
  /** Environment samples (steps) to spend in total. */
  envSteps: number;
  /** Episodes per start layout. */
  groupSize: number;
  /** Start layouts per step. */
  layoutsPerStep: number;
  /** Steps per gradient update within a step (0 = all of the step's samples in one update). */
  miniBatchSize: number;
  ppoEpochs: number;
  beta: number;
  kl: "exact" | "k3";
  clipEps: number;
  advEps: number;
  advStd: "unbiased" | "population";
  temperature: number;
  /** Step limit of a training episode; null = the task's protocol timeout (resolveTask). */
  timeout: number | null;
  lr: number;
  seed: number;
  checkpointEvery: number;
}

export const MULTITURN_DEFAULTS: MultiTurnConfig = {
  envSteps: 100_000,
  groupSize: GRPO_DEFAULTS.groupSize,
  layoutsPerStep: 32,
  miniBatchSize: 0,
  ppoEpochs: 1,
  beta: GRPO_DEFAULTS.beta,
  kl: GRPO_DEFAULTS.kl,
  clipEps: GRPO_DEFAULTS.clipEps,
  advEps: GRPO_DEFAULTS.advEps,
  advStd: GRPO_DEFAULTS.advStd,
  temperature: 1,
  timeout: null,
  lr: GRPO_DEFAULTS.lr,
  seed: 0,
  checkpointEvery: 10,
};

/** A start layout: a task and a procedural seed (null = the default layout). */
export interface StartLayout {
  task: string;
  seed: number | null;
}

export interface RolloutStep {
  x: FeaturizedState;
  action: number;
  logpOld: Float64Array;
  /** The state as the rollout evaluated it (shared by every visit of the state within a group). */
  state: EvaluatedState;
}

export interface Rollout {
  success: boolean;
  /** Steps taken (≤ timeout). */
  steps: number;
  actions: string[];
  trace: RolloutStep[];
}

/**
 * Run one episode of a learned policy in an environment (advanced in place). `rng` null =
 * greedy; otherwise sample at `temperature`. This is the planner-free loop the trainer and the quick
 * checks use; lib/eval runs the full protocol through the Policy interface.
 */
export function rollout(
  policy: LoadedPolicy,
  env: TextEnv,
  timeout: number,
  rng: Rng | null,
  temperature = 1,
  keepTrace = false,
  cache?: StateCache,
): Rollout {
  const actions: string[] = [];
  const trace: RolloutStep[] = [];
  let done = env.isDone();
  while (!done && actions.length < timeout) {
    const s = cache ? cache.get(policy, env) : evalState(policy, env);
    const a = rng ? rng.categorical(temperature === 1 ? s.probs : softmax(s.logp, temperature)) : argmax(s.logp);
    if (keepTrace) trace.push({ x: s.x, action: a, logpOld: s.logp, state: s });
    actions.push(s.valid[a]);
    done = env.step(s.valid[a]).done;
  }
  return { success: done && env.isSuccess(), steps: actions.length, actions, trace };
}

export interface EvaluatedState {
  valid: string[];
  x: FeaturizedState;
  /** The forward pass under the rollout's weights (reused by the first update, where θ = θ_old). */
  fwd: Forward;
  logp: Float64Array;
  probs: Float64Array;
}

function evalState(policy: LoadedPolicy, env: TextEnv): EvaluatedState {
  const valid = env.validActions();
  const x = sharedFeatureCache.get(env.observation(), valid, policy.features);
  const fwd = policy.model.forward(x);
  const logp = logSoftmax(fwd.scores);
  return { valid, x, fwd, logp, probs: logp.map(Math.exp) };
}

/**
 * Per-state memo of (valid actions, features, log π) keyed by the environment's state key, valid
 * for one layout (keys of different layouts may coincide) while the policy's weights do not change. The G episodes of a group share many
 * states, and the observation text is a pure function of the state, so this skips re-rendering and
 * re-featurising them.
 */
export class StateCache {
  private readonly map = new Map<string, EvaluatedState>();
  constructor(private readonly limit = 200_000) {}
  get(policy: LoadedPolicy, env: TextEnv): EvaluatedState {
    const key = env.key();
    let s = this.map.get(key);
    if (!s) {
      if (this.map.size >= this.limit) this.map.clear();
      s = evalState(policy, env);
      this.map.set(key, s);
    }
    return s;
  }
  clear(): void {
    this.map.clear();
  }
}

export interface MultiTurnOptions extends TrainOptions {
  /** Build a start state (default: lib/env's makeEnv). */
  makeEnv?: (task: string, seed: number | null) => TextEnv;
}

export async function trainMultiTurn(layouts: StartLayout[], config: Partial<MultiTurnConfig> = {}, opts: MultiTurnOptions = {}): Promise<TrainResult> {
  const cfg: MultiTurnConfig = { ...MULTITURN_DEFAULTS, ...config };
  if (layouts.length === 0) throw new Error("trainMultiTurn: no start layouts");
  if (!opts.init) throw new Error("trainMultiTurn: an initial policy is required (the SFT policy, or untrainedPolicy())");
  const build = opts.makeEnv ?? ((task: string, seed: number | null) => makeTaskEnv(task, seed));
  // The procedural generator is costly next to a rollout: build each start layout once, clone it after.
  const starts = new Map<string, TextEnv>();
  const makeEnv = (task: string, seed: number | null): TextEnv => {
    const key = `${task}@${seed}`;
    let k = starts.get(key);
    if (!k) starts.set(key, (k = build(task, seed)));
    return k.clone();
  };
  const timeoutOf = (task: string) => cfg.timeout ?? resolveTask(task).timeout;
  const run = opts.out ? openRun(opts.out, { algo: "multiturn", ...cfg, init: opts.init.meta ?? null, layouts }) : null;

  let { policy, reference, adam, step, samples } = startKlRun(run?.resume ?? null, opts.init, { algo: "multiturn", seed: cfg.seed, beta: cfg.beta }, cfg.lr);
  const { metrics, emit } = metricsLog(run, opts.onMetrics);

  // Layout order: slot i of the run uses permutation ⌊i/n⌋ at position i mod n (resume-safe).
  const perms = new Map<number, number[]>();
  const layoutAt = (slot: number): StartLayout => {
    const e = Math.floor(slot / layouts.length);
    if (!perms.has(e)) perms.set(e, streamRng(cfg.seed, "mt-layouts", e).permutation(layouts.length));
    return layouts[perms.get(e)![slot % layouts.length]];
  };
  const progress = new Progress("multiturn", cfg.envSteps, opts.progress ?? silentProgress);
  progress.tick(samples);
  const grad = new Grad(policy.model.tensors);
  const G = cfg.groupSize;
  let stoppedEarly = false;

  while (samples < cfg.envSteps) {
    if (opts.stopAfterSteps !== undefined && step >= opts.stopAfterSteps) {
      stoppedEarly = true;
      break;
    }
    const rng = streamRng(cfg.seed, "mt-rollout", step);
    // 1–3: groups of whole episodes, success reward, advantages.
    type Sample = { state: EvaluatedState; action: number; adv: number };
    const batch: Sample[] = [];
    let succ = 0,
      eps = 0,
      len = 0,
      succLen = 0,
      zeroAdv = 0;
    for (let l = 0; l < cfg.layoutsPerStep && samples < cfg.envSteps; l++) {
      const layout = layoutAt(step * cfg.layoutsPerStep + l);
      const start = makeEnv(layout.task, layout.seed);
      const timeout = timeoutOf(layout.task);
      const group: Rollout[] = [];
      // π_old is fixed during the rollout phase; keys are only comparable within one layout.
      const cache = new StateCache();
      for (let j = 0; j < G; j++) group.push(rollout(policy, start.clone(), timeout, rng, cfg.temperature, true, cache));
      const rewards = group.map((r) => (r.success ? 1 : 0));
      const adv = groupAdvantages(rewards, cfg.advEps, cfg.advStd);
      if (adv.every((a) => a === 0)) zeroAdv++;
      group.forEach((r, j) => {
        samples += r.steps;
        eps++;
        len += r.steps;
        if (r.success) {
          succ++;
          succLen += r.steps;
        }
        for (const t of r.trace) batch.push({ state: t.state, action: t.action, adv: adv[j] });
      });
    }
    const groupsThisStep = Math.ceil(eps / G);

    // 4: clipped surrogate + KL, token-mean over the batch's steps. The G episodes of a layout visit
    // many states more than once; the samples of one state are summed into one grpoLoss call (the
    // loss of n samples is n × their mean), so each distinct state costs one forward and one backward.
    let loss = 0,
      clip = 0,
      gnorm = 0,
      kl = 0;
    const mbs = cfg.miniBatchSize > 0 ? cfg.miniBatchSize : Math.max(batch.length, 1);
    const refCache = new Map<EvaluatedState, Float64Array>();
    const refLogp = (s: EvaluatedState) => {
      let r = refCache.get(s);
      if (!r) refCache.set(s, (r = logSoftmax(reference.model.forward(s.x).scores)));
      return r;
    };
    for (let e = 0; e < cfg.ppoEpochs; e++) {
      for (let mb = 0; mb < batch.length; mb += mbs) {
        const part = batch.slice(mb, mb + mbs);
        const byState = new Map<EvaluatedState, { actions: number[]; advantages: number[] }>();
        for (const s of part) {
          if (s.adv === 0 && cfg.beta === 0) continue;
          let g = byState.get(s.state);
          if (!g) byState.set(s.state, (g = { actions: [], advantages: [] }));
          g.actions.push(s.action);
          g.advantages.push(s.adv);
        }
        for (const [st, g] of byState) {
          // Before the first update θ = θ_old: the rollout's forward pass is this one.
          const fwd = e === 0 && mb === 0 ? st.fwd : policy.model.forward(st.x);
          const out = grpoLoss({
            logp: e === 0 && mb === 0 ? st.logp : logSoftmax(fwd.scores),
            logpOld: st.logp,
            logpRef: refLogp(st),
            actions: g.actions,
            advantages: g.advantages,
            clipEps: cfg.clipEps,
            beta: cfg.beta,
            kl: cfg.kl,
          });
          const n = g.actions.length;
          loss += out.loss * n;
          clip += out.clipFrac * n;
          for (let k = 0; k < out.dscores.length; k++) out.dscores[k] *= n;
          policy.model.backward(st.x, fwd, out.dscores, grad);
        }
        grad.scale(1 / Math.max(part.length, 1));
        gnorm = adam.step(grad);
        grad.clear();
      }
    }
    // KL(π_old ‖ π_ref) over the batch's steps: the policy that collected this step's samples.
    for (const s of batch) kl += exactKl(s.state.logp, refLogp(s.state));
    step++;
    const n = Math.max(batch.length, 1);
    emit({
      algo: "multiturn",
      step,
      split: "train",
      success: eps ? succ / eps : 0,
      reward: eps ? succ / eps : 0,
      episodes: eps,
      mean_steps: eps ? len / eps : 0,
      mean_success_steps: succ ? succLen / succ : null,
      kl: kl / n,
      clip_frac: clip / (n * cfg.ppoEpochs),
      loss: loss / (n * cfg.ppoEpochs),
      zero_adv_frac: groupsThisStep ? zeroAdv / groupsThisStep : 0,
      grad_norm: gnorm,
      samples,
    });
    if (run && (step % cfg.checkpointEvery === 0 || samples >= cfg.envSteps || step === opts.stopAfterSteps)) {
      saveCheckpoint(run.files, "multiturn", step, policy, adam, { samples }, reference);
    }
    progress.tick(len, `success ${(eps ? succ / eps : 0).toFixed(2)}`); // progress counts environment samples
    await new Promise((r) => setImmediate(r));
  }
  const finished = !stoppedEarly && samples >= cfg.envSteps;
  policy.meta = { ...policy.meta, steps: step, samples };
  if (run && finished) savePolicy(run.files.policy, policy);
  progress.finish(finished ? "done" : "stopped");
  return { policy, metrics, steps: step, finished };
}

export interface RolloutSummary {
  episodes: number;
  /** Fraction of episodes that reached the goal within the timeout. */
  sr: number;
  /** Mean steps over all episodes, a failure counting as the timeout (the paper's ASAT). */
  asat: number;
  /** Mean steps over successful episodes (ASST), null when none succeeded. */
  asst: number | null;
}

/**
 * A quick planner-free success check of a learned policy on start layouts (greedy when `temperature`
 * is 0, else sampled with a stream per layout). The full protocol, with episode files, is lib/eval's
 * `evaluate` with a `LearnedPolicy`; this is for training-time curves and tests.
 */
export function rolloutSuccess(
  policy: LoadedPolicy,
  layouts: StartLayout[],
  opts: { temperature?: number; seed?: number; timeout?: number | null; makeEnv?: (task: string, seed: number | null) => TextEnv } = {},
): RolloutSummary {
  const makeEnv = opts.makeEnv ?? ((task: string, seed: number | null) => makeTaskEnv(task, seed));
  let succ = 0,
    steps = 0,
    succSteps = 0;
  layouts.forEach((l, i) => {
    const timeout = opts.timeout ?? resolveTask(l.task).timeout;
    const rng = opts.temperature ? streamRng(opts.seed ?? 0, `eval|${l.task}|${l.seed}`, i) : null;
    const r = rollout(policy, makeEnv(l.task, l.seed), timeout, rng, opts.temperature || 1);
    if (r.success) {
      succ++;
      succSteps += r.steps;
      steps += r.steps;
    } else steps += timeout;
  });
  const n = Math.max(layouts.length, 1);
  return { episodes: layouts.length, sr: succ / n, asat: steps / n, asst: succ ? succSteps / succ : null };
}
