/**
 * Theorem 3.2 and Corollary 3.2 measured by Monte Carlo for a policy with a distribution: rollouts of π
 * for exactly T^GT steps from the trajectory's start — minimal-step success, and being in the expert's
 * state s_k after exactly k steps (the prefix subtasks).
 */
import type { TextEnv } from "../env/types";
import { UserError } from "../util/errors";
import { categorical, mulberry32 } from "../util/rng";
import type { ActionDistribution } from "./policy";

export interface ExpertPathCheck {
  /** π(a_t | s_t) along the expert trajectory, t = 0..T−1. */
  pExpert: number[];
  /** Product predictor for each prefix k = 1..T: Π_{t<k} π(a_t | s_t). */
  product: number[];
  /** Measured fraction of rollouts in the expert's state s_k after exactly k steps, k = 1..T−1; for k = T, done in T steps. */
  measured: number[];
  /** Rollouts sampled. */
  samples: number;
  /** The minimal length T^GT. */
  length: number;
}


/**
 * Check a policy's distribution against an expert trajectory that starts in `start` (not modified).
 * Rollouts sample π for exactly T^GT steps; `random` is the uniform source (default: seeded from `seed`).
 * Prefix k < T counts being in the expert's state s_k after exactly k steps (compared by the state's
 * key; another path may rejoin it, so a rollout does not stop there); k = T counts completing
 * the task in T steps (any goal state).
 */
export function expertPathCheck(
  dist: ActionDistribution,
  start: TextEnv,
  expertActions: readonly string[],
  samples: number,
  opts: { seed?: number; random?: () => number } = {},
): ExpertPathCheck {
  const T = expertActions.length;
  const keys: string[] = [];
  const pExpert: number[] = [];
  const k = start.clone();
  for (const a of expertActions) {
    const valid = k.validActions();
    const idx = valid.indexOf(a);
    if (idx < 0) throw new UserError(`expert action ${JSON.stringify(a)} is not valid in the expert's state ${pExpert.length}`);
    pExpert.push(dist(k.observation(), valid)[idx]);
    k.step(a);
    keys.push(k.key());
  }
  const product: number[] = [];
  let acc = 1;
  for (const p of pExpert) product.push((acc *= p));
  const hits = new Array(T).fill(0);
  const random = opts.random ?? mulberry32(opts.seed ?? 0);
  // π is a pure function of the state: cache it per state key.
  const cache = new Map<string, { valid: string[]; p: ArrayLike<number> }>();
  for (let n = 0; n < samples; n++) {
    const kk = start.clone();
    for (let t = 0; t < T; t++) {
      const key = kk.key();
      let c = cache.get(key);
      if (!c) {
        const valid = kk.validActions();
        c = { valid, p: dist(kk.observation(), valid) };
        cache.set(key, c);
      }
      const done = kk.step(c.valid[categorical(c.p, random())]).done;
      if (t < T - 1 ? kk.key() === keys[t] : done) hits[t]++;
      if (done) break;
    }
  }
  return { pExpert, product, measured: hits.map((h) => h / samples), samples, length: T };
}
