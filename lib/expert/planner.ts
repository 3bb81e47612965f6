/**
 * The optimal, unique expert: exact shortest plans, and one canonical plan among them.
 *
 * Tie-break (what makes the expert trajectory unique): among all shortest plans, the one whose
 * sequence of valid-action indices is lexicographically smallest — equivalently, at every state the
 * first action in the engine's valid-action order (moves by destination station, then pick up,
 * place, cook, cut, fry, stack, unstack, do nothing) that keeps the optimal remaining distance.
 * It is found greedily: from s_t with d*(s_t) = r, try the actions in order and take the first a with
 * d*(f(s_t, a)) ≤ r − 1 (≥ r − 1 always holds), each check a bounded A* search. The same checks over
 * all actions give the *optimal actions* of a state — every action that keeps the optimal distance —
 * whose count measures how far the kitchen is from the uniqueness that Def 2.2 assumes.
 *
 * Searches on one layout share what they learn (exact distances along found plans, lower bounds from
 * failed bounded searches), so re-planning from states of the same layout is cheap.
 */
import type { Kitchen } from "../kitchen/kitchen";
import { EngineState, KitchenModel, applyAction, goalHolds, validActionIds } from "../kitchen/engine";
import { UserError } from "../util/errors";
import { Heuristic, makeHeuristic, UNREACHABLE } from "./heuristic";
import type { Recipe } from "./recipe";
import { astar, compactKey, DEFAULT_MAX_EXPANDED } from "./search";

export interface PlanOptions {
  /** Budget of A* expansions per search (UserError beyond it). */
  maxExpanded?: number;
  /** Also find every optimal action at every step (ambiguity); default false. */
  allOptimal?: boolean;
}

/** `stgrpo plan`'s answer (docs/design.md contract: length, actions, expanded, ms). */
export interface PlanResult {
  length: number;
  actions: string[];
  /** States expanded by all the searches behind this plan. */
  expanded: number;
  ms: number;
}

export interface ExpertPlan extends PlanResult {
  /** Action ids of the plan (engine ids). */
  ids: number[];
  /** Index of the expert's action in each state's valid-action list. */
  indices: number[];
  /** Per step, the valid-action indices that keep the optimal distance (only with allOptimal). */
  optimalIndices?: number[][];
}

const MEMO_CAP = 2_000_000;

/** Per-layout planner state: the heuristic and what earlier searches learnt. */
export class LayoutPlanner {
  readonly h: Heuristic;
  readonly recipes: Recipe[] | null;
  /** Exact optimal distances, by compactKey. */
  private exact = new Map<string, number>();
  /** Lower bounds (exact values included), by compactKey; fed to A* as a sharper heuristic. */
  private lower = new Map<string, number>();
  expanded = 0;
  /** States generated (stored) by all the searches so far. */
  generated = 0;

  constructor(readonly model: KitchenModel) {
    const { h, recipes } = makeHeuristic(model);
    this.h = h;
    this.recipes = recipes;
  }

  private trim(): void {
    if (this.lower.size > MEMO_CAP) this.lower.clear();
    if (this.exact.size > MEMO_CAP) this.exact.clear();
  }

  /** d*(st) if it is ≤ bound, else null. Exact; throws BudgetExceeded past maxExpanded. */
  distance(st: EngineState, bound: number, maxExpanded = DEFAULT_MAX_EXPANDED): number | null {
    const m = this.model;
    const key = compactKey(m, st);
    const known = this.exact.get(key);
    if (known !== undefined) return known <= bound ? known : null;
    const lb = this.lower.get(key);
    if (lb !== undefined && lb > bound) return null;
    if (this.h(st) > bound) return null;
    this.trim();
    const r = astar(m, st, this.h, { bound, memo: this.lower, maxExpanded });
    this.expanded += r.expanded;
    this.generated += r.generated;
    if (r.plan === null) {
      this.lower.set(key, Math.max(lb ?? 0, bound === Infinity ? UNREACHABLE : bound + 1));
      return null;
    }
    // Every suffix of a shortest plan is a shortest plan: record the distances along it.
    const walk: EngineState = { s: st.s.slice(), fx: st.fx.slice() };
    const n = r.plan.length;
    for (let i = 0; i <= n; i++) {
      const k = i === 0 ? key : compactKey(m, walk);
      this.exact.set(k, n - i);
      this.lower.set(k, n - i);
      if (i < n) applyAction(m, walk, r.plan[i]);
    }
    return n;
  }

  /**
   * The expert plan from `start`: the shortest plan with the lexicographically smallest sequence of
   * valid-action indices; with allOptimal, also every optimal action index at every step.
   */
  expertPlan(start: EngineState, opts: PlanOptions = {}): ExpertPlan {
    const t0 = performance.now();
    const m = this.model;
    const maxExpanded = opts.maxExpanded ?? DEFAULT_MAX_EXPANDED;
    const before = this.expanded;
    if (m.goal.impossible) throw new UserError(`unsolvable layout: the goal can never hold (${m.goal.reason})`);
    const L = this.distance(start, Infinity, maxExpanded);
    if (L === null) throw new UserError("unsolvable layout: no sequence of actions reaches the goal");
    const ids: number[] = [];
    const indices: number[] = [];
    const optimalIndices: number[][] = [];
    const valid = new Int32Array(m.nStations + 8);
    let cur: EngineState = { s: start.s.slice(), fx: start.fx.slice() };
    for (let t = 0; t < L; t++) {
      const rest = L - t - 1;
      const n = validActionIds(m, cur, valid);
      let chosen: EngineState | null = null;
      const optimal: number[] = [];
      for (let k = 0; k < n; k++) {
        const child: EngineState = { s: cur.s.slice(), fx: cur.fx.slice() };
        applyAction(m, child, valid[k]);
        const ok = rest === 0 ? goalHolds(m, child) : this.distance(child, rest, maxExpanded) !== null;
        if (!ok) continue;
        optimal.push(k);
        if (chosen === null) {
          chosen = child;
          ids.push(valid[k]);
          indices.push(k);
        }
        if (!opts.allOptimal) break;
      }
      if (chosen === null) throw new Error(`planner invariant broken: no action keeps the optimal distance at step ${t}`);
      optimalIndices.push(optimal);
      cur = chosen;
    }
    const plan: ExpertPlan = {
      length: L,
      actions: ids.map((id) => m.actionStrings[id]),
      expanded: this.expanded - before,
      ms: performance.now() - t0,
      ids,
      indices,
    };
    if (opts.allOptimal) plan.optimalIndices = optimalIndices;
    return plan;
  }
}

const planners = new WeakMap<KitchenModel, LayoutPlanner>();

/** The (cached) planner of a layout. */
export function layoutPlanner(model: KitchenModel): LayoutPlanner {
  let p = planners.get(model);
  if (!p) {
    p = new LayoutPlanner(model);
    planners.set(model, p);
  }
  return p;
}

/** The expert plan from a kitchen's current state (see the file comment for the tie-break). */
export function expertPlan(kitchen: Kitchen, opts: PlanOptions = {}): ExpertPlan {
  return layoutPlanner(kitchen.model).expertPlan(kitchen.engineState, opts);
}

/**
 * An optimal plan from the kitchen's current state — the unique expert plan (docs/design.md's `stgrpo
 * plan`: {length, actions, expanded, ms}). Unknown task / unsolvable layout / budget: UserError.
 */
export function planOptimal(kitchen: Kitchen, opts: Omit<PlanOptions, "allOptimal"> = {}): PlanResult {
  const p = expertPlan(kitchen, opts);
  return { length: p.length, actions: p.actions, expanded: p.expanded, ms: p.ms };
}

/** The optimal length alone (one A* search; no tie-break). */
export function optimalLength(kitchen: Kitchen, opts: { maxExpanded?: number } = {}): number {
  const d = layoutPlanner(kitchen.model).distance(kitchen.engineState, Infinity, opts.maxExpanded);
  if (d === null) throw new UserError("unsolvable layout: no sequence of actions reaches the goal");
  return d;
}
