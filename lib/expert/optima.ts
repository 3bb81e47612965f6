/**
 * The fewest steps each evaluation layout can be solved in: lib/expert's optimal planner on
 * Robotouille's procedural layouts (bit-exact, lib/kitchen) for the paper's tasks and seeds. The audit
 * uses them as a floor under published ASSTs: k successes cannot average fewer steps than the k
 * shortest optimal plans.
 */
import { optimalLength } from "./planner";
import { EVAL_SEEDS, Kitchen, loadLayoutInfo, makeKitchen, PAPER_TASKS } from "../kitchen/index";

/** Per task, the optimal plan length of each evaluation layout, in seed order (about a second for 4 × 10). */
export function evaluationOptima(tasks: readonly string[] = PAPER_TASKS, seeds: readonly number[] = EVAL_SEEDS): Record<string, number[]> {
  return Object.fromEntries(tasks.map((t) => [t, seeds.map((s) => optimalLength(makeKitchen(t, s)))]));
}

/**
 * Per task, the optimal plan length of `n` distinct seeded layouts (seeds from `firstSeed` up, a seed
 * the generator turns into an already seen layout skipped): the population the evaluation layouts
 * come from, to ask how special their lengths are (floorSpecificity in audit.ts).
 */
export function seededOptima(n: number, opts: { tasks?: readonly string[]; firstSeed?: number } = {}): Record<string, number[]> {
  return Object.fromEntries(
    (opts.tasks ?? PAPER_TASKS).map((t) => {
      const seen = new Set<string>();
      const lengths: number[] = [];
      for (let seed = opts.firstSeed ?? 1; lengths.length < n; seed++) {
        const { layout, effectiveSeed } = loadLayoutInfo(t, seed);
        if (seen.has(String(effectiveSeed))) continue;
        seen.add(String(effectiveSeed));
        lengths.push(optimalLength(Kitchen.fromLayout(layout)));
      }
      return [t, lengths];
    }),
  );
}
