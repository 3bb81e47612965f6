/**
 * The experts behind the seam, one per environment family: a shortest action sequence to the goal from
 * any state, the expert trajectory of a layout or game, and its optimal length. Robotouille's expert is
 * the A* planner with its unique tie-break (planner.ts). Each family's expert is chosen here, the one
 * place above lib/env that tells the engines apart.
 */
import { makeEnv, resolveTask } from "../env/index";
import type { TextEnv } from "../env/types";
import { Kitchen } from "../kitchen/kitchen";
import { loadLayoutInfo } from "../kitchen/instantiate";
import { UserError } from "../util/errors";
import { expertPlan, LayoutPlanner, layoutPlanner, optimalLength, planOptimal, PlanOptions } from "./planner";
import { BudgetExceeded } from "./search";
import type { ReasoningStyle } from "./reasoning";
import type { ExpertTrajectory } from "./record";
import { kitchenTrajectory, TrajectoryInfo } from "./trajectory";
import { CookingWorldEnv } from "../env/cookingworld";
import { cookingWorldPlan, cookingWorldTrajectory, goldLength } from "./cookingworld";

/** The expert's plan from `env`'s state: the unique tie-broken shortest plan (empty at the goal). */
export function shortestPlan(env: TextEnv): string[] {
  if (env instanceof Kitchen) return planOptimal(env).actions;
  if (env instanceof CookingWorldEnv) return cookingWorldPlan(env).actions;
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
  // CookingWorld: the engine's exact search returns the optimal set of its first state directly.
  if (env instanceof CookingWorldEnv) return env.isDone() ? [] : (cookingWorldPlan(env).optimal[0] ?? []);
  throw new UserError(`no expert for this environment (${env.constructor.name})`);
}

/**
 * The expert trajectory of a task's layout or game `seed` (Robotouille: null is the default layout), with
 * the observation, valid actions, reasoning and optimal actions of every state.
 */
export function expertTrajectory(task: string, seed: number | null, opts: PlanOptions & { reasoning?: ReasoningStyle } = {}): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const t = resolveTask(task);
  if (t.env === "robotouille") return kitchenTrajectory(task, seed, opts);
  if (seed === null) throw new UserError(`${t.id} has no default game: give a seed`);
  return cookingWorldTrajectory(t, seed, { reasoning: opts.reasoning, allOptimal: opts.allOptimal });
}

/** The length of the expert trajectory of a task's layout or game `seed` (Robotouille: the optimal length; CookingWorld: the gold path's), without building it. */
export function expertLength(task: string, seed: number | null, opts: { maxExpanded?: number } = {}): number {
  const t = resolveTask(task);
  if (t.env === "robotouille") return optimalLength(Kitchen.fromLayout(loadLayoutInfo(task, seed).layout), opts);
  if (seed === null) throw new UserError(`${t.id} has no default game: give a seed`);
  return goldLength(t, seed);
}

/** The shortest successful plan's length from a task's layout or game `seed` (Robotouille: the expert's; CookingWorld: shorter than the gold path's). */
export function shortestLength(task: string, seed: number | null, opts: { maxExpanded?: number } = {}): number {
  const t = resolveTask(task);
  if (t.env === "robotouille") return expertLength(task, seed, opts);
  if (seed === null) throw new UserError(`${t.id} has no default game: give a seed`);
  return shortestPlan(makeEnv(task, seed)).length;
}

/** `stgrpo plan`'s answer (docs/design.md's contract): the expert's shortest plan from a layout or game's start. */
export interface PlanAnswer {
  length: number;
  actions: string[];
  /** States the search expanded (CookingWorld: states it reached). */
  expanded: number;
  ms: number;
  /** Per step, every action that keeps the shortest remaining length (when asked for). */
  optimal_actions?: string[][];
}

/** The expert's shortest plan of a task's layout or game `seed`, replayable from that seed to success. */
export function planAnswer(task: string, seed: number | bigint | null, opts: { allOptimal?: boolean; maxExpanded?: number } = {}): PlanAnswer {
  const t = resolveTask(task);
  if (t.env === "cookingworld") {
    if (seed === null || typeof seed === "bigint") throw new UserError(`${t.id} needs a game seed`);
    const env = makeEnv(t, seed) as CookingWorldEnv;
    const p = cookingWorldPlan(env);
    return { length: p.actions.length, actions: p.actions, expanded: p.states, ms: p.millis, ...(opts.allOptimal ? { optimal_actions: p.optimal } : {}) };
  }
  const kitchen = Kitchen.fromLayout(loadLayoutInfo(task, seed).layout);
  const p = expertPlan(kitchen, { maxExpanded: opts.maxExpanded, allOptimal: opts.allOptimal });
  const answer: PlanAnswer = { length: p.length, actions: p.actions, expanded: p.expanded, ms: Math.round(p.ms * 1000) / 1000 };
  if (p.optimalIndices) {
    const walk = kitchen.clone();
    answer.optimal_actions = p.optimalIndices.map((ks, t) => {
      const valid = walk.validActions();
      walk.step(p.actions[t]);
      return ks.map((x) => valid[x]);
    });
  }
  return answer;
}

/**
 * The expert's action at a state and every action that keeps the shortest remaining length, or why
 * there are none: the goal is unreachable from here ("dead end"), or the search ran out of budget.
 */
export function expertChoice(env: TextEnv, opts: { maxExpanded?: number } = {}): { expert: string; optimal: string[] } | "dead end" | "over budget" {
  try {
    if (env instanceof CookingWorldEnv) {
      const p = cookingWorldPlan(env);
      return p.actions.length ? { expert: p.actions[0], optimal: p.optimal[0] } : "dead end";
    }
    if (!(env instanceof Kitchen)) throw new UserError(`no expert for this environment (${env.constructor.name})`);
    const plan = expertPlan(env, { maxExpanded: opts.maxExpanded });
    if (plan.length === 0) return "dead end";
    const optimal: string[] = [];
    for (const a of env.validActions()) {
      const c = env.clone();
      c.step(a);
      if (optimalLength(c, { maxExpanded: opts.maxExpanded }) === plan.length - 1) optimal.push(a);
    }
    return { expert: plan.actions[0], optimal };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e instanceof BudgetExceeded || /within|budget|time limit/i.test(e.message) ? "over budget" : "dead end";
  }
}
