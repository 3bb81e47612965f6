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
   * TODO(lead): the level's step limit and the episode timeout = ⌈1.5 × step limit⌉ (the paper's rule,
   * 15/15/23/35 against 10/10/15/23). notes/cookingworld.md has the measured gold and shortest path
   * lengths per level to set them from; null until decided.
   */
  stepLimit: number | null;
  timeout: number | null;
}

const level = (n: 1 | 2 | 3 | 4, numLocations: number, numIngredients: number, numDistractorItems: number, includeDoors: 0 | 1): CookingWorldLevel => ({
  task: `cookingworld-${n}`,
  level: n,
  params: { numLocations, numIngredients, numDistractorItems, includeDoors, limitInventorySize: 0 },
  stepLimit: null,
  timeout: null,
});

export const COOKINGWORLD_LEVELS: readonly CookingWorldLevel[] = [
  level(1, 1, 1, 0, 0),
  level(2, 3, 2, 2, 0),
  level(3, 6, 3, 5, 1),
  level(4, 6, 4, 8, 1),
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
