/**
 * One multi-turn episode of the paper's protocol: the policy acts at each state until the goal holds
 * (success) or `timeout` steps were taken (failure). Retries inside a step (malformed or invalid
 * replies, re-prompted with feedback by the policy) do not count as steps. A step where the policy
 * exhausts its attempts gives no action and no step; after `maxExhaustions` such steps the agent gives
 * up (Robotouille's `feedback_attempts = 3`), and the episode fails.
 *
 * The runner passes the episode's completed steps to the policy as `ctx.history`, so history-keeping
 * policies (the ReAct agent) are stateless across episodes: concurrent episodes cannot mix their
 * histories, and a resumed run shows the model exactly what the uninterrupted run showed it.
 */
import { makeEnv } from "../env/index";
import { UserError } from "../util/errors";
import type { EnvTask, TextEnv } from "../env/types";
import type { Policy, PolicyTurn } from "../agent/index";

/** Robotouille's `feedback_attempts`: exhausted steps (5 rejected replies each) before giving up. */
export const MAX_EXHAUSTIONS = 3;

/**
 * One line of the episode JSONL. The first eleven fields are docs/design.md's contract; the rest are ours.
 * `steps` is the steps taken for a success and the timeout for any failure (ran out or gave up), so that
 * ASAT is the mean of `steps`; `steps_taken` keeps the actual count.
 */
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
  /** The protocol the episode belongs to ("paper", "extended-100", "custom"). */
  protocol: string;
  /** Actions actually taken (= steps on success; ≤ timeout on failure). */
  steps_taken: number;
  /** Model replies obtained (attempts, including the rejected ones). */
  attempts: number;
  /** Transport retries behind those replies (timeouts, dropped connections, 5xx). */
  retries: number;
  /** Steps where every attempt was rejected (no action, no step). */
  exhaustions: number;
  /** True when the agent gave up after `MAX_EXHAUSTIONS` exhausted steps. */
  gave_up: boolean;
}

/** The fields of the episode record other tools rely on (docs/design.md, "Records"). */
export const EPISODE_CONTRACT_FIELDS = ["run", "model", "trained_on", "task", "seed", "success", "steps", "timeout", "actions", "invalid_replies", "wall_ms"] as const;

/** The fields the tables need from an episode written by any tool (the rest are checked when present). */
export const EPISODE_TABLE_FIELDS = ["run", "model", "task", "success", "steps"] as const;

/**
 * The one validator of episode records: `required` fields must be present (default: the contract's),
 * and every field that is present must have its type; a one-line UserError names `where` and the field.
 */
export function validateEpisode(r: unknown, where: string, required: readonly string[] = EPISODE_CONTRACT_FIELDS): EpisodeRecord {
  if (!r || typeof r !== "object" || Array.isArray(r)) throw new UserError(`${where} is not a JSON object (not an episode JSONL?)`);
  const o = r as Record<string, unknown>;
  for (const f of required) if (!(f in o)) throw new UserError(`${where} lacks "${f}" (not an episode JSONL?)`);
  const bad = (f: string, what: string) => new UserError(`${where}: "${f}" must be ${what}, got ${JSON.stringify(o[f])}`);
  const has = (f: string) => o[f] !== undefined;
  for (const f of ["run", "model", "task"]) if (has(f) && (typeof o[f] !== "string" || o[f] === "")) throw bad(f, "a non-empty string");
  if (has("trained_on") && o.trained_on !== null && typeof o.trained_on !== "string") throw bad("trained_on", "a string or null");
  if (has("seed") && o.seed !== null && !Number.isInteger(o.seed)) throw bad("seed", "an integer or null");
  if (has("success") && typeof o.success !== "boolean") throw bad("success", "true or false");
  for (const f of ["steps", "invalid_replies", "wall_ms"]) if (has(f) && !(Number.isInteger(o[f]) && (o[f] as number) >= 0)) throw bad(f, "a non-negative integer");
  if (has("timeout") && o.timeout !== null && !(Number.isInteger(o.timeout) && (o.timeout as number) > 0)) throw bad("timeout", "a positive integer");
  if (has("actions") && !Array.isArray(o.actions)) throw bad("actions", "an array");
  if (has("protocol") && typeof o.protocol !== "string") throw bad("protocol", "a string");
  return r as EpisodeRecord;
}

export interface TurnTrace {
  t: number;
  observation: string;
  valid_actions: string[];
  action: string | null;
  attempts: number;
  invalid_replies: number;
  retries: number;
  reasoning?: string;
  raw?: string[];
}

/** One line of the traces JSONL: the episode's identity and outcome, and every turn. */
export interface EpisodeTrace extends Pick<EpisodeRecord, "run" | "model" | "trained_on" | "task" | "seed" | "success"> {
  turns: TurnTrace[];
}

export interface EpisodeOptions {
  run: string;
  model: string;
  trainedOn?: string | null;
  protocol?: string;
  /** Steps allowed; defaults to the task's protocol timeout. */
  timeout?: number;
  /** Exhausted steps before the agent gives up (default 3). */
  maxExhaustions?: number;
  /** Keep per-turn observations and raw replies. */
  trace?: boolean;
  /** Start from this state instead of the task's layout or game `seed` (tests, custom layouts). */
  start?: TextEnv;
}

export async function runEpisode(
  policy: Policy,
  task: EnvTask,
  seed: number | null,
  opts: EpisodeOptions,
): Promise<{ record: EpisodeRecord; trace: EpisodeTrace | null }> {
  const started = Date.now();
  const timeout = opts.timeout ?? task.timeout;
  const maxExhaustions = opts.maxExhaustions ?? MAX_EXHAUSTIONS;
  const env = opts.start ? opts.start.clone() : makeEnv(task, seed);
  const actions: string[] = [];
  const history: PolicyTurn[] = [];
  const turns: TurnTrace[] = [];
  let invalidReplies = 0;
  let attempts = 0;
  let retries = 0;
  let exhaustions = 0;
  let done = env.isDone();
  while (!done && actions.length < timeout && exhaustions < maxExhaustions) {
    const observation = env.observation();
    const validActions = env.validActions();
    const decision = await policy.act({
      task,
      seed,
      t: actions.length,
      observation,
      validActions,
      env: env.clone(),
      history: history.slice(),
    });
    attempts += decision.attempts;
    invalidReplies += decision.invalidReplies;
    retries += decision.retries ?? 0;
    if (opts.trace) {
      turns.push({
        t: actions.length,
        observation,
        valid_actions: validActions,
        action: decision.action,
        attempts: decision.attempts,
        invalid_replies: decision.invalidReplies,
        retries: decision.retries ?? 0,
        reasoning: decision.reasoning,
        raw: decision.raw,
      });
    }
    if (decision.action === null) {
      exhaustions++;
      continue;
    }
    if (!validActions.includes(decision.action)) {
      // The Policy contract: an action is one of ctx.validActions (ReActPolicy re-prompts otherwise).
      throw new Error(`policy ${policy.name} returned ${JSON.stringify(decision.action)}, which is not a valid action`);
    }
    done = env.step(decision.action).done;
    actions.push(decision.action);
    history.push({ action: decision.action, reasoning: decision.reasoning, observation });
  }
  // An episode ends done by reaching the goal or (CookingWorld) by losing the game.
  const success = done && env.isSuccess();
  const record: EpisodeRecord = {
    run: opts.run,
    model: opts.model,
    trained_on: opts.trainedOn ?? null,
    task: task.id,
    seed,
    success,
    steps: success ? actions.length : timeout,
    timeout,
    actions,
    invalid_replies: invalidReplies,
    wall_ms: Date.now() - started,
    protocol: opts.protocol ?? "custom",
    steps_taken: actions.length,
    attempts,
    retries,
    exhaustions,
    gave_up: !done && exhaustions >= maxExhaustions,
  };
  const trace = opts.trace
    ? { run: opts.run, model: opts.model, trained_on: record.trained_on, task: task.id, seed, success, turns }
    : null;
  return { record, trace };
}
