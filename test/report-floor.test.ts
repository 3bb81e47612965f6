/**
 * How specific the audit's optimal-plan floor is: the published ASSTs against random sets of seeded
 * layouts (lib/report: seededOptima, floorSpecificity, lengthShares).
 */
import test from "ava";
import { makeKitchen } from "../lib/kitchen/index";
import { optimalLength } from "../lib/expert/planner";
import { auditTables, floorSpecificity, floorSpecificityMarkdown, lengthShares, loadPaperResults } from "../lib/report/index";
import { evaluationOptima, seededOptima } from "../lib/expert/optima";

const published = loadPaperResults();
const optima = evaluationOptima();

test("seeded optima are the planner's lengths of distinct seeded layouts", (t) => {
  const pool = seededOptima(12, { tasks: ["burger"], firstSeed: 40 });
  t.deepEqual(Object.keys(pool), ["burger"]);
  t.is(pool.burger.length, 12);
  t.is(pool.burger[0], optimalLength(makeKitchen("burger", 40)));
  t.deepEqual(lengthShares({ x: [8, 8, 10, 12] }), { x: { 8: 0.5, 10: 0.25, 12: 0.25 } });
});

test("drawing the evaluation layouts themselves always passes and always puts the same cells on the floor", (t) => {
  const f = floorSpecificity(published, optima, optima, { draws: 50 });
  t.is(f.allReachable, 1);
  t.is(f.sameOnFloor, 1);
  const audited = auditTables(published, { optima }).cells.filter((c) => c.asst_floor !== null);
  t.is(f.cells, audited.length);
  t.true(audited.every((c) => c.reachable));
  for (const cell of ["Table 1 Cheese Sandwich / Qwen2.5-1.5b (w/ SFT & GRPO) (SR 0.3, ASST 6.7)", "Table 1 Burger / Qwen2.5-1.5b (w/ SFT & GRPO) (SR 0.7, ASST 8.0)", "Table 1 Double Cheese Burger / Llama3.3-70b (expert) (SR 0.1, ASST 20.0)"]) {
    t.true(f.onFloor.includes(cell), cell);
  }
});

test("layouts longer than the published ASSTs never pass; the default layouts fail on three tasks", (t) => {
  const long = Object.fromEntries(Object.keys(optima).map((task) => [task, Array(20).fill(30)]));
  const f = floorSpecificity(published, optima, long, { draws: 20 });
  t.deepEqual([f.allReachable, f.sameOnFloor], [0, 0]);
  const defaults = Object.fromEntries(Object.keys(optima).map((task) => [task, Array(10).fill(optimalLength(makeKitchen(task)))]));
  const failing = auditTables(published, { optima: defaults }).cells.filter((c) => c.reachable === false);
  t.deepEqual([...new Set(failing.map((c) => c.task))].sort(), ["cheese_burger", "cheese_sandwich", "double_cheese_burger"]);
});

test("the markdown names each evaluation length's share and the draws' outcome", (t) => {
  const pool = { ...optima, burger: [8, 8, 8, 8, 10, 12, 14, 8, 8, 8, 11, 11] };
  const f = floorSpecificity(published, optima, pool, { draws: 100, seed: 3 });
  const md = floorSpecificityMarkdown(f, optima, pool);
  t.regex(md, /\| Burger \| 8, 12, 14, 8, 8, 10, 8, 8, 8, 8 \| 8: 58\.3%; 10: 8\.3%; 12: 8\.3%; 14: 8\.3% \| 8 \(58\.3%\) \|/);
  t.regex(md, new RegExp(`Of 100 random sets of 10 seeded layouts per task, ${(100 * f.allReachable).toFixed(1)}% let all ${f.cells} published ASSTs clear the floor`));
  t.deepEqual(floorSpecificity(published, optima, pool, { draws: 100, seed: 3 }), f); // seeded
});
