/**
 * Robotouille behind the seam: the kitchen (lib/kitchen) is a TextEnv as it is — its observation already
 * ends with `Valid Actions:` and `Goal: …` — and its tasks are the paper's four and the ten synchronous
 * stems. Layouts are seeded by Robotouille's procedural generator (null: the hand-made default layout).
 */
import { extendedSeeds, IN_CONTEXT_EXAMPLE, isTaskId, Kitchen, loadLayout, loadLayoutInfo, PAPER_TASKS, resolveTask, SYNC_STEMS } from "../kitchen/index";
import { UserError } from "../util/errors";
import type { EnvTask, TextEnv } from "./types";
import type { EnvFamily, TrainingLayout } from "./family";

/** Training layouts start far above the evaluation seeds (42·k), so the two never meet by accident. */
const FIRST_TRAINING_SEED = 10000;

export const robotouille: EnvFamily = {
  name: "robotouille",
  title: "Robotouille (synchronous)",
  paperTasks: [...PAPER_TASKS],
  // The ten synchronous tasks in Robotouille's order, the paper's four under their paper ids.
  allTasks: SYNC_STEMS.map((s) => resolveTask(s).id),
  owns: (id) => isTaskId(id),
  resolve: (id): EnvTask => resolveTask(id),
  make: (task, seed): TextEnv => Kitchen.fromLayout(loadLayout(task.id, seed)),
  // 42·k, k = 1…n: the paper's ten (42…420) first.
  evaluationSeeds: (n) => extendedSeeds(n),
  checkEvaluationSeed: () => {},
  trainingLayouts: (task, o) => trainingLayouts(task.id, o.n, o.firstSeed ?? FIRST_TRAINING_SEED, o.evalSeedsPerTask, o.seeds),
  firstTrainingSeed: FIRST_TRAINING_SEED,
  trainingDisjointness: (o) => `default layout and seeds 42·k, k = 1…${o.evalSeedsPerTask} (effective seeds and layouts)`,
  prompt: {
    // Our wording of Robotouille's headline ReAct prompt (ReAct/1.3.1-last-reasoning-action-mpc).
    system:
      "You control a robot in a text-based kitchen game and must reach the goal the game gives you. " +
      "At every turn you choose one action that brings you closer to the goal. Read the rules carefully: " +
      "this kitchen has constraints that a real kitchen does not.",
    observationLine: "<observation: every object in the kitchen and the facts that hold about it>",
    goalLine: "Goal: <what you must prepare>",
    rules: [
      "About the environment. You are a robot working in a kitchen; the observation describes the objects in it and the goal. The objects are of these kinds:",
      "- Station: a place where special actions happen, such as cooking or cutting",
      "- Item: something that can be picked up and perhaps processed at a Station",
      "- Player: a robot, you included",
      "- Container: something that holds a meal, such as a pot or a pan",
      "- Meal: a mixture of ingredients inside a Container",
      "",
      "The rules of this kitchen:",
      "- A Player holds at most one Item at a time.",
      "- An Item must be on a Station before any action can be performed on it.",
      "- An action can be performed on an Item at a Station only when that Item is the only thing on the Station.",
      "- Items can only be stacked on top of other Items.",
      "- Items can be added to a Container only when it holds a Meal.",
      "- A Meal can be moved from one Container to another.",
      "",
      "Goals come from a person's request, such as 'make me a hamburger'. They are deliberately vague, so use common sense. In particular, work out",
      "- the fewest ingredients that satisfy the request, and",
      "- every preparation step those ingredients need, such as cutting or cooking.",
      "",
      "The game ends when the goal is reached or the time limit runs out.",
      "",
      "Recipe guide for this kitchen:",
      "- Sandwich: a slice of bread, the prepared ingredients stacked on it, and a second slice of bread stacked on top.",
      "- Hamburger: a bottom bun, the prepared ingredients stacked on it, and a top bun stacked on top.",
      "- Soup: fill a pot with water, boil it while adding the ingredients, and serve it in a bowl once it is ready.",
    ],
    inContextExample: IN_CONTEXT_EXAMPLE.file,
  },
};

/** The evaluation layouts a task's training data must avoid: effective seeds and layout texts. */
function evaluationLayouts(task: string, evalSeedsPerTask: number): { effectiveSeeds: Set<number>; layouts: Set<string> } {
  const effectiveSeeds = new Set<number>();
  const layouts = new Set<string>([JSON.stringify(loadLayoutInfo(task, null).layout)]);
  for (const seed of extendedSeeds(evalSeedsPerTask)) {
    const { layout, effectiveSeed } = loadLayoutInfo(task, seed);
    effectiveSeeds.add(Number(effectiveSeed));
    layouts.add(JSON.stringify(layout));
  }
  return { effectiveSeeds, layouts };
}

/**
 * Training layouts: the first `n` seeds from `firstSeed` up whose layouts are new and disjoint from
 * evaluation — or, with `seeds`, exactly those seeds (an evaluation layout among them is an error;
 * a seed that plays the same layout as an earlier one is skipped).
 */
export function trainingLayouts(task: string, n: number, firstSeed: number, evalSeedsPerTask: number, seeds?: readonly number[]): TrainingLayout[] {
  if (!seeds && (!Number.isInteger(n) || n < 1)) throw new UserError(`number of training layouts must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(firstSeed) || firstSeed < 0) throw new UserError(`first seed must be a non-negative integer, got ${firstSeed}`);
  const avoid = evaluationLayouts(task, evalSeedsPerTask);
  const used = new Set<number>();
  const out: TrainingLayout[] = [];
  const candidates = seeds ?? (function* () {
    for (let seed = firstSeed; ; seed++) yield seed;
  })();
  for (const seed of candidates) {
    if (!seeds && out.length >= n) break;
    const { layout, effectiveSeed } = loadLayoutInfo(task, seed);
    const eff = Number(effectiveSeed);
    const isEval = avoid.effectiveSeeds.has(eff) || avoid.layouts.has(JSON.stringify(layout));
    if (isEval && seeds) {
      throw new UserError(`training seed ${seed} plays an evaluation layout of ${resolveTask(task).id} (generated from seed ${eff}); choose seeds disjoint from 42·k, k = 1…${evalSeedsPerTask}`);
    }
    if (used.has(eff) || isEval) continue;
    used.add(eff);
    out.push({ seed, effectiveSeed: eff });
  }
  if (out.length === 0) throw new UserError(`no training layouts for ${resolveTask(task).id}`);
  return out;
}
