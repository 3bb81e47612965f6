/**
 * The optimal planner: plans replay to the goal, their length equals a plain BFS optimum, the
 * heuristic is a lower bound on exact distances over whole state spaces, the tie-break gives the
 * lexicographically smallest optimal plan on every run, the optimal-action sets are exact, and bad
 * input (unknown task, unsolvable layout, budget) is a clear UserError.
 */
import test from "ava";
import { EVAL_SEEDS, Kitchen, loadLayout, makeKitchen, PAPER_TASKS } from "../lib/kitchen/index";
import type { Layout } from "../lib/kitchen/layout";
import { UserError } from "../lib/util/errors";
import {
  BudgetExceeded,
  bfsLength,
  compactKey,
  expertPlan,
  LayoutPlanner,
  makeHeuristic,
  optimalLength,
  planOptimal,
  reachableStates,
} from "../lib/expert/index";

const EVAL_LAYOUTS: [string, number | null][] = PAPER_TASKS.flatMap((task) => [null, ...EVAL_SEEDS].map((seed) => [task, seed] as [string, number | null]));

/** A layout edited from a task's default (hand-made cases for cooking and distractors). */
function edited(task: string, edit: (l: Layout) => void): Kitchen {
  const l: Layout = JSON.parse(JSON.stringify(loadLayout(task)));
  edit(l);
  return Kitchen.fromLayout(l);
}

/** Cheeseburger with a junk onion: states with junk on a finished burger, junk inside the stack. */
const junkCheeseBurger = () =>
  edited("cheese_burger", (l) => {
    l.items.push({ name: "onion1", x: 4, y: 3, "stack-level": 0 });
    l.items.sort((a, b) => a.x - b.x || a.y - b.y);
  });
/** Two recipes on distinct tables (strict bread–cheese; relaxed bread … clear cheese), with junk stacked on the breads. */
const twoSandwiches = () =>
  edited("cheese_sandwich", (l) => {
    l.items.push({ name: "cheese2", x: 3, y: 3, "stack-level": 0 }, { name: "tomato1", x: 0, y: 1, "stack-level": 1 });
    l.items.sort((a, b) => a.x - b.x || a.y - b.y);
    l.goal = [
      { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
      { predicate: "atop", args: ["cheese", "bread"], ids: [3, 1] },
      { predicate: "item_on", args: ["bread", "table"], ids: [4, 5] },
      { predicate: "item_at", args: ["cheese", "table"], ids: [6, 5] },
      { predicate: "clear", args: ["cheese"], ids: [6] },
    ];
  });
/** Burger whose only patty is raw and must be cooked on a stove. */
const rawPattyBurger = () =>
  edited("burger", (l) => {
    l.stations.push({ name: "stove1", x: 4, y: 3 });
    l.items.find((i) => i.name === "patty1")!.predicates = ["iscookable"];
  });
/** Burger with a cooked patty and a raw one lying on a stove (cooking it is never shorter). */
const twoPattyBurger = () =>
  edited("burger", (l) => {
    l.stations.push({ name: "stove1", x: 4, y: 3 });
    l.items.push({ name: "patty2", x: 4, y: 3, "stack-level": 0, predicates: ["iscookable"] });
  });

test("every plan of the 44 paper evaluation layouts replays to the goal exactly at its end", (t) => {
  const lengths: Record<string, number[]> = {};
  for (const [task, seed] of EVAL_LAYOUTS) {
    const k = makeKitchen(task, seed);
    const p = planOptimal(k);
    t.is(p.actions.length, p.length);
    p.actions.forEach((a, i) => {
      t.false(k.isDone(), `${task}@${seed}: done before step ${i}`);
      k.step(a);
    });
    t.true(k.isDone(), `${task}@${seed}`);
    (lengths[task] ??= []).push(p.length);
  }
  // The optima of the default layouts (notes/expert.md, by an independent BFS over the original's rules), where it finished.
  t.deepEqual(lengths.cheese_sandwich.slice(1), [7, 8, 10, 11, 8, 14, 8, 8, 8, 5]);
  t.deepEqual(lengths.burger.slice(1), [8, 12, 14, 8, 8, 10, 8, 8, 8, 8]);
  t.deepEqual(lengths.cheese_burger.slice(1), [12, 12, 18, 18, 12, 13, 12, 12, 12, 10]);
  t.deepEqual(lengths.cheese_burger[0], 15);
  t.deepEqual(lengths.double_cheese_burger[0], 23);
});

test("plan length equals a plain breadth-first optimum wherever BFS finishes (≤ 15k states)", (t) => {
  let compared = 0;
  const layouts: [string, number | null][] = [...EVAL_LAYOUTS];
  for (const task of ["cheese_sandwich", "burger", "cheese_burger", "1_lettuce_sandwich"]) for (let s = 0; s < 8; s++) layouts.push([task, s]);
  for (const [task, seed] of layouts) {
    const k = makeKitchen(task, seed);
    let bfs: number | null;
    try {
      bfs = bfsLength(k.model, k.engineState, 15_000).length;
    } catch {
      continue; // BFS does not finish within the cap
    }
    t.is<number | null, number | null>(optimalLength(k), bfs, `${task}@${seed}`);
    compared++;
  }
  for (const k of [rawPattyBurger(), twoPattyBurger(), makeKitchen("1_lettuce_sandwich"), makeKitchen("synchronous_train/0_cheese_onion_sandwich")]) {
    t.is<number | null, number | null>(optimalLength(k), bfsLength(k.model, k.engineState, 50_000).length);
    compared++;
  }
  t.log(`${compared} layouts compared with BFS`);
  t.true(compared >= 25);
});

test("the heuristic never exceeds the exact distance, over whole reachable state spaces", (t) => {
  const cases: [string, Kitchen][] = [
    ["burger", makeKitchen("burger")],
    ["cheese_sandwich", makeKitchen("cheese_sandwich")],
    ["cheese_burger", makeKitchen("cheese_burger")],
    ["1_lettuce_sandwich (cutting)", makeKitchen("1_lettuce_sandwich")],
    ["cheese_onion_sandwich (cutting, relaxed)", makeKitchen("synchronous_train/0_cheese_onion_sandwich")],
    ["raw patty (cooking)", rawPattyBurger()],
    ["two patties (cooking a distractor)", twoPattyBurger()],
    ["burger@2", makeKitchen("burger", 2)],
    ["cheese_burger + junk onion", junkCheeseBurger()],
    ["two recipes + junk", twoSandwiches()],
    ["cheese_burger@2", makeKitchen("cheese_burger", 2)],
  ];
  for (const [name, k] of cases) {
    const sp = reachableStates(k, 100_000);
    t.true(sp.complete, name);
    const { h } = makeHeuristic(k.model);
    let bad = 0;
    let exactAtStart = 0;
    sp.states!.forEach((st, i) => {
      const d = sp.distance![i];
      if (d < 0) return;
      const hv = h(st);
      if (hv > d) bad++;
      if (d === 0 && hv !== 0) bad++;
      if (i === 0) exactAtStart = d - hv;
    });
    t.is(bad, 0, `${name}: ${bad} states where h > d*`);
    t.log(`${name}: ${sp.count} states, d*(s0) − h(s0) = ${exactAtStart}`);
  }
});

test("tie-break: the lexicographically smallest optimal plan, the same on every run, with exact optimal-action sets", (t) => {
  for (const k of [makeKitchen("burger"), makeKitchen("cheese_burger"), makeKitchen("cheese_sandwich", 2), rawPattyBurger(), makeKitchen("1_lettuce_sandwich")]) {
    const sp = reachableStates(k, 300_000);
    t.true(sp.complete);
    const d = sp.distance!;
    // Ground truth: greedy smallest index under the exact-distance constraint, and every optimal index.
    const truth: number[] = [];
    const truthSets: number[][] = [];
    for (let s = 0; d[s] > 0; ) {
      const succ = sp.successors![s];
      const opt = [...succ.keys()].filter((j) => d[succ[j]] === d[s] - 1);
      truthSets.push(opt);
      truth.push(opt[0]);
      s = succ[opt[0]];
    }
    const p1 = expertPlan(k, { allOptimal: true });
    t.deepEqual(p1.indices, truth);
    t.deepEqual(p1.optimalIndices, truthSets);
    // A fresh planner (nothing learnt yet), without the ambiguity pass, gives the same plan.
    const p2 = new LayoutPlanner(k.model).expertPlan(k.engineState);
    t.deepEqual(p2.actions, p1.actions);
    t.is(p1.length, d[0]);
  }
});

test("the expert plan is stable across runs on seeded layouts (fresh planners, any order)", (t) => {
  const layouts: [string, number][] = [["double_cheese_burger", 126], ["cheese_burger", 126], ["burger", 84], ["cheese_sandwich", 252]];
  const first = layouts.map(([task, seed]) => new LayoutPlanner(makeKitchen(task, seed).model).expertPlan(makeKitchen(task, seed).engineState).actions);
  const again = [...layouts].reverse().map(([task, seed]) => expertPlan(makeKitchen(task, seed), { allOptimal: true }).actions).reverse();
  t.deepEqual(again, first);
});

test("re-planning from a state on the expert's path continues the same plan", (t) => {
  const k = makeKitchen("double_cheese_burger", 42);
  const plan = planOptimal(k).actions;
  for (let i = 0; i < 5; i++) k.step(plan[i]);
  t.deepEqual(planOptimal(k).actions, plan.slice(5));
});

test("compactKey: equal exactly when the engine's full state keys are equal", (t) => {
  const k = makeKitchen("1_lettuce_sandwich");
  const sp = reachableStates(k, 20_000);
  const full = new Set<string>();
  const compact = new Set<string>();
  // Walk every state through a Kitchen to compare with the engine's own key.
  for (const st of sp.states!) {
    compact.add(compactKey(k.model, st));
    const probe = k.clone();
    probe.engineState.s.set(st.s);
    probe.engineState.fx.length = 0;
    probe.engineState.fx.push(...st.fx);
    full.add(probe.key());
  }
  t.is(compact.size, sp.count);
  t.is(full.size, sp.count);
});

test("bad input: unsolvable layouts and an exceeded budget are one-line UserErrors; a goal state plans to nothing", (t) => {
  const noPatty = edited("burger", (l) => {
    l.items = l.items.filter((i) => i.name !== "patty1");
  });
  t.throws(() => planOptimal(noPatty), { instanceOf: UserError, message: /^unsolvable layout: the goal can never hold/ });
  const rawNoStove = edited("burger", (l) => {
    l.items.find((i) => i.name === "patty1")!.predicates = ["iscookable"];
  });
  t.throws(() => planOptimal(rawNoStove), { instanceOf: UserError, message: /^unsolvable layout: no sequence of actions reaches the goal/ });
  const e = t.throws(() => planOptimal(makeKitchen("double_cheese_burger", 126), { maxExpanded: 50 }), { instanceOf: BudgetExceeded });
  t.regex(e!.message, /^search budget exceeded: 50 states expanded/);
  t.throws(() => makeKitchen("no_such_task"), { instanceOf: UserError, message: /unknown task/ });
  const k = makeKitchen("burger");
  for (const a of planOptimal(k).actions) k.step(a);
  t.deepEqual(planOptimal(k).actions, []);
});
