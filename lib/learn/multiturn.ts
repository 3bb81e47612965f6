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
 * The budget is counted in sampled actions (samples.ts: here one per environment step), so it can be
 * set equal to single-turn GRPO's (epochs × states × G): the comparison the paper argues from.
 * GiGPO (gigpo.ts) is this trainer with other advantages (`trainOnEpisodeGroups`).
 * A group whose G episodes all succeed or all fail has zero advantage and teaches nothing — the
 * sparse-reward problem, reported as `zero_adv_frac`.
 *
 *   stgrpo train --algo multiturn --task burger --seeds 1000-1099 --init <sft run> --env-steps 200000 --out …
 */
import { makeEnv as makeTaskEnv, resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { Progress, silentProgress } from "../util/progress";
import { LoadedPolicy, metricsLog, openRun, RunFiles, saveCheckpoint, savePolicy, startKlRun, TrainCheckpoint } from "./checkpoint";
import { FeaturizedState, sharedFeatureCache } from "./features";
import { GRPO_DEFAULTS, GrpoConfig, UpdateGroup, exactKl, groupAdvantages, updateMinibatch } from "./grpo";
import { Adam, Forward, Grad, argmax, logSoftmax, softmax } from "./model";
import { Rng, streamRng } from "../util/rng";
import { BudgetPoints, SampledActions, TrainClock } from "./samples";
import { TrainOptions, TrainResult } from "./sft";

/**
 * The settings of every method that plays episodes (multi-turn GRPO, GiGPO, on-policy single-turn GRPO);
 * the GRPO ones mean what they mean in grpo.ts.
 */
export interface MultiTurnConfig extends Pick<GrpoConfig, "ppoEpochs" | "beta" | "kl" | "clipEps" | "advEps" | "advStd" | "temperature" | "lr" | "seed" | "checkpointEvery"> {
  /** Sampled actions (samples.ts) to spend in total; here environment steps. */
  envSteps: number;
  /** Episodes per start layout (on-policy: samples per labelled state). */
  groupSize: number;
  /** Start layouts per step. */
  layoutsPerStep: number;
  /** Steps (on-policy: states) per gradient update within a step (0 = all of the step's samples in one update). */
  miniBatchSize: number;
  /** Step limit of a training episode; null = the task's protocol timeout (resolveTask). */
  timeout: number | null;
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
  /** `env.key()` of the state (GiGPO's anchor states; on-policy labels). */
  key: string;
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
    if (keepTrace) trace.push({ x: s.x, key: s.key ?? env.key(), action: a, logpOld: s.logp, state: s });
    actions.push(s.valid[a]);
    done = env.step(s.valid[a]).done;
  }
  return { success: done && env.isSuccess(), steps: actions.length, actions, trace };
}

export interface EvaluatedState {
  /** The state's key, when it came from a StateCache. */
  key?: string;
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
      s = { ...evalState(policy, env), key };
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

/**
 * The start layouts of a run, in the order the steps visit them: slot i uses a seeded permutation of the
 * layouts number ⌊i/n⌋ at position i mod n (a pure function of the slot: resume-safe). The procedural
 * generator is costly next to a rollout, so each layout is built once; play a clone of `start`.
 */
export class StartSchedule {
  private readonly perms = new Map<number, number[]>();
  private readonly starts = new Map<string, TextEnv>();
  private readonly build: (task: string, seed: number | null) => TextEnv;
  constructor(
    private readonly layouts: readonly StartLayout[],
    private readonly seed: number,
    private readonly tag: string,
    build?: (task: string, seed: number | null) => TextEnv,
  ) {
    this.build = build ?? ((task, s) => makeTaskEnv(task, s));
  }
  at(slot: number): { layout: StartLayout; start: TextEnv } {
    const n = this.layouts.length;
    const e = Math.floor(slot / n);
    let perm = this.perms.get(e);
    if (!perm) this.perms.set(e, (perm = streamRng(this.seed, this.tag, e).permutation(n)));
    const layout = this.layouts[perm[slot % n]];
    const key = `${layout.task}@${layout.seed}`;
    let start = this.starts.get(key);
    if (!start) this.starts.set(key, (start = this.build(layout.task, layout.seed)));
    return { layout, start };
  }
}

/** One episode of a group as the advantage estimators see it: its outcome and the states it passed. */
export interface GroupEpisode {
  success: boolean;
  /** `env.key()` of the state before each action (equal keys within a group = the same state). */
  keys: readonly string[];
}

/** Per-step advantages of a group of episodes from one start, and what the trainer logs about them. */
export interface GroupAdvantages {
  /** `perStep[j][t]`: the advantage of episode j's action t. */
  perStep: number[][];
  /** Extra per-group numbers, averaged over the step's groups in the metrics (GiGPO's anchor statistics). */
  stats?: Record<string, number>;
}

/** Trajectory-level GRPO's advantages: the episode's group-normalised success, at every one of its steps. */
export function episodeAdvantages(group: readonly GroupEpisode[], cfg: Pick<MultiTurnConfig, "advEps" | "advStd">): GroupAdvantages {
  const adv = groupAdvantages(
    group.map((e) => (e.success ? 1 : 0)),
    cfg.advEps,
    cfg.advStd,
  );
  return { perStep: group.map((e, j) => e.keys.map(() => adv[j])) };
}

/**
 * The trainer shared by the methods that learn from groups of whole episodes (multi-turn GRPO, GiGPO):
 * per step, G episodes from each of `layoutsPerStep` start layouts with π_old, per-step advantages from
 * `advantages`, then the clipped surrogate + β·KL, token-mean over the step's actions. They differ in
 * the advantages only (and what their config adds, recorded in the run's config.json).
 */
export async function trainOnEpisodeGroups(
  algo: string,
  layouts: StartLayout[],
  cfg: MultiTurnConfig,
  opts: MultiTurnOptions,
  advantages: (group: readonly GroupEpisode[]) => GroupAdvantages,
): Promise<TrainResult> {
  const run = new EpisodeRun(algo, layouts, cfg, opts);
  const { policy, reference, adam, samples, grad } = run;
  const schedule = new StartSchedule(layouts, cfg.seed, "mt-layouts", opts.makeEnv);
  const timeoutOf = (task: string) => cfg.timeout ?? resolveTask(task).timeout;
  const G = cfg.groupSize;

  while (run.next()) {
    const step = run.step;
    const rng = streamRng(cfg.seed, "mt-rollout", step);
    // A step collects groups until the run's budget, or the next budget point, is reached.
    const limit = run.limit;
    // 1–3: groups of whole episodes, their per-step advantages.
    type Sample = { state: EvaluatedState; action: number; adv: number };
    const batch: Sample[] = [];
    let succ = 0,
      eps = 0,
      len = 0,
      succLen = 0,
      zeroAdv = 0,
      groups = 0;
    const stats: Record<string, number> = {};
    for (let l = 0; l < cfg.layoutsPerStep && samples.total < limit; l++) {
      const { layout, start } = schedule.at(step * cfg.layoutsPerStep + l);
      const timeout = timeoutOf(layout.task);
      const group: Rollout[] = [];
      // π_old is fixed during the rollout phase; keys are only comparable within one layout.
      const cache = new StateCache();
      for (let j = 0; j < G; j++) {
        const r = rollout(policy, start.clone(), timeout, rng, cfg.temperature, true, cache);
        samples.addRollout(r.steps);
        group.push(r);
      }
      const adv = advantages(group.map((r) => ({ success: r.success, keys: r.trace.map((t) => t.key) })));
      groups++;
      if (adv.perStep.every((a) => a.every((x) => x === 0))) zeroAdv++;
      for (const [k, v] of Object.entries(adv.stats ?? {})) stats[k] = (stats[k] ?? 0) + v;
      group.forEach((r, j) => {
        eps++;
        len += r.steps;
        if (r.success) {
          succ++;
          succLen += r.steps;
        }
        r.trace.forEach((t, i) => batch.push({ state: t.state, action: t.action, adv: adv.perStep[j][i] }));
      });
    }

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
        const byState = new Map<EvaluatedState, UpdateGroup & { actions: number[]; advantages: number[] }>();
        for (const s of part) {
          if (s.adv === 0 && cfg.beta === 0) continue;
          let g = byState.get(s.state);
          if (!g) byState.set(s.state, (g = { x: s.state.x, fwd: s.state.fwd, logpOld: s.state.logp, logpRef: refLogp(s.state), actions: [], advantages: [], weight: 0 }));
          g.actions.push(s.action);
          g.advantages.push(s.adv);
          g.weight!++;
        }
        // Before the first update θ = θ_old: the rollout's forward pass is this one.
        const u = updateMinibatch(policy, adam, grad, byState.values(), Math.max(part.length, 1), e === 0 && mb === 0, cfg);
        loss += u.loss;
        clip += u.clip;
        gnorm = u.gradNorm;
      }
    }
    // KL(π_old ‖ π_ref) over the batch's steps: the policy that collected this step's samples.
    for (const s of batch) kl += exactKl(s.state.logp, refLogp(s.state));
    const n = Math.max(batch.length, 1);
    const mean = (v: number) => (groups ? v / groups : 0);
    run.endStep({
      success: eps ? succ / eps : 0,
      reward: eps ? succ / eps : 0,
      episodes: eps,
      mean_steps: eps ? len / eps : 0,
      mean_success_steps: succ ? succLen / succ : null,
      kl: kl / n,
      clip_frac: clip / (n * cfg.ppoEpochs),
      loss: loss / (n * cfg.ppoEpochs),
      zero_adv_frac: mean(zeroAdv),
      ...Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, mean(v)])),
      grad_norm: gnorm,
    });
    run.progress.tick(len, `success ${(eps ? succ / eps : 0).toFixed(2)}`); // progress counts environment samples
    await new Promise((res) => setImmediate(res));
  }
  return run.finish();
}

/**
 * The life of a KL-regularised run that plays episodes and spends a budget of sampled actions (multi-turn
 * GRPO, GiGPO, on-policy single-turn GRPO): its directory and checkpoint, the counters, the budget
 * points, the metrics, and the end of every step (metrics record, budget-point policies, checkpoint).
 */
export class EpisodeRun {
  readonly run: { files: RunFiles; resume: TrainCheckpoint | null } | null;
  readonly policy: LoadedPolicy;
  readonly reference: LoadedPolicy;
  readonly adam: Adam;
  readonly grad: Grad;
  readonly samples: SampledActions;
  readonly budgets: BudgetPoints;
  readonly progress: Progress;
  readonly metrics: Record<string, unknown>[];
  readonly emit: (m: Record<string, unknown>) => void;
  /** Optimisation steps completed. */
  step: number;
  private readonly clock: TrainClock;
  private stoppedEarly = false;

  constructor(
    readonly algo: string,
    layouts: StartLayout[],
    private readonly cfg: { envSteps: number; seed: number; beta: number; lr: number; checkpointEvery: number },
    private readonly opts: MultiTurnOptions,
  ) {
    if (layouts.length === 0) throw new Error(`train ${algo}: no start layouts`);
    if (!opts.init) throw new Error(`train ${algo}: an initial policy is required (the SFT policy, or untrainedPolicy())`);
    this.run = opts.out ? openRun(opts.out, { algo, ...cfg, init: opts.init.meta ?? null, layouts, ...(opts.budgets ? { budgets: opts.budgets } : {}) }) : null;
    const k = startKlRun(this.run?.resume ?? null, opts.init, { algo, seed: cfg.seed, beta: cfg.beta }, cfg.lr);
    ({ policy: this.policy, reference: this.reference, adam: this.adam, step: this.step } = k);
    this.samples = SampledActions.fromState(this.run?.resume?.state, "rollout");
    this.clock = new TrainClock(this.run?.resume?.state);
    this.budgets = new BudgetPoints(opts.budgets, this.run?.files ?? null, this.samples.total, opts.onBudget);
    if (this.budgets.last !== null && this.budgets.last > cfg.envSteps) throw new Error(`train ${algo}: budget point ${this.budgets.last} is past envSteps ${cfg.envSteps}`);
    ({ metrics: this.metrics, emit: this.emit } = metricsLog(this.run, opts.onMetrics));
    this.progress = new Progress(algo, cfg.envSteps, opts.progress ?? silentProgress);
    this.progress.tick(this.samples.total);
    this.grad = new Grad(this.policy.model.tensors);
  }

  /** Is there another step to take (budget left, not interrupted)? */
  next(): boolean {
    if (this.samples.total >= this.cfg.envSteps || this.budgets.done) return false;
    if (this.opts.stopAfterSteps !== undefined && this.step >= this.opts.stopAfterSteps) {
      this.stoppedEarly = true;
      return false;
    }
    return true;
  }

  /** The sampled-action count this step must not collect past: the run's budget, or the next budget point. */
  get limit(): number {
    return Math.min(this.cfg.envSteps, this.budgets.limit);
  }

  /** After the update: the step's metrics record, the policy at any budget point reached, a checkpoint when due. */
  endStep(metrics: Record<string, unknown>): void {
    this.step++;
    const { algo, step, samples } = this;
    this.emit({ algo, step, split: "train", ...metrics, ...samples.metrics() });
    const atBudget = this.budgets.reached(samples, step, this.policy, this.clock, this.emit, algo);
    if (this.run && (atBudget || step % this.cfg.checkpointEvery === 0 || samples.total >= this.cfg.envSteps || step === this.opts.stopAfterSteps)) {
      saveCheckpoint(this.run.files, algo, step, this.policy, this.adam, { ...samples.metrics(), ...this.clock.state() }, this.reference);
    }
  }

  /** The run's result; the final policy saved when it finished. */
  finish(): TrainResult {
    const finished = !this.stoppedEarly && (this.samples.total >= this.cfg.envSteps || this.budgets.done);
    this.policy.meta = { ...this.policy.meta, steps: this.step, samples: this.samples.total };
    if (this.run && finished) savePolicy(this.run.files.policy, this.policy);
    this.progress.finish(finished ? "done" : "stopped");
    return { policy: this.policy, metrics: this.metrics, steps: this.step, finished };
  }
}

/** Trajectory-level multi-turn GRPO with the sparse success reward (this file's comment). */
export async function trainMultiTurn(layouts: StartLayout[], config: Partial<MultiTurnConfig> = {}, opts: MultiTurnOptions = {}): Promise<TrainResult> {
  const cfg: MultiTurnConfig = { ...MULTITURN_DEFAULTS, ...config };
  return trainOnEpisodeGroups("multiturn", layouts, cfg, opts, (group) => episodeAdvantages(group, cfg));
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
