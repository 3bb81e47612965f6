/**
 * The fewest steps each evaluation layout can be solved in: lib/expert's optimal planner on
 * Robotouille's procedural layouts (bit-exact, lib/kitchen) for the paper's tasks and seeds. The audit
 * uses them as a floor under published ASSTs: k successes cannot average fewer steps than the k
 * shortest optimal plans. (The one place lib/report reaches past eval results: into the planner.)
 */
import { optimalLength } from "../expert/planner";
import { EVAL_SEEDS, makeKitchen, PAPER_TASKS } from "../kitchen/index";

/** Per task, the optimal plan length of each evaluation layout, in seed order (about a second for 4 × 10). */
export function evaluationOptima(tasks: readonly string[] = PAPER_TASKS, seeds: readonly number[] = EVAL_SEEDS): Record<string, number[]> {
  return Object.fromEntries(tasks.map((t) => [t, seeds.map((s) => optimalLength(makeKitchen(t, s)))]));
}
