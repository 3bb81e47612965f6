/**
 * The whole reachable state space of a layout, where it is small enough to enumerate: how many
 * states there are, and the exact distance to the goal from each (a backward breadth-first search
 * from every goal state). Used to report state-space sizes and to check the planner and its
 * heuristic against ground truth.
 */
import type { Kitchen } from "../kitchen/kitchen";
import { EngineState, applyAction, goalHolds, validActionIds } from "../kitchen/engine";
import { compactKey } from "./search";

export interface StateSpace {
  /** Reachable states found (all of them when complete). */
  count: number;
  /** False when enumeration stopped at the cap. */
  complete: boolean;
  /** Only when complete: states by index (0 = the start), their keys and exact distances (−1: goal unreachable). */
  states?: EngineState[];
  keys?: Map<string, number>;
  distance?: Int32Array;
  /** Successor state indices, in valid-action order. */
  successors?: Int32Array[];
}

/** Enumerate the states reachable from the kitchen's state (at most `cap`); exact distances when complete. */
export function reachableStates(kitchen: Kitchen, cap = 500_000, opts: { distances?: boolean } = {}): StateSpace {
  const m = kitchen.model;
  const keys = new Map<string, number>();
  const states: EngineState[] = [];
  const successors: Int32Array[] = [];
  const keepAll = opts.distances ?? true;
  const buf: number[] = [];
  const ids = new Int32Array(m.nStations + 8);
  const add = (st: EngineState): number => {
    const key = compactKey(m, st, buf);
    let i = keys.get(key);
    if (i === undefined) {
      i = states.length;
      keys.set(key, i);
      states.push(st);
    }
    return i;
  };
  add({ s: kitchen.engineState.s.slice(), fx: kitchen.engineState.fx.slice() });
  for (let i = 0; i < states.length; i++) {
    if (states.length > cap) return { count: states.length, complete: false };
    const st = states[i];
    const n = validActionIds(m, st, ids);
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const child: EngineState = { s: st.s.slice(), fx: st.fx.slice() };
      applyAction(m, child, ids[k]);
      out[k] = add(child);
    }
    if (keepAll) successors.push(out);
  }
  if (!keepAll) return { count: states.length, complete: true };
  // Backward BFS from the goal states over the reversed edges.
  const N = states.length;
  const predStart = new Int32Array(N + 1);
  for (const out of successors) for (const j of out) predStart[j + 1]++;
  for (let i = 0; i < N; i++) predStart[i + 1] += predStart[i];
  const fill = predStart.slice(0, N);
  const pred = new Int32Array(predStart[N]);
  successors.forEach((out, i) => {
    for (const j of out) pred[fill[j]++] = i;
  });
  const distance = new Int32Array(N).fill(-1);
  const queue = new Int32Array(N);
  let tail = 0;
  for (let i = 0; i < N; i++) {
    if (goalHolds(m, states[i])) {
      distance[i] = 0;
      queue[tail++] = i;
    }
  }
  for (let head = 0; head < tail; head++) {
    const j = queue[head];
    for (let p = predStart[j]; p < predStart[j + 1]; p++) {
      const i = pred[p];
      if (distance[i] < 0) {
        distance[i] = distance[j] + 1;
        queue[tail++] = i;
      }
    }
  }
  return { count: N, complete: true, states, keys, distance, successors };
}
