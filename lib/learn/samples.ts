/**
 * Sampled actions: the one measure of a training run's cost at which the learners are compared
 * (issue 17's "equal samples"), and the budget points at which a run saves its policy.
 *
 * A **sampled action** is an action drawn from the policy being trained, during training, whatever it
 * is drawn for:
 *
 * - single-turn GRPO (grpo.ts): the G actions of the group at each expert state — G per state;
 * - multi-turn GRPO (multiturn.ts) and GiGPO (gigpo.ts): every action of every rollout — one per
 *   environment step;
 * - on-policy single-turn GRPO (onpolicy.ts): the actions of the rollouts that find the states, plus the
 *   G of each labelled state's group.
 *
 * Nothing else counts: SFT draws no action, evaluation and greedy decoding teach nothing, and the
 * planner's labels are not drawn from the policy (their cost is wall time, reported beside). Every draw
 * goes through `SampledActions`, so the count is exact (test/learn-budget.test.ts counts the draws).
 *
 * **Budget points.** A run given `budgets` (sampled actions, ascending) saves its policy at the end of
 * the first optimisation step whose total reaches each point — `<run>/budgets/<budget>.json`, with the
 * exact count and the training wall time in its meta — and stops at the last one. The trainers that
 * collect a step's samples layout by layout stop collecting at the next budget point, so they overrun
 * it by less than one group of episodes; single-turn GRPO overruns by less than one batch.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/files";
import { UserError } from "../util/errors";
import { LoadedPolicy, policyToJson, RunFiles } from "./checkpoint";
import { cloneModel } from "./model";

/** The sampled actions of a run so far, by what they were drawn for. */
export class SampledActions {
  /** Actions drawn while playing episodes (one per environment step). */
  rollout = 0;
  /** Actions drawn as a group of G at one state (single-turn GRPO's samples). */
  group = 0;

  get total(): number {
    return this.rollout + this.group;
  }
  /** One action drawn by the policy in an episode. */
  addRollout(n = 1): void {
    this.rollout += n;
  }
  /** A group of `n` actions drawn at one state. */
  addGroup(n: number): void {
    this.group += n;
  }
  /** The fields every trainer's metrics records carry. */
  metrics(): { samples: number; rollout_samples: number; group_samples: number } {
    return { samples: this.total, rollout_samples: this.rollout, group_samples: this.group };
  }
  /**
   * From a checkpoint's state. Checkpoints written before the split kept only `samples`: `legacy` says
   * which kind they were (single-turn GRPO's are all group samples, multi-turn GRPO's all rollout).
   */
  static fromState(state: Record<string, number> | undefined, legacy: "rollout" | "group"): SampledActions {
    const s = new SampledActions();
    if (!state) return s;
    if (typeof state.rollout_samples === "number" || typeof state.group_samples === "number") {
      s.rollout = state.rollout_samples ?? 0;
      s.group = state.group_samples ?? 0;
    } else if (legacy === "rollout") s.rollout = state.samples ?? 0;
    else s.group = state.samples ?? 0;
    return s;
  }
}

/**
 * A run's training time so far — wall and this process's CPU milliseconds, carried across resumed
 * sessions in the checkpoint's state. On a machine others share, the CPU time is the steadier measure.
 */
export class TrainClock {
  private readonly wall0: number;
  private readonly cpu0: NodeJS.CpuUsage;
  private readonly cpuBefore: number;
  constructor(resumed: Record<string, number> | undefined) {
    this.wall0 = Date.now() - (resumed?.train_ms ?? 0);
    this.cpu0 = process.cpuUsage();
    this.cpuBefore = resumed?.train_cpu_ms ?? 0;
  }
  wallMs(): number {
    return Date.now() - this.wall0;
  }
  cpuMs(): number {
    const u = process.cpuUsage(this.cpu0);
    return this.cpuBefore + (u.user + u.system) / 1000;
  }
  /** What a checkpoint keeps. */
  state(): { train_ms: number; train_cpu_ms: number } {
    return { train_ms: this.wallMs(), train_cpu_ms: Math.round(this.cpuMs()) };
  }
}

/** Budget points as given: positive integers, strictly ascending (a one-line error otherwise). */
export function checkBudgets(budgets: readonly number[]): number[] {
  if (budgets.length === 0) throw new UserError("budgets: at least one budget point (sampled actions) is needed");
  budgets.forEach((b, i) => {
    if (!Number.isInteger(b) || b <= 0) throw new UserError(`budgets: ${b} is not a positive whole number of sampled actions`);
    if (i > 0 && b <= budgets[i - 1]) throw new UserError(`budgets: ${budgets.join(",")} must be strictly ascending`);
  });
  return [...budgets];
}

/** Where a run saves its policy at a budget point. */
export function budgetPolicyFile(runDir: string, budget: number): string {
  return path.join(runDir, "budgets", `${budget}.json`);
}

/** What a budget point's policy records in its meta (and the run's metrics, `split: "budget"`). */
export interface BudgetSnapshot {
  budget: number;
  /** The sampled actions actually drawn when the policy was saved (≥ budget), and their split. */
  samples: number;
  rollout_samples: number;
  group_samples: number;
  /** Optimisation steps taken. */
  step: number;
  /** Training wall time so far (seconds, summed over resumed sessions). */
  seconds: number;
  /** The training process's CPU time so far (seconds, summed over resumed sessions). */
  cpu_seconds: number;
}

/**
 * A run's budget points: which comes next, and saving the policy when a step reaches one. Without
 * budgets every method answers as if there were none (limit ∞, nothing saved).
 */
export class BudgetPoints {
  readonly points: number[];
  private next = 0;

  constructor(
    budgets: readonly number[] | undefined,
    private readonly files: RunFiles | null,
    samplesAtStart: number,
    private readonly onBudget?: (snapshot: BudgetSnapshot, policy: LoadedPolicy) => void,
  ) {
    this.points = budgets ? checkBudgets(budgets) : [];
    // A resumed run checkpointed at (or after) every point it had reached: those are saved.
    while (this.next < this.points.length && this.points[this.next] <= samplesAtStart) this.next++;
  }

  /** The last budget point (the run stops there), or null without budgets. */
  get last(): number | null {
    return this.points.length ? this.points[this.points.length - 1] : null;
  }

  /** The sampled-action count the current step must not collect past (the next budget point; ∞ without one). */
  get limit(): number {
    return this.next < this.points.length ? this.points[this.next] : Infinity;
  }

  /** Have all budget points been reached? (false without budgets) */
  get done(): boolean {
    return this.points.length > 0 && this.next >= this.points.length;
  }

  /**
   * After an optimisation step: save the policy for every budget point the samples reached (one step can
   * reach several). Returns true when it saved any, so the trainer can checkpoint there.
   */
  reached(samples: SampledActions, step: number, policy: LoadedPolicy, clock: TrainClock, emit: (m: Record<string, unknown>) => void, algo: string): boolean {
    let saved = false;
    while (this.next < this.points.length && this.points[this.next] <= samples.total) {
      const budget = this.points[this.next++];
      const snap: BudgetSnapshot = { budget, samples: samples.total, rollout_samples: samples.rollout, group_samples: samples.group, step, seconds: clock.wallMs() / 1000, cpu_seconds: Math.round(clock.cpuMs()) / 1000 };
      if (this.files) writeFileAtomic(budgetPolicyFile(this.files.dir, budget), JSON.stringify(policyToJson({ ...policy, meta: { ...policy.meta, ...snap } })));
      emit({ algo, split: "budget", ...snap });
      // The callback gets a copy: the trainer goes on changing its policy in place.
      this.onBudget?.(snap, { features: policy.features, model: cloneModel(policy.model), meta: { ...policy.meta, ...snap } });
      saved = true;
    }
    return saved;
  }
}
