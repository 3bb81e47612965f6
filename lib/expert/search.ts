/**
 * Shortest-path search over kitchen states: A* with an admissible heuristic (heuristic.ts), bounded
 * by a maximum plan length and a budget of expansions, and plain breadth-first search as the
 * reference it is checked against.
 *
 * States are the engine's own compact states (`EngineState`: an Int16Array plus the special-effect
 * list), stepped with the engine's `applyAction`, so the search follows exactly the rules of the
 * benchmark. Visited states are keyed by `compactKey`, an injective packing of what determines the
 * future (robot, held item, what each item stands on, item flags, the effect list), about a third of
 * the engine's full state. The open list is a bucket queue on f = g + h, deepest g first within a
 * bucket; an inconsistent heuristic is handled by re-opening a state reached with a smaller g.
 */
import {
  EngineState,
  KitchenModel,
  applyAction,
  goalHolds,
  validActionIds,
} from "../kitchen/engine";
import { UserError } from "../util/errors";
import { Heuristic, UNREACHABLE } from "./heuristic";

/** An injective key of a state's future-relevant content (see the file comment). */
export function compactKey(m: KitchenModel, st: EngineState, buf: number[] = []): string {
  const s = st.s;
  const I = m.nItems;
  let n = 0;
  buf[n++] = s[0] + 1;
  buf[n++] = s[1] + 1;
  for (let i = 0; i < I; i++) {
    const below = s[m.oBelow + i];
    const at = s[m.oAt + i];
    buf[n++] = below >= 0 ? 2 + below : at >= 0 ? 2 + I + at : 1;
  }
  for (let i = 0; i < I; i++) buf[n++] = s[m.oFlags + i] + 1;
  const fx = st.fx;
  for (let k = 0; k < fx.length; k++) buf[n++] = fx[k] + 1;
  buf.length = n;
  return String.fromCharCode.apply(null, buf);
}

/** Buckets by f, then by g (deepest first), LIFO inside. */
class BucketQueue {
  private buckets: number[][][] = [];
  private minF = Infinity;
  size = 0;
  f = 0;
  g = 0;

  push(f: number, g: number, node: number): void {
    const byG = (this.buckets[f] ??= []);
    (byG[g] ??= []).push(node);
    if (f < this.minF) this.minF = f;
    this.size++;
  }

  /** Pop a node of least f (deepest g among those); sets `f` and `g`. −1 when empty. */
  pop(): number {
    if (this.size === 0) return -1;
    for (let f = this.minF; f < this.buckets.length; f++) {
      const byG = this.buckets[f];
      if (!byG) continue;
      for (let g = byG.length - 1; g >= 0; g--) {
        const stack = byG[g];
        if (stack && stack.length) {
          this.minF = f;
          this.f = f;
          this.g = g;
          this.size--;
          return stack.pop()!;
        }
      }
      byG.length = 0;
    }
    return -1;
  }
}

export interface SearchOptions {
  /** Only plans of at most this many steps are searched for (null when none exists). */
  bound?: number;
  /** Give up (UserError) after this many expansions. */
  maxExpanded?: number;
  /** Lower bounds learnt by earlier searches on the same layout, by compactKey (max'ed with h). */
  memo?: Map<string, number>;
}

export interface SearchResult {
  /** Action ids of a shortest plan, or null when no plan within the bound exists. */
  plan: number[] | null;
  expanded: number;
  generated: number;
}

export const DEFAULT_MAX_EXPANDED = 5_000_000;

export class BudgetExceeded extends UserError {
  constructor(readonly expanded: number) {
    super(`search budget exceeded: ${expanded.toLocaleString("en-US")} states expanded without finding an optimal plan (raise --max-expanded)`);
    this.name = "BudgetExceeded";
  }
}

/** A* from `start`: a shortest plan (within `bound`), exact whenever `h` is admissible. */
export function astar(m: KitchenModel, start: EngineState, h: Heuristic, opts: SearchOptions = {}): SearchResult {
  const bound = opts.bound ?? Infinity;
  const maxExpanded = opts.maxExpanded ?? DEFAULT_MAX_EXPANDED;
  const memo = opts.memo;
  const stride = m.stateSize;
  let pool = new Int16Array(stride * 1024);
  const fxs: number[][] = [];
  let g = new Int32Array(1024);
  let parent = new Int32Array(1024);
  let via = new Int32Array(1024);
  let count = 0;
  const index = new Map<string, number>();
  const keyBuf: number[] = [];
  const ids = new Int32Array(m.nStations + 8);
  const cur: EngineState = { s: new Int16Array(stride), fx: [] };
  const child: EngineState = { s: new Int16Array(stride), fx: [] };
  const EMPTY: number[] = [];

  const hOf = (st: EngineState, key: string): number => {
    const v = h(st);
    if (!memo) return v;
    const lb = memo.get(key);
    return lb !== undefined && lb > v ? lb : v;
  };
  const store = (st: EngineState, key: string, gv: number, par: number, action: number): number => {
    if (count === g.length) {
      const n = g.length * 2;
      const grow = <T extends Int32Array | Int16Array>(a: T, size: number): T => {
        const b = new (a.constructor as any)(size) as T;
        b.set(a);
        return b;
      };
      g = grow(g, n);
      parent = grow(parent, n);
      via = grow(via, n);
      pool = grow(pool, n * stride);
    }
    pool.set(st.s, count * stride);
    fxs.push(st.fx.length ? st.fx.slice() : EMPTY);
    g[count] = gv;
    parent[count] = par;
    via[count] = action;
    index.set(key, count);
    return count++;
  };

  const open = new BucketQueue();
  const k0 = compactKey(m, start, keyBuf);
  const h0 = hOf(start, k0);
  let expanded = 0;
  if (h0 > bound || h0 >= UNREACHABLE) return { plan: null, expanded, generated: 1 };
  open.push(h0, 0, store(start, k0, 0, -1, -1));

  while (open.size > 0) {
    const n = open.pop();
    const gn = open.g;
    if (gn !== g[n]) continue; // stale entry: reached again with a smaller g
    if (open.f > bound) break;
    cur.s.set(pool.subarray(n * stride, (n + 1) * stride));
    cur.fx = fxs[n];
    if (goalHolds(m, cur)) {
      const plan: number[] = [];
      for (let x = n; parent[x] >= 0; x = parent[x]) plan.push(via[x]);
      plan.reverse();
      return { plan, expanded, generated: count };
    }
    if (++expanded > maxExpanded) throw new BudgetExceeded(maxExpanded);
    const nValid = validActionIds(m, cur, ids);
    for (let k = 0; k < nValid; k++) {
      child.s.set(cur.s);
      child.fx = cur.fx.length ? cur.fx.slice() : [];
      applyAction(m, child, ids[k]);
      const key = compactKey(m, child, keyBuf);
      const gc = gn + 1;
      const old = index.get(key);
      if (old !== undefined) {
        if (gc >= g[old]) continue;
        // Reached with a shorter path: re-open (its h is unchanged).
        const hc = hOf(child, key);
        g[old] = gc;
        parent[old] = n;
        via[old] = ids[k];
        if (gc + hc <= bound) open.push(gc + hc, gc, old);
        continue;
      }
      const hc = hOf(child, key);
      if (hc >= UNREACHABLE || gc + hc > bound) continue; // a dead end, or too long
      const c = store(child, key, gc, n, ids[k]);
      open.push(gc + hc, gc, c);
    }
  }
  return { plan: null, expanded, generated: count };
}

/**
 * Plain breadth-first search (the reference the A* is checked against): the optimal length, or null
 * when the goal is unreachable; UserError when more than `maxStates` states would be visited.
 */
export function bfsLength(m: KitchenModel, start: EngineState, maxStates = 2_000_000): { length: number | null; visited: number } {
  const stride = m.stateSize;
  const keyBuf: number[] = [];
  const seen = new Set<string>([compactKey(m, start, keyBuf)]);
  let frontier: EngineState[] = [{ s: start.s.slice(), fx: start.fx.slice() }];
  const ids = new Int32Array(m.nStations + 8);
  if (goalHolds(m, start)) return { length: 0, visited: 1 };
  for (let depth = 1; frontier.length; depth++) {
    const next: EngineState[] = [];
    for (const st of frontier) {
      const nValid = validActionIds(m, st, ids);
      for (let k = 0; k < nValid; k++) {
        const child: EngineState = { s: new Int16Array(stride), fx: st.fx.slice() };
        child.s.set(st.s);
        applyAction(m, child, ids[k]);
        const key = compactKey(m, child, keyBuf);
        if (seen.has(key)) continue;
        seen.add(key);
        if (goalHolds(m, child)) return { length: depth, visited: seen.size };
        if (seen.size > maxStates) throw new UserError(`breadth-first search stopped after ${maxStates} states`);
        next.push(child);
      }
    }
    frontier = next;
  }
  return { length: null, visited: seen.size };
}
