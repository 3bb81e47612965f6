/**
 * The expert trajectory of a layout: the unique tie-broken optimal plan (planner.ts) replayed in the
 * kitchen, with the observation, valid actions, ReAct reasoning and optimal actions of every state.
 */
import { Kitchen } from "../kitchen/kitchen";
import { loadLayoutInfo } from "../kitchen/instantiate";
import { isTaskId, resolveTask } from "../kitchen/tasks";
import { UserError } from "../util/errors";
import type { ExpertStep, ExpertTrajectory } from "./record";
import { layoutPlanner, PlanOptions } from "./planner";
import { bindRecipes, expertReasoning, ReasoningStyle } from "./reasoning";

/** Per-trajectory planner figures (not part of the trajectory record). */
export interface TrajectoryInfo {
  /** Optimal actions per state (1 = the expert action is the only optimal one). */
  optimalCounts: number[];
  validCounts: number[];
  expanded: number;
  ms: number;
}

/** A task's canonical id when it has one (`3_burger` → `burger`), else the id as given. */
export function taskIdOf(task: string): string {
  return isTaskId(task) ? resolveTask(task).id : task;
}

/**
 * The expert reasoning at every state of an optimal plan from the kitchen's current state (the plan
 * from state t is actions[t…], so no search is needed), in the given style.
 */
export function planReasonings(kitchen: Kitchen, actions: readonly string[], style: ReasoningStyle = "full"): string[] {
  const m = kitchen.model;
  const recipes = layoutPlanner(m).recipes;
  const end = kitchen.clone();
  for (const a of actions) end.step(a);
  const bindings = recipes ? bindRecipes(m, recipes, end.engineState) : null;
  const walk = kitchen.clone();
  return actions.map((action, t) => {
    const reasoning = expertReasoning(m, bindings, walk.engineState, actions.slice(t), style);
    walk.step(action);
    return reasoning;
  });
}

/**
 * The expert trajectory from a kitchen's current state. `allOptimal` (default true) also records each
 * state's optimal actions (the "any optimal action" reward and the ambiguity statistics need them);
 * `reasoning` is how much of the remaining plan each step's reasoning spells out (default "full").
 */
export function trajectoryFrom(
  kitchen: Kitchen,
  meta: { task: string; seed: number | null; effectiveSeed?: number | null },
  opts: PlanOptions & { reasoning?: ReasoningStyle } = {},
): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const allOptimal = opts.allOptimal ?? true;
  const planner = layoutPlanner(kitchen.model);
  const plan = planner.expertPlan(kitchen.engineState, { maxExpanded: opts.maxExpanded, allOptimal });
  const reasonings = planReasonings(kitchen, plan.actions, opts.reasoning);
  const walk = kitchen.clone();
  const steps: ExpertStep[] = [];
  const optimalCounts: number[] = [];
  const validCounts: number[] = [];
  plan.actions.forEach((action, t) => {
    const valid = walk.validActions();
    const step: ExpertStep = {
      observation: walk.observation(),
      valid_actions: valid,
      action,
      reasoning: reasonings[t],
    };
    if (plan.optimalIndices) {
      step.optimal_actions = plan.optimalIndices[t].map((k) => valid[k]);
      optimalCounts.push(plan.optimalIndices[t].length);
    }
    validCounts.push(valid.length);
    steps.push(step);
    walk.step(action);
  });
  const trajectory: ExpertTrajectory = {
    task: taskIdOf(meta.task),
    seed: meta.seed,
    steps,
    length: steps.length,
    optimal: true,
    expert: "planner",
  };
  if (meta.effectiveSeed !== undefined) trajectory.effective_seed = meta.effectiveSeed;
  return { trajectory, info: { optimalCounts, validCounts, expanded: plan.expanded, ms: plan.ms } };
}

/**
 * A planner trajectory with its reasoning rewritten in another style: its layout is rebuilt from
 * (task, seed) and its actions replayed; observations, valid and optimal actions stay as they are.
 * Only a planner's trajectory has an optimal remaining plan at every step to reason from.
 */
export function withReasoning(traj: ExpertTrajectory, style: ReasoningStyle): ExpertTrajectory {
  if (traj.expert !== "planner" || !traj.optimal) {
    throw new UserError(`${traj.task}@${traj.seed ?? "default"}: only the planner's trajectories can be given another reasoning style (this one is ${traj.expert ?? "of unknown origin"})`);
  }
  const reasonings = planReasonings(Kitchen.fromLayout(loadLayoutInfo(traj.task, traj.seed).layout), traj.steps.map((s) => s.action), style);
  return { ...traj, steps: traj.steps.map((s, t) => ({ ...s, reasoning: reasonings[t] })) };
}

/** The planner's expert trajectory of a Robotouille task's default layout (seed null) or its seeded layout. */
export function kitchenTrajectory(task: string, seed: number | null, opts: PlanOptions & { reasoning?: ReasoningStyle } = {}): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const { layout, effectiveSeed } = loadLayoutInfo(task, seed);
  const eff = effectiveSeed === null ? null : Number(effectiveSeed);
  return trajectoryFrom(Kitchen.fromLayout(layout), { task, seed, effectiveSeed: eff }, opts);
}
