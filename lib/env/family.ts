/**
 * An environment family: the engine behind the seam and what the layers above need to know about its
 * tasks — which exist, how an episode starts, which layouts or games the evaluation plays, and the words
 * the ReAct prompt describes the environment with.
 */
import type { EnvName, EnvTask, TextEnv } from "./types";

export interface EnvFamily {
  name: EnvName;
  /** A display name ("Robotouille (synchronous)", "CookingWorld (TextWorldExpress)"). */
  title: string;
  /** The four tasks of the paper-style tables, in order. */
  paperTasks: string[];
  /** Every task the family plays (canonical ids). */
  allTasks: string[];
  /** Is `id` one of this family's task ids (canonical or an accepted alias)? */
  owns(id: string): boolean;
  resolve(id: string): EnvTask;
  /**
   * A fresh episode of `task` on layout or game `seed` (null: Robotouille's hand-made default layout;
   * Robotouille takes any integer seed, a bigint beyond 2^53 too, as its generator does).
   */
  make(task: EnvTask, seed: number | bigint | null): TextEnv;
  /** The first n evaluation seeds (the paper protocol plays 10, the extended one more of the same kind). */
  evaluationSeeds(n: number): (number | null)[];
  /** A one-line UserError when `seed` is not one evaluation may play (CookingWorld: outside the test fold). */
  checkEvaluationSeed(seed: number | null): void;
  /**
   * Training layouts or games for expert data: the first `n` from `firstSeed` up (the family's default
   * when absent) that no evaluation of the first `evalSeedsPerTask` seeds plays — or exactly `seeds`
   * (one that evaluation plays is an error).
   */
  trainingLayouts(task: EnvTask, opts: { n: number; firstSeed?: number; evalSeedsPerTask: number; seeds?: readonly number[] }): TrainingLayout[];
  /** The first training seed when none is given (Robotouille 10000, far above its evaluation seeds; CookingWorld 0, its train fold). */
  firstTrainingSeed: number;
  /** How training data is kept apart from evaluation, in words (the dataset manifest). */
  trainingDisjointness(opts: { evalSeedsPerTask: number }): string;
  /** The prompt's words for this environment (lib/agent's prompt frames them the same way for every family). */
  prompt: EnvPrompt;
}

/** A training layout or game: the seed asked for, and the seed the generator used (Robotouille retries seed + 1). */
export interface TrainingLayout {
  seed: number;
  effectiveSeed: number;
}

export interface EnvPrompt {
  /** The system message: who the agent is. */
  system: string;
  /** What the observation's first part describes (the line before `Valid Actions:` in the format example). */
  observationLine: string;
  /** What `Goal:` says (the format example). */
  goalLine: string;
  /** The environment's object kinds, rules and recipe hints, one line per entry ("" = a blank line). */
  rules: string[];
  /** A vendored in-context example episode (a file relative to the repository), if the family has one. */
  inContextExample: string | null;
}
