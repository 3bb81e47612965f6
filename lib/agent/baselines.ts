/**
 * Reference policies behind the same interface as the LLM agent: uniform random (the floor) and the
 * optimal expert (the ceiling; it reads the privileged environment clone).
 */
import type { TextEnv } from "../env/types";
import { shortestPlan } from "../expert/experts";
import type { Policy, PolicyContext, PolicyDecision } from "./types";
import { hashString, splitmix32 } from "../util/rng";

/**
 * Uniform over the valid actions. The draw at a step depends only on (policy seed, task, layout
 * seed, t, episode), never on what ran before, so a resumed or reordered evaluation repeats it.
 */
export class RandomPolicy implements Policy {
  readonly name: string;
  constructor(
    readonly seed = 0,
    name = "random",
  ) {
    this.name = name;
  }

  /** Index into validActions chosen at this context. */
  pick(ctx: Pick<PolicyContext, "task" | "seed" | "t" | "episode">, n: number): number {
    const u = splitmix32(hashString(JSON.stringify([this.seed, ctx.task.id, ctx.seed, ctx.t, ctx.episode ?? null]))) / 2 ** 32;
    return Math.min(n - 1, Math.floor(u * n));
  }

  async act(ctx: PolicyContext): Promise<PolicyDecision> {
    if (ctx.validActions.length === 0) return { action: null, attempts: 1, invalidReplies: 0 };
    return { action: ctx.validActions[this.pick(ctx, ctx.validActions.length)], attempts: 1, invalidReplies: 0 };
  }
}

/** An optimal planner: the shortest action sequence from the environment's state to the goal. */
export type Planner = (env: TextEnv) => string[];

const PLAN_CACHE_CAP = 100_000;

/**
 * The expert: the first action of an optimal plan from the current state. A plan computed once is
 * followed while the states match (cached by state key), so an episode usually plans only once.
 */
export class ExpertPolicy implements Policy {
  readonly name: string;
  private planner: Planner;
  /**
   * Per layout or game (`env.origin`, shared by its clones): state key → the optimal next action and
   * the remaining plan. State keys are unique only within a layout — two layouts can encode different
   * states with the same key — so one map across layouts would replay another layout's plan.
   */
  private plans = new WeakMap<object, Map<string, { action: string; remaining: string[] }>>();

  constructor(opts: { planner?: Planner; name?: string } = {}) {
    this.planner = opts.planner ?? shortestPlan;
    this.name = opts.name ?? "expert";
  }

  /** The optimal plan from this state (cached). */
  planFrom(env: TextEnv): string[] {
    let next = this.plans.get(env.origin);
    if (!next) this.plans.set(env.origin, (next = new Map()));
    const hit = next.get(env.key());
    if (hit) return hit.remaining;
    const plan = this.planner(env);
    if (next.size + plan.length > PLAN_CACHE_CAP) next.clear();
    const walk = env.clone();
    for (let i = 0; i < plan.length; i++) {
      next.set(walk.key(), { action: plan[i], remaining: plan.slice(i) });
      walk.step(plan[i]);
    }
    return plan;
  }

  async act(ctx: PolicyContext): Promise<PolicyDecision> {
    const plan = this.planFrom(ctx.env);
    if (plan.length === 0) return { action: null, attempts: 1, invalidReplies: 0 };
    const steps = plan.map((a, i) => `${i + 1}. ${a}`).join("\n");
    const reasoning = `The shortest way to the goal from here takes ${plan.length} step${plan.length === 1 ? "" : "s"}:\n${steps}\nI take the first one.`;
    return { action: plan[0], attempts: 1, invalidReplies: 0, reasoning };
  }
}

/** Uniform over the valid actions: the random policy's π(·|s). */
export const uniformDistribution = (_obs: string, valid: readonly string[]): Float64Array => new Float64Array(valid.length).fill(1 / valid.length);
