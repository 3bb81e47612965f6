/**
 * Exact search on CookingWorld (Search.java through lib/cookingworld/search.ts): A* with the lower bound
 * of Heuristic.java agrees with breadth-first search wherever BFS finishes (every state of level-1 gold
 * paths; the last states of level 2–4 gold paths); the actions it calls optimal are optimal by a separate
 * search from each successor; its shortest paths succeed; the heuristic is consistent on every edge and
 * state keys never disagree with what the state shows.
 */
import test from "ava";
import { CookingWorldEngine } from "../lib/cookingworld/engine";
import type { CookingWorldState } from "../lib/cookingworld/protocol";
import { analyseGold, distribution, summarise } from "../lib/cookingworld/search";

const engine = new CookingWorldEngine();
test.after.always(() => engine.stop());

test("level 1: A* and BFS give the same shortest lengths and optimal actions along the gold path", async (t) => {
  // Seeds 13 and 16 have gold states with several optimal actions (5 and 6 of them).
  for (const seed of [5, 13, 16]) {
    const astar = await analyseGold(engine, "cookingworld-1", seed);
    const bfs = await analyseGold(engine, "cookingworld-1", seed, { method: "bfs" });
    t.true(astar.complete && bfs.complete, `seed ${seed}`);
    t.is(astar.shortest, bfs.shortest);
    t.deepEqual(astar.states, bfs.states, `seed ${seed}`);
    t.is(astar.states.length, astar.gold.length);
    t.true(astar.largestSearch < bfs.largestSearch);
    if (seed !== 5) t.true(astar.states.some((x) => x.optimal.length >= 2));
    for (const r of [astar, bfs]) t.deepEqual([r.keyConflicts, r.inconsistent, r.duplicateNames], [0, 0, 0]);
  }
});

test("levels 2–4: A* and BFS agree on the last gold states, where BFS is feasible", async (t) => {
  // BFS meets ~10^5 states within 4 steps of a level-2 state (the shortest paths are 5–13 long): only
  // the gold paths' last steps are in reach of a test (17 000 states 3 steps from the end on level 2).
  for (const [task, seed, back] of [
    ["cookingworld-2", 3, 3],
    ["cookingworld-3", 3, 2],
    ["cookingworld-4", 2, 2],
  ] as [string, number, number][]) {
    const gold = (await engine.gold(task, seed)).actions;
    const from = gold.length - back;
    const opts = { prefix: gold.slice(0, from), follow: gold.slice(from) };
    const [astar, bfs] = await Promise.all([engine.search(task, seed, opts), engine.search(task, seed, { ...opts, method: "bfs" })]);
    t.false(bfs.exhausted);
    t.is(astar.length, bfs.length, `${task} seed ${seed}`);
    t.deepEqual(astar.optimal, bfs.optimal, `${task} seed ${seed}`);
    t.is(astar.followStop, bfs.followStop);
    t.true(astar.states <= bfs.states);
  }
});

test("the actions called optimal are exactly those after which a separate search finds distance − 1", async (t) => {
  const task = "cookingworld-2";
  const seed = 3;
  const a = await analyseGold(engine, task, seed);
  t.true(a.complete);
  const ambiguous = a.states.filter((s) => s.optimal.length >= 2);
  t.true(ambiguous.length > 0);
  const s = ambiguous[0];
  const env = engine.env();
  await env.reset(task, seed);
  for (const x of a.gold.slice(0, s.t)) await env.step(x);
  const valid = env.state!.validActions;
  let lost = 0;
  for (const action of valid) {
    // An action that loses the game (eating an ingredient) has no distance: the engine refuses to search.
    const after = await engine.search(task, seed, { prefix: [...a.gold.slice(0, s.t), action] }).catch((e: Error) => {
      t.regex(e.message, /^the prefix loses cookingworld-2 seed 3/);
      lost++;
      return null;
    });
    const optimal = after !== null && after.length === s.distance - 1;
    t.is(optimal, s.optimal.includes(action), `${action} at gold state ${s.t}: ${after?.length} vs ${s.distance}`);
    if (after && !optimal) t.true(after.length >= s.distance || after.length === -1);
  }
  t.true(lost < valid.length);
});

test("shortest paths succeed and are no longer than the gold path; the summary counts them", async (t) => {
  const runs = [];
  for (const [task, seed] of [
    ["cookingworld-1", 4],
    ["cookingworld-2", 4],
    ["cookingworld-3", 3],
  ] as [string, number][]) {
    const a = await analyseGold(engine, task, seed);
    t.true(a.complete);
    runs.push(a);
    const env = engine.env();
    let st: CookingWorldState = await env.reset(task, seed);
    for (const x of a.shortestPath!) st = await env.step(x);
    t.true(st.success);
    t.is(a.shortestPath!.length, a.shortest!);
    t.true(a.shortest! <= a.gold.length);
    t.is(a.gap, a.gold.length - a.shortest!);
    // Along the gold path distances fall by one exactly at its optimal actions.
    for (let k = 0; k + 1 < a.states.length; k++) {
      const drop = a.states[k].distance - a.states[k + 1].distance;
      if (a.states[k].goldOptimal) t.is(drop, 1, `${task} seed ${seed} gold state ${k}`);
      else t.true(drop <= 0, `${task} seed ${seed} gold state ${k}`);
    }
    t.is(a.states[a.states.length - 1].distance, 1);
    t.true(a.textAliases > 0, "some states show the same look and inventory text as a different state");
  }
  const s = summarise("mixed", runs);
  t.is(s.complete, 3);
  t.is(s.goldStates, runs.reduce((n, r) => n + r.gold.length, 0));
  t.is(s.suboptimalActions, runs.reduce((n, r) => n + r.states.filter((x) => !x.goldOptimal).length, 0));
  t.deepEqual(distribution([3, 1, 2, 2]), { n: 4, min: 1, p10: 1, median: 2, mean: 2, p90: 3, max: 3, histogram: { 1: 1, 2: 2, 3: 1 } });
});

test("a plan is a shortest path that takes, at every state, the first optimal action in the engine's order", async (t) => {
  for (const [task, seed] of [
    ["cookingworld-1", 7],
    ["cookingworld-2", 20005],
    ["cookingworld-3", 10002],
  ] as [string, number][]) {
    const plan = await engine.plan(task, seed);
    const search = await engine.search(task, seed);
    t.is(plan.length, search.length);
    t.is(plan.actions.length, plan.length);
    t.is(plan.optimal.length, plan.length);
    const env = engine.env();
    let s: CookingWorldState = await env.reset(task, seed);
    for (const [k, a] of plan.actions.entries()) {
      t.true(plan.optimal[k].includes(a));
      t.is(s.validActions.find((v) => plan.optimal[k].includes(v)), a as string | undefined, `${task} seed ${seed} step ${k}: the first optimal action as listed`);
      s = await env.step(a);
    }
    t.true(s.success, `${task} seed ${seed}`);
  }
  await t.throwsAsync(engine.plan("cookingworld-4", 2, { maxMillis: 1 }), { message: /^no plan for cookingworld-4 seed 2: the search stopped at its time limit \(1 ms\) after \d+ states$/ });
});
