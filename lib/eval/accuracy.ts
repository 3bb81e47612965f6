/**
 * Single-turn accuracy along an expert trajectory τ^GT = (s_0, a_0, …, s_{T−1}, a_{T−1}) (the expert
 * trajectory record of docs/design.md, taken as input — no planning here): p_t = π(a_t | s_t). For a
 * policy with a distribution (random, the CPU learners) its probability; for an endpoint, the fraction
 * of k sampled replies whose parsed action is the expert's (the "correct" part of the single-turn
 * reward; a malformed reply counts as wrong). Theorem 3.2's product P_0 = Π_t p_t is the predicted
 * probability of finishing in the minimal number of steps T^GT: equal to the truth when the minimal
 * trajectory is unique (Def 2.2), an undercount when other minimal trajectories exist.
 */
import { buildMessages, ChatMessage, PromptConfig, PolicyTurn, scoreReply } from "../agent/index";
import { resolveTask } from "../env/index";
import { UserError } from "../util/errors";
import type { ExpertTrajectory } from "../expert/record";
import type { ActionDistribution, ChatModel } from "./policy";

/** One trajectory's single-turn accuracies and Theorem 3.2's product. */
export interface TrajectoryAccuracy {
  task: string;
  seed: number | null;
  /** T^GT. */
  length: number;
  /** p_t = π(a_t | s_t) (exact, or the sampled fraction), t = 0..T−1. */
  p: number[];
  /** Π_t p_t: the predicted minimal-step success. */
  product: number;
  /** Sampled only: replies per state, and the well-formed-and-valid fraction per state. */
  samples?: number;
  format?: number[];
  /**
   * Sampled only: P(expert action | the reply was accepted), per state. Under the multi-turn protocol a
   * rejected reply is re-asked without a step, so this, not p_t, is the per-step probability an
   * episode sees (if feedback does not change the model's choice); its product is the second predictor.
   */
  pAccepted?: number[];
  productAccepted?: number;
}

export function prod(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** Exact accuracies of a policy with a distribution along one expert trajectory. */
export function exactAccuracy(dist: ActionDistribution, traj: ExpertTrajectory): TrajectoryAccuracy {
  const p = traj.steps.map((s) => dist(s.observation, s.valid_actions)[s.valid_actions.indexOf(s.action)]);
  return { task: traj.task, seed: traj.seed, length: traj.length, p, product: prod(p) };
}

/**
 * The single-turn request at expert state t: the multi-turn prompt with the expert's completed steps as
 * history (what the multi-turn agent would see had it followed the expert so far).
 */
export function expertStateMessages(prompt: PromptConfig, traj: ExpertTrajectory, t: number): ChatMessage[] {
  const history: PolicyTurn[] = traj.steps.slice(0, t).map((s) => ({ action: s.action, reasoning: s.reasoning, observation: s.observation }));
  return buildMessages(prompt, { observation: traj.steps[t].observation, history, env: resolveTask(traj.task).env });
}

/**
 * Sampled accuracies of a chat model along one trajectory: each state is asked `k` times (attempt
 * 1…k of the request seed, so a seeded server repeats the samples), concurrently up to the client's limit.
 */
export async function sampledAccuracy(model: ChatModel, traj: ExpertTrajectory, k: number): Promise<TrajectoryAccuracy> {
  if (!(Number.isInteger(k) && k >= 1)) throw new UserError(`samples per state must be a positive integer, got ${k}`);
  const perState = await Promise.all(
    traj.steps.map(async (s, t) => {
      const messages = expertStateMessages(model.prompt, traj, t);
      const replies = await Promise.all(
        Array.from({ length: k }, (_, i) => model.chat(messages, { task: traj.task, seed: traj.seed, t, attempt: i + 1 })),
      );
      const scores = replies.map((r) => scoreReply(r.content, s.action, s.valid_actions));
      const correct = scores.filter((x) => x.correct === 1).length;
      const accepted = scores.filter((x) => x.format === 1).length;
      return { p: correct / k, format: accepted / k, pAccepted: accepted ? correct / accepted : 0 };
    }),
  );
  const p = perState.map((x) => x.p);
  const pAccepted = perState.map((x) => x.pAccepted);
  return {
    task: traj.task,
    seed: traj.seed,
    length: traj.length,
    p,
    product: prod(p),
    samples: k,
    format: perState.map((x) => x.format),
    pAccepted,
    productAccepted: prod(pAccepted),
  };
}
