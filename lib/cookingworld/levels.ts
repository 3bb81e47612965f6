/**
 * The four CookingWorld levels of issue 16, as data: progressively harder like the paper's four
 * Robotouille tasks. Each is a TextWorldExpress `cookingworld` generator configuration; a game is then
 * fixed by its seed (and the fold the seed belongs to, which picks the ingredient pool).
 */
import { UserError } from "../util/errors";

export interface CookingWorldParams {
  numLocations: number;
  numIngredients: number;
  numDistractorItems: number;
  includeDoors: 0 | 1;
  limitInventorySize: 0 | 1;
}

export interface CookingWorldLevel {
  task: string;
  level: 1 | 2 | 3 | 4;
  params: CookingWorldParams;
  /**
   * The level's step limit: the median length of the engine's gold path over the 1,000 train games (the
   * benchmark's own expert, as Robotouille's `optimal_steps` are its typical expert lengths);
   * test/cookingworld-levels.test.ts recomputes it from the engine.
   */
  stepLimit: number;
  /** The episode budget, the paper's rule: ⌈1.5 × step limit⌉ (the paper: 15/15/23/35 against 10/10/15/23). */
  timeout: number;
}

const level = (n: 1 | 2 | 3 | 4, numLocations: number, numIngredients: number, numDistractorItems: number, includeDoors: 0 | 1, stepLimit: number): CookingWorldLevel => ({
  task: `cookingworld-${n}`,
  level: n,
  params: { numLocations, numIngredients, numDistractorItems, includeDoors, limitInventorySize: 0 },
  stepLimit,
  timeout: Math.ceil(MAX_STEP_MULTIPLIER * stepLimit),
});

/** The paper's (and Robotouille's) episode budget: 1.5 × the step limit. */
export const MAX_STEP_MULTIPLIER = 1.5;

export const COOKINGWORLD_LEVELS: readonly CookingWorldLevel[] = [
  level(1, 1, 1, 0, 0, 11),
  level(2, 3, 2, 2, 0, 18),
  level(3, 6, 3, 5, 1, 25),
  level(4, 6, 4, 8, 1, 28),
];

export const COOKINGWORLD_TASKS: readonly string[] = COOKINGWORLD_LEVELS.map((l) => l.task);

export function isCookingWorldTask(task: string): boolean {
  return COOKINGWORLD_TASKS.includes(task);
}

/** The level of a task id; an unknown id is a one-line UserError listing the known ones. */
export function resolveLevel(task: string): CookingWorldLevel {
  const l = COOKINGWORLD_LEVELS.find((x) => x.task === task);
  if (!l) throw new UserError(`unknown CookingWorld level "${task}" (expected one of ${COOKINGWORLD_TASKS.join(", ")})`);
  return l;
}

/** The engine's parameter string, in the order the issue writes it (`numLocations=1,numIngredients=1,…`). */
export function paramString(p: CookingWorldParams): string {
  return `numLocations=${p.numLocations},numIngredients=${p.numIngredients},numDistractorItems=${p.numDistractorItems},includeDoors=${p.includeDoors},limitInventorySize=${p.limitInventorySize}`;
}

export const FOLDS = ["train", "dev", "test"] as const;
export type Fold = (typeof FOLDS)[number];
