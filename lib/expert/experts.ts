/**
 * The experts behind the seam, one per environment family: a shortest action sequence to the goal from
 * any state, the expert trajectory of a layout or game, and its optimal length. Robotouille's expert is
 * the A* planner with its unique tie-break (planner.ts). Each family's expert is chosen here, the one
 * place above lib/env that tells the engines apart.
 */
import { resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { Kitchen } from "../kitchen/kitchen";
import { loadLayoutInfo } from "../kitchen/instantiate";
import { UserError } from "../util/errors";
import { LayoutPlanner, layoutPlanner, optimalLength, planOptimal, PlanOptions } from "./planner";
import type { ReasoningStyle } from "./reasoning";
import type { ExpertTrajectory } from "./record";
import { kitchenTrajectory, TrajectoryInfo } from "./trajectory";

/** The expert's plan from `env`'s state: the unique tie-broken shortest plan (empty at the goal). */
export function shortestPlan(env: TextEnv): string[] {
  if (env instanceof Kitchen) return planOptimal(env).actions;
  throw new UserError(`no expert for this environment (${env.constructor.name})`);
}

/**
 * The optimal actions at `env`'s state: every valid action that keeps the optimal remaining distance,
 * in the valid-action order, so the first is the expert's (the tie-broken plan's first action,
 * `shortestPlan(env)[0]`). Empty at the goal and at a dead end (no plan reaches the goal). A search past
 * `maxExpanded` expansions throws BudgetExceeded (a UserError). `isolated`: plan with a planner of its
 * own instead of the layout's shared one, whose memo of earlier searches makes later ones cheaper — so
 * whether a state is over budget depends on that state alone, not on what was planned before.
 */
export function optimalActions(env: TextEnv, opts: { maxExpanded?: number; isolated?: boolean } = {}): string[] {
  if (env instanceof Kitchen) {
    if (env.isDone()) return [];
    const planner = opts.isolated ? new LayoutPlanner(env.model) : layoutPlanner(env.model);
    const d = planner.distance(env.engineState, Infinity, opts.maxExpanded);
    if (d === null) return [];
    // The planner's own check per action (expertPlan with allOptimal): the child is one step nearer.
    const out: string[] = [];
    for (let k = 0; k < env.validActionCount(); k++) {
      const child = env.clone();
      child.stepIndex(k);
      if (d === 1 ? child.isDone() : planner.distance(child.engineState, d - 1, opts.maxExpanded) !== null) out.push(env.validActionAt(k));
    }
    return out;
  }
  throw new UserError(`no expert for this environment (${env.constructor.name})`);
}

/**
 * The expert trajectory of a task's layout or game `seed` (Robotouille: null is the default layout), with
 * the observation, valid actions, reasoning and optimal actions of every state.
 */
export function expertTrajectory(task: string, seed: number | null, opts: PlanOptions & { reasoning?: ReasoningStyle } = {}): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const t = resolveTask(task);
  if (t.env === "robotouille") return kitchenTrajectory(task, seed, opts);
  throw new UserError(`no expert for ${t.id}`);
}

/** The optimal number of steps of a task's layout or game `seed` (planning only: no trajectory is built). */
export function expertLength(task: string, seed: number | null, opts: { maxExpanded?: number } = {}): number {
  const t = resolveTask(task);
  if (t.env === "robotouille") return optimalLength(Kitchen.fromLayout(loadLayoutInfo(task, seed).layout), opts);
  throw new UserError(`no expert for ${t.id}`);
}
