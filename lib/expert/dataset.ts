/**
 * The expert data formats (DESIGN.md, contract): an expert trajectory as one JSONL record, and its
 * single-turn dataset rows in TRL's conversational prompt–completion form.
 *
 *   trajectory  {task, seed, steps:[{observation, valid_actions, action, reasoning, optimal_actions?}],
 *                length, optimal, expert?, effective_seed?}
 *   row         {prompt:[{role, content}…], completion:[{role:"assistant", content:"Reasoning: …\nAction: …"}],
 *                expert_action, valid_actions, task, seed, t, optimal_actions?}
 *
 * One row per expert state s_t: the prompt is exactly what the multi-turn agent sees at step t of the
 * expert's episode (lib/agent's `buildMessages` with DATASET_PROMPT_CONFIG and the expert's earlier
 * steps as history), and the completion is the expert's ReAct reply there. The same file feeds the TS
 * learner (lib/learn/data.ts) and the Python trainer.
 */
import { buildMessages, ChatMessage, PromptConfig, promptConfig } from "../agent/prompt";
import type { PolicyTurn } from "../agent/types";
import { UserError } from "../util/errors";

/**
 * The prompt every single-turn dataset is built with, and therefore the prompt a model trained on it
 * must be evaluated with (pass it as `EndpointPolicy({prompt: DATASET_PROMPT_CONFIG})`).
 *
 * - `historyTurns: 1` — Robotouille's headline setting (the last reasoning and action, observation
 *   omitted), so the trained model sees at evaluation what it saw in training.
 * - `inContextExample: false` — the one Robotouille example is ~20 KB (5–6 k tokens) per request; for a
 *   1.5B model trained on thousands of states it would dominate compute and context, and SFT teaches
 *   the format directly. This is a deviation from Robotouille's headline prompt (1 example), named in
 *   notes/expert.md; the untrained baselines may still be evaluated with the example.
 */
export const DATASET_PROMPT_CONFIG: Readonly<PromptConfig> = Object.freeze(promptConfig({ historyTurns: 1, inContextExample: false }));

/** One step of an expert trajectory: the state's observation and valid actions, the expert's choice. */
export interface ExpertStep {
  observation: string;
  valid_actions: string[];
  action: string;
  reasoning: string;
  /** Every valid action that keeps the optimal remaining distance (the expert's action among them). */
  optimal_actions?: string[];
}

/** An expert trajectory record (one JSONL line). */
export interface ExpertTrajectory {
  task: string;
  /** Layout seed as requested (null = the default layout). */
  seed: number | null;
  steps: ExpertStep[];
  /** Number of steps (= steps.length). */
  length: number;
  /** True when the trajectory is known to be of minimal length (the planner's; an LLM's only when checked). */
  optimal: boolean;
  /** Who produced it: "planner" or "llm:<model>". */
  expert?: string;
  /** The seed the generator actually used (Robotouille retries seed+1 silently when generation fails). */
  effective_seed?: number | null;
}

/** One single-turn dataset row. */
export interface SingleTurnRow {
  prompt: ChatMessage[];
  completion: [{ role: "assistant"; content: string }];
  expert_action: string;
  valid_actions: string[];
  task: string;
  seed: number | null;
  t: number;
  optimal_actions?: string[];
}

/** The ReAct reply the expert gives at a step: "Reasoning: …\nAction: …" (parses with lib/agent's parser). */
export function reactCompletion(reasoning: string, action: string): string {
  return `Reasoning: ${reasoning}\nAction: ${action}`;
}

/** The trajectory JSONL record (checks that it is well formed: every action valid at its state). */
export function trajectoryRecord(traj: ExpertTrajectory): ExpertTrajectory {
  validateTrajectory(traj, `${traj.task}@${traj.seed ?? "default"}`);
  const rec: ExpertTrajectory = {
    task: traj.task,
    seed: traj.seed,
    steps: traj.steps.map((s) => {
      const step: ExpertStep = { observation: s.observation, valid_actions: s.valid_actions, action: s.action, reasoning: s.reasoning };
      if (s.optimal_actions) step.optimal_actions = s.optimal_actions;
      return step;
    }),
    length: traj.steps.length,
    optimal: traj.optimal,
  };
  if (traj.expert !== undefined) rec.expert = traj.expert;
  if (traj.effective_seed !== undefined) rec.effective_seed = traj.effective_seed;
  return rec;
}

/**
 * The single-turn rows of a trajectory, one per expert state, in order. `history` of step t is the
 * expert's own steps 0…t−1 (the prompt config decides how many are shown).
 */
export function singleTurnRows(traj: ExpertTrajectory, config: PromptConfig = DATASET_PROMPT_CONFIG): SingleTurnRow[] {
  validateTrajectory(traj, `${traj.task}@${traj.seed ?? "default"}`);
  const history: PolicyTurn[] = [];
  return traj.steps.map((s, t) => {
    const row: SingleTurnRow = {
      prompt: buildMessages(config, { observation: s.observation, history }),
      completion: [{ role: "assistant", content: reactCompletion(s.reasoning, s.action) }],
      expert_action: s.action,
      valid_actions: s.valid_actions,
      task: traj.task,
      seed: traj.seed,
      t,
    };
    if (s.optimal_actions) row.optimal_actions = s.optimal_actions;
    history.push({ action: s.action, reasoning: s.reasoning, observation: s.observation });
    return row;
  });
}

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}`);
}

/**
 * Check a trajectory record's shape (a one-line UserError naming the record and the field).
 * `requireReasoning: false` accepts steps without reasoning (evaluation reads trajectories from any
 * source; SFT data needs the reasoning).
 */
export function validateTrajectory(x: unknown, where: string, { requireReasoning = true } = {}): asserts x is ExpertTrajectory {
  const r = x as ExpertTrajectory;
  if (!r || typeof r !== "object") fail(where, "not an object");
  if (typeof r.task !== "string" || !r.task) fail(where, `"task" must be a non-empty string`);
  if (!(r.seed === null || Number.isInteger(r.seed))) fail(where, `"seed" must be an integer or null`);
  if (!Array.isArray(r.steps)) fail(where, `"steps" must be an array`);
  if (typeof r.optimal !== "boolean") fail(where, `"optimal" must be a boolean`);
  r.steps.forEach((s, t) => {
    const at = `${where} step ${t}`;
    if (!s || typeof s !== "object") fail(at, "not an object");
    if (typeof s.observation !== "string" || !s.observation) fail(at, `"observation" must be a non-empty string`);
    if (!Array.isArray(s.valid_actions) || s.valid_actions.length === 0 || s.valid_actions.some((a) => typeof a !== "string")) {
      fail(at, `"valid_actions" must be a non-empty array of strings`);
    }
    if (typeof s.action !== "string" || !s.valid_actions.includes(s.action)) fail(at, `action ${JSON.stringify(s.action)} is not among its valid actions`);
    if (s.reasoning !== undefined || requireReasoning) {
      if (typeof s.reasoning !== "string" || !s.reasoning.trim()) fail(at, `"reasoning" must be a non-empty string`);
      if (s.reasoning.split("\n").some((line) => line.startsWith("Action:"))) fail(at, `"reasoning" must not contain a line starting with "Action:"`);
    }
    if (s.optimal_actions !== undefined) {
      if (!Array.isArray(s.optimal_actions) || !s.optimal_actions.includes(s.action)) fail(at, `"optimal_actions" must contain the action`);
      if (s.optimal_actions.some((a) => !s.valid_actions.includes(a))) fail(at, `"optimal_actions" must be valid actions`);
    }
  });
  if (r.length !== undefined && r.length !== r.steps.length) fail(where, `"length" ${r.length} differs from the ${r.steps.length} steps`);
}

/** Check a single-turn row's shape (DESIGN.md's contract fields). */
export function validateSingleTurnRow(x: unknown, where: string): asserts x is SingleTurnRow {
  const r = x as SingleTurnRow;
  if (!r || typeof r !== "object") fail(where, "not an object");
  if (!Array.isArray(r.prompt) || r.prompt.length === 0) fail(where, `"prompt" must be a non-empty array of messages`);
  for (const m of r.prompt) {
    if (!m || !["system", "user", "assistant"].includes(m.role) || typeof m.content !== "string") fail(where, `every prompt message needs a role and a string content`);
  }
  if (r.prompt[r.prompt.length - 1].role !== "user") fail(where, "the last prompt message must be the user's observation");
  if (!Array.isArray(r.completion) || r.completion.length !== 1 || r.completion[0].role !== "assistant" || typeof r.completion[0].content !== "string") {
    fail(where, `"completion" must be one assistant message`);
  }
  if (!Array.isArray(r.valid_actions) || !r.valid_actions.includes(r.expert_action)) fail(where, `"expert_action" must be one of "valid_actions"`);
  if (typeof r.task !== "string" || !(r.seed === null || Number.isInteger(r.seed)) || !Number.isInteger(r.t) || r.t < 0) {
    fail(where, `"task", "seed" and "t" must be a string, an integer or null, and a non-negative integer`);
  }
  if (r.optimal_actions !== undefined && (!Array.isArray(r.optimal_actions) || !r.optimal_actions.includes(r.expert_action))) {
    fail(where, `"optimal_actions" must contain the expert action`);
  }
}
