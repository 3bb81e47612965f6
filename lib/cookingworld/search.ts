/**
 * Exact search on CookingWorld games and what it says about the engine's gold paths: how much longer the
 * gold path is than a shortest successful path (optimality gap), and at how many of its states several
 * actions keep the shortest remaining length (ambiguity: the expert's choice there is one of several
 * equally good ones, which matters for single-turn rewards that accept only the expert's action).
 *
 * The breadth-first search itself runs inside the JVM (Search.java): a replayed seeded game is
 * deterministic, and restoring an engine state there costs a few microseconds, where replaying the
 * path to every expanded state through the protocol would cost a reset plus the path's steps. States are
 * identified by the engine-side key (GameState.java), not by text: the look + inventory text does not
 * identify a state (closed containers hide what is in them; found-ingredient points are invisible), and
 * the search reports how many states share their text with a differently-keyed one (`textAliases`).
 *
 * `analyseGold` walks the gold path: one search from the start gives the shortest length D and, for the
 * gold states that stay on a shortest path, their optimal actions; where the gold path steps off every
 * shortest path (a suboptimal action), a new search starts from the state it reached. The distance of
 * gold state t is then exact, and so is its set of optimal actions.
 */
import type { CookingWorldEngine, SearchResponse } from "./engine";

export interface GoldState {
  /** Index along the gold path (state before gold action t). */
  t: number;
  /** Shortest remaining length to success from this state. */
  distance: number;
  /** Actions that keep the shortest remaining length (sorted). */
  optimal: string[];
  goldAction: string;
  goldOptimal: boolean;
}

export interface GoldAnalysis {
  task: string;
  seed: number;
  /** The playable gold path (GoldPath.actions). */
  gold: string[];
  /** Shortest successful path length from the start (null: the search did not finish). */
  shortest: number | null;
  shortestPath: string[] | null;
  /** Gold length − shortest. */
  gap: number | null;
  /** Per gold state, while the searches finished. */
  states: GoldState[];
  /** Whether every gold state was analysed. */
  complete: boolean;
  /** Why not, when not (the search's stop reason). */
  reason?: string;
  searches: number;
  /** Distinct states reached, summed over the searches, and the largest single search. */
  statesVisited: number;
  largestSearch: number;
  engineSteps: number;
  millis: number;
  keyConflicts: number;
  /** Heuristic consistency violations over all searches (must be 0). */
  inconsistent: number;
  /** Expanded states with two visible objects of one name (must be 0 for the order-free key to be exact). */
  duplicateNames: number;
  /** From the first search (from the start): states sharing look + inventory text with another key. */
  textAliases: number;
  textAliasStates: number;
}

export interface AnalyseOptions {
  /** Per search (default 2 000 000 states, 60 s). */
  maxStates?: number;
  maxMillis?: number;
  method?: "astar" | "bfs";
  /** The (playable) gold path, when the caller has it already. */
  gold?: string[];
}

export async function analyseGold(engine: CookingWorldEngine, task: string, seed: number, opts: AnalyseOptions = {}): Promise<GoldAnalysis> {
  const gold = opts.gold ?? (await engine.gold(task, seed)).actions;
  const out: GoldAnalysis = {
    task,
    seed,
    gold,
    shortest: null,
    shortestPath: null,
    gap: null,
    states: [],
    complete: false,
    searches: 0,
    statesVisited: 0,
    largestSearch: 0,
    engineSteps: 0,
    millis: 0,
    keyConflicts: 0,
    inconsistent: 0,
    duplicateNames: 0,
    textAliases: 0,
    textAliasStates: 0,
  };
  let t = 0;
  while (t < gold.length) {
    const r: SearchResponse = await engine.search(task, seed, { prefix: gold.slice(0, t), follow: gold.slice(t), maxStates: opts.maxStates, maxMillis: opts.maxMillis, method: opts.method });
    out.searches++;
    out.statesVisited += r.states;
    out.largestSearch = Math.max(out.largestSearch, r.states);
    out.engineSteps += r.engineSteps;
    out.millis += r.millis;
    out.keyConflicts += r.keyConflicts;
    out.inconsistent += r.inconsistent;
    out.duplicateNames += r.duplicateNames;
    if (t === 0) {
      out.textAliases = r.textAliases;
      out.textAliasStates = r.states;
    }
    if (r.length < 0) {
      out.reason = r.exhausted ? `search from gold state ${t} stopped at depth ${r.layers.length - 1}: ${r.stopReason}` : `no successful path from gold state ${t}`;
      return out;
    }
    if (t === 0) {
      out.shortest = r.length;
      out.shortestPath = r.path ?? null;
      out.gap = gold.length - r.length;
    }
    const optimal = r.optimal ?? [];
    optimal.forEach((opt, j) => {
      const goldAction = gold[t + j];
      out.states.push({ t: t + j, distance: r.length - j, optimal: opt, goldAction, goldOptimal: opt.includes(goldAction.trim()) });
    });
    if (r.followStop === "success") {
      out.complete = true;
      return out;
    }
    if (r.followStop !== "left" || optimal.length === 0) {
      out.reason = `the gold path of ${task} seed ${seed} does not end in success`;
      return out;
    }
    t += optimal.length;
  }
  out.reason = `the gold path of ${task} seed ${seed} does not end in success`;
  return out;
}

/** Summary statistics of a list of numbers (for the per-level tables). */
export interface Distribution {
  n: number;
  min: number;
  p10: number;
  median: number;
  mean: number;
  p90: number;
  max: number;
  /** value → count */
  histogram: Record<number, number>;
}

export function distribution(xs: number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const histogram: Record<number, number> = {};
  for (const x of s) histogram[x] = (histogram[x] ?? 0) + 1;
  return {
    n: s.length,
    min: s[0],
    p10: q(0.1),
    median: q(0.5),
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
    p90: q(0.9),
    max: s[s.length - 1],
    histogram,
  };
}

/** Per-level summary of gold analyses (over the games whose analysis completed). */
export interface ExpertSummary {
  task: string;
  games: number;
  complete: number;
  goldLength: Distribution;
  shortest: Distribution | null;
  gap: Distribution | null;
  /** Games whose gold path is a shortest path. */
  goldOptimalGames: number;
  /** Gold states (over complete games) with ≥ 2 optimal actions, and all gold states. */
  ambiguousStates: number;
  goldStates: number;
  /** Gold actions that are not optimal, over complete games. */
  suboptimalActions: number;
  largestSearch: number;
  meanMillis: number;
  keyConflicts: number;
  inconsistent: number;
  duplicateNames: number;
  /** Over the first searches (from each start): the share of states whose look + inventory text another state shows. */
  textAliasShare: number;
}

export function summarise(task: string, runs: GoldAnalysis[]): ExpertSummary {
  const done = runs.filter((r) => r.complete);
  const states = done.flatMap((r) => r.states);
  const aliasStates = runs.reduce((a, r) => a + r.textAliasStates, 0);
  return {
    task,
    games: runs.length,
    complete: done.length,
    goldLength: distribution(runs.map((r) => r.gold.length)),
    shortest: done.length ? distribution(done.map((r) => r.shortest!)) : null,
    gap: done.length ? distribution(done.map((r) => r.gap!)) : null,
    goldOptimalGames: done.filter((r) => r.gap === 0).length,
    ambiguousStates: states.filter((s) => s.optimal.length >= 2).length,
    goldStates: states.length,
    suboptimalActions: states.filter((s) => !s.goldOptimal).length,
    largestSearch: Math.max(0, ...runs.map((r) => r.largestSearch)),
    meanMillis: runs.reduce((a, r) => a + r.millis, 0) / Math.max(1, runs.length),
    keyConflicts: runs.reduce((a, r) => a + r.keyConflicts, 0),
    inconsistent: runs.reduce((a, r) => a + (r.inconsistent ?? 0), 0),
    duplicateNames: runs.reduce((a, r) => a + (r.duplicateNames ?? 0), 0),
    textAliasShare: aliasStates ? runs.reduce((a, r) => a + r.textAliases, 0) / aliasStates : 0,
  };
}
