/**
 * The kitchen engine against the original Robotouille engine: every recorded walk, optimal plan and
 * probe (same observation text, same valid actions in the same order, same done flag at every step),
 * then each action's preconditions and effects, the special-effect quirks and the goal quirks.
 */
import test from "ava";
import { Kitchen, InvalidActionError } from "../lib/kitchen/kitchen";
import { describeEffects, cutProgress } from "../lib/kitchen/engine";
import { UserError } from "../lib/util/errors";
import type { Layout } from "../lib/kitchen/layout";
import { LETTUCE_SANDWICH, WORKSHOP, episodeLayouts, episodes } from "./helpers/kitchenFixtures";
import { testLayouts } from "./helpers/testdata";

const LAYOUTS = episodeLayouts();
const EPISODES = episodes();

// ---------------------------------------------------------------------------------------------
// Recorded test vectors

test("the test vectors are all there", (t) => {
  const count = (file: string) => EPISODES.filter((e) => e.file === file).reduce((n, e) => n + e.records.length, 0);
  t.is(count("walks.jsonl"), 360);
  t.is(count("optimal_walks.jsonl"), 58);
  t.is(count("probes.jsonl"), 64);
});

for (const ep of EPISODES) {
  test(`replay ${ep.name}`, (t) => {
    const k = Kitchen.fromLayout(LAYOUTS[ep.layout]);
    for (const r of ep.records) {
      t.is(k.steps, r.t);
      const obs = k.observation();
      if (obs !== r.observation) {
        const a = obs.split("\n");
        const b = r.observation.split("\n");
        const i = a.findIndex((line, n) => line !== b[n]);
        t.fail(`t=${r.t}: observation differs at line ${i}: ${JSON.stringify(a[i])} vs recorded ${JSON.stringify(b[i])}`);
        return;
      }
      t.deepEqual(k.validActions(), r.valid_actions, `t=${r.t}: valid actions`);
      if (r.action !== null) t.is(k.step(r.action).done, r.done, `t=${r.t}: done after ${r.action}`);
      t.is(k.isDone(), r.done, `t=${r.t}: isDone`);
    }
  });
}

test("the rebuilt 0_cheese_sandwich@126 layout reproduces the recorded initial observation", (t) => {
  const ep = EPISODES.find((e) => e.layout.endsWith("@126"))!;
  t.is(Kitchen.fromLayout(LAYOUTS[ep.layout]).observation(), ep.records[0].observation);
});

// ---------------------------------------------------------------------------------------------
// Worked examples (notes/kitchen-engine.md, "The observation text")

const burger = () => Kitchen.fromLayout(testLayouts()["synchronous/3_burger@default"]);

test("the observation text: 3_burger's default layout", (t) => {
  const obs = burger().observation();
  t.true(
    obs.startsWith(
      "Station table1:\ntable1 is a table\ntable1 is occupied by robot1\ntable1 has bottombun1\n" +
        "table1 has bottombun1 directly on top of it\n\nStation table2:\ntable2 is a table\ntable2 has topbun1\n" +
        "table2 has topbun1 directly on top of it\ntable2 has no players at it\n",
    ),
  );
  t.true(
    obs.includes(
      "Item patty1:\npatty1 is a hamburger patty\npatty1 is cooked\npatty1 is at table3\n" +
        "patty1 is directly on top of table3\npatty1 has nothing above it\n\n" +
        "Player robot1:\nrobot1 is a robot\nrobot1 is at table1\nrobot1 is holding nothing\n\n",
    ),
  );
  t.true(
    obs.endsWith(
      "Valid Actions:\nMove robot1 from table1 to table2\nMove robot1 from table1 to table3\n" +
        "Pick up bottombun1 from table1 using robot1\nDo nothing\n\nGoal: Prepare a hamburger on a table",
    ),
  );
});

test("the 8-step burger plan is done exactly at its end", (t) => {
  const k = burger();
  const plan = [
    "Move robot1 from table1 to table3",
    "Pick up patty1 from table3 using robot1",
    "Move robot1 from table3 to table1",
    "Stack patty1 on top of bottombun1 using robot1",
    "Move robot1 from table1 to table2",
    "Pick up topbun1 from table2 using robot1",
    "Move robot1 from table2 to table1",
    "Stack topbun1 on top of patty1 using robot1",
  ];
  t.false(k.isDone());
  t.deepEqual(
    plan.map((a) => k.step(a).done),
    [false, false, false, false, false, false, false, true],
  );
  t.is(k.steps, 8);
});

test("4_cheeseburger starts with the top bun on the bottom bun", (t) => {
  const k = Kitchen.fromLayout(testLayouts()["synchronous/4_cheeseburger@default"]);
  t.deepEqual(k.validActions(), [
    "Move robot1 from table1 to table2",
    "Move robot1 from table1 to table3",
    "Move robot1 from table1 to table4",
    "Unstack topbun1 from bottombun1 using robot1",
    "Do nothing",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Actions: preconditions and immediate effects (notes/kitchen-engine.md)

const workshop = () => Kitchen.fromLayout(WORKSHOP);
const R = "robot1";
const move = (a: string, b: string) => `Move ${R} from ${a} to ${b}`;
const block = (k: Kitchen, name: string) =>
  k
    .observation()
    .split("\n\n")
    .find((b) => b.split("\n")[0].endsWith(` ${name}:`))!
    .split("\n")
    .slice(1);
function run(k: Kitchen, actions: string[]): boolean[] {
  return actions.map((a) => k.step(a).done);
}

test("move: to every other station, in station order, holding or not; never to itself", (t) => {
  const k = workshop();
  const moves = k.validActions().filter((a) => a.startsWith("Move"));
  t.deepEqual(moves, ["board1", "stove1", "stove2", "table2", "fryer1", "table3"].map((s) => move("table1", s)));
  run(k, ["Unstack cheese1 from bread1 using robot1", move("table1", "table3")]);
  t.true(k.validActions().includes(move("table3", "table1")));
  t.false(k.isValid(move("table3", "table3")));
  t.deepEqual(block(k, "table3").slice(1, 2), ["table3 is occupied by robot1"]);
  t.true(block(k, "table1").includes("table1 has no players at it"));
});

test("pick-up-item only takes a lone item; unstack takes the top of a stack", (t) => {
  const k = workshop();
  t.false(k.validActions().some((a) => a.startsWith("Pick up")));
  t.true(k.isValid("Unstack cheese1 from bread1 using robot1"));
  run(k, ["Unstack cheese1 from bread1 using robot1"]);
  t.deepEqual(block(k, "cheese1"), ["cheese1 is a cheese slice", "cheese1 is held by robot1"]);
  t.deepEqual(block(k, "bread1"), [
    "bread1 is a bread slice",
    "bread1 is at table1",
    "bread1 is directly on top of table1",
    "bread1 has nothing above it",
  ]);
  t.deepEqual(block(k, R).slice(2), ["robot1 is holding cheese1"]);
  // Holding something: no pick-up, no unstack; stack onto the top instead.
  t.deepEqual(k.validActions().slice(-2), ["Stack cheese1 on top of bread1 using robot1", "Do nothing"]);
  run(k, [move("table1", "stove2"), "Place cheese1 on stove2 using robot1", move("stove2", "table1")]);
  t.true(k.isValid("Pick up bread1 from table1 using robot1"));
  run(k, ["Pick up bread1 from table1 using robot1"]);
  t.deepEqual(block(k, "table1").slice(1), ["table1 is occupied by robot1", "table1 has nothing on it"]);
});

test("place-item needs an empty station; stack works on any station kind", (t) => {
  const k = workshop();
  run(k, ["Unstack cheese1 from bread1 using robot1", move("table1", "board1")]);
  t.false(k.isValid("Place cheese1 on board1 using robot1"));
  t.true(k.isValid("Stack cheese1 on top of lettuce1 using robot1"));
  run(k, ["Stack cheese1 on top of lettuce1 using robot1"]);
  t.deepEqual(block(k, "board1"), [
    "board1 is a cutting board",
    "board1 is occupied by robot1",
    "board1 has cheese1", // item order (cheese1 is item 2, lettuce1 item 3), not stack order
    "board1 has lettuce1",
    "board1 has lettuce1 directly on top of it",
  ]);
  // The lettuce is no longer alone: it cannot be cut (nor picked up) until the cheese is unstacked.
  t.false(k.validActions().some((a) => a.startsWith("Cut") || a.startsWith("Pick up")));
  t.true(k.isValid("Unstack cheese1 from lettuce1 using robot1"));
});

test("atop lines follow object numbering, not stack order", (t) => {
  const k = workshop();
  // cheese1 (item 2) on bread1 (item 1); then stack lettuce1 (item 3) on cheese1.
  run(k, [move("table1", "board1"), "Pick up lettuce1 from board1 using robot1", move("board1", "table1")]);
  run(k, ["Stack lettuce1 on top of cheese1 using robot1"]);
  t.deepEqual(block(k, "cheese1").slice(2), [
    "cheese1 is directly on top of bread1",
    "cheese1 is directly under lettuce1",
  ]);
  // A lower-numbered item on top comes first: bread1 on top of lettuce1 …
  const k2 = workshop();
  run(k2, ["Unstack cheese1 from bread1 using robot1", move("table1", "stove2"), "Place cheese1 on stove2 using robot1"]);
  run(k2, [move("stove2", "table1"), "Pick up bread1 from table1 using robot1", move("table1", "board1")]);
  run(k2, ["Stack bread1 on top of lettuce1 using robot1", move("board1", "stove2"), "Pick up cheese1 from stove2 using robot1"]);
  run(k2, [move("stove2", "board1"), "Stack cheese1 on top of bread1 using robot1"]);
  t.deepEqual(block(k2, "bread1").slice(1), [
    "bread1 is at board1",
    "bread1 is directly on top of lettuce1",
    "bread1 is directly under cheese1",
  ]);
  t.deepEqual(block(k2, "lettuce1").slice(1), [
    "lettuce1 can be cut on a cutting board",
    "lettuce1 is at board1",
    "lettuce1 is directly on top of board1",
    "lettuce1 is directly under bread1",
  ]);
});

test("cut: board, lone cuttable item, empty hands; three cuts; still valid afterwards", (t) => {
  const k = workshop();
  run(k, [move("table1", "board1")]);
  const cut = "Cut lettuce1 on board1 using robot1";
  t.deepEqual(k.validActions().slice(-3), ["Pick up lettuce1 from board1 using robot1", cut, "Do nothing"]);
  run(k, [cut, cut]);
  t.false(block(k, "lettuce1").includes("lettuce1 is cut"));
  t.deepEqual([...cutProgress(k.model, k.engineState)], [["lettuce1", 2]]);
  run(k, [cut]);
  t.true(block(k, "lettuce1").includes("lettuce1 is cut"));
  t.true(k.isValid(cut));
  // A cuttable item elsewhere than a board cannot be cut; nor with full hands.
  const k2 = workshop();
  run(k2, [move("table1", "table2")]);
  t.false(k2.validActions().some((a) => a.startsWith("Cut")));
});

test("wait is always valid and last; it changes nothing but the clock", (t) => {
  const k = workshop();
  const key = k.key();
  t.is(k.validActions().at(-1), "Do nothing");
  t.false(k.step("Do nothing").done);
  t.is(k.key(), key);
  t.is(k.steps, 1);
});

test("an invalid action throws InvalidActionError (exit code 2) naming it, and changes nothing", (t) => {
  const k = workshop();
  run(k, [move("table1", "board1"), "Cut lettuce1 on board1 using robot1", "Cut lettuce1 on board1 using robot1"]);
  const before = { key: k.key(), obs: k.observation(), steps: k.steps };
  for (const bad of ["Cut lettuce1 on board1 using robot2", "Pick up bread1 from table1 using robot1", "do nothing", ""]) {
    const e = t.throws(() => k.step(bad), { instanceOf: InvalidActionError });
    t.true(e instanceof UserError);
    t.is((e as InvalidActionError).exitCode, 2);
    t.true(e!.message.includes(JSON.stringify(bad)));
  }
  t.deepEqual({ key: k.key(), obs: k.observation(), steps: k.steps }, before);
  // The 2 cuts so far still count.
  run(k, ["Cut lettuce1 on board1 using robot1"]);
  t.true(block(k, "lettuce1").includes("lettuce1 is cut"));
});

// ---------------------------------------------------------------------------------------------
// Special effects (notes/kitchen-engine.md)

test("the cut counter belongs to the item: it survives leaving the board", (t) => {
  const k = workshop();
  const cut = "Cut lettuce1 on board1 using robot1";
  run(k, [move("table1", "board1"), cut, cut, "Pick up lettuce1 from board1 using robot1"]);
  run(k, [move("board1", "table2"), move("table2", "board1"), "Place lettuce1 on board1 using robot1"]);
  t.false(block(k, "lettuce1").includes("lettuce1 is cut"));
  run(k, [cut]);
  t.true(block(k, "lettuce1").includes("lettuce1 is cut"));
});

test("a 4th cut appends a fresh counter at the end of the effect list", (t) => {
  const k = workshop();
  const cut = "Cut lettuce1 on board1 using robot1";
  run(k, [move("table1", "board1"), cut]);
  t.deepEqual(describeEffects(k.model, k.engineState), ["repeat-cut(lettuce1):1", "fryable-if-cut(lettuce1)"]);
  run(k, [cut, cut]);
  // The completed counter was removed in the tick; the fryable-if-cut conditional stays forever.
  t.deepEqual(describeEffects(k.model, k.engineState), ["fryable-if-cut(lettuce1)"]);
  run(k, [cut]);
  t.deepEqual(describeEffects(k.model, k.engineState), ["fryable-if-cut(lettuce1)", "repeat-cut(lettuce1):1"]);
  t.true(block(k, "lettuce1").includes("lettuce1 is cut"));
});

test("fryable-if-cut: cutting makes the item fryable; the conditional clears isfryable of other cut items", (t) => {
  const k = workshop();
  const cut = "Cut onion1 on board1 using robot1";
  run(k, [move("table1", "table2"), "Pick up onion1 from table2 using robot1", move("table2", "board1")]);
  run(k, ["Stack onion1 on top of lettuce1 using robot1", "Unstack onion1 from lettuce1 using robot1"]);
  run(k, [move("board1", "stove2"), "Place onion1 on stove2 using robot1", move("stove2", "board1")]);
  run(k, ["Pick up lettuce1 from board1 using robot1", move("board1", "table2"), "Place lettuce1 on table2 using robot1"]);
  run(k, [move("table2", "stove2"), "Pick up onion1 from stove2 using robot1", move("stove2", "board1")]);
  run(k, ["Place onion1 on board1 using robot1", cut, cut]);
  t.false(block(k, "onion1").includes("onion1 can be fried in a fryer"));
  run(k, [cut]);
  t.true(block(k, "onion1").includes("onion1 can be fried in a fryer"));
  run(k, ["Pick up onion1 from board1 using robot1", move("board1", "fryer1"), "Place onion1 on fryer1 using robot1"]);
  t.true(k.isValid("Fry onion1 on fryer1 using robot1"));
  // potato1 is fryable from the start; one cut adds a conditional whose failed condition
  // (not fryable-if-cut) re-negates isfryable on every tick, as in the original.
  const k2 = workshop();
  t.true(block(k2, "potato1").includes("potato1 can be fried in a fryer"));
  run(k2, [move("table1", "table3"), "Pick up potato1 from table3 using robot1", move("table3", "fryer1")]);
  run(k2, ["Place potato1 on fryer1 using robot1"]);
  t.true(k2.isValid("Fry potato1 on fryer1 using robot1"));
  run(k2, ["Pick up potato1 from fryer1 using robot1", move("fryer1", "stove2"), "Place potato1 on stove2 using robot1"]);
  run(k2, [move("stove2", "board1"), "Pick up lettuce1 from board1 using robot1", move("board1", "table3")]);
  run(k2, ["Place lettuce1 on table3 using robot1", move("table3", "stove2"), "Pick up potato1 from stove2 using robot1"]);
  run(k2, [move("stove2", "board1"), "Place potato1 on board1 using robot1", "Cut potato1 on board1 using robot1"]);
  t.false(block(k2, "potato1").includes("potato1 can be fried in a fryer"));
});

test("fry: a fryable lone item on a fryer is fried 4 ticks later; fry stays valid", (t) => {
  const k = workshop();
  run(k, [move("table1", "table3"), "Pick up potato1 from table3 using robot1", move("table3", "fryer1")]);
  t.false(k.validActions().some((a) => a.startsWith("Fry")));
  run(k, ["Place potato1 on fryer1 using robot1"]);
  t.deepEqual(k.validActions().slice(-3), ["Pick up potato1 from fryer1 using robot1", "Fry potato1 on fryer1 using robot1", "Do nothing"]);
  run(k, ["Fry potato1 on fryer1 using robot1", "Do nothing", "Do nothing"]);
  t.false(block(k, "potato1").includes("potato1 is fried"));
  t.true(k.isValid("Fry potato1 on fryer1 using robot1")); // no "not frying" precondition
  run(k, ["Do nothing"]);
  t.true(block(k, "potato1").includes("potato1 is fried"));
});

const cookAt = (k: Kitchen) => {
  // patty1 is alone on stove1: go there and cook it.
  run(k, [move("table1", "stove1"), "Cook patty1 on stove1 using robot1"]);
};

test("cook: 4 ticks including the cook step; 'is cooking' meanwhile; no 'not cooked' precondition", (t) => {
  const k = workshop();
  t.false(k.validActions().some((a) => a.startsWith("Cook")));
  run(k, [move("table1", "stove1")]);
  t.true(k.isValid("Cook patty1 on stove1 using robot1"));
  run(k, ["Cook patty1 on stove1 using robot1"]);
  const flags = () => block(k, "patty1").filter((l) => /cooking|cooked$/.test(l));
  t.deepEqual(flags(), ["patty1 is cooking"]);
  t.false(k.isValid("Cook patty1 on stove1 using robot1")); // ¬iscooking
  run(k, ["Do nothing", move("stove1", "table2")]);
  t.deepEqual(flags(), ["patty1 is cooking"]);
  run(k, ["Do nothing"]);
  t.deepEqual(flags(), ["patty1 is cooked"]);
  // Re-cook a cooked patty: both lines until the new timer completes.
  run(k, [move("table2", "stove1"), "Cook patty1 on stove1 using robot1"]);
  t.deepEqual(flags(), ["patty1 is cooking", "patty1 is cooked"]);
  run(k, ["Do nothing", "Do nothing", "Do nothing"]);
  t.deepEqual(flags(), ["patty1 is cooked"]);
});

test("cook pauses off the stove and resumes when put back on the same stove", (t) => {
  const k = workshop();
  cookAt(k); // tick 1
  const flags = () => block(k, "patty1").filter((l) => /cooking|cooked$/.test(l));
  run(k, ["Pick up patty1 from stove1 using robot1"]); // no tick
  t.deepEqual(flags(), []);
  run(k, ["Do nothing", "Do nothing", "Do nothing", "Do nothing"]);
  t.deepEqual(flags(), []);
  run(k, ["Place patty1 on stove1 using robot1"]); // resumes, tick 2
  t.deepEqual(flags(), ["patty1 is cooking"]);
  t.false(k.isValid("Cook patty1 on stove1 using robot1"));
  run(k, ["Do nothing"]); // tick 3
  t.deepEqual(flags(), ["patty1 is cooking"]);
  run(k, ["Do nothing"]); // tick 4
  t.deepEqual(flags(), ["patty1 is cooked"]);
});

test("cooking on a different stove adds a second, fresh effect; the old one stays", (t) => {
  const k = workshop();
  cookAt(k); // stove1, tick 1
  run(k, ["Pick up patty1 from stove1 using robot1", move("stove1", "stove2"), "Place patty1 on stove2 using robot1"]);
  t.true(k.isValid("Cook patty1 on stove2 using robot1"));
  run(k, ["Cook patty1 on stove2 using robot1"]); // stove2 tick 1
  t.deepEqual(describeEffects(k.model, k.engineState), ["cook(patty1,stove1):1", "cook(patty1,stove2):1"]);
  run(k, ["Do nothing", "Do nothing"]);
  t.false(block(k, "patty1").includes("patty1 is cooked"));
  run(k, ["Do nothing"]); // stove2 tick 4
  t.true(block(k, "patty1").includes("patty1 is cooked"));
  t.deepEqual(describeEffects(k.model, k.engineState), ["cook(patty1,stove1):1"]);
});

test("removal during iteration: the effect after a completed one skips that tick", (t) => {
  // Two patties cooking on two stoves, the second cooked 2 steps after the first: when the first
  // effect completes and is removed, the second is not ticked in that step (one step late).
  const layout: Layout = {
    ...WORKSHOP,
    items: [
      { name: "patty1", x: 4, y: 0, "stack-level": 0, predicates: ["iscookable"] },
      { name: "patty2", x: 6, y: 0, "stack-level": 0, predicates: ["iscookable"] },
    ],
    goal: [],
  };
  const k = Kitchen.fromLayout(layout);
  const cooked = (p: string) => block(k, p).includes(`${p} is cooked`);
  run(k, [move("table1", "stove1"), "Cook patty1 on stove1 using robot1"]); // step 2: patty1 tick 1
  run(k, [move("stove1", "stove2"), "Cook patty2 on stove2 using robot1"]); // step 4: patty1 tick 3, patty2 tick 1
  run(k, ["Do nothing"]); // step 5: patty1 completes and is removed; patty2 skipped (still 1)
  t.true(cooked("patty1"));
  t.deepEqual(describeEffects(k.model, k.engineState), ["cook(patty2,stove2):1"]);
  run(k, ["Do nothing", "Do nothing"]);
  t.false(cooked("patty2")); // would be cooked here without the skip
  run(k, ["Do nothing"]);
  t.true(cooked("patty2"));
});

// ---------------------------------------------------------------------------------------------
// Goals (notes/kitchen-engine.md)

const lettucePlan = [
  "Move robot1 from table1 to table3",
  "Pick up lettuce1 from table3 using robot1",
  "Move robot1 from table3 to board1",
  "Place lettuce1 on board1 using robot1",
  "Cut lettuce1 on board1 using robot1",
  "Cut lettuce1 on board1 using robot1",
  "Cut lettuce1 on board1 using robot1",
  "Pick up lettuce1 from board1 using robot1",
  "Move robot1 from board1 to table1",
  "Stack lettuce1 on top of bread1 using robot1",
  "Move robot1 from table1 to table2",
  "Pick up bread2 from table2 using robot1",
  "Move robot1 from table2 to table1",
  "Stack bread2 on top of lettuce1 using robot1",
];

test("1_lettuce_sandwich: atop(bread#4, cheese#3) resolves to lettuce#3, as in the original", (t) => {
  // Checked with the original engine: this 14-step plan is done at its last step only, and the
  // same assembly without cutting is never done.
  const k = Kitchen.fromLayout(LETTUCE_SANDWICH);
  t.deepEqual(k.model.goal.literals, [
    "item_on(bread#1, table#2)",
    "iscut(lettuce#3)",
    "atop(lettuce#3, bread#1)",
    "atop(bread#4, lettuce#3)",
  ]);
  t.false(k.model.goal.impossible);
  t.deepEqual(run(k, lettucePlan), [...Array(13).fill(false), true]);
  const k2 = Kitchen.fromLayout(LETTUCE_SANDWICH);
  const uncut = lettucePlan.filter((a) => !a.startsWith("Cut") && !a.includes("board1"));
  uncut.splice(2, 0, "Move robot1 from table3 to table1");
  t.deepEqual(run(k2, uncut), Array(uncut.length).fill(false));
});

test("goal ids: an id shared by two kinds names the first kind's variable", (t) => {
  // Written first, cheese#3 takes id 3: lettuce#3 then means a cheese, and there is none.
  const swapped: Layout = { ...LETTUCE_SANDWICH, goal: [LETTUCE_SANDWICH.goal[3], ...LETTUCE_SANDWICH.goal.slice(0, 3)] };
  const k = Kitchen.fromLayout(swapped);
  t.true(k.model.goal.impossible);
  t.deepEqual(run(k, lettucePlan), Array(14).fill(false));
});

test("goal: a kind with fewer objects than ids can never be satisfied", (t) => {
  const k = Kitchen.fromLayout({
    ...LETTUCE_SANDWICH,
    goal: [
      { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
      { predicate: "item_on", args: ["lettuce", "table"], ids: [3, 5] },
      { predicate: "item_at", args: ["lettuce", "table"], ids: [4, 5] },
    ],
  });
  t.true(k.model.goal.impossible);
  t.false(k.isDone());
});

test("goal: variables of one kind bind to distinct objects; an empty goal always holds", (t) => {
  const twoBreadsOnTables: Layout = {
    ...LETTUCE_SANDWICH,
    goal: [
      { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
      { predicate: "item_on", args: ["bread", "table"], ids: [3, 4] },
    ],
  };
  t.true(Kitchen.fromLayout(twoBreadsOnTables).isDone());
  const sameTable: Layout = {
    ...LETTUCE_SANDWICH,
    goal: [
      { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
      { predicate: "item_on", args: ["bread", "table"], ids: [3, 2] },
    ],
  };
  t.false(Kitchen.fromLayout(sameTable).isDone());
  t.true(Kitchen.fromLayout({ ...LETTUCE_SANDWICH, goal: [] }).isDone());
});

test("strict goals accept extra items above the top; the cheeseburger needs a clear top bun", (t) => {
  const k = burger();
  run(k, [
    "Move robot1 from table1 to table3",
    "Pick up patty1 from table3 using robot1",
    "Move robot1 from table3 to table1",
    "Stack patty1 on top of bottombun1 using robot1",
    "Move robot1 from table1 to table2",
    "Pick up topbun1 from table2 using robot1",
    "Move robot1 from table2 to table1",
  ]);
  t.true(k.step("Stack topbun1 on top of patty1 using robot1").done);
  // nothing else to put on top in this layout: take the top bun off and on again
  t.false(k.step("Unstack topbun1 from patty1 using robot1").done);
  t.true(k.step("Stack topbun1 on top of patty1 using robot1").done);
  // The cheeseburger goal has clear(topbun): a cheese above the top bun is not done.
  const cb = Kitchen.fromLayout(testLayouts()["synchronous/4_cheeseburger@default"]);
  const plan = [
    "Unstack topbun1 from bottombun1 using robot1",
    "Move robot1 from table1 to table4",
    "Place topbun1 on table4 using robot1",
    "Move robot1 from table4 to table3",
    "Pick up patty1 from table3 using robot1",
    "Move robot1 from table3 to table1",
    "Stack patty1 on top of bottombun1 using robot1",
    "Move robot1 from table1 to table4",
    "Pick up topbun1 from table4 using robot1",
    "Move robot1 from table4 to table1",
    "Stack topbun1 on top of patty1 using robot1",
    "Move robot1 from table1 to table2",
    "Pick up cheese1 from table2 using robot1",
    "Move robot1 from table2 to table1",
    "Stack cheese1 on top of topbun1 using robot1",
  ];
  t.false(run(cb, plan).some(Boolean));
  t.true(cb.step("Unstack cheese1 from topbun1 using robot1").done === false);
});

// ---------------------------------------------------------------------------------------------
// Layout handling

test("a held item and items off any station are instantiated like the original", (t) => {
  const layout: Layout = {
    ...WORKSHOP,
    items: [
      { name: "tomato1", x: 0, y: 1, "stack-level": 0, predicates: ["iscuttable"] }, // robot tile: held
      { name: "onion1", x: 0, y: 1, "stack-level": 0 }, // a second one there: nowhere
      { name: "bread1", x: 9, y: 1, "stack-level": 0 }, // floor: nowhere
    ],
  };
  const k = Kitchen.fromLayout(layout);
  t.deepEqual(block(k, "tomato1"), ["tomato1 is a tomato", "tomato1 can be cut on a cutting board", "tomato1 is held by robot1"]);
  t.deepEqual(block(k, "onion1"), ["onion1 is an onion"]);
  t.deepEqual(block(k, "robot1"), ["robot1 is a robot", "robot1 is at table1", "robot1 is holding tomato1"]);
  t.is(k.validActions().at(-2), "Place tomato1 on table1 using robot1");
});

test("malformed layouts are a UserError naming the problem", (t) => {
  const bad = (patch: Partial<Layout>, re: RegExp) =>
    t.throws(() => Kitchen.fromLayout({ ...WORKSHOP, ...patch }), { instanceOf: UserError, message: re });
  bad({ stations: [...WORKSHOP.stations, { name: "oven1", x: 14, y: 0 }] }, /unknown station kind "oven"/);
  bad({ items: [{ name: "bread1", x: 0, y: 0, "stack-level": 0, predicates: ["isdelicious"] }] }, /isdelicious/);
  bad({ players: [] }, /exactly one player/);
  bad({ stations: [...WORKSHOP.stations, { name: "table9", x: 0, y: 0 }] }, /share the tile/);
  bad({ goal: [{ predicate: "on", args: ["bread", "table"], ids: [1, 2] }] }, /unknown predicate "on"/);
  bad({ goal: [{ predicate: "clear", args: ["waffle"], ids: [1] }] }, /unknown kind "waffle"/);
  bad({ goal: [{ predicate: "clear", args: ["bread"], ids: ["A"] }] }, /only integer ids/);
});
