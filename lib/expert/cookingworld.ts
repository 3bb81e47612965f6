/**
 * CookingWorld's experts (lib/cookingworld's engine through lib/env's episodes):
 *
 * - the **dataset expert** is the benchmark's own: the engine's gold path for the game (its no-op
 *   invalid actions dropped, lib/cookingworld), replayed to record every state. It is not a shortest
 *   path (notes/cookingworld.md measures how far from one), so its trajectories carry `optimal: false`.
 * - the **optimal expert** (`shortestPlan`, the expert policy of evaluations, the labels of on-policy
 *   training) is the engine's exact search: the canonical shortest path from any state, the first
 *   optimal action in the engine's order at each step, with every optimal action per state.
 *
 * The reasoning of a gold step says what the game asks, where the agent is and what it carries, and —
 * in the `full` style — the rest of the gold path, as the planner's reasoning does for Robotouille.
 */
import { cookingWorldEngine, CookingWorldEnv } from "../env/cookingworld";
import { makeEnv } from "../env/index";
import type { EnvTask } from "../env/types";
import { UserError } from "../util/errors";
import type { ReasoningStyle } from "./reasoning";
import type { ExpertStep, ExpertTrajectory } from "./record";
import type { TrajectoryInfo } from "./trajectory";

/** The engine's shortest plan from an episode's current state, and the optimal actions at each of its states. */
export function cookingWorldPlan(env: CookingWorldEnv): { actions: string[]; optimal: string[][]; states: number; millis: number } {
  const p = cookingWorldEngine().plan(env.task.id, env.seed, { prefix: [...env.actions] });
  return { actions: p.actions, optimal: p.optimal, states: p.states, millis: p.millis };
}

/** What the gold step's reasoning says: the game's goal and position, and as much of the remaining path as `style` asks. */
function goldReasoning(env: CookingWorldEnv, rest: readonly string[], style: ReasoningStyle): string {
  const carried = env.inventory.replace(/^Inventory:\s*/, "").replace(/\s+/g, " ").trim();
  const lines = [`The game asks: ${env.goalDescription}`, `I have taken ${env.steps} step${env.steps === 1 ? "" : "s"} so far. ${carried}`];
  if (style === "full") {
    lines.push(`My plan from here takes ${rest.length} step${rest.length === 1 ? "" : "s"}:`);
    rest.forEach((a, k) => lines.push(`${k + 1}. ${a}`));
    lines.push("I take its first step.");
  } else if (style === "subgoal") {
    throw new UserError("the subgoal reasoning style is Robotouille's (its recipes have named subgoals); CookingWorld takes full or none");
  }
  return lines.join("\n");
}

/**
 * The gold trajectory of a CookingWorld game: observations, valid actions and reasoning at every state
 * of the engine's gold path. `allOptimal` also records each state's optimal actions (an exact search per
 * state: seconds per game on the larger levels).
 */
export function cookingWorldTrajectory(
  task: EnvTask,
  seed: number,
  opts: { reasoning?: ReasoningStyle; allOptimal?: boolean } = {},
): { trajectory: ExpertTrajectory; info: TrajectoryInfo } {
  const started = Date.now();
  const gold = cookingWorldEngine().gold(task.id, seed).actions;
  const env = makeEnv(task, seed) as CookingWorldEnv;
  const steps: ExpertStep[] = [];
  const optimalCounts: number[] = [];
  const validCounts: number[] = [];
  gold.forEach((action, t) => {
    const valid = env.validActions();
    const step: ExpertStep = { observation: env.observation(), valid_actions: valid, action, reasoning: goldReasoning(env, gold.slice(t), opts.reasoning ?? "full") };
    if (opts.allOptimal) {
      const optimal = cookingWorldPlan(env).optimal[0] ?? [];
      step.optimal_actions = optimal.includes(action) ? optimal : [action, ...optimal];
      optimalCounts.push(optimal.length);
    }
    validCounts.push(valid.length);
    steps.push(step);
    env.step(action);
  });
  if (!env.isSuccess()) throw new UserError(`${task.id} seed ${seed}: the engine's gold path does not end in success`);
  const trajectory: ExpertTrajectory = { task: task.id, seed, steps, length: steps.length, optimal: false, expert: "gold", effective_seed: seed };
  return { trajectory, info: { optimalCounts, validCounts, expanded: 0, ms: Date.now() - started } };
}

/** The length of a game's gold path (the dataset expert's trajectory), without replaying it. */
export function goldLength(task: EnvTask, seed: number): number {
  return cookingWorldEngine().gold(task.id, seed).actions.length;
}
