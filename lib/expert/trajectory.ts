/**
 * The expert trajectory of a layout: the unique tie-broken optimal plan (planner.ts) replayed in the
 * kitchen, with the observation, valid actions, ReAct reasoning and optimal actions of every state.
 */
import { Kitchen } from "../kitchen/kitchen";
import { loadLayoutInfo } from "../kitchen/instantiate";
import { isTaskId, resolveTask } from "../kitchen/tasks";
import type { ExpertStep, ExpertTrajectory } from "./dataset";
import { layoutPlanner, PlanOptions } from "./planner";
import { bindRecipes, expertReasoning } from "./reasoning";

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
 * The expert trajectory from a kitchen's current state. `allOptimal` (default true) also records each
 * state's optimal actions (the "any optimal action" reward and the ambiguity statistics need them).
 */
export function trajectoryFrom(
  kitchen: Kitchen,
  meta: { task: string; seed: number | null; effectiveSeed?: number | null },
  opts: PlanOptions = {},
): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const allOptimal = opts.allOptimal ?? true;
  const planner = layoutPlanner(kitchen.model);
  const plan = planner.expertPlan(kitchen.engineState, { ...opts, allOptimal });
  const m = kitchen.model;
  const end = kitchen.clone();
  for (const a of plan.actions) end.step(a);
  const bindings = planner.recipes ? bindRecipes(m, planner.recipes, end.engineState) : null;
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
      reasoning: expertReasoning(m, bindings, walk.engineState, plan.actions.slice(t)),
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

/** The expert trajectory of a task's default layout (seed null) or its seeded layout. */
export function expertTrajectory(task: string, seed: number | null, opts: PlanOptions = {}): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const { layout, effectiveSeed } = loadLayoutInfo(task, seed);
  const eff = effectiveSeed === null ? null : Number(effectiveSeed);
  return trajectoryFrom(Kitchen.fromLayout(layout), { task, seed, effectiveSeed: eff }, opts);
}
