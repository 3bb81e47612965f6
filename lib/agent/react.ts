/**
 * `ReActPolicy`: the ReAct protocol around any chat model. Per environment step it asks the model,
 * parses the reply, and on a malformed reply or an invalid action re-prompts with error feedback, up
 * to `maxAttempts` (5) replies. Retries do not count as steps: they all happen inside one `act` call.
 * When every attempt fails the decision has `action: null` (the step gives no action); the runner
 * then re-prompts the same state without stepping, and gives up after 3 such exhaustions
 * (Robotouille's rule, implemented in lib/eval).
 */
import { checkReply, feedbackMessage } from "./parse";
import { buildMessages, ChatMessage, PromptConfig, promptConfig } from "./prompt";
import type { Policy, PolicyContext, PolicyDecision, PolicyTurn } from "./types";

export interface ChatCallInfo {
  task: string;
  seed: number | null;
  t: number;
  /** 1-based attempt within the step. */
  attempt: number;
}

export interface ChatReply {
  content: string;
  /** Transport retries spent obtaining this reply. */
  retries?: number;
}

/** One model call: messages in, the assistant's text out. Throws (UserError) when the model cannot answer. */
export type ChatFn = (messages: ChatMessage[], info: ChatCallInfo) => Promise<ChatReply>;

export interface ReActOptions {
  name: string;
  prompt?: Partial<PromptConfig>;
  /** Replies per step before the step gives no action (Robotouille: 5). */
  maxAttempts?: number;
}

export const MAX_ATTEMPTS_PER_STEP = 5;
const MEMORY_CAP = 4096;

export class ReActPolicy implements Policy {
  readonly name: string;
  readonly prompt: PromptConfig;
  readonly maxAttempts: number;
  /** Per-episode history when the runner does not pass ctx.history, keyed by task/seed/episode. */
  private memory = new Map<string, PolicyTurn[]>();

  constructor(
    private readonly chat: ChatFn,
    opts: ReActOptions,
  ) {
    this.name = opts.name;
    this.prompt = promptConfig(opts.prompt);
    this.maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS_PER_STEP;
    if (!(Number.isInteger(this.maxAttempts) && this.maxAttempts >= 1)) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${opts.maxAttempts}`);
    }
  }

  private memoryKey(ctx: PolicyContext): string {
    return JSON.stringify([ctx.task.id, ctx.seed, ctx.episode ?? null]);
  }

  /** The history to show at this step: the runner's if given, else this policy's memory of the episode. */
  private historyFor(ctx: PolicyContext): PolicyTurn[] {
    if (ctx.history) return ctx.history;
    const key = this.memoryKey(ctx);
    if (ctx.t === 0) this.memory.delete(key);
    return this.memory.get(key) ?? [];
  }

  private remember(ctx: PolicyContext, turn: PolicyTurn): void {
    if (ctx.history || this.prompt.historyTurns === 0) return;
    const key = this.memoryKey(ctx);
    const turns = this.memory.get(key) ?? [];
    turns.push(turn);
    const keep = Math.min(this.prompt.historyTurns, turns.length);
    if (turns.length > keep) turns.splice(0, turns.length - keep);
    this.memory.delete(key); // re-insert: Map order = least recently used first
    this.memory.set(key, turns);
    if (this.memory.size > MEMORY_CAP) this.memory.delete(this.memory.keys().next().value as string);
  }

  async act(ctx: PolicyContext): Promise<PolicyDecision> {
    const history = this.historyFor(ctx);
    const raw: string[] = [];
    let feedback: string | null = null;
    let rejected: string | null = null;
    let retries = 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const messages = buildMessages(this.prompt, { observation: ctx.observation, history, feedback, rejectedReply: rejected, env: ctx.task.env });
      const reply = await this.chat(messages, { task: ctx.task.id, seed: ctx.seed, t: ctx.t, attempt });
      retries += reply.retries ?? 0;
      raw.push(reply.content);
      const check = checkReply(reply.content, ctx.validActions);
      if (check.ok === true) {
        this.remember(ctx, { action: check.action, reasoning: check.reasoning, observation: ctx.observation });
        return { action: check.action, attempts: attempt, invalidReplies: attempt - 1, reasoning: check.reasoning, raw, retries };
      }
      feedback = feedbackMessage(check);
      rejected = reply.content;
    }
    return { action: null, attempts: this.maxAttempts, invalidReplies: this.maxAttempts, raw, retries };
  }
}
