/**
 * One multi-turn episode of the paper's protocol: the policy acts at each state until the goal holds
 * (success) or `timeout` steps were taken (failure). Retries inside a step (malformed or invalid
 * replies, re-prompted with feedback by the policy) do not count as steps. A step where the policy
 * exhausts its attempts gives no action and no step; after `maxExhaustions` such steps the agent gives
 * up (Robotouille's rule), and the episode fails.
 */
import { Kitchen, makeKitchen, TaskInfo } from "../kitchen/index";
import type { Policy } from "../agent/index";

export interface EpisodeRecord {
  run: string;
  model: string;
  trained_on: string | null;
  task: string;
  seed: number | null;
  success: boolean;
  steps: number;
  timeout: number;
  actions: string[];
  invalid_replies: number;
  wall_ms: number;
  /** Model calls made (attempts, including the invalid ones). */
  attempts: number;
  /** True when the agent gave up after exhausting its attempts `maxExhaustions` times. */
  gave_up: boolean;
}

export interface TurnTrace {
  t: number;
  observation: string;
  valid_actions: string[];
  action: string | null;
  attempts: number;
  invalid_replies: number;
  reasoning?: string;
  raw?: string[];
}

export interface EpisodeTrace {
  run: string;
  model: string;
  task: string;
  seed: number | null;
  turns: TurnTrace[];
}

export interface EpisodeOptions {
  run: string;
  model: string;
  trainedOn?: string | null;
  /** Steps allowed; defaults to the task's protocol timeout. */
  timeout?: number;
  /** Steps with no action (attempts exhausted) before the agent gives up. */
  maxExhaustions?: number;
  /** Keep per-turn observations and raw replies. */
  trace?: boolean;
  /** Start from this kitchen instead of building the task's layout (tests, custom layouts). */
  kitchen?: Kitchen;
}

export async function runEpisode(
  policy: Policy,
  task: TaskInfo,
  seed: number | null,
  opts: EpisodeOptions,
): Promise<{ record: EpisodeRecord; trace: EpisodeTrace | null }> {
  const started = Date.now();
  const timeout = opts.timeout ?? task.timeout;
  const maxExhaustions = opts.maxExhaustions ?? 3;
  const kitchen = opts.kitchen ? opts.kitchen.clone() : makeKitchen(task.id, seed);
  const actions: string[] = [];
  const turns: TurnTrace[] = [];
  let invalidReplies = 0;
  let attempts = 0;
  let exhaustions = 0;
  let done = kitchen.isDone();
  while (!done && actions.length < timeout && exhaustions < maxExhaustions) {
    const observation = kitchen.observation();
    const validActions = kitchen.validActions();
    const decision = await policy.act({
      task,
      seed,
      t: actions.length,
      observation,
      validActions,
      kitchen: kitchen.clone(),
    });
    attempts += decision.attempts;
    invalidReplies += decision.invalidReplies;
    if (opts.trace) {
      turns.push({
        t: actions.length,
        observation,
        valid_actions: validActions,
        action: decision.action,
        attempts: decision.attempts,
        invalid_replies: decision.invalidReplies,
        reasoning: decision.reasoning,
        raw: decision.raw,
      });
    }
    if (decision.action === null) {
      exhaustions++;
      continue;
    }
    done = kitchen.step(decision.action).done;
    actions.push(decision.action);
  }
  const record: EpisodeRecord = {
    run: opts.run,
    model: opts.model,
    trained_on: opts.trainedOn ?? null,
    task: task.id,
    seed,
    success: done,
    steps: done ? actions.length : timeout,
    timeout,
    actions,
    invalid_replies: invalidReplies,
    wall_ms: Date.now() - started,
    attempts,
    gave_up: !done && exhaustions >= maxExhaustions,
  };
  const trace = opts.trace ? { run: opts.run, model: opts.model, task: task.id, seed, turns } : null;
  return { record, trace };
}
