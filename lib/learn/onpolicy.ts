/**
 * On-policy single-turn GRPO: the paper's single-turn reward at the states the *current* policy visits,
 * labelled by the optimal planner — what the paper cannot do with a Llama expert, and we can.
 *
 * The paper's single-turn GRPO (grpo.ts) trains only on expert states, and its Assumption 3.1 (GRPO
 * raises π(a^GT|s) at *every* state) fails off the expert path (the CPU study: at a third to a half of
 * the states the SFT policy visits). This variant puts those states into training. Per step:
 *
 *   1. roll out π_old (sampling at `temperature`) once from each of `layoutsPerStep` training layouts;
 *   2. label every distinct state the rollouts visited with lib/expert's `optimalActions` — the
 *      actions that keep the optimal remaining distance, the first of them the tie-broken expert action
 *      a^GT (a dead end, with no plan to the goal, or a search past `planBudget` expansions gets no label);
 *   3. at each labelled state, a single-turn GRPO group exactly as grpo.ts: G actions from π_old, reward
 *      0.1 + 0.9·1{a = a^GT} (`reward: "any-optimal"`: any optimal action), group-normalised advantages,
 *      the clipped surrogate + β·KL to π_ref, the mean over the step's states.
 *
 * Sampled actions (samples.ts): the rollouts' actions plus G per labelled state. A state visited more
 * than once in a step (by two rollouts, or a loop) is one group: the step learns at the states π
 * reaches, not in proportion to how often.
 *
 * Labelling is the expensive part (an optimal planner on states no expert visits: off the expert path
 * A* must prove most actions non-optimal, on the double cheese burger ~40–90 ms a state and seconds for
 * a few). So: each state is planned in isolation with at most `planBudget` expansions per search — the
 * label is then a pure function of the state, whatever was planned before — and kept in a store that
 * every run of the process shares (by layout and state key); the expert data's own optimal actions
 * pre-fill it along the training layouts' expert trajectories (`expertPaths`). A state over the budget
 * gets no group (counted in the metrics; its rollout actions still count as samples).
 *
 *   stgrpo train --algo onpolicy --task burger --seeds 10000-10089 --init <sft run> --env-steps 200000 --out …
 */
import { makeEnv, resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { optimalActions } from "../expert/experts";
import { BudgetExceeded } from "../expert/search";
import { streamRng } from "../util/rng";
import { GRPO_DEFAULTS, GrpoConfig, UpdateGroup, exactKl, sampleGroup, updateMinibatch } from "./grpo";
import { argmax, logSoftmax } from "./model";
import { EpisodeRun, EvaluatedState, MULTITURN_DEFAULTS, MultiTurnConfig, MultiTurnOptions, StartLayout, StartSchedule, StateCache, rollout } from "./multiturn";
import type { TrainResult } from "./sft";

export interface OnPolicyConfig extends MultiTurnConfig, Pick<GrpoConfig, "reward"> {
  /** A* expansions allowed per labelling search (a state past it is skipped, and counted). */
  planBudget: number;
}

/** Multi-turn GRPO's settings (the same G, β, lr, clip, KL), 16 rollouts per step, the paper's reward. */
export const ONPOLICY_DEFAULTS: OnPolicyConfig = { ...MULTITURN_DEFAULTS, layoutsPerStep: 16, reward: GRPO_DEFAULTS.reward, planBudget: 5_000 };

/** A state's label: the optimal actions (first = the expert's), or why there is none. */
export type StateLabel = { optimal: string[] } | "dead end" | "over budget";

/**
 * Labels of states by layout (`task@seed`) and state key. Each label is planned in isolation
 * (`optimalActions(env, {isolated: true})`, at most `planBudget` expansions per search), so it is a pure
 * function of the state: one store serves every run of a process (`sharedStateLabels`) and what was
 * planned before changes only the time, never a label — a resumed or re-ordered run trains the same.
 */
export class StateLabels {
  private readonly byLayout = new Map<string, Map<string, StateLabel>>();
  /** Labelling searches run (one per state not yet known). */
  searches = 0;
  constructor(readonly planBudget: number) {}

  private layout(id: string): Map<string, StateLabel> {
    let m = this.byLayout.get(id);
    if (!m) this.byLayout.set(id, (m = new Map()));
    return m;
  }

  /** The label of `env`'s state on layout `layoutId` (env is not changed). */
  get(layoutId: string, env: TextEnv): StateLabel {
    const m = this.layout(layoutId);
    const key = env.key();
    const known = m.get(key);
    if (known !== undefined) return known;
    this.searches++;
    let label: StateLabel;
    try {
      const optimal = optimalActions(env, { maxExpanded: this.planBudget, isolated: true });
      label = optimal.length ? { optimal } : "dead end";
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      label = "over budget";
    }
    m.set(key, label);
    return label;
  }

  /**
   * Labels known without planning: the states of an expert trajectory from `start`, whose optimal actions
   * the expert data recorded (lib/expert's planner, exact — the same sets `optimalActions` returns).
   */
  addExpertPath(layoutId: string, start: TextEnv, steps: readonly { action: string; optimal: readonly string[] }[]): void {
    const m = this.layout(layoutId);
    const env = start.clone();
    for (const st of steps) {
      if (!m.has(env.key())) m.set(env.key(), { optimal: [...st.optimal] });
      env.step(st.action);
    }
  }
}

const sharedLabels = new Map<number, StateLabels>();

/** The process's label store for a planning budget (labels are pure functions of the state: runs share them). */
export function sharedStateLabels(planBudget: number): StateLabels {
  let s = sharedLabels.get(planBudget);
  if (!s) sharedLabels.set(planBudget, (s = new StateLabels(planBudget)));
  return s;
}

/** A distinct state a rollout visited, with the policy's evaluation there and its planner label. */
export interface VisitedState {
  key: string;
  state: EvaluatedState;
  label: StateLabel;
  /** Was the rollout's own action there optimal (first visit)? null without a label. */
  tookOptimal: boolean | null;
}

/**
 * The distinct states of an episode that started in `start` on layout `layoutId` (replayed from its
 * actions), labelled, in visit order; `seen` (keys) spans the step, so a state is taken once per step.
 */
export function labelVisitedStates(
  layoutId: string,
  start: TextEnv,
  trace: readonly { key: string; action: number; state: EvaluatedState }[],
  labels: StateLabels,
  seen: Set<string>,
): VisitedState[] {
  const env = start.clone();
  const out: VisitedState[] = [];
  for (const t of trace) {
    if (!seen.has(t.key)) {
      seen.add(t.key);
      const label = labels.get(layoutId, env);
      const action = t.state.valid[t.action];
      out.push({ key: t.key, state: t.state, label, tookOptimal: typeof label === "string" ? null : label.optimal.includes(action) });
    }
    env.step(t.state.valid[t.action]);
  }
  return out;
}

/** Expert trajectories whose recorded optimal actions pre-fill the labels (the expert data of the training layouts). */
export interface ExpertPathLabels {
  layout: StartLayout;
  steps: { action: string; optimal: string[] }[];
}

export interface OnPolicyOptions extends MultiTurnOptions {
  expertPaths?: readonly ExpertPathLabels[];
}

/** On-policy single-turn GRPO from `opts.init` (the SFT policy, also π_ref) on start layouts (this file's comment). */
export async function trainOnPolicy(layouts: StartLayout[], config: Partial<OnPolicyConfig> = {}, opts: OnPolicyOptions = {}): Promise<TrainResult> {
  const cfg: OnPolicyConfig = { ...ONPOLICY_DEFAULTS, ...config };
  if (layouts.length === 0) throw new Error("train onpolicy: no start layouts");
  if (!opts.init) throw new Error("train onpolicy: an initial policy is required (the SFT policy, or untrainedPolicy())");
  const schedule = new StartSchedule(layouts, cfg.seed, "op-layouts", opts.makeEnv);
  const run = new EpisodeRun("onpolicy", layouts, cfg, opts);
  const { policy, reference, adam, samples, grad } = run;
  const labels = sharedStateLabels(cfg.planBudget);
  const layoutId = (l: StartLayout) => `${l.task}@${l.seed}`;
  for (const p of opts.expertPaths ?? []) labels.addExpertPath(layoutId(p.layout), (opts.makeEnv ?? makeEnv)(p.layout.task, p.layout.seed), p.steps);
  const G = cfg.groupSize;

  while (run.next()) {
    const step = run.step;
    const before = samples.total;
    const limit = run.limit;
    const rolloutRng = streamRng(cfg.seed, "op-rollout", step);
    const groupRng = streamRng(cfg.seed, "op-group", step);
    // 1–2: rollouts of π_old, their distinct states labelled. 3: a group at each labelled state.
    const groups: UpdateGroup[] = [];
    // A state is one group per step, however often the step's rollouts visit it (keys are per layout).
    const seen = new Map<string, Set<string>>();
    let eps = 0,
      succ = 0,
      visited = 0,
      tookOptimal = 0,
      deadEnds = 0,
      overBudget = 0,
      rewardSum = 0,
      acc = 0,
      pe = 0,
      zeroAdv = 0;
    for (let l = 0; l < cfg.layoutsPerStep && samples.total < limit; l++) {
      const { layout, start } = schedule.at(step * cfg.layoutsPerStep + l);
      const cache = new StateCache();
      const r = rollout(policy, start.clone(), cfg.timeout ?? resolveTask(layout.task).timeout, rolloutRng, cfg.temperature, true, cache);
      samples.addRollout(r.steps);
      eps++;
      if (r.success) succ++;
      const id = layoutId(layout);
      if (!seen.has(id)) seen.set(id, new Set());
      for (const v of labelVisitedStates(id, start, r.trace, labels, seen.get(id)!)) {
        visited++;
        if (v.label === "dead end") deadEnds++;
        else if (v.label === "over budget") overBudget++;
        if (typeof v.label === "string") continue;
        if (v.tookOptimal) tookOptimal++;
        const valid = v.state.valid;
        const optimal = v.label.optimal.map((a) => valid.indexOf(a));
        const target = optimal[0];
        const correct = cfg.reward === "any-optimal" ? (a: number) => optimal.includes(a) : (a: number) => a === target;
        const g = sampleGroup({ x: v.state.x, fwd: v.state.fwd, logpOld: v.state.logp }, correct, groupRng, cfg, samples);
        rewardSum += g.rewards.reduce((a, b) => a + b, 0);
        acc += argmax(v.state.logp) === target ? 1 : 0;
        pe += v.state.probs[target];
        if (g.advantages.every((a) => a === 0)) zeroAdv++;
        groups.push({ x: v.state.x, fwd: v.state.fwd, logpOld: v.state.logp, logpRef: logSoftmax(reference.model.forward(v.state.x).scores), actions: g.actions, advantages: g.advantages });
      }
    }

    // 3 (update): the clipped surrogate + β·KL, the mean over the step's labelled states (grpo.ts).
    let loss = 0,
      clip = 0,
      gnorm = 0;
    const mbs = cfg.miniBatchSize > 0 ? cfg.miniBatchSize : Math.max(groups.length, 1);
    for (let e = 0; e < cfg.ppoEpochs && groups.length; e++) {
      for (let mb = 0; mb < groups.length; mb += mbs) {
        const part = groups.slice(mb, mb + mbs);
        const u = updateMinibatch(policy, adam, grad, part, part.length, e === 0 && mb === 0, cfg);
        loss += u.loss;
        clip += u.clip;
        gnorm = u.gradNorm;
      }
    }
    let kl = 0;
    for (const g of groups) kl += exactKl(g.logpOld, g.logpRef);
    const n = Math.max(groups.length, 1);
    run.endStep({
      success: eps ? succ / eps : 0,
      episodes: eps,
      states: groups.length,
      /** Visited states where the rollout's own action was optimal (the on-policy accuracy). */
      took_optimal: groups.length ? tookOptimal / groups.length : 0,
      dead_ends: deadEnds,
      over_budget: overBudget,
      visited,
      reward: groups.length ? rewardSum / (groups.length * G) : 0,
      acc: acc / n,
      p_expert: pe / n,
      kl: kl / n,
      clip_frac: clip / (n * cfg.ppoEpochs),
      loss: loss / (n * cfg.ppoEpochs),
      zero_adv_frac: zeroAdv / n,
      grad_norm: gnorm,
    });
    run.progress.tick(samples.total - before, `success ${(eps ? succ / eps : 0).toFixed(2)} states ${groups.length}`);
    await new Promise((r) => setImmediate(r));
  }
  return run.finish();
}
