/**
 * CookingWorld behind the seam: TextWorldExpress's cooking games, played by the real engine in a JVM
 * (lib/cookingworld). One engine process serves every episode of this Node process; it starts on first
 * use and goes with the process.
 *
 * What an agent reads at a state (`observation()`), in the same three parts as Robotouille's text:
 *
 *   <the game's last message (after reset: the room)>
 *   <the room, when the message is not already it>
 *   Inventory: …
 *   Valid Actions:
 *   <one per line, in the engine's order>
 *   Goal: <the game's task description>
 *
 * Every part is the engine's own text. Episodes clone cheaply: a clone records its game and the actions
 * since reset and takes an engine slot only when it is stepped (the runner hands every policy a clone
 * at every step; almost none step it); a slot is released when its episode object is collected.
 */
import { COOKINGWORLD_LEVELS, CookingWorldLevel, CookingWorldState, CookingWorldSyncEngine, CookingWorldSyncEnv, resolveLevel } from "../cookingworld/index";
import { InvalidActionError, UserError } from "../util/errors";
import type { EnvFamily, TrainingLayout } from "./family";
import type { EnvTask, TextEnv } from "./types";

let shared: CookingWorldSyncEngine | null = null;

/** The process's engine (started on first use). */
export function cookingWorldEngine(): CookingWorldSyncEngine {
  if (!shared) shared = new CookingWorldSyncEngine();
  return shared;
}

/** Engine slots whose episode object was collected: closed so the JVM does not keep every clone ever made. */
const slots = new FinalizationRegistry<CookingWorldSyncEnv>((env) => {
  try {
    env.close();
  } catch {
    // the engine is gone or restarted: nothing to release
  }
});

const TRAIN = { first: 0, last: 999 };
const TEST = { first: 20000, last: 20999 };

function taskOf(level: CookingWorldLevel): EnvTask {
  return {
    id: level.task,
    env: "cookingworld",
    title: `CookingWorld level ${level.level}`,
    paperName: null,
    timeout: level.timeout,
    optimalSteps: level.stepLimit,
    goalDescription: "Cook the recipe in the cookbook, then eat the meal",
  };
}

/** One CookingWorld episode at its current state. */
export class CookingWorldEnv implements TextEnv {
  private live: CookingWorldSyncEnv | null;

  constructor(
    readonly task: EnvTask,
    readonly seed: number,
    private readonly history: string[],
    private last: CookingWorldState,
    readonly goalDescription: string,
    readonly origin: object,
    live: CookingWorldSyncEnv | null,
  ) {
    this.live = live;
    if (live) slots.register(this, live);
  }

  /** A new episode of `task` on game `seed` (the seed's fold is the engine's). */
  static start(task: EnvTask, seed: number): CookingWorldEnv {
    const live = cookingWorldEngine().env();
    const s = live.reset(task.id, seed, { key: true });
    return new CookingWorldEnv(task, seed, [], s, s.goal, {}, live);
  }

  observation(): string {
    const s = this.last;
    const parts = [s.observation.trim()];
    if (s.look.trim() !== s.observation.trim()) parts.push(s.look.trim());
    parts.push(s.inventory.trim(), "Valid Actions:", ...s.validActions, `Goal: ${this.goalDescription}`);
    return parts.join("\n");
  }

  validActions(): string[] {
    return [...this.last.validActions];
  }

  view(): { observation: string; validActions: string[]; goal: string } {
    return { observation: this.last.observation, validActions: this.validActions(), goal: this.goalDescription };
  }

  step(action: string): { done: boolean } {
    if (!this.last.validActions.includes(action)) throw new InvalidActionError(action, this.last.validActions);
    const live = this.materialise();
    this.last = live.step(action, { key: true });
    this.history.push(action);
    return { done: this.last.done };
  }

  isDone(): boolean {
    return this.last.done;
  }

  isSuccess(): boolean {
    return this.last.success;
  }

  get steps(): number {
    return this.history.length;
  }

  /** The engine's inventory text at this state ("Inventory: …"). */
  get inventory(): string {
    return this.last.inventory.trim();
  }

  /** The actions taken since reset (the engine's planner starts from the state they reach). */
  get actions(): readonly string[] {
    return this.history;
  }

  clone(): CookingWorldEnv {
    return new CookingWorldEnv(this.task, this.seed, [...this.history], this.last, this.goalDescription, this.origin, null);
  }

  key(): string {
    if (this.last.key === undefined) throw new UserError(`${this.task.id} seed ${this.seed}: the engine gave no state key`);
    return this.last.key;
  }

  /** An engine slot at this state: the episode's own, or a fresh one replayed from the seed (a clone's first step). */
  private materialise(): CookingWorldSyncEnv {
    if (this.live) return this.live;
    const live = cookingWorldEngine().env();
    live.reset(this.task.id, this.seed);
    for (const a of this.history) live.step(a);
    this.live = live;
    slots.register(this, live);
    return live;
  }
}

function inFold(seed: number | null, fold: { first: number; last: number }): boolean {
  return seed !== null && Number.isInteger(seed) && seed >= fold.first && seed <= fold.last;
}

export const cookingworld: EnvFamily = {
  name: "cookingworld",
  title: "CookingWorld (TextWorldExpress)",
  paperTasks: COOKINGWORLD_LEVELS.map((l) => l.task),
  allTasks: COOKINGWORLD_LEVELS.map((l) => l.task),
  owns: (id) => COOKINGWORLD_LEVELS.some((l) => l.task === id),
  resolve: (id) => taskOf(resolveLevel(id)),
  make: (task, seed) => {
    if (typeof seed === "bigint" || (seed !== null && !Number.isSafeInteger(seed))) throw new UserError(`${task.id}: seed ${seed} is in no fold (train ${TRAIN.first}–${TRAIN.last}, dev 10000–10999, test ${TEST.first}–${TEST.last})`);
    if (seed === null) throw new UserError(`${task.id} has no default game: give a seed (train ${TRAIN.first}–${TRAIN.last}, test ${TEST.first}–${TEST.last})`);
    return CookingWorldEnv.start(task, seed);
  },
  // The engine's test fold in order; its first ten are the paper-style protocol's games.
  evaluationSeeds: (n) => {
    if (!Number.isInteger(n) || n < 1 || n > TEST.last - TEST.first + 1) throw new UserError(`CookingWorld has ${TEST.last - TEST.first + 1} test games, not ${n}`);
    return Array.from({ length: n }, (_, k) => TEST.first + k);
  },
  checkEvaluationSeed: (seed) => {
    if (!inFold(seed, TEST)) throw new UserError(`CookingWorld evaluates on its test games, seeds ${TEST.first}–${TEST.last}; ${seed ?? "default"} is not one`);
  },
  firstTrainingSeed: TRAIN.first,
  trainingLayouts: (task, o): TrainingLayout[] => {
    if (o.seeds) {
      for (const s of o.seeds) if (!inFold(s, TRAIN)) throw new UserError(`CookingWorld trains on its train games, seeds ${TRAIN.first}–${TRAIN.last}; ${s} is not one`);
      return o.seeds.map((seed) => ({ seed, effectiveSeed: seed }));
    }
    const first = o.firstSeed ?? TRAIN.first;
    if (!inFold(first, TRAIN) || first + o.n - 1 > TRAIN.last) throw new UserError(`CookingWorld has train games ${TRAIN.first}–${TRAIN.last}: ${o.n} from ${first} do not fit`);
    return Array.from({ length: o.n }, (_, k) => ({ seed: first + k, effectiveSeed: first + k }));
  },
  trainingDisjointness: () => `the engine's train fold (seeds ${TRAIN.first}–${TRAIN.last}); evaluation plays the test fold (${TEST.first}–${TEST.last})`,
  prompt: {
    system:
      "You play a text-based cooking game and must reach the goal the game gives you. " +
      "At every turn you choose one action that brings you closer to the goal. Read what the game tells you carefully: " +
      "the recipe is in the cookbook, and containers must be opened before you can see or take what is inside.",
    observationLine: "<what the game just said, the room you are in, and your inventory>",
    goalLine: "Goal: <what the game asks of you>",
    rules: [
      "About the game. You are in a house with rooms (a kitchen, a pantry, a backyard, …) connected by doors and passages; the observation describes the room you are in, what you see and what you carry.",
      "",
      "The rules of this game:",
      "- Move between rooms with 'move <direction>'; a closed door must be opened first.",
      "- Containers (fridge, cupboards, drawers, …) must be opened before you can take what is in them.",
      "- The cookbook holds the recipe: which ingredients, and how each must be prepared (sliced, diced or chopped with a knife; roasted in the oven, fried on the stove, grilled on the barbecue).",
      "- Prepare exactly what the recipe asks: preparing an ingredient the wrong way, or twice, can spoil the meal and lose the game.",
      "- Once every ingredient is prepared and in your inventory, 'prepare meal', then 'eat meal'.",
      "",
      "The game ends when you eat the meal, when you ruin an ingredient, or when the time limit runs out.",
    ],
    inContextExample: null,
  },
};
