/**
 * The contract between a policy (who picks the next action) and the multi-turn runner (lib/eval),
 * which calls `policy.act(ctx)` once per environment step and records what comes back.
 */
import type { EnvTask, TextEnv } from "../env/types";

/** What the runner knows about the task (lib/env's task; a caller may pass any object of this shape). */
export type PolicyTask = EnvTask;

/** One chat message, as OpenAI-compatible servers and TRL's conversational datasets take it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One completed step of the current episode, as a history-keeping policy shows it to the model. */
export interface PolicyTurn {
  action: string;
  reasoning?: string;
  /** The observation the action was taken in (only used by prompts that show previous observations). */
  observation?: string;
}

export interface PolicyContext {
  task: PolicyTask;
  /** Layout seed (null = the task's default layout). */
  seed: number | null;
  /** Steps taken so far in this episode (retries and exhausted steps do not count). */
  t: number;
  /** The current observation text (notes/kitchen-engine.md), including `Valid Actions:` and `Goal:`. */
  observation: string;
  validActions: string[];
  /** A clone of the current state; privileged policies (the expert) may read it, LLM policies must not. */
  env: TextEnv;
  /**
   * Optional: the episode's completed steps, oldest first. When the runner passes it, history-keeping
   * policies use it (stateless, resumable); otherwise they remember their own steps per episode.
   */
  history?: PolicyTurn[];
  /** Optional: distinguishes two concurrent episodes of the same (task, seed) for a policy's memory. */
  episode?: string;
}

export interface PolicyDecision {
  /** The action to take (one of ctx.validActions), or null: the policy gave no action this step. */
  action: string | null;
  /** Model replies obtained for this step (1 for a policy that never errs). */
  attempts: number;
  /** Replies rejected with error feedback (malformed or invalid action); attempts − 1 on success. */
  invalidReplies: number;
  reasoning?: string;
  /** Every raw reply of this step, in order. */
  raw?: string[];
  /** Transport retries (timeouts, dropped connections, 5xx) behind those replies; not model attempts. */
  retries?: number;
}

export interface Policy {
  name: string;
  act(ctx: PolicyContext): Promise<PolicyDecision>;
}
