/**
 * The environment seam (docs/design.md, "The environment seam"): what agents, evaluation, datasets and
 * learners know about a text environment, and all they know. Two engines implement it: the Robotouille
 * kitchen (lib/kitchen, bit-exact) and CookingWorld (lib/cookingworld, the real TextWorldExpress engine).
 */

/** The environment families the suite runs. */
export type EnvName = "robotouille" | "cookingworld";

/** A task: what an episode of it is played for, and its step budget. */
export interface EnvTask {
  /** Canonical id (`burger`, `cookingworld-2`). */
  id: string;
  /** The environment family that plays it. */
  env: EnvName;
  /** A display name ("Cheese Burger", "CookingWorld level 2"). */
  title: string;
  /** The paper's name for its four Robotouille tasks, else null. */
  paperName: string | null;
  /** Episode budget in actions (the paper's rule: ⌈1.5 × the step limit⌉). */
  timeout: number;
  /** The task's step limit ("at most N steps"; Robotouille's `optimal_steps`). */
  optimalSteps: number;
  /** The goal in words for the task as a whole (a game's own goal is `TextEnv.goal`). */
  goalDescription: string;
}

/** One episode of a text environment, at its current state. */
export interface TextEnv {
  /**
   * The text an agent reads at this state: the environment's observation, then `Valid Actions:` with one
   * action per line, then `Goal: …` (the same three parts in both families, so one prompt fits both).
   */
  observation(): string;
  /** The actions valid now, in the engine's order. */
  validActions(): string[];
  /** Take one of validActions(); any other string throws InvalidActionError (exit code 2), state unchanged. */
  step(action: string): { done: boolean };
  /** Has the episode ended (the goal reached, or — CookingWorld — the game lost)? */
  isDone(): boolean;
  /** Did it end with the task completed? */
  isSuccess(): boolean;
  /** Actions taken since the start. */
  readonly steps: number;
  /** This game's goal in words (the observation's `Goal:` line). */
  readonly goalDescription: string;
  /** An independent copy at the same state (privileged policies, Monte Carlo rollouts). */
  clone(): TextEnv;
  /**
   * A key of the state: equal keys ⇔ the same future, within one layout or game (memoisation, GiGPO's
   * anchor states). Keys of different layouts may coincide: scope caches by `origin`.
   */
  key(): string;
  /** An object shared by this episode's states and clones and by no other layout or game (a cache scope). */
  readonly origin: object;
  /**
   * The state as the engine gives it: its own observation text (Robotouille renders the whole text,
   * valid actions and goal included; CookingWorld's is the game's last message), the valid actions and
   * the goal. What `stgrpo observe --json` and `stgrpo replay` print.
   */
  view(): { observation: string; validActions: string[]; goal: string };
}
