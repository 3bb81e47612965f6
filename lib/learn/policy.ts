/**
 * `LearnedPolicy`: a trained CPU policy behind the project's `Policy` interface, so the same evaluator
 * that runs the expert and the LLM endpoints runs it. It reads only the observation text and the valid
 * actions (never the privileged `kitchen` clone in the context).
 *
 * Decoding: greedy (temperature 0, ties to the first valid action) or sampled at a temperature from a
 * stream seeded by (policy seed, task, layout seed, t) — so an episode's actions do not depend on which
 * other episodes ran before it, and a resumed evaluation reproduces them.
 */
import type { Policy, PolicyContext, PolicyDecision } from "../agent/index";
import { LoadedPolicy } from "./checkpoint";
import { sharedFeatureCache } from "./features";
import { argmax, logSoftmax, softmax } from "./model";
import { hashString, mixSeed, Rng } from "../util/rng";

export interface LearnedPolicyOptions {
  /** Name used in episode records (`model`). */
  name?: string;
  /** 0 = greedy; > 0 = sample from softmax(score / temperature). */
  temperature?: number;
  /** Seed of the sampling streams. */
  seed?: number;
}

export class LearnedPolicy implements Policy {
  readonly name: string;
  readonly temperature: number;
  readonly seed: number;
  constructor(
    readonly policy: LoadedPolicy,
    opts: LearnedPolicyOptions = {},
  ) {
    this.temperature = opts.temperature ?? 0;
    this.seed = opts.seed ?? 0;
    this.name = opts.name ?? `learned-${String(policy.meta.algo ?? "policy")}`;
  }

  /** The candidate scores at a state (φ from the shared feature cache: many models visit the same states). */
  scores(observation: string, validActions: readonly string[]): Float64Array {
    return this.policy.model.forward(sharedFeatureCache.get(observation, validActions, this.policy.features)).scores;
  }

  /** π(·|s) over `validActions` (temperature 1: the trained distribution). */
  probs(observation: string, validActions: readonly string[]): Float64Array {
    return softmax(this.scores(observation, validActions));
  }

  /** log π(·|s) over `validActions`. */
  logProbs(observation: string, validActions: readonly string[]): Float64Array {
    return logSoftmax(this.scores(observation, validActions));
  }

  /** The action this policy takes (index into validActions) for a state and a sampling stream. */
  choose(observation: string, validActions: readonly string[], stream: { task: string; seed: number | null; t: number }): number {
    const scores = this.scores(observation, validActions);
    if (this.temperature <= 0) return argmax(scores);
    const rng = new Rng(mixSeed(this.seed, hashString(stream.task), stream.seed === null ? 0xffffffff : stream.seed, stream.t));
    return rng.categorical(softmax(scores, this.temperature));
  }

  async act(ctx: PolicyContext): Promise<PolicyDecision> {
    if (ctx.validActions.length === 0) return { action: null, attempts: 1, invalidReplies: 0 };
    const k = this.choose(ctx.observation, ctx.validActions, { task: ctx.task.id, seed: ctx.seed, t: ctx.t });
    return { action: ctx.validActions[k], attempts: 1, invalidReplies: 0 };
  }
}
