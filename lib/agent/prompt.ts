/**
 * The ReAct prompt, written in our own words after Robotouille's headline ReAct protocol
 * (prompt `ReAct/1.3.1-last-reasoning-action-mpc`): same structure and information, not the same text.
 *
 * A request is, in order:
 *   1. system      — who the agent is;
 *   2. user        — the instructions: input format, the "Reasoning: …\nAction: …" reply format (the
 *                    action copied exactly from the valid actions, the first step of a full plan),
 *                    the kitchen's object kinds and rules, the under-specified goals, the recipe guide;
 *   3. user/assistant pairs of the in-context example (optional);
 *   4. user/assistant pairs of the history: "Previous Observation: omitted" (or the observation) /
 *      "Previous Reasoning: <r>\nPrevious Action: <a>" for the last k completed steps (k = 1 default);
 *   5. within a step's retries: the rejected reply as an assistant message after the observation;
 *   6. user          — optional "Error Feedback: <message>\n", then the observation text verbatim.
 *
 * Contract: the last message of every request is a user message that contains the current
 * observation verbatim (it ends with it).
 */
import * as path from "node:path";
import { envFamily } from "../env/index";
import type { EnvPrompt } from "../env/family";
import type { EnvName } from "../env/types";
import { UserError } from "../util/errors";
import { REPO_ROOT } from "../util/profile";
import { loadInContextExample } from "./example";
import type { ChatMessage, PolicyTurn } from "./types";
export type { ChatMessage };

export interface PromptConfig {
  /**
   * Completed steps shown to the model as history: 0 = none, 1 = the last reasoning and action
   * (Robotouille's headline setting, default), k = the last k, Infinity = all.
   */
  historyTurns: number;
  /** Show previous observations in the history instead of "omitted" (Robotouille's 1.4.x variant). Default false. */
  historyObservations: boolean;
  /** Include Robotouille's one in-context example (default true, as in the headline setting). */
  inContextExample: boolean;
  /** Inside a step's retries, show the rejected reply before the feedback (default true). */
  showRejectedReply: boolean;
  /**
   * Merge consecutive messages of the same role (joined by "\n"), for chat templates that require
   * strictly alternating roles (Robotouille does this for Llama-2/3.1). Default false.
   */
  alternateRoles: boolean;
  /** Explicit example messages (overrides the vendored example when inContextExample is true). */
  exampleMessages?: ChatMessage[];
}

export const DEFAULT_PROMPT_CONFIG: Readonly<PromptConfig> = Object.freeze({
  historyTurns: 1,
  historyObservations: false,
  inContextExample: true,
  showRejectedReply: true,
  alternateRoles: false,
});

export function promptConfig(overrides: Partial<PromptConfig> = {}): PromptConfig {
  const c: PromptConfig = { ...DEFAULT_PROMPT_CONFIG, ...overrides };
  if (!(c.historyTurns >= 0) || (Number.isFinite(c.historyTurns) && !Number.isInteger(c.historyTurns))) {
    throw new RangeError(`historyTurns must be a non-negative integer or Infinity, got ${c.historyTurns}`);
  }
  return c;
}


/**
 * The instructions message: the reply format and the protocol, the same for every environment, with the
 * environment's own words (lib/env) for its observations and rules; the first paragraph depends on what
 * history the model will see.
 */
export function instructions(config: Pick<PromptConfig, "historyTurns" | "historyObservations">, env: EnvPrompt = envFamily("robotouille").prompt): string {
  const k = config.historyTurns;
  const what = config.historyObservations ? "observation, reasoning and action" : "reasoning and action";
  const historySentence =
    k === 0
      ? "At every turn you choose one action from the current observation and the list of valid actions."
      : k === 1
        ? `At every turn you choose one action from the current observation, the list of valid actions, and your ${what} at the previous turn.`
        : `At every turn you choose one action from the current observation, the list of valid actions, and your ${what} at the previous ${Number.isFinite(k) ? `${k} turns` : "turns"}.`;
  const reasoningBullet =
    k === 0
      ? "- Reasoning: think about which action to take next. Write out a complete step-by-step plan from the current state to the goal; it justifies the action you choose."
      : "- Reasoning: think about which action to take next, building on your previous reasoning and action. Write out a complete step-by-step plan from the current state to the goal; it justifies the action you choose.";
  return [
    historySentence,
    "",
    "Each message you receive has this form:",
    "Error Feedback: ... (only when your previous reply could not be used)",
    env.observationLine,
    "Valid Actions:",
    "<the actions you may take now, one per line>",
    env.goalLine,
    "",
    "Error Feedback is automatic. It appears when your previous reply was not in the required format, or named an action that is not in the Valid Actions list; that reply was not carried out. It only checks the format and whether the action exists, not whether your plan is good, so it should neither strengthen nor weaken your current strategy.",
    "",
    "Always reply in exactly this format:",
    "Reasoning: <your reasoning>",
    "Action: <one action>",
    "",
    "where",
    reasoningBullet,
    "- Action: the action you take now. Copy it character for character from the Valid Actions list; it must be exactly one of those lines. It is the first step of the plan in your reasoning.",
    "",
    ...env.rules,
  ].join("\n");
}

/** The history message pair of one completed step. */
export function historyMessages(turn: PolicyTurn, showObservation: boolean): ChatMessage[] {
  const obs = showObservation && turn.observation !== undefined ? turn.observation : "omitted";
  const reasoning = turn.reasoning !== undefined ? `Previous Reasoning: ${turn.reasoning}\n` : "";
  return [
    { role: "user", content: `Previous Observation: ${obs}` },
    { role: "assistant", content: `${reasoning}Previous Action: ${turn.action}` },
  ];
}

/** The last user message: optional error feedback, then the observation verbatim. */
export function observationMessage(observation: string, feedback?: string | null): ChatMessage {
  return { role: "user", content: feedback ? `Error Feedback: ${feedback}\n${observation}` : observation };
}

export interface PromptInput {
  observation: string;
  /** The episode's completed steps, oldest first (the config decides how many are shown). */
  history?: readonly PolicyTurn[];
  /** Error feedback on the previous attempt at this step. */
  feedback?: string | null;
  /** That rejected reply (shown when config.showRejectedReply). */
  rejectedReply?: string | null;
  /** The environment the task belongs to (its rules and words; default robotouille). */
  env?: EnvName;
}

/** Fixed head of every request: system, instructions, example. Cached per config and environment. */
const headCache = new WeakMap<PromptConfig, Map<EnvName, ChatMessage[]>>();

export function promptHead(config: PromptConfig, envName: EnvName = "robotouille"): ChatMessage[] {
  let byEnv = headCache.get(config);
  if (!byEnv) headCache.set(config, (byEnv = new Map()));
  let head = byEnv.get(envName);
  if (!head) {
    const env = envFamily(envName).prompt;
    head = [
      { role: "system", content: env.system },
      { role: "user", content: instructions(config, env) },
    ];
    if (config.inContextExample) {
      if (config.exampleMessages) head.push(...config.exampleMessages);
      else if (env.inContextExample) head.push(...loadInContextExample(path.join(REPO_ROOT, env.inContextExample)));
      else throw new UserError(`${envFamily(envName).title} has no in-context example: use a prompt without one (--no-example)`);
    }
    byEnv.set(envName, head);
  }
  return head;
}

/** The messages of one request. */
export function buildMessages(config: PromptConfig, input: PromptInput): ChatMessage[] {
  const messages: ChatMessage[] = [...promptHead(config, input.env)];
  const history = input.history ?? [];
  const k = Math.min(config.historyTurns, history.length);
  for (let i = history.length - k; i < history.length; i++) {
    messages.push(...historyMessages(history[i], config.historyObservations));
  }
  if (input.feedback && config.showRejectedReply && input.rejectedReply && input.rejectedReply.trim()) {
    messages.push({ role: "user", content: input.observation }, { role: "assistant", content: input.rejectedReply });
  }
  messages.push(observationMessage(input.observation, input.feedback));
  return config.alternateRoles ? mergeSameRole(messages) : messages;
}

/** Join consecutive messages of the same role with "\n" (the system message stays on its own). */
export function mergeSameRole(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role !== "system") out[out.length - 1] = { role: m.role, content: `${last.content}\n${m.content}` };
    else out.push({ ...m });
  }
  return out;
}
