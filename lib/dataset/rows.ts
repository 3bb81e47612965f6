/**
 * The single-turn dataset row (docs/design.md, "Records"), in TRL's conversational prompt–completion form:
 *
 *   {prompt:[{role, content}…], completion:[{role:"assistant", content:"Reasoning: …\nAction: …"}],
 *    expert_action, valid_actions, task, seed, t, optimal_actions?}
 *
 * One row per expert state s_t: the prompt is exactly what the multi-turn agent sees at step t of the
 * expert's episode (lib/agent's `buildMessages` with DATASET_PROMPT_CONFIG and the expert's earlier
 * steps as history), and the completion is the expert's ReAct reply there. The same file feeds the TS
 * learner (lib/learn/data.ts) and the Python trainer.
 */
import { buildMessages, ChatMessage, PromptConfig, promptConfig } from "../agent/prompt";
import type { PolicyTurn } from "../agent/types";
import { UserError } from "../util/errors";
import { ExpertTrajectory, validateTrajectory } from "../expert/record";
import { resolveTask } from "../env/index";

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

/**
 * The single-turn rows of a trajectory, one per expert state, in order. `history` of step t is the
 * expert's own steps 0…t−1 (the prompt config decides how many are shown).
 */
export function singleTurnRows(traj: ExpertTrajectory, config: PromptConfig = DATASET_PROMPT_CONFIG): SingleTurnRow[] {
  validateTrajectory(traj, `${traj.task}@${traj.seed ?? "default"}`);
  const history: PolicyTurn[] = [];
  const env = resolveTask(traj.task).env;
  return traj.steps.map((s, t) => {
    const row: SingleTurnRow = {
      prompt: buildMessages(config, { observation: s.observation, history, env }),
      completion: [{ role: "assistant", content: reactCompletion(s.reasoning!, s.action) }], // validated above: present
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

/** Check a single-turn row's shape (the contract fields of docs/design.md, "Records"). */
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
