/**
 * What an evaluation knows about a policy besides its actions: the labels its episodes carry, its
 * settings, and what it offers for the single-turn measurements — an exact action distribution π(·|s)
 * (random, the CPU learners) or a chat model to sample replies from (an endpoint). lib/workflows'
 * `makePolicy` builds one from a spec.
 */
import type { EndpointPolicy } from "../agent/endpoint";
import type { ChatFn } from "../agent/react";
import type { PromptConfig } from "../agent/prompt";
import type { Policy } from "../agent/types";

/** A policy ready to evaluate, with what its records are labelled and how it was configured. */
export interface EvalPolicy {
  policy: Policy;
  model: string;
  trainedOn: string | null;
  /** The run id the policy's episodes carry by default (a CPU study checkpoint's `s<seed>`), if it has one. */
  run?: string;
  /** The settings in effect, for the config printout of a run. */
  config: Record<string, unknown>;
  /** π(·|s) over the valid actions, for policies that have one (random, learned): exact single-turn accuracy. */
  distribution?: ActionDistribution;
  /** For endpoints: the chat model and its prompt, to sample single-turn replies. */
  chatModel?: ChatModel;
  /** For endpoints: the policy (its client's counters). */
  endpoint?: EndpointPolicy;
}

/** A policy's action distribution at a state: probabilities aligned with `validActions`. */
export type ActionDistribution = (observation: string, validActions: readonly string[]) => ArrayLike<number>;

/** A chat model with the prompt it is evaluated with: what `sampledAccuracy` asks. */
export interface ChatModel {
  chat: ChatFn;
  prompt: PromptConfig;
}

